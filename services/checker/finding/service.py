"""Findings: identity across runs by fingerprint, sightings per run, verdicts that stick."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select, update

from services.checker.finding.models import Finding, Sighting
from services.checker.ground.finding import FindingDraft
from services.checker.inspect.scoring import Score
from services.checker.run.models import Run, Task, target_code
from shared.contracts.events import FindingItem, TargetInspected

FALSE_POSITIVE = "false_positive"
VERDICTS = {"confirmed": "已确认", "false_positive": "误报", "doubtful": "存疑"}
SEVERITY_LABELS = {"veto": "单项否决", "deduct": "扣分", "warn": "提示"}


def fingerprint(target_id: uuid.UUID | str, rule: str, locator: str) -> str:
    """The identity of a finding across runs: target, rule and the rule's locator."""
    return hashlib.sha256(f"{target_id}|{rule}|{locator}".encode()).hexdigest()


async def silenced(session: AsyncSession, prints: Sequence[str]) -> set[str]:
    """Fingerprints a supervisor marked as false positives: they stay silent."""
    if not prints:
        return set()
    rows = await session.execute(select(Finding.fingerprint).where(
        col(Finding.fingerprint).in_(list(prints)), Finding.verdict == FALSE_POSITIVE))
    return set(rows.scalars().all())


async def record(session: AsyncSession, task: Task, drafts: Sequence[FindingDraft],
                 now: datetime, rules: Sequence[str] | None = None) -> int:
    """Upsert the task's findings, add this run's sightings, resolve what was not seen again.

    A finding marked false positive that is seen again stays tracked (last seen, sighting, not
    resolved) but silent: it is not counted in the number returned, the findings that count.
    A re-check passes the rules it evaluated: only their findings can be resolved by it.
    """
    t = task.snapshot
    by_print: dict[str, FindingDraft] = {}
    for d in drafts:
        by_print.setdefault(fingerprint(task.target_id, d.rule, d.locator), d)
    existing = {f.fingerprint: f for f in (await session.execute(select(Finding).where(
        col(Finding.fingerprint).in_(list(by_print))))).scalars().all()} if by_print else {}
    for fp, d in by_print.items():
        values: dict[str, Any] = {
            "rule": d.rule, "indicator": d.indicator, "severity": d.severity,
            "message": d.message[:2000], "locator": d.locator[:2048], "url": d.url,
            "parent_url": d.parent_url,
            "position": d.position, "excerpt": (d.excerpt or "")[:2000] or None,
            "offending": d.offending, "suggestion": d.suggestion, "points": d.points,
            "screenshot": d.screenshot, "detail": d.detail, "last_seen_at": now,
            "last_run_id": task.run_id, "resolved_at": None,
            "target_name": t.name, "organisation_name": t.organisation_name,
            "region_code": task.region_code, "organisation_id": task.organisation_id,
        }
        finding = existing.get(fp)
        if finding is None:
            finding = Finding(fingerprint=fp, target_id=task.target_id,
                              target_type=task.target_type, target_code=target_code(t),
                              first_seen_at=now, first_run_id=task.run_id, **values)
            session.add(finding)
        else:
            for key, value in values.items():
                setattr(finding, key, value)
        await session.flush()
        if await session.get(Sighting, (task.run_id, finding.id)) is None:
            session.add(Sighting(run_id=task.run_id, finding_id=finding.id, task_id=task.id,
                                 seen_at=now))
    await session.flush()
    stale = update(Finding).where(
        col(Finding.target_id) == task.target_id, col(Finding.resolved_at).is_(None),
        col(Finding.last_run_id) != task.run_id)
    if rules:
        stale = stale.where(col(Finding.rule).in_(list(rules)))
    await session.execute(stale.values(resolved_at=now)
                          .execution_options(synchronize_session=False))
    return len(set(by_print) - await silenced(session, list(by_print)))


def result_payload(run: Run, task: Task, result: Score,
                   live: Sequence[tuple[str, FindingDraft]], *, feed_status: str | None = None,
                   posts_read: int = 0, notes: Sequence[dict[str, Any]] = (),
                   event: type[TargetInspected] = TargetInspected) -> TargetInspected:
    """The body of target.inspected (or `event`, target.rescored): a task's result and its live
    findings."""
    return event.model_validate({
        "run_id": run.id, "task_id": task.id, "as_of": run.as_of,
        "run_kind": run.kind, "rules": run.rules, "revision": task.revision,
        "target_type": task.target_type, "target": task.target, "score": result.score,
        "passed": result.passed, "vetoes": result.vetoes, "deductions": result.deductions,
        "rating": result.rating, "feed_status": feed_status, "posts_read": posts_read,
        "notes": list(notes), "uninspected_reason": task.uninspected_reason,
        "findings": [FindingItem(rule=d.rule, indicator=d.indicator, severity=d.severity,
                                 message=d.message, url=d.url, fingerprint=fp)
                     for fp, d in live[:500]]})

