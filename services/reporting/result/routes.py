"""Result endpoints: what reporting holds, and a backfill from the checker's API."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from services.reporting.common.context import Ctx, get_ctx
from services.reporting.result import service
from shared.clients.deps import CheckerDep
from shared.db import MAX_OFFSET
from shared.errors import problem_responses

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
    rows, total = await service.list_results(ctx, run_id=run_id, since=since, until=until,
                                             limit=limit, offset=offset)
    return ResultPage(items=[ResultRead.model_validate(r) for r in rows], total=total)


@router.post("/backfill", operation_id="backfillResults", response_model=BackfillResult,
             summary="从检查服务补录结果", responses=problem_responses(403, 404, 503))
async def backfill(body: BackfillBody, checker: CheckerDep,
                   ctx: Ctx = Depends(get_ctx)) -> BackfillResult:
    """Copy a run's results from the checker's API (when events were missed); idempotent."""
    ctx.require_writer()
    copied = await service.backfill(ctx, checker, body.run_id)
    return BackfillResult(run_id=body.run_id, results=copied)
