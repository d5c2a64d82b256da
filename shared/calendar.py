"""The State Council working-day calendar: weekends and holidays off, adjusted workdays on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from shared.errors import ProblemError

SHANGHAI: ZoneInfo = ZoneInfo("Asia/Shanghai")

_ONE_DAY = timedelta(days=1)
_WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class CalendarYearMissing(ProblemError):
    """The working calendar has no holiday arrangement loaded for the requested year."""

    status, slug, title = 422, "calendar-year-missing", "工作日历缺少该年份"

    def __init__(self, year: int) -> None:
        super().__init__(
            f"工作日历未载入 {year} 年的节假日安排，"
            "请先由监管单位载入该年安排（节假日与调休上班日）后再计算。",
            year=year,
        )
        self.year = year


@dataclass(frozen=True)
class YearSchedule:
    """One year's statutory holidays and adjusted working days."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = "bundled"

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))

    def validate(self) -> None:
        """Raise ValueError if a date is outside the year, listed twice or a misplaced workday."""
        for day in sorted(self.holidays | self.workdays):
            if day.year != self.year:
                raise ValueError(f"日期 {day.isoformat()} 不属于 {self.year} 年")
        clashes = sorted(self.holidays & self.workdays)
        if clashes:
            raise ValueError(f"日期 {clashes[0].isoformat()} 不能同时是节假日和调休上班日")
        for day in sorted(self.workdays):
            if day.weekday() < 5:
                raise ValueError(
                    f"调休上班日 {day.isoformat()} 是{_WEEKDAY_NAMES[day.weekday()]}，"
                    "调休上班日必须是周六或周日"
                )


@cache
def bundled_schedules() -> dict[int, YearSchedule]:
    """Return the schedules of every year the installed chinese_calendar package covers."""
    import chinese_calendar

    holidays: dict[date, object] = dict(chinese_calendar.holidays)
    workdays: dict[date, object] = dict(chinese_calendar.workdays)
    if not holidays:
        return {}
    # The package supports exactly the years between its first and last listed holiday.
    first, last = min(holidays).year, max(holidays).year
    schedules = {}
    for year in range(first, last + 1):
        schedule = YearSchedule(
            year=year,
            holidays=frozenset(d for d in holidays if d.year == year),
            workdays=frozenset(d for d in workdays if d.year == year),
            source="bundled",
        )
        schedule.validate()
        schedules[year] = schedule
    return schedules


def _local_date(value: date | datetime) -> date:
    """Return the Asia/Shanghai calendar date of a date or an aware datetime."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("时间必须带时区信息（不接受无时区的时间）")
        return value.astimezone(SHANGHAI).date()
    return value


class WorkingCalendar:
    """Working-day arithmetic over the loaded year schedules; unloaded years are refused."""

    def __init__(self, schedules: Iterable[YearSchedule]) -> None:
        by_year: dict[int, YearSchedule] = {}
        for schedule in schedules:
            schedule.validate()
            by_year[schedule.year] = schedule
        self._schedules = by_year

    @classmethod
    def bundled(cls) -> WorkingCalendar:
        """Build a calendar from the schedules bundled with chinese_calendar."""
        return cls(bundled_schedules().values())

    def with_schedule(self, schedule: YearSchedule) -> WorkingCalendar:
        """Return a new calendar with the schedule's year added or replaced."""
        return WorkingCalendar([*self._schedules.values(), schedule])

    @property
    def years(self) -> frozenset[int]:
        """The years whose schedules are loaded."""
        return frozenset(self._schedules)

    def schedule(self, year: int) -> YearSchedule:
        """Return the schedule for a year, or raise CalendarYearMissing."""
        try:
            return self._schedules[year]
        except KeyError:
            raise CalendarYearMissing(year) from None

    def is_working_day(self, day: date) -> bool:
        """Tell whether a date is a working day."""
        day = _local_date(day)
        schedule = self.schedule(day.year)
        if day in schedule.holidays:
            return False
        if day in schedule.workdays:
            return True
        return day.weekday() < 5

    def add_working_days(self, start: date | datetime, days: int) -> date:
        """Return the days-th working day after (or, if negative, before) the start's date."""
        current = _local_date(start)
        self.schedule(current.year)
        if days == 0:
            if self.is_working_day(current):
                return current
            days = 1
        step = _ONE_DAY if days > 0 else -_ONE_DAY
        remaining = abs(days)
        while remaining:
            current += step
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date | datetime, end: date | datetime) -> int:
        """Count working days d with start < d <= end (negated when end precedes start)."""
        first, last = _local_date(start), _local_date(end)
        self.schedule(first.year)
        self.schedule(last.year)
        if last < first:
            return -self.working_days_between(last, first)
        count = 0
        current = first
        while current < last:
            current += _ONE_DAY
            if self.is_working_day(current):
                count += 1
        return count

    def deadline(self, start: datetime, days: int) -> datetime:
        """Return the end (next local midnight, in UTC) of the days-th working day after start."""
        due = self.add_working_days(start, days)
        midnight = datetime.combine(due + _ONE_DAY, time(0), tzinfo=SHANGHAI)
        return midnight.astimezone(UTC)
