"""veto.security / dark_link: hidden off-site links are dark links; hidden same-site menus are not."""

from __future__ import annotations

import pytest

from services.checker.crawl.parse import parse_html
from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import HIDING_TECHNIQUES, Link
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


# ---- static pages: hidden by inline style or stylesheet, found without the browser -----------

INNER = ARTICLE  # an inner page the crawler fetched and did not render
THEME = "https://www.jn.gov.cn/css/theme.css"


def static_page(body: str, *, style: str = "") -> str:
    return (f'<html><head><link rel="stylesheet" href="/css/theme.css"><style>{style}</style></head>'
            f'<body style="background:#fff">{body}</body></html>')


def judged(body: str, *, style: str = "", stylesheets: dict[str, str] | None = None) -> dict[str, Link]:
    parsed = parse_html(static_page(body, style=style), INNER, stylesheets=stylesheets)
    return {item.url: item for item in parsed.links}


def inner_findings(body: str, *, style: str = "", stylesheets: dict[str, str] | None = None) -> list[FindingDraft]:
    site = clean_site()
    page = next(p for p in site.pages if p.url == INNER)
    page.links = parse_html(static_page(body, style=style), INNER, stylesheets=stylesheets).links
    return run(dark_links, site)


@pytest.mark.parametrize(("body", "style", "technique"), [
    ('<div style="display:none"><a href="{spam}">博彩</a></div>', "", "display_none"),
    ('<div class="yqlj"><a href="{spam}">博彩</a></div>', ".yqlj { display: none }", "display_none"),
    ('<div hidden><a href="{spam}">博彩</a></div>', "", "display_none"),
    ('<details><summary>更多</summary><a href="{spam}">博彩</a></details>', "", "display_none"),
    ('<p><a class="v" href="{spam}">博彩</a></p>', "p .v { visibility: hidden }", "visibility_hidden"),
    ('<span style="opacity:0"><a href="{spam}">博彩</a></span>', "", "opacity_zero"),
    ('<div class="box"><a href="{spam}">博彩</a></div>', ".box { height: 0; overflow: hidden }", "zero_size"),
    ('<a class="b" href="{spam}">博彩</a>', "a.b { display: block; width: 1px; height: 1px; overflow: hidden }",
     "zero_size"),
    ('<div style="font-size:0"><a href="{spam}">博彩</a></div>', "", "zero_size"),
    ('<a class="f" href="{spam}">博彩</a>', ".f { font: 0/0 a }", "zero_size"),
    ('<a class="c" href="{spam}">博彩</a>', ".c { position: absolute; clip: rect(0 0 0 0) }", "clip"),
    ('<div id="gg"><a href="{spam}">博彩</a></div>', "#gg { position: absolute; left: -9999px }", "offscreen"),
    ('<div class="t"><a href="{spam}">博彩</a></div>', ".t { position: fixed; top: -3000px }", "offscreen"),
    ('<div class="m"><a href="{spam}">博彩</a></div>', ".m { margin-left: -10000px }", "offscreen"),
    ('<div class="i"><a href="{spam}">博彩</a></div>', ".i { text-indent: -9999px }", "text_indent"),
    ('<div class="w"><a href="{spam}">博彩</a></div>', ".w a { color: #ffffff }", "same_colour"),
    ('<div style="background:#003366"><a style="color:#003366" href="{spam}">博彩</a></div>', "",
     "same_colour"),
    ('<div style="color:#fff"><a style="color:inherit" href="{spam}">博彩</a></div>', "", "same_colour"),
    ('<iframe src="{spam}" width="0" height="0" frameborder="0"></iframe>', "", "hidden_iframe"),
    ('<iframe class="h" src="{spam}"></iframe>', ".h { display: none }", "hidden_iframe"),
    ('<marquee height="1" width="1"><a href="{spam}">博彩</a></marquee>', "", "marquee"),
])
def test_static_page_dark_links_are_found_from_its_css(body: str, style: str, technique: str) -> None:
    [finding] = inner_findings(body.format(spam=SPAM), style=style)

    assert (finding.rule, finding.severity, finding.detail["technique"]) == ("veto.security", "veto", technique)
    assert (finding.url, finding.parent_url) == (SPAM, INNER)
    assert finding.position and finding.element_rect is None  # no geometry without the browser


def test_a_linked_same_site_stylesheet_hides_a_static_link() -> None:
    body = f'<div class="friend-links"><a href="{SPAM}">澳门金沙</a></div>'
    sheet = ".friend-links{position:absolute;top:0;left:-6000px}"

    assert inner_findings(body) == []  # the stylesheet was not read: nothing to judge from
    [finding] = inner_findings(body, stylesheets={THEME: sheet})
    assert finding.detail["technique"] == "offscreen"


@pytest.mark.parametrize(("body", "style"), [
    # a hover drop-down of the site's own columns
    ('<div class="menu"><a href="/zwgk/">政务公开</a><ul><li><a href="/zwgk/zcwj/">政策文件</a></li></ul></div>',
     ".menu ul { display: none } .menu:hover ul { display: block }"),
    # a visually hidden "skip to content" link
    ('<a class="sr-only" href="#main">跳到主要内容</a><a class="sr-only" href="/index.html#main">跳过导航</a>',
     ".sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0,0,0,0) }"),
    # white text on the site's own dark header, and a same-colour link to the site itself
    ('<div class="head"><a href="https://www.other-shop.com/">合作</a></div><a class="x" href="/a.html">x</a>',
     ".head { background: #123456 } .head a { color: #fff } .x { color: #fff }"),
    # a link keeps its own colour (blue) inside white text
    ('<div style="color:#fff"><a href="https://www.other-shop.com/">合作单位</a></div>', ""),
    # rules for phones and for print do not apply to the desktop screen
    ('<div class="pc"><a href="https://www.other-shop.com/">合作单位</a></div>',
     "@media (max-width: 768px) { .pc { display: none } } @media print { .pc { display: none } }"),
    # a later rule, a more specific rule, an inline style and !important win over display:none
    ('<div class="a b" id="c"><a href="https://www.other-shop.com/1">一</a></div>'
     '<div class="d" style="display:block"><a href="https://www.other-shop.com/2">二</a></div>'
     '<div class="e"><a href="https://www.other-shop.com/3">三</a></div>',
     ".a { display: none } .a.b { display: block } .d { display: none } "
     ".e { display: block !important } div.e { display: none }"),
    # an image-replaced logo, text shown again inside a hidden box, white text over a picture
    ('<a class="logo" href="https://www.other-shop.com/">图标</a>'
     '<div style="visibility:hidden"><a style="visibility:visible" href="https://www.other-shop.com/v">显示</a></div>'
     '<div class="banner"><img src="/b.png"><a class="over" href="https://www.other-shop.com/b">广告</a></div>',
     ".logo { display:block; text-indent:-9999px; background:url(/logo.png) } "
     ".banner { position: relative } .over { position: absolute; left: 20px; top: 20px; color: #fff }"),
])
def test_static_look_alikes_are_not_dark_links(body: str, style: str) -> None:
    assert inner_findings(body, style=style) == []


def test_static_links_not_hidden_stay_unjudged_for_the_browser() -> None:
    links = judged(f'<a href="{SPAM}">可见的外链</a><a href="/zwgk/" style="display:none">本站</a>')

    assert (links[SPAM].visible, links[SPAM].hidden_by) == (None, None)
    assert links["https://www.jn.gov.cn/zwgk/"].visible is None  # the page's own host is never judged here



FRIEND = "https://www.qufu-tour.com/"  # an off-site friend link (友情链接), not a government host
PANELS_CSS = ".bd .panel { display: none } .bd .panel.on { display: block }"


def tab_widget(header: str, *, body_class: str = "bd") -> str:
    return (f'<div class="box">{header}<div class="{body_class}">'
            '<div class="panel on"><a href="/zwgk/">政务公开</a></div>'
            f'<div class="panel"><a href="{FRIEND}">曲阜旅游网</a></div>'
            '</div></div>')


@pytest.mark.parametrize("header", [
    # a jQuery tab switched on hover, named by the site's own markup
    '<ul class="tab-hd"><li class="on">部门网站</li><li>其他网站</li></ul>',
    # labels with their own switching handler, one more label for 更多, no tab word anywhere
    '<ul class="hd"><li onmouseover="show(0)">部门网站</li><li onmouseover="show(1)">其他网站</li><li>'
    '<a href="/more.html">更多</a></li></ul>',
    # links to the panels' ids (:target or a script reading the fragment)
    '<div class="hd"><a href="#p1">部门网站</a><a href="#p2">其他网站</a></div>',
])
def test_an_inactive_tab_panel_a_visitor_can_switch_to_is_not_a_dark_link(header: str) -> None:
    body = tab_widget(header).replace('class="panel on"', 'class="panel on" id="p1"').replace(
        'class="panel">', 'class="panel" id="p2">')
    assert inner_findings(body, style=PANELS_CSS) == []


@pytest.mark.parametrize(("body", "style"), [
    # the same panels with no header at all: nothing a visitor can click
    (tab_widget("", body_class="tab-bd bd"), PANELS_CSS),
    # a header whose labels switch nothing
    (tab_widget('<ul class="hd"><li>部门网站</li><li>其他网站</li></ul>'), PANELS_CSS),
    # a footer's link list beside a hidden block
    ('<div class="foot"><ul><li>关于我们</li><li>联系我们</li></ul><div>版权所有</div>'
     f'<div style="display:none"><a href="{FRIEND}">曲阜旅游网</a></div></div>', ""),
    # a hidden block beside shown siblings, under a one-label header: no label per panel
    ('<div class="tab"><ul><li onclick="f()">友情链接</li></ul><div>甲</div><div>乙</div>'
     f'<div style="display:none"><a href="{FRIEND}">曲阜旅游网</a></div></div>', ""),
])
def test_a_hidden_block_with_no_visible_tab_control_is_still_a_dark_link(body: str, style: str) -> None:
    [finding] = inner_findings(body, style=style)
    assert (finding.url, finding.detail["technique"]) == (FRIEND, "display_none")


@pytest.mark.parametrize("style", [
    ".yqlj ul { display: none } .yqlj:hover ul { display: block }",  # a hover drop-down
    ".yqlj ul { display: none } .yqlj:focus-within > ul { display: block }",
    "#p2 { display: none } #p2:target { display: block }",  # opened by the link to #p2
])
def test_a_list_shown_when_a_visitor_points_at_its_visible_label_is_not_a_dark_link(style: str) -> None:
    body = f'<div class="yqlj"><a href="#p2">友情链接</a><ul id="p2"><li><a href="{FRIEND}">曲阜旅游网</a></li></ul></div>'
    assert inner_findings(body, style=style) == []


@pytest.mark.parametrize("style", [
    ".yqlj ul { display: none } .yqlj ul:hover { display: block }",  # a hidden box cannot be pointed at
    ".yqlj ul { display: none } .yqlj:hover ul { display: none }",
    # :target with no link to the box's id on the page: nothing a visitor can click opens it
    "#p2 { display: none } #p2:target { display: block }",
])
def test_a_list_no_visitor_action_shows_is_still_a_dark_link(style: str) -> None:
    body = f'<div class="yqlj"><span>友情链接</span><ul id="p2"><li><a href="{FRIEND}">曲阜旅游网</a></li></ul></div>'
    [finding] = inner_findings(body, style=style)
    assert (finding.url, finding.detail["technique"]) == (FRIEND, "display_none")
