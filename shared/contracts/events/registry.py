"""The registry's events: a website or account filed, changed or closed; a filing late; a
registration request (补报备案通知) opened or closed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.contracts.events.names import (
    REGISTRATION_CLOSED,
    REGISTRATION_REQUESTED,
    EventPayload,
    EventScope,
    Instant,
)


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


class RegistrationEventBase(EventPayload):
    """What both registration request events carry: the request, its unit and what it names."""

    registration_request_id: UUID = Field(description="补报备案通知 ID")
    kind: Literal["account", "website"] = Field(description="account 新媒体账号 / website 网站")
    organisation_id: UUID = Field(description="应补报备案的单位")
    organisation_name: str
    region_code: str = Field(description="单位所在区划")
    name: str = Field(description="发现时显示的名称")
    platform: str | None = Field(description="账号所在平台（仅账号）")
    platform_label: str | None = Field(description="平台中文名称（仅账号）")
    platform_account_id: str | None = Field(description="平台账号 ID（仅账号，可能未知）")
    domain: str | None = Field(description="网站域名（仅网站）")

    def scope(self) -> EventScope:
        """The unit's region and the unit."""
        return EventScope(self.region_code, [self.organisation_id])


class RegistrationRequested(RegistrationEventBase):
    """`registration.requested`: a supervisor asked a unit to file a discovered, unfiled account
    or website (补报备案通知)."""

    NAME: ClassVar[str] = REGISTRATION_REQUESTED

    url: str | None = Field(description="账号主页或网站网址")
    seen_on: list[str] = Field(description="发现处（页面或文章网址）")
    finding_id: UUID | None = Field(description="检查服务中对应的问题 ID")
    note: str | None = Field(description="通知说明")
    created_at: Instant = Field(description="发出通知的时间")


class RegistrationClosed(RegistrationEventBase):
    """`registration.closed`: a request left the open state, answered by the registration of
    the account or website (`filed`) or withdrawn by a supervisor (`dismissed`)."""

    NAME: ClassVar[str] = REGISTRATION_CLOSED

    outcome: Literal["filed", "dismissed"] = Field(
        description="filed 已补报备案 / dismissed 已撤销")
    outcome_label: str = Field(description="办结结果的中文名称")
    filed_target_id: UUID | None = Field(
        description="补报备案的账号或网站 ID（仅 filed）")
    note: str | None = Field(description="撤销理由（仅 dismissed）")
    closed_at: Instant = Field(description="办结时间")
