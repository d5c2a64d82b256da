"""Dispute request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.text import Text

DisputeKind = Literal["false_positive", "doubtful"]
DisputeStatus = Literal["pending", "accepted", "rejected"]
KIND_LABELS = {"false_positive": "误报", "doubtful": "存疑"}
STATUS_LABELS = {"pending": "待处理", "accepted": "已采纳", "rejected": "未采纳"}


class DisputeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"finding_id": "9d0e1f2a-3b4c-4d5e-8f60-718293a4b5c6", "kind": "false_positive",
         "reason": "“以经”为引用古籍原文，非错别字"}]})

    finding_id: UUID = Field(description="申辩的问题（须为本单位的问题）")
    kind: DisputeKind = Field(description="false_positive 误报 / doubtful 存疑")
    reason: Text = Field(min_length=1, max_length=2000, description="理由")


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"note": "经核实为引用原文，按误报处理"}]})

    note: Text = Field(min_length=1, max_length=1000, description="处理意见（必填，单位可见）")


class DisputeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    finding_id: UUID
    target_id: UUID
    target_type: str
    target_code: str
    target_name: str
    organisation_id: UUID
    organisation_name: str
    region_code: str
    rule: str
    indicator: str
    message: str
    kind: DisputeKind
    kind_label: str
    reason: str
    status: DisputeStatus
    status_label: str
    raised_by: str
    raised_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    verdict: str | None = Field(default=None, description=(
        "采纳后在检查服务记下的研判（误报 false_positive / 存疑 doubtful）"))


class DisputePage(BaseModel):
    items: list[DisputeRead]
    total: int
    limit: int
    offset: int
