"""Rule veto.security, kind injected_script (恶意代码): scripts loaded from suspicious foreign hosts.

Rule: a <script src> whose host is off-site and not on the profile's allow-list (statistics,
CDNs, map and government service platforms) is injected malicious code when its host or path
carries a gambling/porn keyword of the profile — or, when the profile sets `script_strict`, for
any such foreign script. Government sites routinely load Baidu statistics, CNZZ, map APIs and
the 党政机关 badge, so the national profile is not strict: an unknown CDN alone is no veto.
Indicator: 安全、泄密事故等严重问题. Source: RULES.md veto.security ("tampering or injected
malicious code not handled").

Passing: <script src="https://hm.baidu.com/hm.js?abc"> on www.example.gov.cn.
Failing: <script src="https://js.bocai-888.com/tj.js"> on www.example.gov.cn.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot
from services.checker.support.hosts import host_of, matches_host, on_site

CODE = "veto.security"
INDICATOR = "安全、泄密事故等严重问题"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    script_allow_hosts: list[str]
    script_suspicious_keywords: list[str]
    script_strict: bool
    script_max_listed_pages: int


def _suspicious(src: str, params: Params) -> str | None:
    """Return the keyword that makes a script source suspicious, or None."""
    # Host and path only: query strings carry random tokens that would match short keywords.
    parts = urlsplit(src)
    lowered = f"{host_of(src)}{parts.path}".lower()
    for keyword in params.script_suspicious_keywords:
        if keyword.lower() in lowered:
            return keyword
    return None


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report foreign scripts that look injected."""
    found: dict[str, list[str]] = {}
    screenshots: dict[str, str | None] = {}
    for page in site.html_pages():
        sources = [*page.scripts, *(link.url for link in page.links if link.tag == "script")]
        for src in dict.fromkeys(sources):
            host = host_of(src)
            if (not host or on_site(host, site.target.domains)
                    or matches_host(host, params.script_allow_hosts)):
                continue
            if _suspicious(src, params) or params.script_strict:
                found.setdefault(src, []).append(page.url)
                screenshots.setdefault(src, page.screenshot)
    findings: list[FindingDraft] = []
    for src, pages in found.items():
        keyword = _suspicious(src, params)
        why = f"地址含可疑关键词「{keyword}」" if keyword else "来源不在允许的外部脚本名单内"
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="veto",
            message=f"页面加载了外部网站 {host_of(src)} 的脚本，{why}，疑似被植入恶意代码",
            locator=f"injected_script|{src}", url=src, parent_url=pages[0], offending=src,
            excerpt=f'<script src="{src}">',
            suggestion="立即删除该脚本引用，排查网页模板和服务器是否被篡改",
            screenshot=screenshots[src],
            detail={"kind": "injected_script", "host": host_of(src), "keyword": keyword,
                    "pages_count": len(pages), "pages": pages[: params.script_max_listed_pages]}))
    return findings
