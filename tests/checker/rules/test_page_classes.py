"""Page classification and dates (issue 12, class 3): a column is a list page, an article never one.

One realistic portal: columns whose entries print their dates in the ways CMSs do, articles that
repeat their column's ColumnName tag, a stale column with a 暂无信息 sidebar box, and an old article
inside a fresh column. Only the planted problems may be reported.
"""

from __future__ import annotations

import re
from datetime import date

from services.checker.ground.site import Page, SiteSnapshot
from services.checker.inspect.evaluate import evaluate
from services.checker.profile.loader import national_profile
from services.checker.rules.params import WordLists
from services.checker.rules.site import columns_stale, policy_column_stale
from services.checker.support.columns import column_states, view_site
from tests.checker import cleansite
from tests.checker.rules.test_updates import (
    doc,
    listing,
    make_home,
    make_page,
    make_site,
    nav,
    params_for,
    run,
)

ARTICLE_BODY = ("<h1>{title}</h1><div class='info'>发布时间：{on}　来源：市政府办公室</div>"
                "<div class='content'><p>{title}。会议强调，要坚持稳中求进工作总基调，扎实做好各项工作，"
                "确保全年目标任务圆满完成。</p></div>")


RELATED = ("<div class='related'><h3>相关阅读</h3><ul>"
           "<li><a href='/gzdt/old1.html'>全市秋冬季森林防火工作会议召开</a><span>2025-10-11</span></li>"
           "<li><a href='/gzdt/old2.html'>市政府召开第一次全体会议</a><span>2025-01-05</span></li></ul></div>")


def article(path: str, title: str, on: str, column: str) -> Page:
    """An article page as many CMSs serve it: the column's tags, no ArticleTitle/PubDate, related reading."""
    return make_page(path, doc(ARTICLE_BODY.format(title=title, on=on) + RELATED, title=title), depth=2,
                     parent=path.rsplit("/", 1)[0] + "/", meta={"ColumnName": column, "ColumnType": column})


def policy_table(rows: list[tuple[str, str, str, str]]) -> str:
    """A policy-file list: title, 文号, 成文日期 and 发布日期 in columns."""
    cells = "".join(f'<tr><td><a href="{href}">{title}</a></td><td>示政发〔2026〕8号</td>'
                    f"<td>{written}</td><td>{published}</td></tr>" for href, title, written, published in rows)
    return f"<table><tr><th>标题</th><th>文号</th><th>成文日期</th><th>发布日期</th></tr>{cells}</table>"


def portal() -> SiteSnapshot:
    menu = nav([("/gzdt/", "工作动态"), ("/tzgg/", "通知公告"), ("/zcwj/", "政策文件"), ("/xzdt/", "乡镇动态"),
                ("/ldjh/", "领导讲话")])
    home = make_home(menu + listing([("/gzdt/t20261120_1.html", "市政府召开常务会议", "2026-11-20")]))
    # 工作动态: today's entry prints its date inside the link, after the title; an old article
    # (2025) is still listed lower down — the column is fresh.
    dynamic = make_page("/gzdt/", doc(
        "<h2>工作动态</h2><ul>"
        '<li><a href="/gzdt/t20261120_1.html">市政府召开常务会议 [2026-11-20]</a></li>'
        '<li><a href="/gzdt/t20251103_2.html">去年的一条工作动态 [2025-11-03]</a></li></ul>'
        '<div class="rili">今天是2026年10月31日</div>', title="工作动态"))
    notice = make_page("/tzgg/", doc("<h2>通知公告</h2>" + listing(
        [("/tzgg/a1.html", "关于开展冬季安全检查的通知", "2026-11-16")]), title="通知公告"))
    # 政策文件: written on 2026-05-10, published today.
    policy = make_page("/zcwj/", doc("<h2>政策文件</h2>" + policy_table(
        [("/zcwj/a2.html", "示范市促进民营经济发展若干措施", "2026-05-10", "2026-11-20")]), title="政策文件"))
    # 乡镇动态 (planted): every entry is old, and a sidebar box reads 暂无信息.
    stale = make_page("/xzdt/", doc(
        "<h2>乡镇动态</h2>" + listing([("/xzdt/a3.html", "某镇开展秋季植树活动", "2026-09-01")])
        + '<div class="box"><h3>热点专题</h3><p>暂无信息</p></div>', title="乡镇动态"))
    # 领导讲话: div rows, each labelling its date 发布时间 — a list, not an article.
    rows = "".join(f'<div class="item"><a href="/ldjh/a{n}.html">{title}</a><span>发布时间：{on}</span></div>'
                   for n, title, on in [(4, "在全市经济工作会议上的讲话", "2026-11-02"),
                                        (5, "在全市安全生产工作会议上的讲话", "2026-10-20"),
                                        (6, "在全市招商引资推进会上的讲话", "2026-09-15")])
    speech = make_page("/ldjh/", doc(f"<h2>领导讲话</h2><div class='list'>{rows}</div>", title="领导讲话"))
    articles = [
        article("/gzdt/t20261120_1.html", "市政府召开常务会议", "2026-11-20", "工作动态"),
        article("/gzdt/t20251103_2.html", "去年的一条工作动态", "2025-11-03", "工作动态"),
        article("/tzgg/a1.html", "关于开展冬季安全检查的通知", "2026-11-16", "通知公告"),
        article("/zcwj/a2.html", "示范市促进民营经济发展若干措施", "2026-11-20", "政策文件"),
        article("/xzdt/a3.html", "某镇开展秋季植树活动", "2026-09-01", "乡镇动态"),
        article("/ldjh/a4.html", "在全市经济工作会议上的讲话", "2026-11-02", "领导讲话"),
    ]
    return make_site(home, dynamic, notice, policy, stale, speech, *articles)


def test_only_list_pages_are_columns_and_each_takes_its_newest_entry() -> None:
    view = view_site(portal())

    states = {s.column.name: s.latest.on if s.latest else None
              for s in column_states(view, params_for(columns_stale).columns)}

    assert states == {"工作动态": date(2026, 11, 20), "通知公告": date(2026, 11, 16),
                      "政策文件": date(2026, 11, 20), "乡镇动态": date(2026, 9, 1),
                      "领导讲话": date(2026, 11, 2)}


def test_the_stale_column_is_reported_stale_and_nothing_else_is_reported() -> None:
    site = portal()

    findings = run(columns_stale, site)

    assert [(f.severity, f.detail["name"], f.message) for f in findings] == [
        ("warn", "乡镇动态", "动态要闻类栏目“乡镇动态”最近一条信息发布于2026-09-01，"
                            "距监测时点（2026-11-20）已80天，超过14天未更新")]
    assert run(policy_column_stale, site) == []


def test_a_column_without_entries_showing_a_placeholder_is_blank() -> None:
    site = portal()
    site.pages[4] = make_page("/xzdt/", doc("<h2>乡镇动态</h2><p>暂无信息</p>", title="乡镇动态"))

    findings = run(columns_stale, site)

    [blank] = [f for f in findings if "空白栏目" in f.message]
    assert blank.message == "栏目“乡镇动态”为空白栏目（仅显示“暂无信息”）"


def test_a_channel_of_sub_columns_and_an_embedded_service_are_not_blank() -> None:
    site = portal()
    home = site.pages[0]
    home.html = home.html.replace('<li><a href="/ldjh/">领导讲话</a></li>',
                                  '<li><a href="/ldjh/">领导讲话</a></li><li><a href="/xxgk/">信息公开</a></li>'
                                  '<li><a href="/rx/">12345热线</a></li>')
    channel = make_page("/xxgk/", doc('<h2>信息公开</h2><div class="subnav"><ul>'
                                      '<li><a href="/xxgk/zc/">政策</a></li><li><a href="/xxgk/gh/">规划</a></li>'
                                      "</ul></div>", title="信息公开"))
    plans = make_page("/xxgk/gh/", doc("<h2>规划</h2>" + listing(
        [("/xxgk/gh/1.html", "示范市国土空间总体规划", "2026-11-03")]), title="规划"), depth=2, parent="/xxgk/")
    hotline = make_page("/rx/", doc('<h2>12345热线</h2><iframe src="https://12345.demo.gov.cn/"></iframe>',
                                    title="12345热线"))
    site.pages += [channel, plans, hotline]

    findings = run(columns_stale, site)

    assert [f.detail["name"] for f in findings] == ["乡镇动态"]


def _plain_address(text: str) -> str:
    # t20261118_1.html → art20261118x1.html: an address no CMS pattern recognises as an article.
    return re.sub(r"t(\d{8})_(\d+)\.html", r"art\1x\2.html", text)


def test_the_clean_site_without_article_tags_reports_only_the_missing_tags() -> None:
    docs: cleansite.Docs = {}
    for (host, path), served in cleansite.documents().items():
        body = served.body
        if (served.content_type or "").startswith("text/html"):
            html = _plain_address(served.body.decode())
            body = re.sub(r'<meta name="(?:ArticleTitle|PubDate)"[^>]*>', "", html).encode()
        docs[(host, _plain_address(path))] = cleansite.Doc(body, served.content_type)

    findings = evaluate(cleansite.snapshot(docs), national_profile(), WordLists())

    assert [(f.rule, f.detail.get("page_type"), f.detail.get("tag")) for f in findings] == [
        ("deduct.identity", "article", "ArticleTitle"), ("deduct.identity", "article", "PubDate")]
