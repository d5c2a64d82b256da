"""veto.interaction and deduct.reply_stale: a working consultation channel with timely replies."""

from __future__ import annotations

from services.checker.ground.site import Page, SiteSnapshot
from services.checker.rules.site import interaction, reply_stale
from tests.checker.rules.test_updates import (
    BASE,
    doc,
    listing,
    make_home,
    make_page,
    make_site,
    nav,
    run,
)

Row = tuple[str, str, str, str]  # title, asked, replied, status


def message_table(path: str, rows: list[Row]) -> str:
    cells = "".join(f'<tr><td><a href="{path}{i}.html">{title}</a></td><td>{asked}</td><td>{replied}</td>'
                    f"<td>{status}</td></tr>" for i, (title, asked, replied, status) in enumerate(rows))
    return (f'<table><tr><th>标题</th><th>留言时间</th><th>答复时间</th><th>办理状态</th></tr>{cells}</table>'
            f'<a href="{path}write.html">我要写信</a>')


def column(path: str, name: str, rows: list[Row]) -> Page:
    return make_page(path, doc(f"<h2>{name}</h2>{message_table(path, rows)}", title=name),
                     meta={"ColumnName": name})


def portal(*columns: Page) -> SiteSnapshot:
    menu = nav([(BASE + p.url.removeprefix(BASE), p.meta["ColumnName"]) for p in columns])
    home = make_home(menu + listing([("/x.html", "今日要闻", "2026-11-19")]))
    return make_site(home, *columns)


PROMPT = [("咨询公积金提取", "2026-11-02", "2026-11-05", "已回复"),
          ("咨询入学政策", "2026-10-20", "2026-10-22", "已回复")]
OVERDUE = [("反映小区停水问题", "2026-06-01", "", "未回复")]


def test_a_consultation_message_unanswered_for_over_three_months_is_vetoed() -> None:
    site = portal(column("/zxzx/", "在线咨询", PROMPT + OVERDUE))

    [finding] = run(interaction, site)

    assert finding.severity == "veto" and finding.locator == BASE + "/zxzx/"
    assert finding.message == ("咨询类栏目“在线咨询”有1条近365天内的留言超过3个月未答复，"
                               "其中“反映小区停水问题”留言于2026-06-01，至监测时点（2026-11-20）仍未答复（间隔172天）")
    assert finding.detail["messages"] == [{"title": "反映小区停水问题", "url": BASE + "/zxzx/2.html",
                                           "asked_on": "2026-06-01", "replied_on": None, "waited_days": 172}]


def test_old_unanswered_petitions_do_not_count_while_consultations_are_answered() -> None:
    site = portal(column("/zxzx/", "在线咨询", PROMPT), column("/wsxf/", "网上信访", OVERDUE * 3))

    assert run(interaction, site) == []
    assert run(reply_stale, site) == []


def test_a_message_answered_after_four_months_is_vetoed_and_one_from_last_year_is_not() -> None:
    late = column("/ldxx/", "领导信箱", [("建议增开公交线路", "2026-03-01", "2026-07-15", "已办结")])
    last_year = column("/zxzx/", "在线咨询", [*PROMPT, ("咨询社保转移", "2025-09-01", "", "未回复")])

    [finding] = run(interaction, portal(late, last_year))

    assert finding.url == BASE + "/ldxx/" and "于2026-07-15才答复（间隔136天）" in finding.message


def test_a_labelled_detail_page_without_a_reply_is_vetoed() -> None:
    detail = make_page("/zxzx/5.html", doc(
        '<h1>咨询养老金领取</h1><table><tr><th>留言时间</th><td>2026-05-10 09:12</td></tr>'
        "<tr><th>答复时间</th><td></td></tr><tr><th>答复内容</th><td></td></tr></table>"),
        depth=2, parent="/zxzx/", meta={"ColumnName": "在线咨询", "ArticleTitle": "咨询养老金领取"})
    site = portal(column("/zxzx/", "在线咨询", PROMPT))
    site.pages.append(detail)

    [finding] = run(interaction, site)

    assert finding.url == BASE + "/zxzx/5.html" and "“咨询养老金领取”留言于2026-05-10" in finding.message


def test_a_labelled_message_list_is_read() -> None:
    items = ('<ul><li><a href="/wz/1.html">道路积水</a><p>提问时间：2026-04-02</p><p>回复时间：</p></li>'
             '<li><a href="/wz/2.html">路灯不亮</a><p>提问时间：2026-11-01</p>'
             '<p>回复时间：2026-11-03</p></li></ul>')
    site = portal(make_page("/wz/", doc("<h2>问政平台</h2>" + items), meta={"ColumnName": "问政平台"}))

    [finding] = run(interaction, site)

    assert [m["title"] for m in finding.detail["messages"]] == ["道路积水"]


def test_a_site_whose_only_channels_are_petitions_and_interviews_is_vetoed() -> None:
    petitions = column("/wsxf/", "网上信访", [("反映拖欠工资", "2026-11-01", "2026-11-03", "已回复")])
    talks = listing([("/zxft/1.html", "访谈", "2026-11-01")])
    interviews = make_page("/zxft/", doc("<h2>在线访谈</h2>" + talks), meta={"ColumnName": "在线访谈"})

    [finding] = run(interaction, portal(petitions, interviews))

    assert finding.detail["condition"] == "no_channel" and finding.url == BASE + "/"
    assert finding.message == "网站未提供可用的在线咨询渠道（网上信访、纪检举报、在线访谈、调查征集不计入）"


def test_a_consultation_column_without_a_new_reply_in_two_months_loses_three_points() -> None:
    site = portal(column("/zxzx/", "在线咨询", [("咨询公积金提取", "2026-07-30", "2026-08-01", "已回复")]))

    [finding] = run(reply_stale, site)

    assert (finding.severity, finding.points) == ("deduct", 3)
    assert finding.message == ("留言答复最近一次发布于2026-08-01，距监测时点（2026-11-20）已111天，"
                               "超过2个月无新的答复")


def test_a_reply_within_two_months_passes_reply_stale() -> None:
    site = portal(column("/zxzx/", "在线咨询", [("咨询公积金提取", "2026-10-13", "2026-10-15", "已回复")]))

    assert run(reply_stale, site) == []
