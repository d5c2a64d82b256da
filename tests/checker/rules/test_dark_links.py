"""veto.security / dark_link: hidden off-site links are dark links; hidden same-site menus are not."""

from __future__ import annotations

import pytest

from services.checker.inspect.model import HIDING_TECHNIQUES
from services.checker.rules.site import dark_links
from tests.checker.rules.test_links import ARTICLE, HOME, clean_site, link, run

SPAM = "https://www.amjs-casino888.com/"


def test_a_hidden_drop_down_menu_linking_to_the_site_itself_is_not_a_dark_link() -> None:
    site = clean_site()
    for path in ("zwgk/", "bsfw/", "hdjl/"):
        site.pages[0].links.append(link(f"https://www.jn.gov.cn/{path}", text="栏目", visible=False,
                                        hidden_by="display_none"))

    assert run(dark_links, site) == []


@pytest.mark.parametrize(("technique", "label"), [
    ("display_none", "display:none 隐藏"),
    ("visibility_hidden", "visibility:hidden"),
    ("opacity_zero", "透明度"),
    ("zero_size", "尺寸为 0"),
    ("clip", "裁剪"),
    ("offscreen", "定位到页面可视区域之外"),
    ("text_indent", "缩进"),
    ("same_colour", "文字颜色与背景相同"),
    ("hidden_iframe", "iframe"),
    ("marquee", "marquee"),
    ("script_injected", "脚本注入"),
])
def test_each_hiding_technique_is_reported_as_a_veto_naming_it(technique: str, label: str) -> None:
    site = clean_site()
    rect = (-9999.0, 0.0, 60.0, 14.0)
    site.pages[0].links.append(link(SPAM, text="澳门金沙娱乐", visible=False, hidden_by=technique, rect=rect,
                                    position="body > div:nth-child(9) a"))

    [finding] = run(dark_links, site)

    assert (finding.rule, finding.severity, finding.detail["kind"]) == ("veto.security", "veto", "dark_link")
    assert label in finding.message and finding.detail["technique"] == technique
    assert (finding.url, finding.parent_url, finding.excerpt) == (SPAM, HOME, "澳门金沙娱乐")
    assert finding.position == "body > div:nth-child(9) a"
    assert finding.element_rect == rect


def test_every_known_hiding_technique_has_a_chinese_name() -> None:
    assert set(dark_links.TECHNIQUE_LABELS) == set(HIDING_TECHNIQUES)


def test_links_never_rendered_or_visible_are_not_judged() -> None:
    site = clean_site()
    site.pages[0].links.append(link(SPAM, visible=None, hidden_by=None))
    site.pages[0].links.append(link("https://www.other-shop.com/", visible=True))

    assert run(dark_links, site) == []


def test_hidden_links_to_government_sites_are_not_dark_links() -> None:
    site = clean_site()
    site.pages[0].links.append(link("https://www.jinan.gov.cn/", text="市级部门", visible=False,
                                    hidden_by="display_none"))

    assert run(dark_links, site) == []


def test_a_dark_link_injected_into_every_page_is_one_finding_listing_the_pages() -> None:
    site = clean_site()
    for page in site.pages:
        page.links.append(link(SPAM, page.url, text="博彩", visible=False, hidden_by="offscreen"))

    [finding] = run(dark_links, site)

    assert finding.parent_url == HOME
    assert finding.detail["pages_count"] == 3 and ARTICLE in finding.detail["pages"]
