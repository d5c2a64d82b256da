"""veto.service: the site offers 办事服务, and its 办事指南 state the eight key elements."""

from __future__ import annotations

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.rules.site import service_guides
from tests.checker.rules.test_updates import (
    BASE,
    FULL_GUIDE,
    doc,
    listing,
    make_home,
    make_page,
    make_site,
    nav,
    run,
)

THIN_GUIDE = """<h1>{title}</h1><p>事项名称：{title}</p><p>办理地点：示范市政务服务中心</p>
<p>联系电话：0531-12345678</p><p>设定依据：</p><p>申请条件：暂无</p>"""


def guide(i: int, html: str) -> Page:
    title = f"第{i}项事项办事指南"
    return make_page(f"/bszn/{i}.html", doc(html.format(title=title)), depth=2, parent="/bszn/",
                     meta={"ArticleTitle": title, "ColumnName": "办事指南", "PubDate": "2026-03-01 10:00"})


def portal(*pages: Page, provides_services: bool = True, menu: str = "办事指南") -> SiteSnapshot:
    home = make_home(nav([("/bszn/", menu)]) + listing([("/x.html", "今日要闻", "2026-11-19")]))
    return make_site(home, *pages, provides_services=provides_services)


def of(findings: list[FindingDraft], severity: str) -> list[FindingDraft]:
    return [f for f in findings if f.severity == severity]


def test_five_guides_each_missing_four_elements_are_vetoed_with_their_gaps() -> None:
    site = portal(*(guide(i, THIN_GUIDE) for i in range(5)))

    findings = run(service_guides, site)

    [veto] = of(findings, "veto")
    missing = ["设定依据", "申请条件", "办理材料", "办理时间", "办理流程"]
    assert veto.detail["condition"] == "guides"
    assert [(g["url"], g["missing"]) for g in veto.detail["guides"]] == [
        (f"{BASE}/bszn/{i}.html", missing) for i in range(5)]
    assert "有5个办事指南各缺少4项及以上关键要素" in veto.message
    warns = of(findings, "warn")
    assert warns[0].message == ("办事指南“第0项事项办事指南”缺少5项关键要素："
                                "设定依据、申请条件、办理材料、办理时间、办理流程")
    assert [w.locator for w in warns] == [f"{BASE}/bszn/{i}.html" for i in range(5)]


def test_four_deficient_guides_are_named_but_not_vetoed() -> None:
    site = portal(*(guide(i, THIN_GUIDE) for i in range(4)), guide(4, FULL_GUIDE))

    findings = run(service_guides, site)

    assert of(findings, "veto") == [] and len(of(findings, "warn")) == 4


def test_complete_guides_pass() -> None:
    assert run(service_guides, portal(*(guide(i, FULL_GUIDE) for i in range(6)))) == []


def test_a_site_without_any_service_is_vetoed_unless_it_provides_none() -> None:
    bare = portal(menu="机构概况")

    [finding] = run(service_guides, bare)

    assert finding.detail["condition"] == "no_service" and finding.url == BASE + "/"
    assert "未提供办事服务" in finding.message
    assert run(service_guides, portal(menu="机构概况", provides_services=False)) == []
