"""Discovery bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field


class Discovery(BaseModel):
    """One account or site found on a unit's pages or in its posts that no filing names."""

    finding_id: UUID
    rule: str
    kind: Literal["account", "website"]
    platform: str | None
    platform_account_id: str | None
    name: str = Field(description="发现时显示的名称（网站为域名）")
    domain: str | None
    url: str | None = Field(description="账号主页或网站地址（已知时）")
    seen_on: list[str] = Field(description="发现处：页面或文章网址")
    seen_by: str = Field(description="在哪个网站或账号上发现")
    organisation_id: UUID
    organisation_name: str
    region_code: str
    first_seen_at: datetime
    last_seen_at: datetime
    registration_request: dict[str, Any] = Field(
        description="POST /api/v1/registration-requests 的请求体：通知本单位补报备案")
