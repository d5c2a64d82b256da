"""Keep reporting's copy of results: consume checker and registry events, or backfill by API.

Each event is handled once (consume_once keys on the event id) and each write is an upsert by
a natural key (the checker's task id, the registry's filing id), so a replay changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, update

from services.reporting.rectification.service import abandon_recheck, apply_recheck
from services.reporting.result.models import LateFiling, Result
from shared.contracts.events import (
    FILING_LATE,
    TARGET_FAILED,
    TARGET_INSPECTED,
    TARGET_RESCORED,
    EventEnvelope,
)


def result_from_payload(p: dict[str, Any], now: datetime) -> Result:
    """Build a Result row from a target.inspected payload."""
    t = p["target"]
    problems = [{"rule": f["rule"], "indicator": f["indicator"], "severity": f["severity"],
                 "message": f["message"], "url": f.get("url"),
                 "fingerprint": f.get("fingerprint")} for f in p.get("findings", [])]
    return Result(task_id=uuid.UUID(p["task_id"]), run_id=uuid.UUID(p["run_id"]),
                  as_of=datetime.fromisoformat(p["as_of"]), target_id=uuid.UUID(t["id"]),
                  target_type=p.get("target_type", "website"),
                  target_code=t.get("site_code") or t.get("platform_account_id") or "",
                  target_name=t["name"], kind=t.get("kind") or t.get("platform") or "",
                  organisation_id=uuid.UUID(t["organisation_id"]),
                  organisation_name=t["organisation_name"], region_code=t["region_code"],
                  score=p.get("score"), passed=p.get("passed"),
                  uninspected_reason=(p.get("uninspected_reason") or "未能检查")[:500]
                  if p.get("passed") is None else None,
                  vetoes=list(p.get("vetoes") or []), deductions=dict(p.get("deductions") or {}),
                  problems=problems, revision=int(p.get("revision") or 0), received_at=now)


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
    """Apply one event to reporting's tables (the caller commits, once per event id)."""
    p = envelope.payload
    if envelope.name == TARGET_INSPECTED:
        if p.get("run_kind") == "recheck":
            failing = {f["rule"] for f in p.get("findings", [])}
            await apply_recheck(session, run_id=uuid.UUID(p["run_id"]),
                                target_id=uuid.UUID(p["target"]["id"]),
                                rules=list(p.get("rules") or []), still_failing=failing,
                                evidence={"findings": p.get("findings", [])[:20]}, now=now)
            return
        # A target not judged (passed null: home page or feed unreadable) is kept too: the
        # circular lists it with its reason and counts it neither 合格 nor 不合格.
        await upsert_result(session, result_from_payload(p, now))
    elif envelope.name == TARGET_RESCORED:
        # A verdict corrected an inspection's result: replace the copy (drafts are computed
        # from it fresh; a published circular keeps what it froze).
        if p.get("run_kind") != "recheck":
            await upsert_result(session, result_from_payload(p, now))
    elif envelope.name == TARGET_FAILED:
        if p.get("run_kind") == "recheck":
            await abandon_recheck(session, uuid.UUID(p["run_id"]), uuid.UUID(p["target"]["id"]),
                                  f"复核未能完成（{p.get('error') or '检查失败'}），稍后将重新请求复核", now)
    elif envelope.name == FILING_LATE:
        filing_id = uuid.UUID(p["filing_id"])
        if await session.get(LateFiling, filing_id) is None:
            session.add(LateFiling(
                filing_id=filing_id, target_type=p["target_type"],
                target_id=uuid.UUID(p["target_id"]), action=p["action"],
                region_code=p.get("region_code"),
                organisation_id=uuid.UUID(p["organisation_id"]) if p.get("organisation_id")
                else (uuid.UUID(p["sponsor_id"]) if p.get("sponsor_id") else None),
                name=p.get("name"), due_on=p.get("due_on"),
                filed_at=datetime.fromisoformat(p["filed_at"])))
