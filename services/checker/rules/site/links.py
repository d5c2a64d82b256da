"""Rule deduct.links (链接可用性): broken links, images and attachments, and empty links.

Rule: a link, image or attachment whose URL answered 404/403/410, or whose redirects loop or
never end (循环跳转, 跳转次数过多), is broken (断链) and deducted;
an empty link (href "", "#" or javascript:void(0), which the parser gives as url "") is
deducted as 空链接; a link that timed out, was refused or answered 5xx on the check and on its
re-check is reported as 链接不稳定 (warn) and never deducted. The same broken URL is deducted
once, at the home-page rate if it appears there; every page it appears on is still reported.
Indicator: 链接可用性 (RULES.md deduct.links). Source: RULES.md; per-link points follow the
2015 全国政府网站普查 table (home page 1 point, other pages 0.1), see the profile's _source.

Passing: every <a>, <img> and attachment on the pages answered 200.
Failing: <a href="/gone.html"> on the home page answered 404 → 断链, 1 point.
"""

from __future__ import annotations

from posixpath import splitext
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Link, LinkStatus, SiteSnapshot

CODE = "deduct.links"
INDICATOR = "链接可用性"

KIND_LABELS = {
    "broken_link": "断链", "broken_image": "图片无法显示", "broken_attachment": "附件无法下载",
    "empty_link": "空链接", "unstable_link": "链接不稳定",
}
FAILURE_LABELS = {
    "dns": "域名解析失败", "refused": "连接被拒绝", "timeout": "访问超时", "tls": "证书或加密连接错误",
    "http_5xx": "服务器错误", "redirect_loop": "循环跳转", "too_many_redirects": "跳转次数过多",
    "too_large": "内容过大", "blocked": "访问被拦截", "other": "访问失败",
}

_REDIRECT_FAILURES = ("redirect_loop", "too_many_redirects")


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    link_tags: list[str]
    image_tags: list[str]
    empty_link_tags: list[str]
    attachment_extensions: list[str]
    points_broken_on_home: float
    points_broken_elsewhere: float
    points_empty_on_home: float
    points_empty_elsewhere: float


def _kind(link: Link, params: Params) -> str:
    if link.tag in params.image_tags:
        return "broken_image"
    extension = splitext(urlsplit(link.url).path)[1].lstrip(".").lower()
    return "broken_attachment" if extension in params.attachment_extensions else "broken_link"


def _failure_text(status: LinkStatus) -> str:
    if status.status is not None and status.status >= 500:
        return f"服务器错误（HTTP {status.status}）"
    return FAILURE_LABELS.get(status.failure or "other", "访问失败")


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report broken, empty and unstable links on the site's pages."""
    home_url = site.home.url if site.home else None
    tags = set(params.link_tags) | set(params.image_tags)
    findings: list[FindingDraft] = []
    deducted: set[str] = set()  # broken URLs / empty-link positions already deducted once
    # Home page first, so a link on the home page and elsewhere is deducted at the home rate.
    pages = sorted(site.html_pages(), key=lambda p: p.url != home_url)
    for page in pages:
        on_home = page.url == home_url
        for link in page.links:
            if link.tag not in tags:
                continue
            if link.url == "":
                if link.tag not in params.empty_link_tags or link.visible is False:
                    continue
                key = f"empty|{link.position}|{link.text}"
                points = 0.0 if key in deducted else (
                    params.points_empty_on_home if on_home else params.points_empty_elsewhere)
                deducted.add(key)
                findings.append(FindingDraft(
                    rule=CODE, indicator=INDICATOR, severity="deduct",
                    message=f"页面存在空链接「{link.text or '（无文字）'}」，点击后无任何内容",
                    locator=f"{page.url}|empty|{link.position}|{link.text}", url="",
                    parent_url=page.url, position=link.position, excerpt=link.text,
                    suggestion="为该链接补充正确地址，或删除该链接", points=points,
                    element_rect=link.rect, detail={"kind": "empty_link"}))
                continue
            if urlsplit(link.url).scheme not in ("http", "https"):
                continue
            status = site.link_status.get(link.url)
            if status is None:
                continue
            if status.broken:
                kind = _kind(link, params)
                points = 0.0 if link.url in deducted else (
                    params.points_broken_on_home if on_home else params.points_broken_elsewhere)
                deducted.add(link.url)
                why = (FAILURE_LABELS[status.failure] if status.failure in _REDIRECT_FAILURES
                       else f"HTTP {status.status}")
                findings.append(FindingDraft(
                    rule=CODE, indicator=INDICATOR, severity="deduct",
                    message=f"{KIND_LABELS[kind]}：{link.url} 无法访问（{why}）",
                    locator=f"{page.url}|{link.url}", url=link.url, parent_url=page.url,
                    position=link.position, excerpt=link.text, offending=link.url,
                    suggestion="修复该链接指向的内容，或更正、删除该链接", points=points,
                    element_rect=link.rect,
                    detail={"kind": kind, "status": status.status, "failure": status.failure}))
            elif status.unstable and status.confirmed:
                findings.append(FindingDraft(
                    rule=CODE, indicator=INDICATOR, severity="warn",
                    message=f"链接不稳定：{link.url} 两次访问均失败（{_failure_text(status)}），不计扣分",
                    locator=f"{page.url}|{link.url}", url=link.url, parent_url=page.url,
                    position=link.position, excerpt=link.text, offending=link.url,
                    suggestion="请检查目标服务器是否正常，必要时更换链接", element_rect=link.rect,
                    detail={"kind": "unstable_link", "status": status.status, "failure": status.failure}))
    return findings
