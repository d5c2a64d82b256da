"""Finding request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue

Verdict = Literal["confirmed", "false_positive", "doubtful"]


class FindingRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "9d0e1f2a-3b4c-4d5e-8f60-718293a4b5c6", "fingerprint": "5f3a9c0e7b2d4e81",
        "target_id": "3b1f0c52-8d4e-4b7a-9c21-5e6f7a8b9c0d", "target_type": "website",
        "target_code": "3701020001", "target_name": "历下区人民政府网站", "region_code": "370102",
        "organisation_id": "6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b",
        "organisation_name": "历下区人民政府办公室", "rule": "content.typo",
        "locator": "https://www.lixia.gov.cn/art/2026/11/3/art_1_1.html|以经|1", "indicator": "错别字",
        "severity": "deduct", "severity_label": "扣分", "message": "疑似错别字：“以经”应为“已经”",
        "url": "https://www.lixia.gov.cn/art/2026/11/3/art_1_1.html",
        "parent_url": "https://www.lixia.gov.cn/", "position": "正文第 2 段",
        "excerpt": "有关工作【以经】全部完成", "offending": "以经", "suggestion": "已经", "points": 1.0,
        "screenshot_url": "/evidence/5b2c0e1d9a8f4c3b", "detail": {},
        "first_seen_at": "2026-11-20T02:13:05Z", "last_seen_at": "2026-11-20T02:13:05Z",
        "resolved_at": None, "verdict": None, "verdict_label": None, "verdict_by": None,
        "verdict_at": None, "verdict_note": None}]})

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
    locator: str | None = Field(
        description="规则给出的定位；同一规则、同一定位即同一问题（可跨网站批量研判）")
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


# Either ids, or rule and locator together (the service refuses anything else, in Chinese).
_BY_IDS_OR_LOCATOR: list[JsonValue] = [
    {"required": ["ids"], "properties": {"ids": {"type": "array"}, "rule": {"type": "null"},
                                         "locator": {"type": "null"}}},
    {"required": ["rule", "locator"], "properties": {
        "ids": {"type": "null"}, "rule": {"type": "string"}, "locator": {"type": "string"}}}]


class BulkVerdictBody(VerdictBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": _BY_IDS_OR_LOCATOR, "examples": [
        {"ids": ["9d0e1f2a-3b4c-4d5e-8f60-718293a4b5c6"], "verdict": "confirmed", "note": None},
        {"rule": "veto.security", "locator": "https://www.gov.cn/", "verdict": "false_positive",
         "note": "链向中国政府网，非暗链"}]})

    ids: list[UUID] | None = Field(default=None, min_length=1, max_length=5000,
                                   description="这些问题；或用 rule + locator 选定")
    rule: str | None = Field(default=None, min_length=1, max_length=64,
                             description="与 locator 一起：管辖范围内所有网站上的同一问题")
    locator: str | None = Field(default=None, min_length=1, max_length=2048,
                                description="问题的 locator（见问题详情）")


class BulkVerdictResult(BaseModel):
    updated: int = Field(description="研判的问题数")
    rescored: int = Field(default=0, description="因误报标记变化而重新计分的最近一次检查结果数")
