"""veto.security injected scripts and faked dates, and the 外链变质 warning."""

from __future__ import annotations

from services.checker.rules.site import external_links, foreign_scripts, future_dates
from tests.checker.rules.test_links import ARTICLE, HOME, clean_site, link, run, served

# Injected scripts


def test_statistics_cdn_and_government_scripts_are_not_reported() -> None:
    site = clean_site()
    site.pages[0].scripts += ["https://s95.cnzz.com/z_stat.php?id=1", "https://cdn.jsdelivr.net/npm/vue.js",
                              "https://www.sd.gov.cn/js/common.js", "https://js.example-vendor.com/js/nav-menu.js"]

    assert run(foreign_scripts, site) == []


def test_a_script_from_a_gambling_host_is_an_injected_script_veto() -> None:
    site = clean_site()
    src = "https://js.bocai-888.com/tj.js"
    site.pages[2].scripts.append(src)

    [finding] = run(foreign_scripts, site)

    assert (finding.severity, finding.detail["kind"], finding.url, finding.parent_url) == (
        "veto", "injected_script", src, ARTICLE)
    assert "bocai" in finding.message and "恶意代码" in finding.message


def test_strict_profiles_report_any_unlisted_foreign_script() -> None:
    site = clean_site()
    site.pages[0].scripts.append("https://js.example-vendor.com/widget.js")

    [finding] = run(foreign_scripts, site, script_strict=True)

    assert finding.detail["keyword"] is None and "允许" in finding.message


# Faked dates


def test_a_pubdate_later_than_the_crawl_is_a_faked_date_veto() -> None:
    site = clean_site()
    site.pages[2].meta["PubDate"] = "2024-06-18 09:00:00"

    [finding] = run(future_dates, site)

    assert (finding.severity, finding.detail["kind"], finding.url) == ("veto", "future_date", ARTICLE)
    assert "2024-06-18 09:00:00" in finding.message and "伪造" in finding.message


def test_a_visible_publication_date_later_than_the_crawl_is_reported_with_context() -> None:
    site = clean_site()
    site.pages[2].text = "关于开展安全检查的通知 发布时间：2024年6月18日 来源：市应急局"

    [finding] = run(future_dates, site)

    assert finding.detail["source"] == "text"
    assert "【发布时间：2024年6月18日" in (finding.excerpt or "")


def test_dates_within_the_tolerance_and_deadlines_are_not_faked_dates() -> None:
    site = clean_site()
    # Same day, later hour: a server clock or time-zone slip, within the profile's tolerance.
    site.pages[2].meta["PubDate"] = "2024-05-01 16:00:00"
    site.pages[2].text = "发布日期：2024-05-01 报名截止日期：2024-06-30 实施日期：2024-07-01"

    assert run(future_dates, site) == []


# 外链变质


def test_an_external_link_now_serving_gambling_is_warned() -> None:
    site = clean_site()
    url = "https://www.old-partner.com/"
    site.pages[0].links.append(link(url, text="合作单位"))
    site.external_pages[url] = served(url, "真人娱乐 百家乐 注册送彩金", "在线投注")

    [finding] = run(external_links, site)

    assert (finding.severity, finding.url, finding.parent_url, finding.excerpt) == (
        "warn", url, HOME, "合作单位")
    assert finding.detail["category"] == "gambling" and "赌博" in finding.message


def test_a_parked_domain_is_warned_and_a_news_item_about_gambling_is_not() -> None:
    site = clean_site()
    parked, news = "https://www.expired-bureau.com/", "https://www.people.com.cn/n1/2024/0430/c1.html"
    site.pages[0].links += [link(parked, text="旧版网站"), link(news, text="新闻")]
    site.external_pages.update({
        parked: served(parked, "expired-bureau.com", "This domain is for sale! Contact us."),
        news: served(news, "公安部严厉打击网络赌博犯罪", "各地公安机关开展专项行动，打击赌博违法犯罪"),
    })

    [finding] = run(external_links, site)

    assert (finding.url, finding.detail["category"]) == (parked, "parking")


def test_without_fetched_external_pages_the_rule_reports_nothing() -> None:
    site = clean_site()
    site.external_pages.clear()

    assert run(external_links, site) == []
