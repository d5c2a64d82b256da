"""The working-day calendar as the registry keeps it: bundled years plus the loaded ones."""

from __future__ import annotations

from datetime import date

import httpx

from shared.calendar import WorkingCalendar, YearSchedule, bundled_schedules
from shared.clients.base import ServiceClient, UpstreamProblem
from shared.errors import ServiceUnavailable


async def load_calendar(registry_url: str, token: str,
                        transport: httpx.AsyncBaseTransport | None = None) -> WorkingCalendar:
    """Ask the registry for the years a supervisor loaded; bundled years if it cannot answer."""
    schedules = list(bundled_schedules().values())
    try:
        async with ServiceClient(registry_url, token, transport=transport) as registry:
            years = (await registry.request("GET", "/calendar/years")).json()
            for y in years:
                if y["source"] != "loaded":
                    continue
                body = (await registry.request("GET", f"/calendar/years/{y['year']}")).json()
                schedules.append(YearSchedule(
                    year=y["year"], holidays=frozenset(date.fromisoformat(d) for d in body["holidays"]),
                    workdays=frozenset(date.fromisoformat(d) for d in body["workdays"]),
                    source="loaded"))
    except (httpx.HTTPError, UpstreamProblem, ServiceUnavailable):
        pass  # an unloaded year still answers with CalendarYearMissing, never a guess
    return WorkingCalendar(schedules)
