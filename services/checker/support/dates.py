"""Dates as government pages print them: full and month-day forms, credibility, calendar windows."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from services.checker.ground.site import SiteSnapshot
from services.checker.support.script import to_simplified
from shared.calendar import SHANGHAI

# yyyy-mm-dd, yyyy/mm/dd, yyyy.mm.dd, yyyy年mm月dd日
_FULL = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?")
# mm-dd, as list pages print it ("[11-20]"); the lookarounds keep phone numbers and ranges out.
_SHORT = re.compile(r"(?<![\d\-/.年月])(\d{1,2})-(\d{1,2})(?![\d\-/.])")
_TIME = r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
_LABEL = re.compile(r"^(?:发布|更新|成文)?(?:日期|时间)\s*[:：]?\s*")
_BRACKETS = "[]()（）【】〔〕<>《》 \u3000\t\r\n"


def local_today(site: SiteSnapshot) -> date:
    """Return the monitoring point's calendar date in Beijing time."""
    return site.as_of.astimezone(SHANGHAI).date()


def months_before(day: date, months: int) -> date:
    """Return the same day `months` calendar months earlier (clamped to the month's end)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_months(day: date, months: int) -> date:
    """Return the same day `months` calendar months later (clamped to the month's end)."""
    return months_before(day, -months)


def _credible(day: date, today: date) -> bool:
    # A date after the monitoring point is not evidence of an update (faked dates are veto.security's).
    return date(1990, 1, 1) <= day <= today


def _full(match: re.Match[str]) -> date | None:
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _short(match: re.Match[str], today: date) -> date | None:
    month, day = int(match[1]), int(match[2])
    for year in (today.year, today.year - 1):
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        # A month-day later than the monitoring point was published in the previous year.
        if found <= today:
            return found
    return None


def parse_dates(text: str, today: date) -> list[date]:
    """Return the credible dates written in a text; short mm-dd forms take their year from today."""
    found = [d for m in _FULL.finditer(text) if (d := _full(m))]
    if not found:
        found = [d for m in _SHORT.finditer(text) if (d := _short(m, today))]
    return [d for d in found if _credible(d, today)]


def standalone_date(text: str, today: date) -> date | None:
    """Return the date when a text is nothing but a date (bracketed or labelled 发布日期 at most)."""
    core = _LABEL.sub("", to_simplified(text.strip().strip(_BRACKETS))).strip(_BRACKETS)
    if (m := re.fullmatch(_FULL.pattern + _TIME, core)) and (d := _full(m)):
        return d if _credible(d, today) else None
    if m := re.fullmatch(_SHORT.pattern, core):
        return _short(m, today)
    return None


def leading_date(text: str, today: date) -> date | None:
    """Return the credible date a text starts with (after blanks and a colon), or None."""
    rest = text.lstrip(" \u3000:：")
    if (m := _FULL.match(rest)) and (d := _full(m)):
        return d if _credible(d, today) else None
    if m := _SHORT.match(rest):
        return _short(m, today)
    return None


def first_full_date(text: str, today: date) -> date | None:
    """Return the first full (yyyy-mm-dd) date written in a text when it is valid and credible."""
    m = _FULL.search(text)
    day = _full(m) if m else None
    return day if day and _credible(day, today) else None


def window_start(today: date, days: int) -> date:
    """Return the first day of a window of `days` days ending on the monitoring date."""
    return today - timedelta(days=days)

