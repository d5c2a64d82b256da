"""Rule deduct.https (HTTPS 安全访问): the site is served over HTTPS and HTTP redirects to it.

Rule: a home page whose final URL (after redirects) is plain http:// is deducted; otherwise
site pages that were reached over http:// and not redirected to https:// are deducted once,
listing them. This is a common local indicator (many provinces' annual tables, commercial
monitors), not part of the 2019 national table: its points live in the profile.
Indicator: HTTPS 安全访问. Source: local assessment practice, see the profile's _source.

Passing: http://www.example.gov.cn/ → final https://www.example.gov.cn/.
Failing: http://www.example.gov.cn/ answered 200 without a redirect.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot
from services.checker.support.hosts import host_of, on_site

CODE = "deduct.https"
INDICATOR = "HTTPS 安全访问"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    points_home_not_https: float
    points_http_not_redirected: float
    max_listed_pages: int


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report a home page not served over HTTPS, or site pages left on plain HTTP."""
    home = site.home
    if home is None or home.status != 200:
        return []
    plain = [p.final_url or p.url for p in site.html_pages()
             if urlsplit(p.final_url or p.url).scheme == "http"
             and on_site(host_of(p.final_url or p.url), site.target.domains)]
    listed = plain[: params.max_listed_pages]
    if urlsplit(home.final_url or home.url).scheme == "http":
        return [FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="deduct", message="网站首页未通过 HTTPS 提供访问",
            locator="https|home", url=home.final_url or home.url, points=params.points_home_not_https,
            suggestion="部署有效的 HTTPS 证书，并将 HTTP 访问跳转到 HTTPS", screenshot=home.screenshot,
            detail={"kind": "home_not_https", "http_pages_count": len(plain), "pages": listed})]
    if plain:
        return [FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="deduct",
            message=f"有 {len(plain)} 个页面通过 HTTP 访问时未跳转到 HTTPS", locator="https|http_pages",
            url=plain[0], points=params.points_http_not_redirected,
            suggestion="在 Web 服务器上将全部 HTTP 请求跳转到 HTTPS",
            detail={"kind": "http_not_redirected", "http_pages_count": len(plain), "pages": listed})]
    return []
