"""Rule deduct.domain (域名名称): the site's domains follow the national domain rules.

Rule: every filed domain ends in `.gov.cn` or `.政务`; a portal's home is served from
`www.<name>.gov.cn`; a department site is a subdomain of its level's portal (`site.target.portal_domain`, e.g.
"www.bd.gov.cn", the main domain of the region's portal filed in the registry, snapshotted when
the run began; not checked when the registry names no portal); pages are served only from filed
hosts (one main domain per site).
Indicator: 域名名称. Source: 国办函〔2018〕55号, RULES.md "Identity, domains and tags".

Passing: a department site filed as slj.bd.gov.cn, portal www.bd.gov.cn, all pages on slj.bd.gov.cn.
Failing: a site filed as www.bdslj.com, or a page served from bd-slj.cn that was never filed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot
from services.checker.support.hosts import host_of, is_gov_host, normalise_host

CODE = "deduct.domain"
INDICATOR = "域名名称"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    gov_suffixes: list[str]
    portal_prefix: str
    points_non_gov_domain: float
    points_portal_form: float
    points_department_not_under_portal: float
    points_unfiled_host: float


def _finding(message: str, locator: str, points: float, kind: str, url: str | None = None,
             suggestion: str | None = None, **detail: object) -> FindingDraft:
    return FindingDraft(rule=CODE, indicator=INDICATOR, severity="deduct", message=message,
                        locator=locator, url=url, points=points, suggestion=suggestion,
                        detail={"kind": kind, **detail})


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report filed domains and serving hosts that break the domain rules."""
    target = site.target
    filed = [normalise_host(d) for d in target.domains if normalise_host(d)]
    findings: list[FindingDraft] = []
    for domain in filed:
        if not is_gov_host(domain, params.gov_suffixes):
            findings.append(_finding(
                f"网站域名 {domain} 未使用 .gov.cn 或 .政务 结尾的政府网站域名",
                f"non_gov|{domain}", params.points_non_gov_domain, "non_gov_domain",
                suggestion="按国办函〔2018〕55号要求启用 .gov.cn 或 .政务 域名", domain=domain))

    home_host = host_of(target.home_url) or (filed[0] if filed else "")
    if target.kind == "portal" and home_host and not (
            home_host.startswith(params.portal_prefix) and is_gov_host(home_host, params.gov_suffixes)):
        findings.append(_finding(
            f"门户网站首页域名 {home_host} 不符合 www.<名称>.gov.cn 的格式", f"portal_form|{home_host}",
            params.points_portal_form, "portal_form", url=target.home_url,
            suggestion="门户网站应使用 www.<名称>.gov.cn 形式的域名", host=home_host))

    portal = normalise_host(target.portal_domain or "")
    if target.kind == "department" and portal and home_host:
        parent = portal[len(params.portal_prefix):] if portal.startswith(params.portal_prefix) else portal
        if not home_host.endswith("." + parent):
            findings.append(_finding(
                f"部门网站域名 {home_host} 不是本级门户网站域名 {portal} 的下级域名",
                f"department_form|{home_host}", params.points_department_not_under_portal,
                "department_not_under_portal", url=target.home_url,
                suggestion=f"部门网站应使用 {parent} 的下级域名（如 xxx.{parent}）",
                host=home_host, portal_domain=portal))

    unfiled: dict[str, list[str]] = {}
    for page in site.html_pages():
        host = host_of(page.final_url or page.url)
        if host and host not in filed:
            unfiled.setdefault(host, []).append(page.final_url or page.url)
    for host, urls in unfiled.items():
        findings.append(_finding(
            f"网站页面由未备案的域名 {host} 提供（共 {len(urls)} 个页面）", f"unfiled_host|{host}",
            params.points_unfiled_host, "unfiled_host", url=urls[0],
            suggestion="一个网站只使用一个主域名；请将该域名备案或停止使用并跳转到主域名",
            host=host, pages=len(urls)))
    return findings
