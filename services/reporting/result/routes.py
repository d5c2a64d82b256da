"""Result endpoints: what reporting holds, and a backfill from the checker's API."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func
from sqlmodel import col, select

from services.reporting.common.context import Ctx, get_ctx
from services.reporting.result.intake import upsert_result
from services.reporting.result.models import Result
from shared.calendar import SHANGHAI
from shared.clients.checker import CheckerClient
from shared.contracts.events import FindingItem
from shared.db import MAX_OFFSET
from shared.errors import problem_responses
from shared.scope import scope_condition

router = APIRouter(prefix="/results", tags=["results"], responses=problem_responses(401, 422))


class ResultRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    task_id: uuid.UUID
    run_id: uuid.UUID
    as_of: datetime
    target_id: uuid.UUID
    target_type: str
    target_code: str
    target_name: str
    kind: str
    organisation_name: str
    region_code: str
    score: float | None
    passed: bool | None
    uninspected_reason: str | None = None
    vetoes: list[str]


class ResultPage(BaseModel):
    items: list[ResultRead]
    total: int


class BackfillBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: uuid.UUID


class BackfillResult(BaseModel):
    run_id: uuid.UUID
    results: int


@router.get("", operation_id="listResults", response_model=ResultPage, summary="检查结果副本")
async def list_results(ctx: Ctx = Depends(get_ctx), run_id: uuid.UUID | None = None,
                       since: date | None = None, until: date | None = None,
                       limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_OFFSET)
                       ) -> ResultPage:
    """The inspection results reporting keeps (fed by the checker's events), in scope."""
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
    return ResultPage(items=[ResultRead.model_validate(r) for r in rows], total=total)


@router.post("/backfill", operation_id="backfillResults", response_model=BackfillResult,
             summary="从检查服务补录结果", responses=problem_responses(403, 404, 503))
async def backfill(body: BackfillBody, request: Request, ctx: Ctx = Depends(get_ctx)) -> BackfillResult:
    """Copy a run's results from the checker's API (when events were missed); idempotent."""
    ctx.require_writer()
    async with CheckerClient(ctx.settings.checker_url, ctx.token,
                             transport=request.app.state.checker_transport) as checker:
        run = await checker.run(body.run_id)
        tasks = [t for t in await checker.run_tasks(body.run_id) if t["status"] == "done"]
        findings = await checker.run_findings(body.run_id)
    by_target: dict[str, list[dict[str, object]]] = {}
    for f in findings:
        by_target.setdefault(f["target_id"], []).append(f)
    now = ctx.clock.now()
    copied = 0
    for t in tasks:
        # The checker's TaskRead (run/schemas.py), not an event: site_code is the target's code.
        await upsert_result(ctx.session, Result(
            task_id=uuid.UUID(t["id"]), run_id=body.run_id,
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
    await ctx.session.commit()
    return BackfillResult(run_id=body.run_id, results=copied)
