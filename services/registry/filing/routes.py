"""Filing queries across websites and accounts, e.g. every late filing of a quarter."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from services.registry.common.context import Ctx, get_ctx
from services.registry.filing import service
from shared.contracts.registry import FILING_EXAMPLE, FilingAction, FilingRead
from shared.db import MAX_OFFSET
from shared.errors import ValidationFailed, problem_responses

router = APIRouter(prefix="/filings", tags=["filings"], responses=problem_responses(401, 422))


class FilingPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"items": [FILING_EXAMPLE], "total": 1, "limit": 100, "offset": 0}]})

    items: list[FilingRead]
    total: int
    limit: int
    offset: int


@router.get("", operation_id="listFilings", response_model=FilingPage, summary="查询报备记录")
async def list_filings(
    ctx: Ctx = Depends(get_ctx),
    target_type: Literal["website", "account"] | None = Query(None),
    action: list[FilingAction] | None = Query(None),
    filed_from: date | None = Query(None, description="报备日期起（含，上海时间）"),
    filed_to: date | None = Query(None, description="报备日期止（含，上海时间）"),
    late: bool | None = Query(None, description="true 只列逾期报备，false 只列按时报备"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> FilingPage:
    """List filings in scope, newest first; timeliness is judged from the calendar on read."""
    if filed_from and filed_to and filed_to < filed_from:
        raise ValidationFailed(f"字段 filed_to 的值 {filed_to}：早于 filed_from {filed_from}")
    query = service.FilingQuery(target_type=target_type, actions=action or (),
                                filed_from=filed_from, filed_to=filed_to, late=late)
    items, total = await service.list_filings(ctx, query, limit=limit, offset=offset)
    return FilingPage(items=items, total=total, limit=limit, offset=offset)
