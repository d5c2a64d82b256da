"""Dispute endpoints: a unit disputes a finding, a supervisor accepts or rejects."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, status

from services.reporting.common.context import Ctx, get_ctx
from services.reporting.dispute import service
from services.reporting.dispute.schemas import (
    DecisionBody,
    DisputeCreate,
    DisputePage,
    DisputeRead,
    DisputeStatus,
)
from shared.clients.deps import CheckerDep
from shared.db import MAX_OFFSET
from shared.errors import problem_responses

router = APIRouter(prefix="/disputes", tags=["disputes"], responses=problem_responses(401, 422))

@router.post("", operation_id="raiseDispute", response_model=DisputeRead,
             status_code=status.HTTP_201_CREATED, summary="对问题提出申辩（误报 / 存疑）",
             responses=problem_responses(403, 409))
async def raise_dispute(body: DisputeCreate, checker: CheckerDep,
                        ctx: Ctx = Depends(get_ctx)) -> DisputeRead:
    """A unit disputes one of its findings as a false positive (误报) or doubtful (存疑), with
    a reason. A finding has at most one pending dispute (409 for a second)."""
    d = await service.raise_dispute(ctx, body, checker)
    return service.to_read(d)


@router.get("", operation_id="listDisputes", response_model=DisputePage, summary="申辩列表")
async def list_disputes(ctx: Ctx = Depends(get_ctx),
                        status_: DisputeStatus | None = Query(None, alias="status"),
                        finding_id: uuid.UUID | None = Query(None),
                        limit: int = Query(50, ge=1, le=1000),
                        offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> DisputePage:
    """Disputes in the caller's scope, oldest first: a unit sees its own, a supervisor its region's."""
    rows, total = await service.page(ctx, status=status_, finding_id=finding_id, limit=limit,
                                     offset=offset)
    return DisputePage(items=[service.to_read(d) for d in rows], total=total, limit=limit,
                       offset=offset)


@router.get("/{dispute_id}", operation_id="getDispute", response_model=DisputeRead,
            summary="查看申辩", responses=problem_responses(404))
async def get_dispute(dispute_id: uuid.UUID, ctx: Ctx = Depends(get_ctx)) -> DisputeRead:
    """One dispute with its decision."""
    return service.to_read(await service.get(ctx, dispute_id))


@router.post("/{dispute_id}/accept", operation_id="acceptDispute", response_model=DisputeRead,
             summary="采纳申辩", responses=problem_responses(403, 404, 409, 503))
async def accept_dispute(dispute_id: uuid.UUID, body: DecisionBody, checker: CheckerDep,
                         ctx: Ctx = Depends(get_ctx)) -> DisputeRead:
    """A supervisor accepts: the finding is marked 误报 (false_positive; no longer scored, its
    result re-scored) or 存疑 (doubtful) in the checker. If the checker cannot be reached the
    dispute stays pending (503)."""
    d = await service.get(ctx, dispute_id)
    await service.decide(ctx, d, "accepted", body, checker)
    return service.to_read(d)


@router.post("/{dispute_id}/reject", operation_id="rejectDispute", response_model=DisputeRead,
             summary="不予采纳", responses=problem_responses(403, 404, 409))
async def reject_dispute(dispute_id: uuid.UUID, body: DecisionBody, checker: CheckerDep,
                         ctx: Ctx = Depends(get_ctx)) -> DisputeRead:
    """A supervisor rejects with a note the unit sees; the finding stands."""
    d = await service.get(ctx, dispute_id)
    await service.decide(ctx, d, "rejected", body, checker)
    return service.to_read(d)
