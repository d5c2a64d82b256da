"""veto.homepage_stale: the home page (or, for a navigation home, its second level) updated in 14 days."""

from __future__ import annotations

from services.checker.rules.site import homepage_stale
from tests.checker.rules.test_updates import (
    BASE,
    column_page,
    listing,
    make_home,
    make_site,
    nav,
    run,
)

MENU = nav([("/gzdt/", "工作动态"), ("/tzgg/", "通知公告")])


def test_a_home_page_whose_newest_item_is_15_days_old_is_vetoed() -> None:
    site = make_site(make_home(MENU + listing([("/a.html", "全市秋冬季安全生产部署会召开", "2026-11-05"),
                                               ("/b.html", "示范市举办招聘会", "2026-10-30")])))

    [finding] = run(homepage_stale, site)

    assert finding.severity == "veto" and finding.url == BASE + "/"
    assert finding.message == ("首页最近一条信息发布于2026-11-05，距监测时点（2026-11-20）已15天，"
                               "超过14天未更新")
    assert finding.detail["newest_on"] == "2026-11-05"
    assert finding.locator == "veto.homepage_stale|www.demo.gov.cn"
    assert finding.excerpt == "全市秋冬季安全生产部署会召开 【2026-11-05】"


def test_a_home_page_whose_newest_item_is_13_days_old_passes() -> None:
    site = make_site(make_home(MENU + listing([("/a.html", "全市秋冬季安全生产部署会召开", "2026-11-07")])))

    assert run(homepage_stale, site) == []


def test_a_home_page_listing_only_undated_items_is_vetoed() -> None:
    site = make_site(make_home(MENU + '<ul class="news"><li><a href="/a.html">市长会见客商</a></li>'
                                      '<li><a href="/b.html">全市重点项目观摩</a></li>'
                                      '<li><a href="/c.html">冬季供暖工作会</a></li></ul>'),
                     column_page("/gzdt/", "工作动态", [("/gzdt/1.html", "今日动态", "2026-11-19")]),
                     column_page("/tzgg/", "通知公告", []))

    [finding] = run(homepage_stale, site)

    assert "首页未找到标注发布日期的信息" in finding.message and finding.detail["newest_on"] is None
    assert finding.detail["navigation_page"] is False


def test_a_navigation_home_passes_when_a_second_level_page_was_updated() -> None:
    site = make_site(make_home(MENU),
                     column_page("/gzdt/", "工作动态", [("/gzdt/1.html", "环境整治推进会", "2026-11-16")]),
                     column_page("/tzgg/", "通知公告", [("/tzgg/1.html", "停水通知", "2026-08-01")]))

    assert run(homepage_stale, site) == []


def test_a_navigation_home_is_vetoed_when_no_second_level_page_was_updated() -> None:
    site = make_site(make_home(MENU),
                     column_page("/gzdt/", "工作动态", [("/gzdt/1.html", "环境整治推进会", "2026-10-01")]),
                     column_page("/tzgg/", "通知公告", [("/tzgg/1.html", "停水通知", "2026-08-01")]))

    [finding] = run(homepage_stale, site)

    assert finding.message.startswith("首页为导航页，首页及其二级页面最近一条信息发布于2026-10-01")
    assert finding.detail["navigation_page"] is True
    assert [(p["url"], p["newest_on"]) for p in finding.detail["second_level_pages"]] == [
        (BASE + "/gzdt/", "2026-10-01"), (BASE + "/tzgg/", "2026-08-01")]
