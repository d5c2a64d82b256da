"""Finding request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["confirmed", "false_positive", "doubtful"]


class FindingRead(BaseModel):
    id: UUID
    fingerprint: str
    target_id: UUID
    target_type: str
    target_code: str = Field(description="网站标识码")
    target_name: str
    region_code: str
    organisation_id: UUID
    organisation_name: str
    rule: str
    indicator: str
    severity: str
    severity_label: str
    message: str
    url: str | None
    parent_url: str | None
    position: str | None
    excerpt: str | None = Field(description="上下文，问题文字以【】标出")
    offending: str | None
    suggestion: str | None
    points: float
    screenshot_url: str | None = Field(description="标出问题元素的截图")
    detail: dict[str, Any]
    first_seen_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None
    verdict: Verdict | None
    verdict_label: str | None
    verdict_by: str | None
    verdict_at: datetime | None
    verdict_note: str | None


class FindingPage(BaseModel):
    items: list[FindingRead]
    total: int
    limit: int
    offset: int


class VerdictBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"verdict": "false_positive", "note": "该链接为本站下拉菜单，非暗链"}]})

    verdict: Verdict | None = Field(
        description="confirmed 已确认 / false_positive 误报 / doubtful 存疑；null 撤销")
    note: str | None = Field(default=None, max_length=1000)


class BulkVerdictBody(VerdictBody):
    model_config = ConfigDict(extra="forbid")

    ids: list[UUID] = Field(min_length=1, max_length=5000)


class BulkVerdictResult(BaseModel):
    updated: int
