"""Rule veto.unreachable (站点无法访问): the home page failed too many spaced probes over a week.

Rule: over a window of at least `window_days` days with at least `min_probes_per_day` probes a
day, the site is a veto when failed probes (home page not loaded within the probe timeout) are
at least `max_failure_ratio` of all probes. With fewer probes or a shorter window availability
is not judged: that is a fact about the run, not a problem of the site, so it is no finding —
`availability_note` states it for the run's result (issue 12: a warning a person would have to
dismiss every quarter is a false positive).
Indicator: 站点无法访问. Source: RULES.md veto.unreachable (国办秘函〔2019〕19号).

Passing: Availability(probes=2016, failures=0, window_days=7); or too few probes (not judged).
Failing: Availability(probes=2016, failures=101, window_days=7) — 5.01 %.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot

CODE = "veto.unreachable"
INDICATOR = "站点无法访问"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    window_days: int
    min_probes_per_day: int
    max_failure_ratio: float


def availability_note(site: SiteSnapshot, params: Params) -> dict[str, Any] | None:
    """Say why availability was not judged (too few probes, too short a window), or None when it was."""
    data = site.availability
    required = params.window_days * params.min_probes_per_day
    if data is not None and data.probes >= required and data.window_days >= params.window_days:
        return None
    probes = data.probes if data else 0
    return {"kind": "availability_unknown",
            "message": f"探测数据不足，本次未判断网站是否可访问（需连续 {params.window_days} 天、"
                       f"至少 {required} 次探测，实际 {probes} 次）",
            "probes": probes, "failures": data.failures if data else 0,
            "window_days": data.window_days if data else 0, "required_probes": required}


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report a site that failed too many probes; with too few probes, judge nothing."""
    data = site.availability
    if data is None or availability_note(site, params) is not None:
        return []
    ratio = data.failure_ratio
    if ratio < params.max_failure_ratio:
        return []
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity="veto",
        message=f"近 {data.window_days} 天共探测首页 {data.probes} 次，失败 {data.failures} 次"
                f"（{ratio:.2%}），达到 {params.max_failure_ratio:.0%} 的单项否决标准",
        locator="availability|unreachable", url=site.target.home_url,
        suggestion="排查服务器、网络和域名解析，保障网站持续稳定访问",
        detail={"kind": "unreachable", "probes": data.probes, "failures": data.failures,
                "window_days": data.window_days, "failure_ratio": round(ratio, 4)})]
