"""Score a target by its profile: any veto fails it; else capped deductions out of 100.

Source: RULES.md "How a website is judged" — veto items make a site 不合格 and nothing else is
scored; deductions under one indicator never exceed its cap; below the pass mark is 不合格; a
department with no public services is not scored on 办事服务 and the rest is scaled up (the 4/3
rule when that group is worth 25 of 100).

New-media accounts (RULES.md "New-media accounts") are judged by the profile's
scoring.accounts section: nationally any veto fails the account and nothing is scored; a local
profile can switch on the 100-point score (scored: true) with its pass mark (< 60 不合格) and
excellent mark (> 80 优秀), deductions capped per indicator as for websites.

A target that could not be inspected — a website whose home page could not be fetched, an
account whose feed could not be read — is never 合格: it is 未能检查 (passed None, no score)
unless a veto that needs no page (veto.unreachable from probes, the registry's "filed running
but gone") makes it 不合格.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.checker.ground.finding import FindingDraft

RATING_LABELS = {"excellent": "优秀", "passed": "合格", "failed": "不合格", "unjudged": "未能检查"}


@dataclass
class Score:
    score: float | None  # None when vetoed (nothing else is scored) or not scored at all
    passed: bool | None  # None: not judged (未能检查: home page or feed could not be read)
    vetoes: list[str]
    deductions: dict[str, float] = field(default_factory=dict)  # indicator code → points
    rating: str | None = None  # excellent / passed / failed / unjudged (websites: unjudged only)


def score(findings: list[FindingDraft], scoring: dict[str, Any], *,
          provides_services: bool, target_type: str = "website", judged: bool = True) -> Score:
    """Apply the profile's scoring section to a target's findings."""
    if target_type == "account":
        return _score_account(findings, scoring, judged=judged)
    vetoes = sorted({f.rule for f in findings if f.severity == "veto"})
    if vetoes:
        return Score(score=None, passed=False, vetoes=vetoes)
    if not judged:
        return Score(score=None, passed=None, vetoes=[], rating="unjudged")
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


def _capped(findings: list[FindingDraft], indicators: dict[str, dict[str, Any]]) -> dict[str, float]:
    raw: dict[str, float] = {}
    for f in findings:
        if f.severity == "deduct" and f.points:
            raw[f.rule] = raw.get(f.rule, 0.0) + f.points
    out: dict[str, float] = {}
    for code, points in raw.items():
        cap = indicators.get(code, {}).get("cap")
        out[code] = min(points, float(cap)) if cap is not None else points
    return out


def _score_account(findings: list[FindingDraft], scoring: dict[str, Any], *,
                   judged: bool) -> Score:
    spec: dict[str, Any] = scoring["accounts"]
    vetoes = sorted({f.rule for f in findings if f.severity == "veto"})
    if vetoes:
        return Score(score=None, passed=False, vetoes=vetoes, rating="failed")
    if not judged:
        return Score(score=None, passed=None, vetoes=[], rating="unjudged")
    if not spec.get("scored"):
        return Score(score=None, passed=True, vetoes=[], rating="passed")
    deductions = _capped(findings, scoring["indicators"])
    value = round(max(0.0, float(spec["full_marks"]) - sum(deductions.values())), 2)
    passed = value >= float(spec["pass_mark"])
    rating = "failed" if not passed else (
        "excellent" if value > float(spec["excellent_mark"]) else "passed")
    return Score(score=value, passed=passed, vetoes=[], deductions=deductions, rating=rating)
