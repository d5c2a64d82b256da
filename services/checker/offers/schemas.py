"""Filing offer bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field


class FilingOffer(BaseModel):
    """The filing a unit is offered for an account that announced its end (issue #15 item 5).

    To accept it, the unit sends `POST /api/v1/accounts/{account_id}/filings` with
    `{"action": suggested_filing}` and the header `If-Match: if_match`.
    """

    finding_id: UUID
    account_id: UUID
    account_code: str = Field(description="平台:平台账号 ID")
    account_name: str
    organisation_id: UUID
    organisation_name: str
    region_code: str
    suggested_filing: Literal["announce_closure", "close"]
    suggested_filing_label: str
    announced_on: str = Field(description="宣布停更或迁移的日期")
    message: str
    excerpt: str | None
    url: str | None = Field(description="宣布停更的文章")
    last_seen_at: datetime
    account_status: str | None = Field(description="备案库中账号的当前状态；null：备案库未答复")
    pending: bool | None = Field(description="建议的报备尚未办理；null：备案库未答复，无法判断")
    if_match: str | None = Field(description="报备时 If-Match 请求头的值（账号当前版本）")
