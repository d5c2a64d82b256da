"""Update helpers: item dates, list entries, columns; and a clean site passing every update rule.

The factories here (make_page, make_site, listing, params_for, …) are shared by the tests of
homepage_stale, columns_stale, policy_column_stale, interaction, reply_stale and service_guides.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import uuid4

import services.checker
from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot, Target
from services.checker.rules.site import (
    columns_stale,
    homepage_stale,
    interaction,
    policy_column_stale,
    reply_stale,
    service_guides,
)
from services.checker.support.columns import classify, column_items, page_items, view_site
from services.checker.support.dates import parse_dates
from shared.calendar import SHANGHAI

HOST = "www.demo.gov.cn"
BASE = f"https://{HOST}"
AS_OF = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
PROFILE = Path(services.checker.__file__).parent / "profiles" / "national_2019" / "updates.json"
UPDATE_RULES = [homepage_stale, columns_stale, policy_column_stale, interaction, reply_stale, service_guides]


def params_for(module: ModuleType) -> Any:
    """Load a rule's parameters from the national profile fragment."""
    data = json.loads(PROFILE.read_text(encoding="utf-8"))
    return module.Params.model_validate(data["rules"][module.CODE])


def run(module: ModuleType, site: SiteSnapshot) -> list[FindingDraft]:
    """Run a rule with the national profile's parameters."""
    return module.check(site, params_for(module))


def doc(body: str, title: str = "示范市人民政府") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def listing(entries: list[tuple[str, str, str]]) -> str:
    """A news list: (href, title, date text) per row, the date in a span beside the link."""
    rows = "".join(f'<li><a href="{href}">{title}</a><span class="date">{when}</span></li>'
                   for href, title, when in entries)
    return f'<div class="list"><ul>{rows}</ul></div>'


def nav(columns: list[tuple[str, str]]) -> str:
    """A top navigation bar of (href, name) entries, with 首页 first."""
    rows = "".join(f'<li><a href="{href}">{name}</a></li>' for href, name in columns)
    return f'<div class="nav"><ul><li><a href="/">首页</a></li>{rows}</ul></div>'


def make_page(path: str, html: str, *, depth: int = 1, parent: str = "/", title: str = "",
              meta: dict[str, str] | None = None, status: int = 200) -> Page:
    url = BASE + path
    return Page(url=url, final_url=url, status=status, depth=depth,
                parent_url=None if depth == 0 else BASE + parent, html=html, title=title, meta=meta or {})


def make_home(body: str) -> Page:
    return make_page("/", doc(body), depth=0, meta={"SiteName": "示范市人民政府", "SiteDomain": HOST})


def make_site(*pages: Page, as_of: datetime = AS_OF, provides_services: bool = True) -> SiteSnapshot:
    target = Target(id=uuid4(), site_code="3701000001", name="示范市人民政府", organisation_id=uuid4(),
                    organisation_name="示范市人民政府办公室", region_code="370100", kind="portal",
                    domains=[HOST], home_url=BASE + "/", status="running",
                    provides_services=provides_services)
    return SiteSnapshot(target=target, as_of=as_of, pages=list(pages))


def column_page(path: str, name: str, entries: list[tuple[str, str, str]], extra: str = "") -> Page:
    return make_page(path, doc(f"<h2>{name}</h2>{listing(entries)}{extra}", title=name))


CONSULTATION_TABLE = """
<table class="msg"><tr><th>标题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>
<tr><td><a href="/zxts/1.html">咨询公积金提取</a></td><td>2026-11-02</td><td>2026-11-05</td>
<td>已回复</td></tr>
<tr><td><a href="/zxts/2.html">咨询入学政策</a></td><td>2026-10-20</td><td>2026-10-22</td>
<td>已回复</td></tr>
</table><a href="/zxts/write.html">我要咨询</a>"""

FULL_GUIDE = """<h1>城乡居民基本养老保险参保登记办事指南</h1><table>
<tr><th>事项名称</th><td>城乡居民基本养老保险参保登记</td></tr>
<tr><th>设定依据</th><td>《国务院关于建立统一的城乡居民基本养老保险制度的意见》</td></tr>
<tr><th>申请条件</th><td>年满16周岁、不是国家机关和事业单位工作人员</td></tr>
<tr><th>办理材料</th><td>居民身份证或户口簿</td></tr>
<tr><th>办理地点</th><td>示范市政务服务中心二楼</td></tr>
<tr><th>办理时间</th><td>工作日 9:00-17:00</td></tr>
<tr><th>联系电话</th><td>0531-12345678</td></tr>
<tr><th>办理流程</th><td>申请、受理、审核、办结</td></tr></table>"""


def clean_site() -> SiteSnapshot:
    """A portal whose home, columns, consultation column and guides are all in order."""
    menu = nav([("/gzdt/", "工作动态"), ("/tzgg/", "通知公告"), ("/zcwj/", "政策文件"),
                ("/zwfw/", "政务服务"), ("/zxts/", "咨询投诉")])
    home = make_home(menu + listing([("/gzdt/1.html", "市政府召开常务会议", "2026-11-18"),
                                     ("/tzgg/1.html", "关于开展安全检查的通知", "2026-11-12")]))
    guides = [make_page(f"/zwfw/g{i}.html", doc(FULL_GUIDE), depth=2, parent="/zwfw/",
                        meta={"ArticleTitle": f"参保登记办事指南{i}", "ColumnName": "办事指南"})
              for i in range(5)]
    return make_site(
        home,
        column_page("/gzdt/", "工作动态", [("/gzdt/1.html", "市政府召开常务会议", "2026-11-18"),
                                           ("/gzdt/2.html", "副市长调研秋种工作", "2026-11-10")]),
        column_page("/tzgg/", "通知公告", [("/tzgg/1.html", "关于开展安全检查的通知", "2026-11-12")]),
        column_page("/zcwj/", "政策文件", [("/zcwj/1.html", "示范市促进民营经济发展若干措施", "2026-09-30")]),
        column_page("/zwfw/", "政务服务", [(f"/zwfw/g{i}.html", f"参保登记办事指南{i}", "2026-03-01")
                                           for i in range(5)]),
        make_page("/zxts/", doc("<h2>咨询投诉</h2>" + CONSULTATION_TABLE, title="咨询投诉"),
                  meta={"ColumnName": "咨询投诉"}),
        *guides,
    )


def test_a_clean_site_has_no_finding_from_any_update_rule() -> None:
    site = clean_site()

    assert {m.CODE: run(m, site) for m in UPDATE_RULES} == {m.CODE: [] for m in UPDATE_RULES}


def test_every_written_date_format_is_read() -> None:
    today = date(2026, 11, 20)
    for text in ("2026-11-20", "2026/11/20", "2026.11.20", "2026年11月20日", "[11-20]", "11-20"):
        assert parse_dates(text, today) == [date(2026, 11, 20)], text


def test_a_month_day_later_than_today_belongs_to_the_previous_year() -> None:
    assert parse_dates("[12-30]", date(2026, 1, 5)) == [date(2025, 12, 30)]
    assert parse_dates("11-21", date(2026, 11, 20)) == [date(2025, 11, 21)]


def test_phone_numbers_and_future_dates_are_not_publication_dates() -> None:
    today = date(2026, 11, 20)
    assert parse_dates("电话：0531-86681234", today) == []
    assert parse_dates("2026-12-25", today) == []


def test_list_entries_take_the_date_beside_them_across_a_new_year() -> None:
    body = nav([("/gzdt/", "工作动态")]) + (
        '<ul><li><a href="/a.html">元旦前慰问困难群众</a><span>[12-30]</span></li></ul>'
        '<table><tr><td><a href="/b.html">年终总结会召开</a></td><td>2025-12-28</td></tr></table>'
        '<dl><dt><a href="/c.html">关于2026年1月1日放假的通知</a></dt><dd>2025/12/20</dd></dl>'
        '<ul><li><a href="/d.html"><span>新年第一会</span><span>2026-01-04</span></a></li></ul>')
    site = make_site(make_home(body), as_of=datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI))

    items = page_items(site.pages[0], view_site(site))

    assert [(i.title, i.on) for i in items] == [
        ("元旦前慰问困难群众", date(2025, 12, 30)), ("年终总结会召开", date(2025, 12, 28)),
        ("关于2026年1月1日放假的通知", date(2025, 12, 20)), ("新年第一会", date(2026, 1, 4))]


def test_an_undated_entry_takes_the_pubdate_of_the_article_it_links_to() -> None:
    home = make_home('<ul><li><a href="/a.html">全市经济运行情况</a></li>'
                     '<li><a href="/b.html">无日期的信息</a></li></ul>')
    article = make_page("/a.html", doc("正文"), meta={"ArticleTitle": "全市经济运行情况",
                                                      "PubDate": "2026-11-19 09:30"})
    site = make_site(home, article)

    items = page_items(home, view_site(site))

    assert [(i.title, i.on) for i in items] == [("全市经济运行情况", date(2026, 11, 19)),
                                                ("无日期的信息", None)]


def test_columns_come_from_the_navigation_and_column_tags_and_are_classified() -> None:
    menu = ('<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/xwzx/">新闻中心</a></li>'
            '<li><a href="/zwgk/">政务公开</a><ul><li><a href="/zcjd/">政策解读</a></li>'
            '<li><a href="/gfxwj/">规范性文件</a></li></ul></li></ul></div>')
    tagged = make_page("/bmdt/", doc("<h2>部门信息</h2>"), depth=2, parent="/xwzx/",
                       meta={"ColumnName": "部门信息", "ColumnType": "工作动态"})
    site = make_site(make_home(menu), tagged)
    keywords = params_for(columns_stale).columns

    columns = {c.name: (classify(c, keywords), c.top_level) for c in view_site(site).columns}

    assert columns == {"新闻中心": ("dynamic", True), "政务公开": ("other", True),
                       "政策解读": ("other", False), "规范性文件": ("policy", False),
                       "部门信息": ("dynamic", False)}


def test_a_column_includes_the_first_page_of_its_pagination() -> None:
    pager = ('<div class="page"><a href="/gzdt/index_1.html">首页</a>'
             '<a href="/gzdt/index_2.html">下一页</a></div>')
    landing = column_page("/gzdt/", "工作动态", [], extra=pager)
    first = column_page("/gzdt/index_1.html", "工作动态", [("/gzdt/9.html", "防汛工作部署", "2026-11-15")])
    site = make_site(make_home(nav([("/gzdt/", "工作动态")])), landing, first)
    view = view_site(site)
    [column] = view.columns

    assert [(i.title, i.on) for i in column_items(column, view)] == [("防汛工作部署", date(2026, 11, 15))]
