"""Rule deduct.ipv6 (IPv6): the home host has an AAAA record and answers over IPv6.

Rule: no AAAA record for the home host is deducted; an AAAA record whose address does not serve
the home page is deducted too. Nothing is judged when IPv6 was not probed (site.ipv6 is None)
or reachability is unknown.
Indicator: IPv6. Source: RULES.md deduct.ipv6.

Passing: Ipv6Result(aaaa=["240e:1::1"], reachable=True).
Failing: Ipv6Result(aaaa=[], reachable=None).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot
from services.checker.support.hosts import host_of

CODE = "deduct.ipv6"
INDICATOR = "IPv6"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    points_no_aaaa: float
    points_unreachable: float


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report a home host without IPv6, or unreachable over IPv6."""
    result = site.ipv6
    if result is None:
        return []
    home_url = site.target.home_url
    host = host_of(home_url)
    if not result.aaaa:
        return [FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="deduct",
            message=f"网站域名 {host} 未配置 IPv6（AAAA）解析", locator="ipv6|no_aaaa", url=home_url,
            points=params.points_no_aaaa, suggestion="为网站域名配置 AAAA 记录并提供 IPv6 访问",
            detail={"kind": "ipv6_no_aaaa", "host": host})]
    if result.reachable is False:
        return [FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="deduct",
            message=f"网站域名 {host} 已配置 IPv6 地址（{'、'.join(result.aaaa)}），但通过 IPv6 无法访问首页",
            locator="ipv6|unreachable", url=home_url, points=params.points_unreachable,
            suggestion="检查 IPv6 地址上的 Web 服务和网络配置",
            detail={"kind": "ipv6_unreachable", "host": host, "aaaa": result.aaaa})]
    return []
