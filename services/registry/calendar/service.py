"""The working-day calendar: bundled years plus the years supervisors have loaded."""

from __future__ import annotations

from datetime import date

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
