"""Compute a circular's figures, problem groups and lists from results (pure).

Counting rules (RULES.md "How a website is judged"; circulars of Jinan, Zibo and Ningxia): each
target counts once per period, with its latest result in the period; a target with any veto is
不合格; the pass rate is passed / checked; problems are grouped by rule, vetoes first, and the
units under each are named in region-code order. A target that could not be inspected (passed
None: home page or feed unreadable) is never 合格: unless it has a judged result in the period
it is counted nowhere and listed in the gaps (未能检查名单) with its reason.
"""

from __future__ import annotations

import gc
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.reporting.circular.accumulate import NAMED, Entry, GroupKey, ProblemIndex
from services.reporting.circular.content import (
    CircularData,
    Comparison,
    Figure,
    KindTotals,
    ProblemGroup,
    Rectification,
    RegionRate,
    TargetRow,
    TargetSet,
    UnitProblem,
)
from services.reporting.circular.coverage import RunningTarget, coverage
from shared.contracts.registry import Platform, SiteKind
from shared.principal import region_prefix

SEVERITY_ORDER = {"veto": 0, "deduct": 1, "warn": 2}
VERDICTS = {True: "合格", False: "不合格", None: "未能检查"}


@dataclass(slots=True)
class ResultRow:
    """The facts compute needs about one target's result (a reporting Result, flattened)."""

    task_id: str
    target_id: str
    target_type: str
    target_code: str
    target_name: str
    kind: str
    organisation_id: str
    organisation_name: str
    region_code: str
    score: float | None
    passed: bool | None  # None: not inspected
    vetoes: list[str]
    problems: list[dict[str, Any]]
    as_of: Any
    uninspected_reason: str | None = None
    # Set by ProblemIndex.take: the Chinese names of the row's veto / non-warning problem types
    # (the problem list itself may then be dropped).
    veto_names: list[str] | None = None
    problem_names: list[str] | None = None


@dataclass
class ComputeInput:
    title: str
    period_start: date
    period_end: date
    region_code: str
    region_name: str
    issuing_office: str
    results: list[ResultRow]
    previous: list[ResultRow] | None = None
    period_word: str = "季度"  # 比上季度 …
    previous_circular_title: str | None = None
    previous_items: int | None = None
    previous_closed: int | None = None
    region_names: dict[str, str] = field(default_factory=dict)
    deadline_text: str = ""
    # Given when `results` are already the latest per target and were taken into this index as
    # they were read (sources.results_in): their problem lists may be gone.
    index: ProblemIndex | None = None
    # The region's targets running in the registry (None: the registry did not answer).
    running: list[RunningTarget] | None = None


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a circular's rows are built.

    A national circular creates millions of small acyclic objects (problem dicts, rows, units);
    each allocation burst would otherwise trigger full collections that traverse all of them
    again — measured, that was most of compute()'s time. Reference counting still frees them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def latest_per_target(rows: Iterable[ResultRow]) -> list[ResultRow]:
    """Keep each target's latest judged result, or its latest result if none was judged."""
    best: dict[str, ResultRow] = {}
    for r in rows:
        kept = best.get(r.target_id)
        if kept is None or ((r.passed is not None, r.as_of) > (kept.passed is not None, kept.as_of)):
            best[r.target_id] = r
    return sorted(best.values(), key=lambda r: (r.region_code, r.target_code))


def kind_label(target_type: str, kind: str) -> str:
    """The Chinese label of a website kind or an account platform."""
    try:
        return SiteKind(kind).label if target_type == "website" else Platform(kind).label
    except ValueError:
        return kind


def _rate(passed: int, checked: int) -> float:
    return round(passed * 100.0 / checked, 1) if checked else 0.0


class _Figures:
    """Collects figures and the task ids each one counts."""

    def __init__(self) -> None:
        self.figures: dict[str, Figure] = {}
        self.rows: dict[str, list[str]] = {}

    def add(self, key: str, label: str, value: float, unit: str,
            rows: Sequence[ResultRow] | None = None) -> Figure:
        fig = Figure(key=key, label=label, value=value, unit=unit)
        self.figures[key] = fig
        if rows is not None:
            self.rows[key] = [r.task_id for r in rows]
        return fig

    def totals(self, prefix: str, kind: str, label: str, rows: Sequence[ResultRow]) -> KindTotals:
        passed = [r for r in rows if r.passed]
        return KindTotals(
            kind=kind, label=label,
            checked=self.add(f"{prefix}.checked", f"{label}检查数", len(rows), "个", rows),
            passed=self.add(f"{prefix}.passed", f"{label}合格数", len(passed), "个", passed),
            pass_rate=self.add(f"{prefix}.pass_rate", f"{label}合格率",
                               _rate(len(passed), len(rows)), "%", rows))


def change_sentence(change: float, period_word: str) -> str:
    """Say a change in percentage points the way circulars do: 比上季度提升4个多百分点."""
    if abs(change) < 0.05:
        return f"与上{period_word}持平"
    verb = "提升" if change > 0 else "下降"
    whole = math.floor(abs(change))
    if whole == 0:
        return f"比上{period_word}{verb}{abs(change):.1f}个百分点"
    more = "多" if abs(change) - whole >= 0.1 else ""
    return f"比上{period_word}{verb}{whole}个{more}百分点"


def _index(results: Sequence[ResultRow], index: ProblemIndex | None) -> ProblemIndex:
    """The index given (rows taken as they were read), or one built from the rows here."""
    if index is None:
        index = ProblemIndex()
        for r in results:
            index.take(r)
    return index


def _target_set(targets: dict[str, str]) -> TargetSet:
    return TargetSet(count=len(targets), types=sorted(set(targets.values())))


def _named_groups(by_rule: list[tuple[GroupKey, dict[str, Entry]]],
                  severity: str, figs: _Figures, prefix: str) -> list[ProblemGroup]:
    groups = []
    for (rule, indicator), targets in by_rule:
        entries = sorted(targets.values(),
                         key=lambda e: (e[0].region_code, e[0].organisation_name, e[0].target_code))
        # Built without validation (the values are the index's own, already of the right type).
        # A deduction group keeps only the units its paragraph names; vetoes keep all (单项否决表).
        kept = entries if severity == "veto" else entries[:NAMED]
        units = [UnitProblem.model_construct(
            organisation_id=r.organisation_id, organisation_name=r.organisation_name,
            region_code=r.region_code, target_name=r.target_name, target_code=r.target_code,
            details=details) for r, details in kept]
        count = figs.add(f"{prefix}.{rule}.{indicator}", indicator, len(entries), "个",
                         [r for r, _ in entries])
        types = sorted({r.target_type for r, _ in entries})
        targets.clear()  # the units now hold what the index held for this group
        groups.append(ProblemGroup.model_construct(
            rule=rule, indicator=indicator, severity=severity, count=count, units=units,
            unit_total=len(entries), target_types=types))
    return sorted(groups, key=lambda g: (SEVERITY_ORDER.get(g.severity, 9), -g.count.value,
                                         g.rule, g.indicator))


def _row(r: ResultRow, region_names: dict[str, str]) -> TargetRow:
    if r.veto_names is None or r.problem_names is None:
        ProblemIndex().take(r)
    return TargetRow(target_id=r.target_id, target_type=r.target_type,
                     target_code=r.target_code, target_name=r.target_name,
                     organisation_name=r.organisation_name, region_code=r.region_code,
                     region_name=region_names.get(r.region_code, r.region_code), kind=r.kind,
                     kind_label=kind_label(r.target_type, r.kind), score=r.score,
                     passed=r.passed, verdict_label=VERDICTS[r.passed],
                     vetoes=list(r.veto_names or ()), problems=list(r.problem_names or ()),
                     checked_at=r.as_of,
                     reason=r.uninspected_reason if r.passed is None else None)


def _region_rates(results: Sequence[ResultRow], scope: str,
                  names: dict[str, str]) -> list[RegionRate]:
    """Pass rate per child region of the scope (counties of a city, cities of a province)."""
    parent = region_prefix(scope)
    width = 4 if len(parent) == 2 else 6
    buckets: dict[str, list[ResultRow]] = defaultdict(list)
    for r in results:
        child = r.region_code[:width].ljust(6, "0") if len(parent) < 6 else r.region_code
        buckets[child].append(r)
    out = []
    for code, rows in sorted(buckets.items()):
        passed = sum(bool(r.passed) for r in rows)
        out.append(RegionRate(region_code=code, region_name=names.get(code, code),
                              checked=len(rows), passed=passed,
                              pass_rate=_rate(passed, len(rows))))
    return out


def compute(inp: ComputeInput) -> tuple[CircularData, dict[str, list[str]]]:
    """Return the circular's data and, per figure key, the task ids it counts."""
    with paused_gc():
        return _compute(inp)


def _compute(inp: ComputeInput) -> tuple[CircularData, dict[str, list[str]]]:
    figs = _Figures()
    latest = (sorted(inp.results, key=lambda r: (r.region_code, r.target_code)) if inp.index
              else latest_per_target(inp.results))
    results = [r for r in latest if r.passed is not None]
    gaps = [r for r in latest if r.passed is None]
    figs.add("gaps", "未能检查数", len(gaps), "个", gaps)
    sites = [r for r in results if r.target_type == "website"]
    accounts = [r for r in results if r.target_type == "account"]
    site_kinds = [figs.totals(f"websites.{k.value}", k.value, k.label,
                              [r for r in sites if r.kind == k.value]) for k in SiteKind]
    site_total = figs.totals("websites", "all", "政府网站", sites)
    platforms = sorted({r.kind for r in accounts})
    account_kinds = [figs.totals(f"accounts.{p}", p, kind_label("account", p),
                                 [r for r in accounts if r.kind == p]) for p in platforms]
    account_total = figs.totals("accounts", "all", "政务新媒体", accounts) if accounts else None
    overall_rate = _rate(sum(bool(r.passed) for r in results), len(results))
    figs.add("all.pass_rate", "总体合格率", overall_rate, "%", results)

    prev = [r for r in latest_per_target(inp.previous) if r.passed is not None] if inp.previous else []
    if inp.previous:
        prev_rate = _rate(sum(bool(r.passed) for r in prev), len(prev))
        change = round(overall_rate - prev_rate, 1)
        comparison = Comparison(
            previous_pass_rate=figs.add("comparison.previous_pass_rate", "上期总体合格率",
                                        prev_rate, "%", prev),
            change_points=figs.add("comparison.change_points", "合格率变化", change, "个百分点"),
            sentence=change_sentence(change, inp.period_word))
    else:
        comparison = Comparison(previous_pass_rate=None, change_points=None,
                                sentence=f"上{inp.period_word}无可比数据")

    rect = Rectification(previous_circular_title=inp.previous_circular_title,
                         items=None, closed=None, rate=None)
    if inp.previous_items:
        closed = inp.previous_closed or 0
        rect = Rectification(
            previous_circular_title=inp.previous_circular_title,
            items=figs.add("rectification.items", "上期通报问题数", inp.previous_items, "个"),
            closed=figs.add("rectification.closed", "已整改问题数", closed, "个"),
            rate=figs.add("rectification.rate", "整改率", _rate(closed, inp.previous_items), "%"))

    index = _index(results, inp.index)
    vetoes = _named_groups(index.groups("veto"), "veto", figs, "vetoes")
    problems = _named_groups(index.groups("deduct"), "deduct", figs, "problems")
    cover, unseen = coverage(results, prev, inp.running, figs, inp.region_names,
                             {r.target_id for r in gaps})
    rows = [_row(r, inp.region_names) for r in results]
    problem_rows = [row for row in rows if not row.passed or row.vetoes]
    data = CircularData(
        title=inp.title, period_start=inp.period_start, period_end=inp.period_end,
        region_code=inp.region_code, region_name=inp.region_name,
        issuing_office=inp.issuing_office, websites=site_kinds, websites_total=site_total,
        accounts=account_kinds, accounts_total=account_total,
        region_rates=_region_rates(results, inp.region_code, inp.region_names),
        vetoes=vetoes, problems=problems, veto_targets=_target_set(index.targets["veto"]),
        problem_targets=_target_set(index.targets["deduct"]),
        comparison=comparison, rectification=rect, rows=rows, problem_rows=problem_rows,
        deadline_text=inp.deadline_text, figures=figs.figures, coverage=cover,
        gaps=sorted([_row(r, inp.region_names) for r in gaps] + unseen,
                    key=lambda g: (g.region_code, g.target_code)))
    return data, figs.rows
