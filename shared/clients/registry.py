"""Typed client of the registry API."""

from __future__ import annotations

from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, TypeAdapter

from shared.calendar import WorkingCalendar, YearSchedule, bundled_schedules
from shared.clients.base import ServiceClient
from shared.contracts.reference import RegionPage, RegionRead, YearScheduleRead, YearSummary
from shared.contracts.registry import AccountRead, FilingRead, OrganisationRead, WebsiteRead

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class RegistryClient(ServiceClient):
    """What other services ask the registry: websites, accounts, organisations, filings,
    regions and the working-day calendar."""

    async def website(self, site_id: UUID) -> WebsiteRead:
        """Fetch one website."""
        r = await self.request("GET", f"/websites/{site_id}")
        return WebsiteRead.model_validate(r.json())

    async def websites(self, **filters: Any) -> Page[WebsiteRead]:
        """Fetch one page of websites (filters as the list endpoint's query)."""
        r = await self.request("GET", "/websites", params=_params(filters))
        return Page[WebsiteRead].model_validate(r.json())

    async def all_websites(self, page_size: int = 1000, **filters: Any) -> list[WebsiteRead]:
        """Fetch every website matching the filters, page by page."""
        out: list[WebsiteRead] = []
        while True:
            page = await self.websites(limit=page_size, offset=len(out), **filters)
            out.extend(page.items)
            if not page.items or len(out) >= page.total:
                return out

    async def filed_domains(self) -> list[str]:
        """Every domain filed in the registry."""
        r = await self.request("GET", "/websites/domains")
        return list(r.json())

    async def account(self, account_id: UUID) -> AccountRead:
        """Fetch one new-media account."""
        r = await self.request("GET", f"/accounts/{account_id}")
        return AccountRead.model_validate(r.json())

    async def accounts(self, **filters: Any) -> Page[AccountRead]:
        """Fetch one page of accounts."""
        r = await self.request("GET", "/accounts", params=_params(filters))
        return Page[AccountRead].model_validate(r.json())

    async def all_accounts(self, page_size: int = 1000, **filters: Any) -> list[AccountRead]:
        """Fetch every account matching the filters, page by page."""
        out: list[AccountRead] = []
        while True:
            page = await self.accounts(limit=page_size, offset=len(out), **filters)
            out.extend(page.items)
            if not page.items or len(out) >= page.total:
                return out

    async def file_account(self, account_id: UUID, action: str, note: str | None) -> FilingRead:
        """File a lifecycle action (e.g. announce_closure) on an account at its current version."""
        current = await self.account(account_id)
        r = await self.request("POST", f"/accounts/{account_id}/filings",
                               headers={"If-Match": f'"{current.version}"'},
                               json={"action": action, "note": note})
        return FilingRead.model_validate(r.json())

    async def organisation(self, org_id: UUID) -> OrganisationRead:
        """Fetch one organisation."""
        r = await self.request("GET", f"/organisations/{org_id}")
        return OrganisationRead.model_validate(r.json())

    async def website_filings(self, site_id: UUID) -> list[FilingRead]:
        """Fetch every filing of a website with its timeliness."""
        r = await self.request("GET", f"/websites/{site_id}/filings")
        return TypeAdapter(list[FilingRead]).validate_json(r.content)

    async def region(self, code: str) -> RegionRead:
        """Fetch one region (行政区划)."""
        r = await self.request("GET", f"/regions/{code}")
        return RegionRead.model_validate(r.json())

    async def regions(self, *, parent: str | None = None, limit: int = 1000) -> RegionPage:
        """Fetch regions, e.g. the children of one."""
        r = await self.request("GET", "/regions", params=_params({"parent": parent, "limit": limit}))
        return RegionPage.model_validate(r.json())

    async def calendar_years(self) -> list[YearSummary]:
        """Every year the registry's working-day calendar knows, and where it came from."""
        r = await self.request("GET", "/calendar/years")
        return TypeAdapter(list[YearSummary]).validate_json(r.content)

    async def calendar_year(self, year: int) -> YearScheduleRead:
        """One year's holidays and adjusted working days."""
        r = await self.request("GET", f"/calendar/years/{year}")
        return YearScheduleRead.model_validate(r.json())

    async def working_calendar(self) -> WorkingCalendar:
        """The registry's calendar: the bundled years and the ones a supervisor loaded."""
        schedules = list(bundled_schedules().values())
        for y in await self.calendar_years():
            if y.source == "loaded":
                body = await self.calendar_year(y.year)
                schedules.append(YearSchedule(year=y.year, holidays=frozenset(body.holidays),
                                              workdays=frozenset(body.workdays), source="loaded"))
        return WorkingCalendar(schedules)


def _params(filters: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in filters.items() if v is not None}
