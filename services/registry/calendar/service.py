"""The working-day calendar: bundled years plus the years supervisors have loaded."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from services.registry.calendar.models import CalendarYear
from shared.calendar import WorkingCalendar, YearSchedule, bundled_schedules


def _schedule(row: CalendarYear) -> YearSchedule:
    return YearSchedule(year=row.year,
                        holidays=frozenset(date.fromisoformat(d) for d in row.holidays),
                        workdays=frozenset(date.fromisoformat(d) for d in row.workdays),
                        source="loaded")


async def load_calendar(session: AsyncSession) -> WorkingCalendar:
    """Return the calendar: the bundled years, overridden and extended by loaded ones."""
    rows = (await session.execute(select(CalendarYear))).scalars().all()
    return WorkingCalendar([*bundled_schedules().values(), *(_schedule(r) for r in rows)])


async def year_note(session: AsyncSession, year: int) -> str | None:
    """The note (the notice it follows) of a loaded year, if it was loaded."""
    row = await session.get(CalendarYear, year)
    return row.note if row else None


async def store_year(session: AsyncSession, schedule: YearSchedule, *, note: str | None,
                     loaded_by: str, now: datetime) -> None:
    """Load (or replace) a year's schedule, validated by the caller."""
    row = await session.get(CalendarYear, schedule.year)
    if row is None:
        row = CalendarYear(year=schedule.year, holidays=[], workdays=[], loaded_by="", loaded_at=now)
        session.add(row)
    row.holidays = [d.isoformat() for d in sorted(schedule.holidays)]
    row.workdays = [d.isoformat() for d in sorted(schedule.workdays)]
    row.note, row.loaded_by, row.loaded_at = note, loaded_by, now
    await session.flush()
