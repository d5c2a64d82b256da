"""What a rule reports about a target: a finding draft, before the checker gives it identity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["veto", "deduct", "warn"]


@dataclass
class FindingDraft:
    """What a rule reports; the checker adds identity, times and verdicts."""

    rule: str  # rule code as in RULES.md, e.g. veto.homepage_stale
    indicator: str  # Chinese indicator name, e.g. 首页不更新
    severity: Severity
    message: str  # one Chinese sentence a unit can act on
    locator: str  # what makes this the same finding across runs (with rule and target)
    url: str | None = None
    parent_url: str | None = None
    position: str | None = None
    excerpt: str | None = None  # context with the offending text marked 【…】
    offending: str | None = None
    suggestion: str | None = None
    points: float = 0.0  # deduction, for deduct findings
    element_rect: tuple[float, float, float, float] | None = None
    screenshot: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
