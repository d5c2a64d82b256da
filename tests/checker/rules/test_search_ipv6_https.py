"""deduct.search, deduct.ipv6 and deduct.https."""

from __future__ import annotations

from services.checker.ground.site import Ipv6Result, SearchResult
from services.checker.rules.site import https, ipv6, search
from tests.checker.rules.test_links import ARTICLE, HOME, clean_site, run

# 搜索功能


def test_a_site_without_search_is_deducted() -> None:
    site = clean_site()
    site.search = SearchResult(present=False)

    [finding] = run(search, site)

    assert (finding.detail["kind"], finding.url) == ("search_missing", HOME)
    assert "站内搜索" in finding.message and finding.points == 3.0


def test_a_search_that_cannot_find_an_existing_title_is_deducted() -> None:
    site = clean_site()
    site.search = SearchResult(present=True, query="关于印发济南市政务公开工作要点的通知", hits=0,
                               url="https://www.jn.gov.cn/search?q=x")

    [finding] = run(search, site)

    assert finding.detail["kind"] == "search_no_results"
    assert "关于印发济南市政务公开工作要点的通知" in finding.message
    assert finding.url == "https://www.jn.gov.cn/search?q=x"


def test_an_unprobed_search_is_not_judged() -> None:
    site = clean_site()
    site.search = None

    assert run(search, site) == []


# IPv6


def test_no_aaaa_record_is_deducted() -> None:
    site = clean_site()
    site.ipv6 = Ipv6Result(aaaa=[], reachable=None)

    [finding] = run(ipv6, site)

    assert finding.detail["kind"] == "ipv6_no_aaaa" and "www.jn.gov.cn" in finding.message


def test_an_aaaa_record_that_does_not_serve_the_home_page_is_deducted() -> None:
    site = clean_site()
    site.ipv6 = Ipv6Result(aaaa=["240e:ff:e020::1"], reachable=False)

    [finding] = run(ipv6, site)

    assert finding.detail["kind"] == "ipv6_unreachable" and "240e:ff:e020::1" in finding.message


# HTTPS


def test_a_home_page_served_over_plain_http_is_deducted() -> None:
    site = clean_site()
    for page in site.pages:
        page.url = page.final_url = page.url.replace("https://", "http://")

    [finding] = run(https, site)

    assert (finding.detail["kind"], finding.url) == ("home_not_https", "http://www.jn.gov.cn/")
    assert finding.detail["http_pages_count"] == 3


def test_http_redirecting_to_https_passes() -> None:
    site = clean_site()
    site.pages[0].url = "http://www.jn.gov.cn/"

    assert run(https, site) == []


def test_site_pages_left_on_http_are_deducted_once() -> None:
    site = clean_site()
    site.pages[2].url = site.pages[2].final_url = ARTICLE.replace("https://", "http://")

    [finding] = run(https, site)

    assert finding.detail["kind"] == "http_not_redirected"
    assert finding.url == ARTICLE.replace("https://", "http://") and "1 个页面" in finding.message
