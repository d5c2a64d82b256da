"""Inspection results as reporting keeps them: the scoped list, and the backfill from the checker."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from services.reporting.common.context import Ctx
from services.reporting.result.intake import result_from_payload, upsert_result
from services.reporting.result.models import Result
from shared.calendar import SHANGHAI
from shared.clients.checker import CheckerClient
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
        payload: dict[str, Any] = {
            "task_id": t["id"], "run_id": str(run_id), "as_of": run["as_of"],
            "target_type": t.get("target_type", "website"), "score": t["score"], "passed": t["passed"],
            "vetoes": t["vetoes"], "deductions": t["deductions"], "revision": t.get("revision", 0),
            "uninspected_reason": t.get("uninspected_reason"),
            "target": {"id": t["target_id"], "site_code": t["site_code"], "name": t["name"],
                       "organisation_id": t["organisation_id"],
                       "organisation_name": t["organisation_name"], "region_code": t["region_code"],
                       "kind": t["kind"]},
            "findings": by_target.get(t["target_id"], [])}
        await upsert_result(ctx.session, result_from_payload(payload, now))
        copied += 1
    return copied
