"""deduct.domain: .gov.cn/.政务 domains, portal and department forms, unfiled serving hosts."""

from __future__ import annotations

from services.checker.ground.site import SiteSnapshot
from services.checker.rules.site import domain
from tests.checker.rules.test_links import clean_site, make_page, make_target, run


def test_a_filed_domain_outside_gov_cn_is_deducted() -> None:
    site = clean_site()
    site.target = make_target(kind="department", domains=["www.jnslj.com"], home_url="https://www.jnslj.com/")
    for page in site.pages:
        page.url = page.final_url = page.url.replace("www.jn.gov.cn", "www.jnslj.com")

    [finding] = run(domain, site)

    assert (finding.detail["kind"], finding.detail["domain"]) == ("non_gov_domain", "www.jnslj.com")
    assert ".gov.cn" in finding.message and finding.points > 0


def test_a_portal_without_the_www_form_is_deducted() -> None:
    site = clean_site()
    site.target = make_target(domains=["jn.gov.cn"], home_url="https://jn.gov.cn/")
    for page in site.pages:
        page.url = page.final_url = page.url.replace("www.jn.gov.cn", "jn.gov.cn")

    [finding] = run(domain, site)

    assert finding.detail["kind"] == "portal_form" and "www.<名称>.gov.cn" in finding.message


def department_site(host: str, portal: str | None) -> SiteSnapshot:
    site = clean_site()
    site.target = make_target(kind="department", domains=[host], home_url=f"https://{host}/")
    for page in site.pages:
        page.url = page.final_url = page.url.replace("www.jn.gov.cn", host)
    site.target.portal_domain = portal
    return site


def test_a_department_site_under_its_portal_passes_and_one_outside_it_is_deducted() -> None:
    assert run(domain, department_site("slj.jn.gov.cn", "www.jn.gov.cn")) == []

    [finding] = run(domain, department_site("www.jnslj.gov.cn", "www.jn.gov.cn"))

    assert finding.detail["kind"] == "department_not_under_portal"
    assert "jn.gov.cn" in (finding.suggestion or "")


def test_without_the_portal_domain_the_department_form_is_not_judged() -> None:
    assert run(domain, department_site("www.jnslj.gov.cn", None)) == []


def test_pages_served_from_an_unfiled_host_are_deducted_once_per_host() -> None:
    site = clean_site()
    site.pages += [make_page("https://jn-gov.cn/a.html"), make_page("https://jn-gov.cn/b.html")]

    [finding] = run(domain, site)

    assert (finding.detail["kind"], finding.detail["host"], finding.detail["pages"]) == (
        "unfiled_host", "jn-gov.cn", 2)
    assert finding.url == "https://jn-gov.cn/a.html"


def test_a_chinese_zhengwu_domain_reached_in_punycode_is_accepted() -> None:
    site = clean_site()
    host = "www.济南.政务"
    puny = "www." + "济南".encode("idna").decode() + "." + "政务".encode("idna").decode()
    site.target = make_target(domains=[host], home_url=f"https://{puny}/")
    for page in site.pages:
        page.url = page.final_url = page.url.replace("www.jn.gov.cn", puny)

    assert run(domain, site) == []
