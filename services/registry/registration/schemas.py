"""Registration request bodies."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from services.registry.common.validators import DOMAIN, normalise_domain
from shared.contracts.registry import Platform
from shared.errors import named_pattern
from shared.text import Name, Text


class RequestKind(StrEnum):
    account = "account"
    website = "website"


class RequestStatus(StrEnum):
    open = "open"
    filed = "filed"
    dismissed = "dismissed"


STATUS_LABELS = {"open": "待补报", "filed": "已补报备案", "dismissed": "已撤销"}
URL = r"^https?://\S+$"
# An http(s) address without whitespace, the scheme in any case (the validator below says why
# in Chinese for what the pattern lets through: Unicode whitespace).
SEEN_URL = named_pattern(r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$", "应为 http 或 https 网址")


class _RequestFields(BaseModel):
    """What every registration request carries, whatever was discovered."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: UUID = Field(description="应补报备案的单位")
    name: Name = Field(min_length=1, max_length=200, description="发现时显示的名称")
    platform_account_id: Name | None = Field(default=None, min_length=1, max_length=200)
    url: str | None = Field(default=None, max_length=2048, pattern=URL)
    seen_on: list[Annotated[str, StringConstraints(max_length=2048, pattern=SEEN_URL)]] = Field(
        default_factory=list, max_length=20, description="发现处（页面或文章网址）")
    finding_id: UUID | None = Field(default=None, description="检查服务中对应的问题 ID")
    note: Text | None = Field(default=None, max_length=2000)

    @field_validator("seen_on")
    @classmethod
    def _urls(cls, values: list[str]) -> list[str]:
        for v in values:
            if len(v) > 2048 or not v[:8].lower().startswith(("http://", "https://")) or any(
                    c.isspace() for c in v):
                raise ValueError(f"{v!r} 不是 http 或 https 网址")
        return values


class AccountRequestCreate(_RequestFields):
    """A supervisor's request that a unit file a discovered new-media account."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "account", "organisation_id": "6f1c9e0a-6f7e-4a45-9a0c-4b8f1d2e3a11",
        "platform": "douyin", "platform_account_id": "MS4wLjABAAAA_lixia", "name": "历下文旅",
        "seen_on": ["https://www.lixia.gov.cn/xmt/"]}]})

    kind: Literal[RequestKind.account] = Field(description="account：新媒体账号")
    platform: Platform = Field(description="账号所在平台")
    domain: None = None


class WebsiteRequestCreate(_RequestFields):
    """A supervisor's request that a unit file a discovered website."""

    kind: Literal[RequestKind.website] = Field(description="website：网站")
    domain: str = Field(max_length=253, pattern=DOMAIN, description="网站域名")
    platform: None = None

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        return normalise_domain(value)


# The document states what the registry enforces: an account names its platform, a site its domain.
RegistrationRequestCreate = Annotated[AccountRequestCreate | WebsiteRequestCreate,
                                      Field(discriminator="kind")]


class RegistrationDismissal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text = Field(min_length=1, max_length=2000, description="撤销理由（如：经核实非本单位账号）")


class RegistrationRequestRead(BaseModel):
    id: UUID
    kind: RequestKind
    organisation_id: UUID
    organisation_name: str
    region_code: str
    name: str
    platform: Platform | None
    platform_label: str | None
    platform_account_id: str | None
    domain: str | None
    url: str | None
    seen_on: list[str]
    finding_id: UUID | None
    note: str | None
    status: RequestStatus
    status_label: str
    requested_by: str
    closed_by: str | None
    closing_note: str | None
    filed_target_id: UUID | None
    version: int
    created_at: datetime
    closed_at: datetime | None
