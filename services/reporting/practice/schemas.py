"""Practice request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.text import Name, Text

PracticeStatus = Literal["submitted", "shortlisted", "declined"]
STATUS_LABELS = {"submitted": "已提交", "shortlisted": "已入选", "declined": "未采用"}
Link = Annotated[str, Field(max_length=2048, pattern=r"^https?://[^\s<>\"]+$")]
_EXAMPLE: dict[str, Any] = {
            "organisation_id": "6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b", "title": "健全工作机制",
            "text": "建立“日巡查、周通报、月考核”制度，问题发现后24小时内整改。",
            "links": ["https://www.lixia.gov.cn/art/2026/11/2/art_1_1.html"]}


class PracticeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    organisation_id: UUID = Field(description="提交单位（须在调用者范围内）")
    title: Name = Field(min_length=1, max_length=30, description="做法标题，用作通报中的小标题")
    text: Text = Field(min_length=1, max_length=5000, description="做法正文")
    links: list[Link] = Field(default_factory=list, max_length=10, description="相关链接")


class PracticeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"text": "建立“日巡查、周通报、月考核”制度。"}]})

    title: Name | None = Field(default=None, min_length=1, max_length=30)
    text: Text | None = Field(default=None, min_length=1, max_length=5000)
    links: list[Link] | None = Field(default=None, max_length=10)
    images: list[UUID] | None = Field(default=None, max_length=10,
                                      description="配图附件（先以 POST /practices/{id}/images 上传）")


class ShortlistBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"circular_id": "0b7c9c1e-2f0a-4f0e-9d55-3d1f2a6b7c8d", "position": 1}]})

    circular_id: UUID = Field(description="入选的通报草稿")
    position: int | None = Field(default=None, ge=1, le=1000, description="在主要做法中的次序")
    note: Text | None = Field(default=None, max_length=1000)


class DeclineBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "与往期重复"}]})

    note: Text = Field(min_length=1, max_length=1000, description="不采用的理由")


class PracticeVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    title: str
    text: str
    links: list[str]
    images: list[str]
    edited_by: str
    edited_as: str
    edited_at: datetime


class PracticeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    organisation_id: UUID
    organisation_name: str
    region_code: str
    title: str
    text: str
    links: list[str]
    images: list[str]
    status: PracticeStatus
    status_label: str
    circular_id: UUID | None
    position: int | None
    decision_note: str | None
    submitted_by: str
    submitted_at: datetime
    updated_at: datetime
    version: int


class PracticeDetail(PracticeRead):
    versions: list[PracticeVersionRead] = Field(description="提交与修改的全部版本，旧的在前")


class PracticePage(BaseModel):
    items: list[PracticeRead]
    total: int
    limit: int
    offset: int
