"""Rectification request and response bodies, and the problem a published circular opens."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["open", "reported", "rechecking", "closed"]
Action = Literal["report", "close", "reopen"]

STATUS_LABELS = {"open": "待整改", "reported": "已上报整改", "rechecking": "复核中",
                 "closed": "已整改"}
ACTION_LABELS = {"report": "上报整改完成", "close": "关闭", "reopen": "重新打开"}
SEVERITY_LABELS = {"veto": "单项否决", "deduct": "扣分", "warn": "提示"}


class OpenItem(BaseModel):
    """One (target, rule) problem of a circular; the publisher opens an item for each."""

    target_id: UUID
    target_type: str = Field(max_length=16)
    target_code: str = Field(max_length=64)
    target_name: str = Field(max_length=200)
    organisation_id: UUID
    organisation_name: str = Field(max_length=200)
    region_code: str = Field(pattern=r"^\d{6}$")
    rule: str = Field(max_length=64)
    indicator: str = Field(max_length=100)
    severity: str = Field(max_length=8)
    message: str
    fingerprints: list[str] = Field(default_factory=list)


class EvidenceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$",
                            description="整改后的页面或佐证材料地址")
    description: str | None = Field(default=None, max_length=1000, description="佐证说明")


class ReportBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"note": "已更正首页错别字并重新发布", "evidence": {
            "url": "https://www.example.gov.cn/art/2026/10/9/art_1_1.html",
            "description": "更正后的页面"}}]})

    note: str = Field(min_length=1, max_length=2000, description="整改情况说明")
    evidence: EvidenceBody | None = None
    attachments: list[UUID] = Field(default_factory=list, max_length=20, description=(
        "佐证附件：先以 POST /rectifications/{id}/attachments 上传，再在此列出其 id"))


class NoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"note": "经人工核实已整改到位"}]})

    note: str = Field(min_length=1, max_length=2000, description="关闭或重新打开的理由（必填，留痕）")


class RectificationEventRead(BaseModel):
    at: datetime
    actor: str = Field(description="操作人；系统复核记为“复核”")
    from_status: Status | None
    to_status: Status
    to_status_label: str
    note: str | None
    evidence: dict[str, Any]


class RectificationRead(BaseModel):
    id: UUID
    circular_id: UUID
    target_id: UUID
    target_type: str
    target_code: str = Field(description="网站标识码或账号标识")
    target_name: str
    organisation_id: UUID
    organisation_name: str
    region_code: str
    rule: str
    indicator: str
    severity: str
    severity_label: str
    message: str
    fingerprints: list[str]
    status: Status
    status_label: str
    allowed_actions: list[Action] = Field(description="当前状态下可执行的操作（不含角色判断）")
    deadline_at: datetime = Field(description="整改截止时间（UTC；按上海时间显示）")
    overdue: bool = Field(description="已过截止时间且尚未整改")
    opened_at: datetime
    closed_at: datetime | None
    recheck_run_id: UUID | None = Field(description="正在进行的复核批次")


class RectificationDetail(RectificationRead):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
        "circular_id": "03f36b0b-f3ba-41ca-85b9-dbf59caedf58",
        "target_id": "3b1f0c52-8d4e-4b7a-9c21-5e6f7a8b9c0d", "target_type": "website",
        "target_code": "3701020001", "target_name": "历下区人民政府网站",
        "organisation_id": "6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b",
        "organisation_name": "历下区人民政府办公室", "region_code": "370102",
        "rule": "content.typo", "indicator": "错别字", "severity": "deduct", "severity_label": "扣分",
        "message": "疑似错别字：“以经”应为“已经”", "fingerprints": ["5f3a9c0e7b2d4e81"],
        "status": "reported", "status_label": "已上报整改", "allowed_actions": ["close", "reopen"],
        "deadline_at": "2026-12-04T10:00:00Z", "overdue": False,
        "opened_at": "2026-11-20T02:00:00Z", "closed_at": None, "recheck_run_id": None,
        "events": [{"at": "2026-11-24T06:30:00Z", "actor": "历下区人民政府办公室",
                    "from_status": "open", "to_status": "reported", "to_status_label": "已上报整改",
                    "note": "已更正错别字", "evidence": {"url": "https://www.lixia.gov.cn/art/2026/11/3/art_1_1.html"}}]}]})

    events: list[RectificationEventRead] = Field(description="状态变化记录，最早的在前")


class RectificationPage(BaseModel):
    items: list[RectificationRead]
    total: int
    limit: int
    offset: int
