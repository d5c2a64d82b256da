"""Coverage and follow-up of a circular (pure): 检查比例, 复查比例, 整改率 and the registry's gaps.

检查比例 is, per kind (websites, accounts), the targets running in the registry (备案运行中) that
have a judged result in the period, out of all running; a running target without one is listed
in the gaps (未能检查名单) beside those that could not be read, never silently left out.
复查比例 and 整改率 follow the previous period's problem targets (judged 不合格 then): how many were
judged again now, and how many of them now pass, each out of all the previous problem targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.reporting.circular.content import Coverage, FollowUp, KindCoverage, TargetRow
from shared.contracts.registry import Platform, SiteKind

if TYPE_CHECKING:
    from services.reporting.circular.compute import ResultRow, _Figures

KIND_LABELS = {"website": "政府网站", "account": "政务新媒体"}
NOT_INSPECTED = "备案库中运行，本期未检查"


@dataclass(slots=True)
class RunningTarget:
    """A website or account the registry lists as running (备案运行中), in the circular's region."""

    target_id: str
    target_type: str  # website / account
    target_code: str
    target_name: str
    kind: str
    organisation_name: str
    region_code: str


def _rate(part: int, whole: int) -> float:
    return round(part * 100.0 / whole, 1) if whole else 0.0


def coverage(results: Sequence[ResultRow], previous: Sequence[ResultRow] | None,
             running: Sequence[RunningTarget] | None, figs: _Figures, region_names: dict[str, str],
             listed: set[str]) -> tuple[Coverage | None, list[TargetRow]]:
    """The coverage figures, and gap rows for running targets with no result at all.

    `results` are the judged latest rows, `previous` the previous period's judged rows, and
    `listed` the targets already in the gaps (a result, but not judged: they keep their reason).
    """
    judged = {r.target_id for r in results}
    out = Coverage()
    gaps: list[TargetRow] = []
    if running:
        missing = []
        for target_type, label in KIND_LABELS.items():
            rows = [t for t in running if t.target_type == target_type]
            if not rows:
                continue
            inspected = sum(t.target_id in judged for t in rows)
            key = f"coverage.{target_type}s"
            out.kinds.append(KindCoverage(
                kind=target_type, label=label,
                running=figs.add(f"{key}.running", f"备案运行{label}数", len(rows), "个"),
                inspected=figs.add(f"{key}.inspected", f"已检查{label}数", inspected, "个"),
                ratio=figs.add(f"{key}.ratio", f"{label}检查比例", _rate(inspected, len(rows)), "%")))
            missing += [t for t in rows if t.target_id not in judged]
        out.not_inspected = figs.add("coverage.not_inspected", "备案运行但本期未检查数", len(missing), "个")
        gaps = [_gap(t, region_names) for t in missing if t.target_id not in listed]
    out.follow_up = _follow_up(results, previous or (), figs)
    if not out.kinds and out.follow_up is None:
        return None, []
    return out, gaps


def _follow_up(results: Sequence[ResultRow], previous: Sequence[ResultRow],
               figs: _Figures) -> FollowUp | None:
    problems = [r for r in previous if r.passed is False]
    if not problems:
        return None
    now = {r.target_id: r for r in results}
    again = [now[r.target_id] for r in problems if r.target_id in now]
    fixed = [r for r in again if r.passed]
    n = len(problems)
    return FollowUp(
        previous_problems=figs.add("follow_up.previous_problems", "上期不合格对象数", n, "个", problems),
        rechecked=figs.add("follow_up.rechecked", "本期复查数", len(again), "个", again),
        recheck_ratio=figs.add("follow_up.recheck_ratio", "复查比例", _rate(len(again), n), "%"),
        rectified=figs.add("follow_up.rectified", "已整改合格数", len(fixed), "个", fixed),
        rectified_rate=figs.add("follow_up.rectified_rate", "上期不合格对象整改率",
                                _rate(len(fixed), n), "%"))


def _gap(t: RunningTarget, region_names: dict[str, str]) -> TargetRow:
    try:
        label = SiteKind(t.kind).label if t.target_type == "website" else Platform(t.kind).label
    except ValueError:
        label = t.kind
    return TargetRow(target_id=t.target_id, target_type=t.target_type, target_code=t.target_code,
                     target_name=t.target_name, organisation_name=t.organisation_name,
                     region_code=t.region_code,
                     region_name=region_names.get(t.region_code, t.region_code), kind=t.kind,
                     kind_label=label, score=None, passed=None, verdict_label="未能检查",
                     vetoes=[], problems=[], checked_at=None, reason=NOT_INSPECTED)
