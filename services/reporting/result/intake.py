"""Keep reporting's copy of results: consume checker and registry events, or backfill by API.

Each event is handled once (consume_once keys on the event id) and each write is an upsert by
a natural key (the checker's task id, the registry's filing id), so a replay changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, update

from services.reporting.rectification.service import abandon_recheck, apply_recheck
from services.reporting.repost import service as reposts
from services.reporting.result.models import LateFiling, Result
from shared.contracts.events import (
    FILING_LATE,
    REPOST_CHECKED,
    TARGET_FAILED,
    TARGET_INSPECTED,
    TARGET_RESCORED,
    AccountFilingLate,
    EventEnvelope,
    RepostChecked,
    TargetFailed,
    TargetInspected,
    TargetRescored,
    WebsiteFilingLate,
    parse_event,
)

# The events reporting consumes (its queue's routes in the other services' settings).
HANDLED = {TARGET_INSPECTED, TARGET_RESCORED, TARGET_FAILED, FILING_LATE, REPOST_CHECKED}


def result_from_payload(p: TargetInspected, now: datetime) -> Result:
    """Build a Result row from a target.inspected (or target.rescored) payload."""
    t = p.target
    problems = [f.model_dump(mode="json") for f in p.findings]
    return Result(task_id=p.task_id, run_id=p.run_id, as_of=p.as_of, target_id=t.id,
                  target_type=p.target_type, target_code=t.code, target_name=t.name,
                  kind=t.kind, organisation_id=t.organisation_id,
                  organisation_name=t.organisation_name, region_code=t.region_code,
                  score=p.score, passed=p.passed,
                  uninspected_reason=(p.uninspected_reason or "未能检查")[:500]
                  if p.passed is None else None,
                  vetoes=list(p.vetoes), deductions=dict(p.deductions),
                  problems=problems, revision=p.revision, received_at=now)


async def upsert_result(session: AsyncSession, row: Result) -> None:
    """Insert or replace the result of one task; an older revision than the copy's is ignored
    (a verdict's correction can arrive before the inspection it corrects)."""
    existing = await session.get(Result, row.task_id)
    if existing is None:
        session.add(row)  # two first copies at once: the loser's event is retried, then updates
        return
    # Compared and written in one statement: two corrections handled at once by the worker must
    # not both read the old revision and let the older one win by committing last.
    await session.execute(
        update(Result).where(col(Result.task_id) == row.task_id, col(Result.revision) <= row.revision)
        .values(**row.model_dump(exclude={"task_id"})).execution_options(synchronize_session=False))
    session.expire(existing)


async def handle(session: AsyncSession, envelope: EventEnvelope, now: datetime) -> None:
    """Apply one event to reporting's tables (the caller commits, once per event id).

    The payload is read whole into its model first: a malformed event raises MalformedEvent
    (the delivery fails and is retried, and the relay records why) instead of being half-read.
    """
    if envelope.name not in HANDLED:
        return
    p = parse_event(envelope)
    if isinstance(p, TargetRescored):
        # A verdict corrected an inspection's result: replace the copy (drafts are computed
        # from it fresh; a published circular keeps what it froze).
        if p.run_kind != "recheck":
            await upsert_result(session, result_from_payload(p, now))
    elif isinstance(p, TargetInspected):
        if p.run_kind == "recheck":
            await apply_recheck(session, run_id=p.run_id, target_id=p.target.id,
                                rules=list(p.rules or []),
                                still_failing={f.rule for f in p.findings},
                                evidence={"findings": [f.model_dump(mode="json")
                                                       for f in p.findings[:20]]}, now=now)
            return
        # A target not judged (passed null: home page or feed unreadable) is kept too: the
        # circular lists it with its reason and counts it neither 合格 nor 不合格.
        await upsert_result(session, result_from_payload(p, now))
    elif isinstance(p, TargetFailed):
        if p.run_kind == "recheck":
            await abandon_recheck(session, p.run_id, p.target.id,
                                  f"复核未能完成（{p.error or '检查失败'}），稍后将重新请求复核", now)
    elif isinstance(p, RepostChecked):
        await reposts.take(session, p, now)
    elif (isinstance(p, WebsiteFilingLate | AccountFilingLate)
          and await session.get(LateFiling, p.filing_id) is None):
        session.add(LateFiling(
            filing_id=p.filing_id, target_type=p.target_type, target_id=p.target_id,
            action=p.action, region_code=p.region_code, organisation_id=p.owner_id,
            name=p.name, due_on=p.due_on.isoformat() if p.due_on else None,
            filed_at=p.filed_at))
