"""Filing queries across websites and accounts, e.g. every late filing of a quarter."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_, or_
from sqlmodel import col, select

from services.registry.account.models import Account
from services.registry.calendar.service import load_calendar
from services.registry.common.context import Ctx, get_ctx
from services.registry.filing import service
from services.registry.filing.models import Filing
from services.registry.organisation.models import Organisation
from services.registry.website.models import Website
from shared.calendar import SHANGHAI
from shared.contracts.registry import FILING_EXAMPLE, FilingAction, FilingRead
from shared.db import MAX_OFFSET
from shared.errors import ValidationFailed, problem_responses
from shared.scope import scope_condition

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
    sites = (select(Website.id).join(Organisation, col(Organisation.id) == col(Website.organisation_id))
             .where(scope_condition(ctx.principal, Organisation.region_code, Organisation.id)))
    accounts = (select(Account.id).join(Organisation, col(Organisation.id) == col(Account.sponsor_id))
                .where(scope_condition(ctx.principal, Organisation.region_code,
                                       Account.sponsor_id, Account.operator_id)))
    stmt = select(Filing).where(or_(
        and_(col(Filing.target_type) == "website", col(Filing.target_id).in_(sites)),
        and_(col(Filing.target_type) == "account", col(Filing.target_id).in_(accounts))))
    if target_type:
        stmt = stmt.where(Filing.target_type == target_type)
    if action:
        stmt = stmt.where(col(Filing.action).in_([a.value for a in action]))
    if filed_from:
        stmt = stmt.where(Filing.filed_at >= datetime.combine(filed_from, time(), SHANGHAI))
    if filed_to:
        end = datetime.combine(filed_to, time(23, 59, 59, 999999), SHANGHAI)
        stmt = stmt.where(Filing.filed_at <= end)
    rows = (await ctx.session.execute(stmt.order_by(col(Filing.filed_at).desc()))).scalars().all()
    calendar = await load_calendar(ctx.session)
    items = [service.to_read(f, calendar, ctx.settings.filing_limits) for f in rows]
    if late is not None:
        items = [f for f in items if f.on_time is (not late)]
    return FilingPage(items=items[offset:offset + limit], total=len(items), limit=limit,
                      offset=offset)
