"""registry.compliance: closed-but-serving, offline-without-filing and unregistered government sites."""

from __future__ import annotations

from services.checker.rules.site import registry_compliance
from tests.checker.rules.test_links import ARTICLE, HOME, clean_site, link, make_page, make_target, run


def test_a_site_filed_as_closed_that_still_serves_is_reported() -> None:
    site = clean_site()
    site.target = make_target(status="closed")

    [finding] = run(registry_compliance, site)

    assert (finding.severity, finding.detail["kind"], finding.url) == ("veto", "closed_but_serving", HOME)
    assert "已在备案中报关停" in finding.message


def test_a_closed_site_showing_a_closure_notice_or_redirecting_away_passes() -> None:
    site = clean_site()
    site.target = make_target(status="deregistered")
    site.pages = [make_page(HOME, text="本网站已关停，相关内容已整合至济南市人民政府门户网站")]
    assert run(registry_compliance, site) == []

    site.pages = [make_page(HOME, final_url="https://www.jinan.gov.cn/", text="济南市人民政府")]
    assert run(registry_compliance, site) == []


def test_a_running_site_that_does_not_answer_is_judged_failed() -> None:
    site = clean_site()
    site.pages = [make_page(HOME, status=None, failure="dns")]

    [finding] = run(registry_compliance, site)

    assert (finding.severity, finding.detail["kind"]) == ("veto", "offline_unfiled")
    assert "dns" in finding.message and "报备关停" in (finding.suggestion or "")


def test_a_running_site_with_no_page_at_all_is_judged_failed_but_a_blocked_crawler_is_not() -> None:
    site = clean_site()
    site.pages = []
    assert [f.detail["kind"] for f in run(registry_compliance, site)] == ["offline_unfiled"]

    site.pages = [make_page(HOME, status=403, failure="blocked")]
    assert run(registry_compliance, site) == []


def test_links_to_an_unregistered_government_site_are_one_warning_per_host() -> None:
    site = clean_site()
    site.pages[0].links.append(link("https://xq.jn.gov.cn/", text="济南新区"))
    site.pages[2].links.append(link("https://xq.jn.gov.cn/zwgk/", ARTICLE, text="新区政务公开"))

    [finding] = run(registry_compliance, site)

    assert (finding.severity, finding.detail["kind"], finding.offending) == (
        "warn", "unregistered_site", "xq.jn.gov.cn")
    assert (finding.url, finding.parent_url, finding.excerpt) == (
        "https://xq.jn.gov.cn/", HOME, "济南新区")
    assert "未纳入" in finding.message


def test_without_the_registry_list_unregistered_sites_are_not_judged() -> None:
    site = clean_site()
    site.pages[0].links.append(link("https://xq.jn.gov.cn/", text="济南新区"))
    site.registry_sites = set()

    assert run(registry_compliance, site) == []
