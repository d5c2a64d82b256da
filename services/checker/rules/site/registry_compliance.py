"""Rule registry.compliance (备案合规): the registry and the web disagree.

Rule, three findings:
- a site filed as closed or deregistered whose home page still serves its own content
  (status 200 on a filed host, no closure notice) → 已报关停却未关停;
- a site filed as running or closing whose home page does not answer (no page, no response,
  or an HTTP error other than a block of our crawler) → 未报备关停但无法访问, judged 不合格;
- a link from the inspected pages to a government host (.gov.cn / .政务) that no registered
  site uses, within this registry's supervision → 未纳入监管的政府网站, one warn per host
  (skipped when the registry list is empty).
Scope of the last check: a government domain family is the name directly under the suffix
(jn.gov.cn for xq.jn.gov.cn, www.gov.cn for zfwzgl.www.gov.cn). Since 国办函〔2018〕55号 puts a
region's sites under its portal's domain, a linked host is judged only when it lies in the
inspected site's own family or its portal's (`site.target.portal_domain`, as for
deduct.domain). The national portal (www.gov.cn), another province's or city's portal and any
other family belong to another region's registry: linking to them is normal, never reported.
Severities come from the profile. Indicator: 备案合规.
Source: RULES.md "Registry compliance"; 《政府网站发展指引》 on opening and closing filings.

Passing: a running site answering 200, linking only to registered government sites.
Failing: a site filed as closed whose home page answers 200 with its usual content.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft, Severity
from services.checker.ground.site import SiteSnapshot
from services.checker.support.hosts import host_of, is_gov_host, matches_host, normalise_host, on_site

CODE = "registry.compliance"
INDICATOR = "备案合规"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    closed_statuses: list[str]
    active_statuses: list[str]
    closure_notice_keywords: list[str]
    inconclusive_failures: list[str]
    gov_suffixes: list[str]
    link_tags: list[str]
    ignored_gov_hosts: list[str]
    severity_closed_but_serving: Severity
    severity_offline_unfiled: Severity
    severity_unregistered_site: Severity


def _lifecycle(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    target, home = site.target, site.home
    if target.status in params.closed_statuses:
        if home is None or home.status != 200:
            return []
        serving = on_site(host_of(home.final_url or home.url), target.domains)
        notice = any(k in f"{home.title}\n{home.text}" for k in params.closure_notice_keywords)
        if not serving or notice:
            return []
        return [FindingDraft(
            rule=CODE, indicator=INDICATOR, severity=params.severity_closed_but_serving,
            message=f"网站已在备案中报关停（{target.status}），但首页仍可正常访问",
            locator="closed_but_serving",
            url=home.final_url or home.url, screenshot=home.screenshot,
            suggestion="按备案停止网站服务，或办理重新开通备案",
            detail={"kind": "closed_but_serving", "status": target.status})]
    if target.status not in params.active_statuses:
        return []
    if home is not None and home.failure in params.inconclusive_failures:
        return []
    if home is not None and home.status is not None and home.status < 400:
        return []
    why = "未获取到首页" if home is None else (
        f"首页返回 HTTP {home.status}" if home.status else f"首页无法连接（{home.failure or '无响应'}）")
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity=params.severity_offline_unfiled,
        message=f"网站在备案中为运行状态（{target.status}），但无法访问：{why}", locator="offline_unfiled",
        url=home.url if home else target.home_url,
        suggestion="立即恢复网站访问；如已停止运行，应按规定报备关停",
        detail={"kind": "offline_unfiled", "status": target.status,
                "http_status": home.status if home else None, "failure": home.failure if home else None})]


def gov_family(host: str, suffixes: list[str]) -> str | None:
    """Return a government host's domain family: the name directly under its suffix, or None."""
    for suffix in suffixes:
        suffix = normalise_host(suffix.lstrip("*"))
        if host.endswith(suffix) and (rest := host[: -len(suffix)].rstrip(".")):
            return f"{rest.rsplit('.', 1)[-1]}{suffix}"
    return None


def _unregistered(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    registered = {normalise_host(d) for d in site.registry_sites}
    if not registered:
        return []
    registered |= {d[4:] for d in registered if d.startswith("www.")}
    own = [*site.target.domains, site.target.portal_domain or ""]
    supervised = {f for d in own if (f := gov_family(normalise_host(d), params.gov_suffixes))}
    findings: list[FindingDraft] = []
    seen: set[str] = set()
    for page in site.html_pages():
        for link in page.links:
            host = host_of(link.url)
            if (link.tag not in params.link_tags or not host or host in seen
                    or not is_gov_host(host, params.gov_suffixes) or on_site(host, site.target.domains)
                    or host in registered or matches_host(host, params.ignored_gov_hosts)
                    or gov_family(host, params.gov_suffixes) not in supervised):
                continue
            seen.add(host)
            findings.append(FindingDraft(
                rule=CODE, indicator=INDICATOR, severity=params.severity_unregistered_site,
                message=f"页面链接的政府网站 {host} 未纳入备案监管", locator=f"unregistered|{host}",
                url=link.url, parent_url=page.url, position=link.position, excerpt=link.text,
                offending=host, element_rect=link.rect,
                suggestion="核实该网站的开办单位，督促其备案或关停",
                detail={"kind": "unregistered_site", "host": host}))
    return findings


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report disagreements between the site's filed status and the web."""
    return [*_lifecycle(site, params), *_unregistered(site, params)]
