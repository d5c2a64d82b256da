"""deduct.identity (footer and page tags) and deduct.error_entrance."""

from __future__ import annotations

from services.checker.rules.site import error_entrance, identity
from tests.checker.rules.test_links import (
    ARTICLE,
    HOME,
    SITE_TAGS,
    clean_site,
    make_page,
    run,
)


def kinds(findings: list) -> list[tuple[str, str]]:
    return [(f.detail["kind"], f.detail.get("item") or f.detail.get("tag")) for f in findings]


def test_a_siteidcode_tag_different_from_the_filed_code_is_deducted() -> None:
    site = clean_site()
    site.pages[0].meta["SiteIDCode"] = "3701000002"

    [finding] = run(identity, site)

    assert (finding.detail["kind"], finding.detail["shown"], finding.detail["filed"]) == (
        "tag_mismatch", "3701000002", "3701000001")
    assert finding.url == HOME and finding.points > 0
    assert "3701000002" in finding.message and "3701000001" in finding.message


def test_a_footer_site_code_different_from_the_filed_code_is_deducted() -> None:
    site = clean_site()
    site.pages[0].text = site.pages[0].text.replace("网站标识码：3701000001", "网站标识码：3701000099")

    [finding] = run(identity, site)

    assert kinds([finding]) == [("footer_mismatch", "网站标识码")]
    assert finding.detail["shown"] == "3701000099"


def test_missing_footer_items_are_each_reported() -> None:
    site = clean_site()
    home = site.pages[0]
    home.text = "济南市人民政府 版权所有"
    home.html = "<div class='footer'>济南市人民政府 版权所有</div>"
    home.links = [lk for lk in home.links if "conac" not in lk.url]
    home.scripts = []

    findings = run(identity, site)

    assert sorted(f.detail["item"] for f in findings) == sorted(
        ["主办单位", "联系方式", "网站标识码", "ICP备案号", "公安机关备案号", "党政机关网站标识"])
    assert all(f.detail["kind"] == "footer_missing" for f in findings)


def test_a_badge_image_titled_dang_zheng_ji_guan_counts_without_the_conac_link() -> None:
    site = clean_site()
    home = site.pages[0]
    home.links = [lk for lk in home.links if "conac" not in lk.url]
    home.scripts = [src for src in home.scripts if "conac" not in src]
    assert run(identity, site) == []

    home.html = home.html.replace('title="党政机关"', "")
    assert kinds(run(identity, site)) == [("footer_missing", "党政机关网站标识")]


def test_an_icp_number_different_from_the_filing_is_deducted() -> None:
    site = clean_site()
    site.pages[0].text = site.pages[0].text.replace("鲁ICP备05001234号-1", "鲁ICP备12345678号")

    [finding] = run(identity, site)

    assert kinds([finding]) == [("footer_mismatch", "ICP备案号")]
    assert "鲁ICP备05001234号" in finding.message


def test_a_tag_missing_from_an_article_template_is_one_finding_listing_the_pages() -> None:
    site = clean_site()
    del site.pages[2].meta["ContentSource"]
    other = "https://www.jn.gov.cn/art/2024/4/29/art_123_455.html"
    site.pages.append(make_page(other, text="另一篇文章", meta={
        k: v for k, v in site.pages[2].meta.items()}))

    [finding] = run(identity, site)

    assert kinds([finding]) == [("tag_missing", "ContentSource")]
    assert finding.detail["pages_count"] == 2 and finding.detail["pages"] == [ARTICLE, other]
    assert "文章页" in finding.message


def test_a_pubdate_in_the_wrong_format_is_deducted() -> None:
    site = clean_site()
    site.pages[2].meta["PubDate"] = "2024/04/30"

    [finding] = run(identity, site)

    assert kinds([finding]) == [("tag_format", "PubDate")]


def test_column_pages_without_tags_are_recognised_by_their_url() -> None:
    site = clean_site()
    site.pages.append(make_page("https://www.jn.gov.cn/col/col456/index.html", text="通知公告",
                                meta=dict(SITE_TAGS)))

    findings = run(identity, site)

    assert sorted(f.detail["tag"] for f in findings) == [
        "ColumnDescription", "ColumnKeywords", "ColumnName", "ColumnType"]


def test_a_home_page_without_the_error_report_entrance_is_deducted() -> None:
    site = clean_site()
    home = site.pages[0]
    home.links = [lk for lk in home.links if "zfwzgl" not in lk.url]
    home.text = home.text.replace("我为政府网站找错", "")
    home.html = home.html.replace("我为政府网站找错", "")

    [finding] = run(error_entrance, site)

    assert (finding.rule, finding.severity, finding.url) == ("deduct.error_entrance", "deduct", HOME)
    assert "我为政府网站找错" in finding.message and finding.points > 0


def test_the_entrance_injected_by_the_platform_script_counts() -> None:
    site = clean_site()
    home = site.pages[0]
    home.links = [lk for lk in home.links if "zfwzgl" not in lk.url]
    home.text = home.text.replace("我为政府网站找错", "")
    home.html = home.html.replace("我为政府网站找错", "")
    home.scripts.append("https://pucha.kaipuyun.cn/exposure/jiucuo.js?site_code=3701000001")

    assert run(error_entrance, site) == []
