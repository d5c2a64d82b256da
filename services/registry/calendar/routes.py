"""Working-day calendar endpoints: loaded years, a year's schedule, and working-day sums."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from services.registry.calendar import service
from services.registry.calendar.service import load_calendar
from services.registry.common.context import Ctx, get_ctx
from shared.calendar import SHANGHAI, YearSchedule
from shared.contracts.reference import YearScheduleRead, YearSummary
from shared.errors import ValidationFailed, problem_responses

router = APIRouter(prefix="/calendar", tags=["calendar"], responses=problem_responses(401, 422))


class YearScheduleBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "holidays": ["2027-01-01", "2027-02-06", "2027-02-07"],
        "workdays": ["2027-02-20"], "note": "国务院办公厅关于2027年部分节假日安排的通知"}]})

    holidays: list[date] = Field(description="放假日期（含周末）", max_length=120)
    workdays: list[date] = Field(description="调休上班日期（周六、周日）", max_length=30)
    note: str | None = Field(default=None, max_length=500, description="依据，如通知文号")


class WorkingDaysAnswer(BaseModel):
    start: date
    end: date
    working_days: int = Field(description="start 之后（不含）至 end（含）之间的工作日数")


class AddAnswer(BaseModel):
    start: date
    days: int
    due_on: date = Field(description="第 days 个工作日（上海时间）")
    deadline_at: datetime = Field(description="该日结束的时刻（UTC）")


@router.get("/years", operation_id="listCalendarYears", response_model=list[YearSummary],
            summary="已载入的年份")
async def list_years(ctx: Ctx = Depends(get_ctx)) -> list[YearSummary]:
    """List every year the calendar knows and where its schedule came from."""
    calendar = await load_calendar(ctx.session)
    out = []
    for year in sorted(calendar.years):
        s = calendar.schedule(year)
        out.append(YearSummary(year=year, source=s.source, holidays=len(s.holidays),
                               adjusted_workdays=len(s.workdays)))
    return out


@router.get("/years/{year}", operation_id="getCalendarYear", response_model=YearScheduleRead,
            summary="某年节假日安排")
async def get_year(year: int = Path(ge=1949, le=2100),
                   ctx: Ctx = Depends(get_ctx)) -> YearScheduleRead:
    """Return a year's holidays and adjusted working days (422 if the year is not loaded)."""
    s = (await load_calendar(ctx.session)).schedule(year)
    return YearScheduleRead(year=year, source=s.source, holidays=sorted(s.holidays),
                            workdays=sorted(s.workdays), note=await service.year_note(ctx.session, year))


@router.put("/years/{year}", operation_id="loadCalendarYear", response_model=YearScheduleRead,
            summary="载入某年节假日安排", responses=problem_responses(403))
async def put_year(body: YearScheduleBody, year: int = Path(ge=1949, le=2100),
                   ctx: Ctx = Depends(get_ctx)) -> YearScheduleRead:
    """Load (or replace) a year's schedule as published by the State Council each winter.

    A loaded year overrides the bundled one. The calendar is national: every working-day
    deadline in the country reads it, so only a national administrator (administrator role,
    all regions) loads a year; anyone else gets 403.
    """
    ctx.require_national_admin(f"{year} 年节假日安排")
    schedule = YearSchedule(year=year, holidays=frozenset(body.holidays),
                            workdays=frozenset(body.workdays), source="loaded")
    try:
        schedule.validate()
    except ValueError as exc:
        raise ValidationFailed(f"节假日安排无效：{exc}") from exc
    await service.store_year(ctx.session, schedule, note=body.note, loaded_by=ctx.actor,
                             now=ctx.clock.now())
    return YearScheduleRead(year=year, source="loaded", holidays=sorted(schedule.holidays),
                            workdays=sorted(schedule.workdays), note=body.note)


@router.get("/working-days", operation_id="countWorkingDays", response_model=WorkingDaysAnswer,
            summary="两日期间的工作日数")
async def working_days(start: date, end: date, ctx: Ctx = Depends(get_ctx)) -> WorkingDaysAnswer:
    """Count working days after `start` up to and including `end` (422 for an unloaded year)."""
    calendar = await load_calendar(ctx.session)
    return WorkingDaysAnswer(start=start, end=end,
                             working_days=calendar.working_days_between(start, end))


@router.get("/add-working-days", operation_id="addWorkingDays", response_model=AddAnswer,
            summary="若干工作日后的日期")
async def add_working_days(start: date, days: int = Query(ge=0, le=366),
                           ctx: Ctx = Depends(get_ctx)) -> AddAnswer:
    """Return the `days`-th working day after `start` and the instant that day ends."""
    calendar = await load_calendar(ctx.session)
    due_on = calendar.add_working_days(start, days)
    return AddAnswer(start=start, days=days, due_on=due_on,
                     deadline_at=calendar.deadline(datetime.combine(start, datetime.min.time(),
                                                                    SHANGHAI), days))
