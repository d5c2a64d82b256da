"""Score a target by its profile: any veto fails it; else capped deductions out of 100.

Source: RULES.md "How a website is judged" — veto items make a site 不合格 and nothing else is
scored; deductions under one indicator never exceed its cap; below the pass mark is 不合格; a
department with no public services is not scored on 办事服务 and the rest is scaled up (the 4/3
rule when that group is worth 25 of 100).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.checker.inspect.model import FindingDraft


@dataclass
class Score:
    score: float | None  # None when vetoed: nothing else is scored
    passed: bool
    vetoes: list[str]
    deductions: dict[str, float] = field(default_factory=dict)  # indicator code → points


def score(findings: list[FindingDraft], scoring: dict[str, Any], *,
          provides_services: bool) -> Score:
    """Apply the profile's scoring section to a target's findings."""
    vetoes = sorted({f.rule for f in findings if f.severity == "veto"})
    if vetoes:
        return Score(score=None, passed=False, vetoes=vetoes)
    indicators: dict[str, dict[str, Any]] = scoring["indicators"]
    groups: dict[str, float] = scoring["groups"]
    skipped_group = None if provides_services else scoring.get("no_service_group")
    raw: dict[str, float] = {}
    for f in findings:
        if f.severity == "deduct" and f.points:
            raw[f.rule] = raw.get(f.rule, 0.0) + f.points
    deductions: dict[str, float] = {}
    for code, points in raw.items():
        spec = indicators.get(code, {})
        if skipped_group and spec.get("group") == skipped_group:
            continue
        cap = spec.get("cap")
        deductions[code] = min(points, float(cap)) if cap is not None else points
    full = float(scoring["full_marks"])
    scored_total = full - (groups.get(skipped_group, 0.0) if skipped_group else 0.0)
    value = max(0.0, scored_total - sum(deductions.values())) * full / scored_total
    value = round(value, 2)
    return Score(score=value, passed=value >= float(scoring["pass_mark"]), vetoes=[],
                 deductions=deductions)
