"""Tests for the State Council working-day calendar."""

from __future__ import annotations

import time as timer
from datetime import UTC, date, datetime, timedelta

import pytest

from shared.calendar import (
    SHANGHAI,
    CalendarYearMissing,
    WorkingCalendar,
    YearSchedule,
    bundled_schedules,
)
from shared.errors import ProblemError


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar.bundled()


def made_up_2027() -> YearSchedule:
    # An invented 2027 arrangement: New Year 1-3 Jan off, Sat 9 Jan worked in lieu,
    # a National Day week 1-7 Oct off, Sat 9 Oct worked in lieu.
    holidays = {date(2027, 1, d) for d in (1, 2, 3)} | {date(2027, 10, d) for d in range(1, 8)}
    workdays = {date(2027, 1, 9), date(2027, 10, 9)}
    return YearSchedule(2027, frozenset(holidays), frozenset(workdays), source="loaded")


def test_shanghai_zone() -> None:
    assert str(SHANGHAI) == "Asia/Shanghai"


def test_bundled_schedules_cover_2025_and_2026_but_not_2027(cal: WorkingCalendar) -> None:
    schedules = bundled_schedules()
    assert {2025, 2026} <= set(schedules)
    assert 2027 not in schedules
    assert schedules[2026].source == "bundled"
    assert bundled_schedules() is schedules  # cached
    assert {2025, 2026} <= cal.years
    assert 2027 not in cal.years


def test_2026_spring_festival_adjusted_saturdays_are_working_days(cal: WorkingCalendar) -> None:
    for day in (date(2026, 2, 14), date(2026, 2, 28)):
        assert day.weekday() == 5
        assert cal.is_working_day(day)
    # The festival itself, including the weekdays 16-20 Feb, is off.
    for offset in range(9):
        assert not cal.is_working_day(date(2026, 2, 15) + timedelta(days=offset))
    assert cal.is_working_day(date(2026, 2, 24))


def test_2026_national_day_and_adjusted_sunday(cal: WorkingCalendar) -> None:
    for d in range(1, 8):
        assert not cal.is_working_day(date(2026, 10, d))
    assert date(2026, 9, 20).weekday() == 6
    assert cal.is_working_day(date(2026, 9, 20))
    assert not cal.is_working_day(date(2026, 9, 25))  # Mid-Autumn Festival, a Friday
    assert cal.is_working_day(date(2026, 10, 10))  # Saturday worked in lieu
    assert not cal.is_working_day(date(2026, 10, 11))  # ordinary Sunday
    assert cal.is_working_day(date(2026, 10, 12))  # ordinary Monday


def test_2025_schedule(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2025, 1, 1))
    assert cal.is_working_day(date(2025, 1, 26))  # Sunday worked before Spring Festival
    assert not cal.is_working_day(date(2025, 10, 8))
    assert cal.is_working_day(date(2025, 10, 11))  # Saturday worked after National Day


def test_add_working_days_across_national_day(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert cal.add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 9)
    assert cal.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)  # adjusted Saturday
    assert cal.add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)
    # From Friday 18 Sep: Sun 20 (adjusted), 21-24, skip 25-27, 28-30, skip 1-7 Oct, 8 Oct.
    assert cal.add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)
    assert cal.add_working_days(date(2026, 9, 18), 9) == date(2026, 10, 8)


def test_add_working_days_zero_and_negative(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 9, 30), 0) == date(2026, 9, 30)
    assert cal.add_working_days(date(2026, 10, 1), 0) == date(2026, 10, 8)
    assert cal.add_working_days(date(2026, 9, 19), 0) == date(2026, 9, 20)
    assert cal.add_working_days(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert cal.add_working_days(date(2026, 9, 21), -1) == date(2026, 9, 20)
    assert cal.add_working_days(date(2026, 10, 12), -4) == date(2026, 9, 30)


def test_add_250_working_days_is_quick(cal: WorkingCalendar) -> None:
    began = timer.perf_counter()
    result = cal.add_working_days(date(2025, 1, 2), 250)
    assert timer.perf_counter() - began < 1.0
    assert result == date(2026, 1, 6)
    assert cal.working_days_between(date(2025, 1, 2), result) == 250
    assert cal.add_working_days(result, -250) == date(2025, 1, 2)


def test_working_days_between_across_national_day(cal: WorkingCalendar) -> None:
    # Sun 20 Sep, 21-24, 28-30, 8-10 Oct (10th adjusted Saturday), Mon 12 Oct.
    assert cal.working_days_between(date(2026, 9, 18), date(2026, 10, 12)) == 12
    assert cal.working_days_between(date(2026, 10, 12), date(2026, 9, 18)) == -12
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 7)) == 0
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert cal.working_days_between(date(2026, 10, 8), date(2026, 10, 8)) == 0


def test_deadline_is_next_shanghai_midnight_in_utc(cal: WorkingCalendar) -> None:
    start = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    due = cal.deadline(start, 1)
    assert due == datetime(2026, 10, 8, 16, 0, tzinfo=UTC)
    assert due.utcoffset() == timedelta(0)
    assert due.astimezone(SHANGHAI) == datetime(2026, 10, 9, 0, 0, tzinfo=SHANGHAI)
    assert cal.deadline(start, 3) == datetime(2026, 10, 10, 16, 0, tzinfo=UTC)


def test_late_evening_utc_counts_from_shanghai_date(cal: WorkingCalendar) -> None:
    # 2026-09-29 17:30 UTC is already 2026-09-30 01:30 in Shanghai (Wednesday, the last
    # working day before the National Day holiday).
    late = datetime(2026, 9, 29, 17, 30, tzinfo=UTC)
    assert cal.add_working_days(late, 0) == date(2026, 9, 30)
    assert cal.add_working_days(late, 1) == date(2026, 10, 8)
    assert cal.deadline(late, 1) == datetime(2026, 10, 8, 16, 0, tzinfo=UTC)
    # Counted from the UTC date (29 Sep) the first working day would have been 30 Sep instead.
    assert cal.add_working_days(date(2026, 9, 29), 1) == date(2026, 9, 30)
    assert cal.working_days_between(late, datetime(2026, 10, 8, 3, 0, tzinfo=SHANGHAI)) == 1


def test_naive_datetime_is_rejected(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(datetime(2026, 9, 30, 10, 0), 1)
    with pytest.raises(ValueError):
        cal.deadline(datetime(2026, 9, 30, 10, 0), 1)
    with pytest.raises(ValueError):
        cal.working_days_between(datetime(2026, 9, 30, 10, 0), date(2026, 10, 8))


def test_unbundled_year_raises_problem(cal: WorkingCalendar) -> None:
    with pytest.raises(CalendarYearMissing) as caught:
        cal.is_working_day(date(2027, 3, 1))
    err = caught.value
    assert isinstance(err, ProblemError)
    assert err.year == 2027
    body = err.body()
    assert body["status"] == 422
    assert body["year"] == 2027
    assert body["title"] == "工作日历缺少该年份"
    assert body["type"].endswith("/calendar-year-missing")
    assert "2027" in body["detail"]
    assert "节假日" in body["detail"]


def test_crossing_into_unloaded_year_raises(cal: WorkingCalendar) -> None:
    # 2026-12-31 is a Thursday; Friday 1 Jan 2027 is unknown, so no weekday guess is made.
    assert cal.add_working_days(date(2026, 12, 28), 3) == date(2026, 12, 31)
    with pytest.raises(CalendarYearMissing) as caught:
        cal.add_working_days(date(2026, 12, 28), 4)
    assert caught.value.year == 2027
    with pytest.raises(CalendarYearMissing):
        cal.working_days_between(date(2026, 12, 28), date(2027, 1, 4))
    with pytest.raises(CalendarYearMissing):
        cal.deadline(datetime(2026, 12, 30, 9, 0, tzinfo=SHANGHAI), 5)
    with pytest.raises(CalendarYearMissing):
        cal.working_days_between(date(2027, 1, 4), date(2027, 1, 4))


def test_loaded_2027_schedule_makes_2027_computable(cal: WorkingCalendar) -> None:
    schedule = made_up_2027()
    schedule.validate()
    loaded = cal.with_schedule(schedule)
    assert 2027 in loaded.years
    assert 2027 not in cal.years  # the original calendar is unchanged
    assert not loaded.is_working_day(date(2027, 1, 1))  # Friday, holiday
    assert loaded.is_working_day(date(2027, 1, 4))  # ordinary Monday
    assert date(2027, 1, 9).weekday() == 5
    assert loaded.is_working_day(date(2027, 1, 9))  # adjusted Saturday
    assert not loaded.is_working_day(date(2027, 1, 10))  # ordinary Sunday
    # 31 Dec 2026 (Thu) -> skip 1-3 Jan -> Mon 4 .. Fri 8 -> Sat 9 (adjusted) -> Mon 11.
    assert loaded.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert loaded.add_working_days(date(2026, 12, 31), 6) == date(2027, 1, 9)
    assert loaded.add_working_days(date(2026, 12, 31), 7) == date(2027, 1, 11)
    assert loaded.working_days_between(date(2026, 12, 28), date(2027, 1, 11)) == 10
    assert loaded.deadline(datetime(2026, 12, 31, 9, 0, tzinfo=SHANGHAI), 6) == datetime(
        2027, 1, 9, 16, 0, tzinfo=UTC
    )
    assert loaded.add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 8)


def test_later_schedule_replaces_earlier_for_same_year(cal: WorkingCalendar) -> None:
    # A reloaded 2026 that drops the National Day week: 1 Oct 2026 (Thursday) becomes a working day.
    replaced = cal.with_schedule(YearSchedule(2026, frozenset(), frozenset(), source="loaded"))
    assert replaced.is_working_day(date(2026, 10, 1))
    assert not replaced.is_working_day(date(2026, 9, 20))
    assert not cal.is_working_day(date(2026, 10, 1))
    empty_2026 = YearSchedule(2026, frozenset(), frozenset())
    both = WorkingCalendar([bundled_schedules()[2026], empty_2026])
    assert both.is_working_day(date(2026, 10, 1))
    assert both.years == frozenset({2026})


def test_validate_rejects_monday_workday() -> None:
    monday = date(2027, 1, 4)
    assert monday.weekday() == 0
    schedule = YearSchedule(2027, frozenset(), frozenset({monday}), source="loaded")
    with pytest.raises(ValueError, match="2027-01-04"):
        schedule.validate()
    with pytest.raises(ValueError):
        WorkingCalendar([schedule])


def test_validate_rejects_date_outside_year() -> None:
    schedule = YearSchedule(2027, frozenset({date(2026, 10, 1)}), frozenset(), source="loaded")
    with pytest.raises(ValueError, match="2026-10-01"):
        schedule.validate()


def test_validate_rejects_date_in_both_sets() -> None:
    day = date(2027, 1, 9)
    schedule = YearSchedule(2027, frozenset({day}), frozenset({day}), source="loaded")
    with pytest.raises(ValueError, match="2027-01-09"):
        schedule.validate()
