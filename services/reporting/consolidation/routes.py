"""Consolidation endpoints: the report per region, supervisors' decisions, units' confirmations."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, status

from services.reporting.common.context import Ctx, get_ctx
from services.reporting.consolidation import service
from services.reporting.consolidation.schemas import (
    ConfirmBody,
    ConsolidationReport,
    DecisionCreate,
    DecisionPage,
    DecisionRead,
    DecisionStatus,
)
from shared.clients.deps import CheckerDep, RegistryDep
from shared.db import MAX_OFFSET
from shared.errors import problem_responses

# Years the working-day calendar and the registry's history can mean at all.
QUARTER = r"^20\d{2}Q[1-4]$"

router = APIRouter(prefix="/consolidation", tags=["consolidation"],
                   responses=problem_responses(401, 422))


@router.get("/report", operation_id="getConsolidationReport", response_model=ConsolidationReport,
            summary="政务新媒体瘦身提质报告", responses=problem_responses(403, 503))
async def get_report(registry: RegistryDep, checker: CheckerDep, ctx: Ctx = Depends(get_ctx),
                     region: str = Query(..., pattern=r"^\d{6}$", description="区划代码，含下级区划"),
                     quarter: str = Query(..., pattern=QUARTER, description="季度，如 2026Q4")
                     ) -> ConsolidationReport:
    """Every running account of the region with the evidence (posts and reposts in the quarter,
    last post, accounts it overlaps) and the suggested action: improve (提升), merge into
    another account (整合) or close (关停). Thresholds are the `consolidation` settings, each
    with its source; the decision already taken on an account is shown beside the suggestion."""
    return await service.report(ctx, region, quarter, registry, checker)


@router.post("/decisions", operation_id="decideConsolidation", response_model=DecisionRead,
             status_code=status.HTTP_201_CREATED, summary="记录瘦身决定",
             responses=problem_responses(403))
async def create_decision(body: DecisionCreate, registry: RegistryDep,
                          ctx: Ctx = Depends(get_ctx)) -> DecisionRead:
    """A supervisor decides for one account: keep, improve, merge into another, or close. A
    merge or closure waits for the unit to confirm it (status `awaiting_unit`)."""
    d = await service.decide(ctx, body, registry)
    return service.to_read(d)


@router.get("/decisions", operation_id="listConsolidationDecisions",
            response_model=DecisionPage, summary="瘦身决定列表")
async def list_decisions(ctx: Ctx = Depends(get_ctx),
                         region: str | None = Query(None, pattern=r"^\d{6}$"),
                         status_: DecisionStatus | None = Query(None, alias="status"),
                         limit: int = Query(50, ge=1, le=1000),
                         offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> DecisionPage:
    """Decisions in the caller's scope, newest first: a unit sees those on its accounts."""
    rows, total = await service.listed(ctx, region, status_, limit, offset)
    return DecisionPage(items=[service.to_read(d) for d in rows], total=total, limit=limit,
                        offset=offset)


@router.post("/decisions/{decision_id}/confirm", operation_id="confirmConsolidation",
             response_model=DecisionRead, summary="单位确认整合或关停",
             responses=problem_responses(403, 404, 409, 503))
async def confirm_decision(decision_id: uuid.UUID, body: ConfirmBody, registry: RegistryDep,
                           ctx: Ctx = Depends(get_ctx)) -> DecisionRead:
    """The account's unit confirms a merge or closure; the registry then holds its 关停公告
    (announce_closure) filing, made as the unit; the account is closed by a later `close` filing."""
    d = await service.get(ctx, decision_id)
    await service.confirm(ctx, d, body, registry)
    return service.to_read(d)
