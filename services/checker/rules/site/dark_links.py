"""Rule veto.security, kind dark_link (暗链): hidden links from the site to other sites.

Rule: a link a visitor cannot see (visible False, hidden_by naming the technique) whose host is
off-site — neither a filed domain of the target nor a subdomain of one — is a dark link and a
veto, on every crawled page: a rendered page's links are judged by the browser (with where each
sits), a fetched page's links to other hosts from its inline styles, <style> blocks and the
site's stylesheets (crawl/styles.py). Hidden links to the site itself (drop-down menus) are not
dark links, nor are hidden links to government domains, filed sites or the well-known media of
the profile's exemption list (hidden "相关链接" drop-downs on government sites point there).
Links nobody judged (visible None) are not reported.
What a visitor can reveal is not hidden: an inactive tab panel (a "友情链接/其他网站" tab,
display:none until its label is clicked or hovered) is judged visible when the widget shows
sibling panels (one of them shown), a visible header with one label per panel, and a switch
(a label's onclick/onmouseover, a link to the panel's #id, role="tab", or the site's tab
markup), and so is a list a style rule shows when a visitor points at, focuses or opens
something visible (`.yqlj:hover ul`, `li:focus-within > ul`, `#id:target`). A hidden block with
no such control — or one that would show only when pointed at itself — is hidden from everyone
and stays a dark link (crawl/styles.py and browser/visibility.js decide alike).
One finding per hidden URL, on the first page found.
Indicator: 安全、泄密事故等严重问题. Source: RULES.md veto.security and 暗链.

Passing: <ul style="display:none"><a href="/zwgk/">政务公开</a></ul> on www.example.gov.cn.
Failing: <a href="https://www.casino-bet.com/" style="position:absolute;left:-9999px">娱乐</a>.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Link, Page, SiteSnapshot
from services.checker.support.hosts import host_of, is_gov_host, matches_host, on_site

CODE = "veto.security"
INDICATOR = "安全、泄密事故等严重问题"

TECHNIQUE_LABELS = {
    "display_none": "display:none 隐藏",
    "visibility_hidden": "visibility:hidden 隐藏",
    "opacity_zero": "透明度设为 0",
    "zero_size": "元素尺寸为 0",
    "clip": "裁剪（clip）隐藏",
    "offscreen": "定位到页面可视区域之外",
    "text_indent": "文字缩进移出可视区域",
    "same_colour": "文字颜色与背景相同",
    "hidden_iframe": "隐藏的内嵌框架（iframe）",
    "marquee": "滚动字幕（marquee）隐藏",
    "script_injected": "脚本注入",
}


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    dark_link_tags: list[str]
    dark_link_exempt_hosts: list[str]
    gov_suffixes: list[str]
    dark_link_max_listed_pages: int


def _exempt(host: str, site: SiteSnapshot, params: Params) -> bool:
    return (on_site(host, site.target.domains) or is_gov_host(host, params.gov_suffixes)
            or host in site.registry_sites or matches_host(host, params.dark_link_exempt_hosts))


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report hidden off-site links as dark links, naming how each was hidden."""
    found: dict[str, list[tuple[Page, Link]]] = {}
    for page in site.html_pages():
        for link in page.links:
            if link.visible is not False or not link.hidden_by or link.tag not in params.dark_link_tags:
                continue
            host = host_of(link.url)
            if host and not _exempt(host, site, params):
                found.setdefault(link.url, []).append((page, link))
    findings: list[FindingDraft] = []
    for url, places in found.items():
        page, link = places[0]
        technique = TECHNIQUE_LABELS.get(link.hidden_by or "", link.hidden_by or "")
        if link.injected and link.hidden_by != "script_injected":
            technique += "（由脚本注入）"
        pages = list(dict.fromkeys(p.url for p, _ in places))
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="veto",
            message=f"页面存在暗链：指向外部网站 {host_of(url)} 的链接「{link.text or '（无文字）'}」"
                    f"对访问者不可见（{technique}）",
            locator=f"dark_link|{url}", url=url, parent_url=page.url, position=link.position,
            excerpt=link.text, offending=url,
            suggestion="立即删除该隐藏链接，排查网页模板和服务器是否被篡改",
            element_rect=link.rect, screenshot=page.screenshot,
            detail={"kind": "dark_link", "technique": link.hidden_by, "technique_label": technique,
                    "host": host_of(url), "injected": link.injected, "pages_count": len(pages),
                    "pages": pages[: params.dark_link_max_listed_pages]}))
    return findings
