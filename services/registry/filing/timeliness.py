"""Whether a filing was on time, computed from the working-day calendar, never stored."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date, datetime

from shared.calendar import SHANGHAI, CalendarYearMissing, WorkingCalendar


@dataclass(frozen=True)
class Timeliness:
    limit_working_days: int | None
    due_on: date | None
    on_time: bool | None
    note: str | None


def limit_for(limits: dict[str, int], target_type: str, action: str) -> int | None:
    """Return the working-day limit for a filing; the most specific matching pattern wins."""
    key = f"{target_type}.{action}"
    matches = [(len(p.replace("*", "")), n) for p, n in limits.items()
               if fnmatch.fnmatchcase(key, p)]
    return max(matches)[1] if matches else None


def judge(calendar: WorkingCalendar, limit: int | None, occurred_at: datetime,
          filed_at: datetime) -> Timeliness:
    """Judge a filing: on time if filed by the end of the limit-th working day after the event."""
    if limit is None:
        return Timeliness(None, None, None, "未设报备时限")
    try:
        due_on = calendar.add_working_days(occurred_at, limit)
    except CalendarYearMissing as exc:
        return Timeliness(limit, None, None, exc.detail)
    filed_on = filed_at.astimezone(SHANGHAI).date()
    on_time = filed_on <= due_on
    note = None if on_time else (
        f"事项发生于 {occurred_at.astimezone(SHANGHAI):%Y-%m-%d}，应于 {due_on:%Y-%m-%d} 前报备"
        f"（{limit} 个工作日），实际报备于 {filed_on:%Y-%m-%d}")
    return Timeliness(limit, due_on, on_time, note)
