"""Rule veto.unreachable (站点无法访问): the home page failed too many spaced probes over a week.

Rule: over a window of at least `window_days` days with at least `min_probes_per_day` probes a
day, the site is a veto when failed probes (home page not loaded within the probe timeout) are
at least `max_failure_ratio` of all probes. With fewer probes or a shorter window the rule warns
that availability could not be judged — never a silent pass.
Indicator: 站点无法访问. Source: RULES.md veto.unreachable (国办秘函〔2019〕19号).

Passing: Availability(probes=2016, failures=0, window_days=7).
Failing: Availability(probes=2016, failures=101, window_days=7) — 5.01 %.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.checker.inspect.model import FindingDraft, SiteSnapshot

CODE = "veto.unreachable"
INDICATOR = "站点无法访问"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    window_days: int
    min_probes_per_day: int
    max_failure_ratio: float


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report a site that failed too many probes, or warn that there were too few to judge."""
    data = site.availability
    url = site.target.home_url
    required = params.window_days * params.min_probes_per_day
    if data is None or data.probes < required or data.window_days < params.window_days:
        probes = data.probes if data else 0
        return [FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="warn",
            message=f"探测数据不足，无法判断网站是否可访问（需连续 {params.window_days} 天、"
                    f"至少 {required} 次探测，实际 {probes} 次）",
            locator="availability|insufficient", url=url,
            suggestion="补足探测后重新判断",
            detail={"kind": "availability_unknown", "probes": probes,
                    "failures": data.failures if data else 0,
                    "window_days": data.window_days if data else 0, "required_probes": required})]
    ratio = data.failure_ratio
    if ratio < params.max_failure_ratio:
        return []
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity="veto",
        message=f"近 {data.window_days} 天共探测首页 {data.probes} 次，失败 {data.failures} 次"
                f"（{ratio:.2%}），达到 {params.max_failure_ratio:.0%} 的单项否决标准",
        locator="availability|unreachable", url=url,
        suggestion="排查服务器、网络和域名解析，保障网站持续稳定访问",
        detail={"kind": "unreachable", "probes": data.probes, "failures": data.failures,
                "window_days": data.window_days, "failure_ratio": round(ratio, 4)})]
