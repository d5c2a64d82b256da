"""The registry's events: a website or account filed, changed or closed; a filing late."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.contracts.events.names import EventPayload, EventScope, Instant


class FilingBase(EventPayload):
    """What every filing event carries (website.registered, account.closed, …)."""

    filing_id: UUID
    target_id: UUID
    action: str
    from_status: str | None
    to_status: str
    occurred_at: Instant
    name: str
    region_code: str
    status: str


class WebsiteFiled(FilingBase):
    """A website's filing (`website.<action>`)."""

    target_type: Literal["website"] = "website"
    site_code: str
    organisation_id: UUID
    domains: list[str]
    home_url: str

    @property
    def owner_id(self) -> UUID:
        """The organisation the filing concerns (the site's sponsor)."""
        return self.organisation_id

    def scope(self) -> EventScope:
        """The sponsor's region and the sponsor."""
        return EventScope(self.region_code, [self.organisation_id])


class AccountFiled(FilingBase):
    """An account's filing (`account.<action>`)."""

    target_type: Literal["account"] = "account"
    platform: str
    platform_account_id: str
    sponsor_id: UUID

    @property
    def owner_id(self) -> UUID:
        """The organisation the filing concerns (the account's sponsor)."""
        return self.sponsor_id

    def scope(self) -> EventScope:
        """The sponsor's region and the sponsor."""
        return EventScope(self.region_code, [self.sponsor_id])


class LateFields(BaseModel):
    """What `filing.late` adds to the filing's own event."""

    due_on: date | None
    limit_working_days: int | None
    filed_at: Instant


class WebsiteFilingLate(WebsiteFiled, LateFields):
    """`filing.late` of a website."""


class AccountFilingLate(AccountFiled, LateFields):
    """`filing.late` of an account."""


FilingLate = Annotated[WebsiteFilingLate | AccountFilingLate, Field(discriminator="target_type")]
"""`filing.late`: a lifecycle action filed later than its limit in working days."""
