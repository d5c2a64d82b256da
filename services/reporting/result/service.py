"""Inspection results as reporting keeps them: the scoped list, and the backfill from the checker."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import col, select

from services.reporting.common.context import Ctx
from services.reporting.result.intake import upsert_result
from services.reporting.result.models import Result
from shared.calendar import SHANGHAI
from shared.clients.checker import CheckerClient
from shared.contracts.events import FindingItem
from shared.scope import scope_condition


async def list_results(ctx: Ctx, *, run_id: uuid.UUID | None, since: date | None,
                       until: date | None, limit: int, offset: int) -> tuple[Sequence[Result], int]:
    """One page of the results in scope, newest first, and how many there are."""
    stmt = select(Result).where(scope_condition(ctx.principal, col(Result.region_code),
                                                col(Result.organisation_id)))
    if run_id:
        stmt = stmt.where(Result.run_id == run_id)
    if since:
        stmt = stmt.where(col(Result.as_of) >= datetime.combine(since, datetime.min.time(), SHANGHAI))
    if until:
        stmt = stmt.where(col(Result.as_of) <= datetime.combine(until, datetime.max.time(), SHANGHAI))
    total = (await ctx.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await ctx.session.execute(stmt.order_by(col(Result.as_of).desc()).limit(limit)
                                      .offset(offset))).scalars().all()
    return rows, total


async def backfill(ctx: Ctx, checker: CheckerClient, run_id: uuid.UUID) -> int:
    """Copy a run's finished tasks from the checker's API as results; return how many."""
    run = await checker.run(run_id)
    tasks = [t for t in await checker.run_tasks(run_id) if t["status"] == "done"]
    findings = await checker.run_findings(run_id)
    by_target: dict[str, list[dict[str, object]]] = {}
    for f in findings:
        by_target.setdefault(f["target_id"], []).append(f)
    now = ctx.clock.now()
    copied = 0
    for t in tasks:
        # The checker's TaskRead (run/schemas.py), not an event: site_code is the target's code.
        await upsert_result(ctx.session, Result(
            task_id=uuid.UUID(t["id"]), run_id=run_id,
            as_of=datetime.fromisoformat(run["as_of"]), target_id=uuid.UUID(t["target_id"]),
            target_type=t["target_type"], target_code=t["site_code"], target_name=t["name"],
            kind=t["kind"], organisation_id=uuid.UUID(t["organisation_id"]),
            organisation_name=t["organisation_name"], region_code=t["region_code"],
            score=t["score"], passed=t["passed"],
            uninspected_reason=(t.get("uninspected_reason") or "未能检查")[:500]
            if t["passed"] is None else None,
            vetoes=list(t["vetoes"]), deductions=dict(t["deductions"]),
            problems=[FindingItem.model_validate(f).model_dump(mode="json")
                      for f in by_target.get(t["target_id"], [])],
            revision=int(t.get("revision") or 0), received_at=now))
        copied += 1
    return copied
