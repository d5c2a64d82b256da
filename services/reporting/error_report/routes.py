"""Error-report endpoints: receive citizens' messages, list them per unit, answer, count."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Depends, Query, Request

from services.reporting.common.calendar import load_calendar
from services.reporting.common.context import Ctx, get_ctx
from services.reporting.error_report import service
from services.reporting.error_report.schemas import (
    AnswerBody,
    ErrorReportCreate,
    ErrorReportPage,
    ErrorReportRead,
    ErrorReportStats,
    ReportStatus,
)
from shared.calendar import WorkingCalendar
from shared.clients.deps import RegistryDep
from shared.db import MAX_OFFSET
from shared.errors import problem_responses

router = APIRouter(prefix="/error-reports", tags=["error-reports"],
                   responses=problem_responses(401, 422))


async def get_calendar(request: Request, registry: RegistryDep) -> WorkingCalendar:
    """FastAPI dependency: the working calendar, with the years loaded in the registry."""
    loader = getattr(request.app.state, "calendar_loader", None)
    if loader is not None:
        calendar: WorkingCalendar = await loader()
        return calendar
    return await load_calendar(registry)


@router.post("", operation_id="submitErrorReport", response_model=ErrorReportRead, status_code=201,
             summary="接收网民找错留言", responses=problem_responses(403))
async def submit_error_report(body: ErrorReportCreate, registry: RegistryDep, ctx: Ctx = Depends(get_ctx),
                              calendar: WorkingCalendar = Depends(get_calendar)) -> ErrorReportRead:
    """Record a 我为政府网站找错 message from the public channel (integration or supervisor callers).

    The message goes to the site's unit, which must answer within the configured number of
    working days (default 3); `deadline_at` is the end of the last of those days, Asia/Shanghai.
    The website is looked up in the registry as the caller: one the registry does not show the
    caller, or whose 网站标识码, unit or region differ from its filing, answers 422 naming the
    field. A year without a loaded holiday schedule answers 422 `calendar-year-missing` naming
    the year.
    """
    report = await service.submit(ctx, calendar, body, registry)
    return service.to_read(report, ctx.clock.now())


@router.get("", operation_id="listErrorReports", response_model=ErrorReportPage,
            summary="查询找错留言")
async def list_error_reports(
    ctx: Ctx = Depends(get_ctx),
    status: ReportStatus | None = Query(None, description="open 待答复 / answered 已答复"),
    organisation_id: uuid.UUID | None = Query(None),
    website_id: uuid.UUID | None = Query(None),
    region: str | None = Query(None, pattern=r"^\d{6}$", description="区划代码，含下级区划"),
    overdue_only: bool = Query(False, description="只列超过答复时限仍未答复的"),
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> ErrorReportPage:
    """Messages in the caller's scope, soonest deadline first; a unit sees its own."""
    rows, total = await service.page(ctx, status=status, organisation_id=organisation_id,
                                     website_id=website_id, region=region,
                                     overdue_only=overdue_only, limit=limit, offset=offset)
    now = ctx.clock.now()
    return ErrorReportPage(items=[service.to_read(r, now) for r in rows], total=total,
                           limit=limit, offset=offset)


@router.get("/stats", operation_id="errorReportStats", response_model=ErrorReportStats,
            summary="找错留言办理情况统计（按单位）")
async def error_report_stats(
    ctx: Ctx = Depends(get_ctx),
    region: str | None = Query(None, pattern=r"^\d{6}$", description="区划代码，含下级区划"),
    submitted_from: date | None = Query(None, description="留言日期起（含，上海时间）"),
    submitted_to: date | None = Query(None, description="留言日期止（含，上海时间）"),
) -> ErrorReportStats:
    """Per unit: open (still within the limit), overdue, answered on time, answered late.

    `assessment_deduction` applies the annual assessment: 3 points per overdue unanswered
    message, 2 per message answered more than a month after its deadline.
    """
    items = await service.stats(ctx, region=region, submitted_from=submitted_from,
                                submitted_to=submitted_to)
    return ErrorReportStats(as_of=ctx.clock.now(), items=items)


@router.get("/{report_id}", operation_id="getErrorReport", response_model=ErrorReportRead,
            summary="查看找错留言", responses=problem_responses(404))
async def get_error_report(report_id: uuid.UUID, ctx: Ctx = Depends(get_ctx)) -> ErrorReportRead:
    """One message with its deadline and answer."""
    return service.to_read(await service.get(ctx, report_id), ctx.clock.now())


@router.post("/{report_id}/answer", operation_id="answerErrorReport", response_model=ErrorReportRead,
             summary="答复找错留言", responses=problem_responses(403, 404, 409))
async def answer_error_report(report_id: uuid.UUID, body: AnswerBody,
                              ctx: Ctx = Depends(get_ctx)) -> ErrorReportRead:
    """The unit (or a supervisor for it) answers a message; answering twice answers 409."""
    report = await service.get(ctx, report_id)
    await service.answer(ctx, report, body)
    return service.to_read(report, ctx.clock.now())
