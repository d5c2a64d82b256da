"""The working-day calendar as the registry keeps it: bundled years plus the loaded ones."""

from __future__ import annotations

import httpx

from shared.calendar import WorkingCalendar, bundled_schedules
from shared.clients.base import UpstreamProblem
from shared.clients.registry import RegistryClient
from shared.errors import ServiceUnavailable


async def load_calendar(registry: RegistryClient) -> WorkingCalendar:
    """Ask the registry for the years a supervisor loaded; bundled years if it cannot answer."""
    try:
        return await registry.working_calendar()
    except (httpx.HTTPError, UpstreamProblem, ServiceUnavailable):
        # An unloaded year still answers with CalendarYearMissing, never a guess.
        return WorkingCalendar(bundled_schedules().values())
