"""veto.columns_stale and deduct.policy_column_stale: columns updated in time, none left blank."""

from __future__ import annotations

from collections.abc import Sequence

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.rules.site import columns_stale, policy_column_stale
from tests.checker.rules.test_updates import (
    BASE,
    column_page,
    doc,
    listing,
    make_home,
    make_page,
    make_site,
    nav,
    run,
)

Entries = list[tuple[str, str, str]]


def site_with(columns: Sequence[tuple[str, str, Entries]], *extra: Page) -> SiteSnapshot:
    """A portal whose navigation lists the given columns, each a list page with its entries."""
    home = make_home(nav([(path, name) for path, name, _ in columns])
                     + listing([("/x.html", "今日要闻", "2026-11-19")]))
    return make_site(home, *(column_page(path, name, entries) for path, name, entries in columns), *extra)


def old(path: str) -> Entries:
    return [(f"{path}1.html", "一条旧信息", "2026-10-01")]


FRESH_NOTICE = ("/tzgg/", "通知公告", [("/tzgg/1.html", "关于开展安全检查的通知", "2026-11-12")])
DYNAMIC = [("/gzdt/", "工作动态"), ("/bmdt/", "部门动态"), ("/xzdt/", "乡镇动态"), ("/zwyw/", "政务要闻"),
           ("/tpxw/", "图片新闻")]


def by_severity(findings: list[FindingDraft], severity: str) -> list[FindingDraft]:
    return [f for f in findings if f.severity == severity]


def test_five_dynamic_columns_older_than_two_weeks_are_vetoed_and_each_named() -> None:
    site = site_with([(path, name, old(path)) for path, name in DYNAMIC] + [FRESH_NOTICE])

    findings = run(columns_stale, site)

    [veto] = by_severity(findings, "veto")
    assert veto.detail["condition"] == "stale" and "共5个（达到5个即单项否决）" in veto.message
    assert "“工作动态”（2026-10-01）" in veto.message
    assert [c["url"] for c in veto.detail["columns"]] == [BASE + path for path, _ in DYNAMIC]
    warns = by_severity(findings, "warn")
    assert [w.locator for w in warns] == [BASE + path for path, _ in DYNAMIC]
    assert warns[0].message == ("动态要闻类栏目“工作动态”最近一条信息发布于2026-10-01，"
                                "距监测时点（2026-11-20）已50天，超过14天未更新")


def test_four_stale_dynamic_columns_are_named_but_not_vetoed() -> None:
    about = make_page("/jggk/", doc("<h2>机构概况</h2><p>示范市人民政府办公室是市政府的办事机构，"
                                    "负责协助市政府领导处理政府日常工作。</p>", title="机构概况"))
    site = site_with([(path, name, old(path)) for path, name in DYNAMIC[:4]]
                     + [FRESH_NOTICE, ("/jggk/", "机构概况", [])])
    site.pages = [p for p in site.pages if p.url != BASE + "/jggk/"] + [about]

    findings = run(columns_stale, site)

    assert by_severity(findings, "veto") == []
    assert [w.detail["name"] for w in findings] == ["工作动态", "部门动态", "乡镇动态", "政务要闻"]


def test_five_blank_columns_are_vetoed() -> None:
    placeholder = [("/ldxx/", "领导信息", "<p>暂无信息</p>"), ("/jgzn/", "机构职能", "<p>暂无信息！</p>"),
                   ("/ztzl/", "专题专栏", "<div>栏目正在建设中……</div>")]
    pages = [make_page(path, doc(f"<h2>{name}</h2>{body}", title=name)) for path, name, body in placeholder]
    nothing: Entries = []
    site = site_with([("/gzdt/", "工作动态", nothing), ("/tzgg/", "通知公告", nothing)]
                     + [(path, name, nothing) for path, name, _ in placeholder])
    site.pages = site.pages[:3] + pages

    findings = run(columns_stale, site)

    [veto] = by_severity(findings, "veto")
    assert veto.detail["condition"] == "blank" and veto.message.startswith("空白栏目共5个")
    messages = {w.detail["name"]: w.message for w in by_severity(findings, "warn")}
    assert messages["工作动态"] == "栏目“工作动态”为空白栏目（无任何信息）"
    assert messages["领导信息"] == "栏目“领导信息”为空白栏目（仅显示“暂无信息”）"
    assert messages["专题专栏"] == "栏目“专题专栏”为空白栏目（仅显示“正在建设中”）"


def test_ten_columns_left_for_over_a_year_are_vetoed() -> None:
    subcolumns = [make_page(f"/tz{i}/", doc(listing([(f"/tz{i}/1.html", "旧通知", "2025-06-01")])), depth=2,
                            parent="/zwgk/", meta={"ColumnName": f"部门通知{i}", "ColumnType": "通知公告"})
                  for i in range(10)]
    site = site_with([FRESH_NOTICE, ("/gzdt/", "工作动态", [("/gzdt/1.html", "今日动态", "2026-11-19")])],
                     *subcolumns)

    findings = run(columns_stale, site)

    [veto] = by_severity(findings, "veto")
    assert veto.detail["condition"] == "long_stale" and "超过12个月未更新的共10个" in veto.message
    assert len(by_severity(findings, "warn")) == 10


def test_a_stale_top_level_policy_column_loses_five_points() -> None:
    site = site_with([FRESH_NOTICE,
                      ("/zcwj/", "政策文件", [("/zcwj/1.html", "关于印发某办法的通知", "2026-03-01")])])

    [finding] = run(policy_column_stale, site)

    assert (finding.severity, finding.points, finding.locator) == ("deduct", 5, BASE + "/zcwj/")
    assert finding.message == ("一级政策文件栏目“政策文件”最近一条信息发布于2026-03-01，"
                               "距监测时点（2026-11-20）已264天，超过6个月未更新")


def test_an_undated_policy_column_loses_points_and_a_recent_one_passes() -> None:
    undated = site_with([("/zcwj/", "政策文件", [("/zcwj/1.html", "关于印发某办法的通知", "")])])
    recent = site_with([("/zcwj/", "政策文件", [("/zcwj/1.html", "关于印发某办法的通知", "2026-06-01")])])

    [finding] = run(policy_column_stale, undated)

    assert "未找到标注发布日期的信息" in finding.message
    assert run(policy_column_stale, recent) == []


def test_a_stale_policy_column_below_the_top_level_costs_no_points() -> None:
    sub = make_page("/bmwj/", doc(listing([("/bmwj/1.html", "旧文件", "2025-01-01")])), depth=2,
                    parent="/zwgk/", meta={"ColumnName": "部门文件"})
    site = site_with([FRESH_NOTICE], sub)

    assert run(policy_column_stale, site) == []
