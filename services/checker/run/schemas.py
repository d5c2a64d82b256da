"""Run request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from services.checker.profile.loader import national_profile
from shared.errors import named_pattern

REGION_CODE = named_pattern(r"^\d{6}$", "区划代码应为六位数字")


def _zoned(value: datetime) -> datetime:
    # Instants are stored in UTC; a time without a zone could be Beijing time or UTC.
    if value.tzinfo is None:
        raise ValueError("时间须带时区，如 2026-11-20T10:00:00+08:00")
    return value


Instant = Annotated[datetime, AfterValidator(_zoned)]


TargetType = Literal["website", "account"]


def _websites_only() -> list[TargetType]:
    return ["website"]


class Scope(BaseModel):
    """What to inspect: region subtrees, organisations, listed websites and/or listed accounts."""

    # Not empty: the document says so too (one of the four lists has an item).
    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [
        {"required": [name], "properties": {name: {"minItems": 1}}}
        for name in ("regions", "organisation_ids", "website_ids", "account_ids")], "examples": [
        {"regions": ["370102"]},
        {"regions": ["370102"], "target_types": ["website", "account"]},
        {"account_ids": ["6f1c9e0a-6f7e-4a45-9a0c-4b8f1d2e3a11"]}]})

    regions: list[Annotated[str, StringConstraints(pattern=REGION_CODE)]] = Field(
        default_factory=list, max_length=100, description="区划代码（六位数字），含下级区划")
    organisation_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    website_ids: list[UUID] = Field(default_factory=list, max_length=10000)
    account_ids: list[UUID] = Field(default_factory=list, max_length=100000,
                                    description="列出的政务新媒体账号")
    target_types: list[TargetType] = Field(
        default_factory=_websites_only, min_length=1,
        description="regions 与 organisation_ids 范围内检查哪些对象：website 网站、account 政务新媒体账号")

    @model_validator(mode="after")
    def _some(self) -> Scope:
        if not (self.regions or self.organisation_ids or self.website_ids or self.account_ids):
            raise ValueError("检查范围不能为空：请给出 regions、organisation_ids、website_ids 或 account_ids")
        return self


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "2026年第四季度历下区网站检查", "scope": {"regions": ["370102"]},
        "profile": "national_2019"}]})

    name: str = Field(min_length=1, max_length=200)
    scope: Scope
    profile: str = Field(default="national_2019", max_length=100,
                         description="规则配置：national_2019 或本地配置名称")
    as_of: Instant | None = Field(default=None, description="监测时点；缺省为当前时间")


def _rule_code_enum(schema: dict[str, Any]) -> None:
    # Read when the document is built, not at import: the codes are the national profile's.
    schema["enum"] = sorted(national_profile()["rules"])


# A rule code of the national profile (RULES.md); the run service checks it against the
# profile the request names, the document lists the national ones.
RuleCode = Annotated[str, Field(json_schema_extra=_rule_code_enum)]


class RecheckCreate(BaseModel):
    """A re-check (复核) of one target for some rules, e.g. after a unit reports a fix."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "target_id": "6f1c9e0a-6f7e-4a45-9a0c-4b8f1d2e3a11", "rules": ["deduct.links"],
        "reason": "整改复核：历下区某局网站"}]})

    target_id: UUID = Field(description="网站或政务新媒体账号的 ID")
    target_type: TargetType = "website"
    rules: list[RuleCode] = Field(min_length=1, max_length=50, description="只检查这些规则代码")
    reason: str = Field(default="整改复核", max_length=500)
    profile: str = Field(default="national_2019", max_length=100)


class RunProgress(BaseModel):
    targets_total: int
    targets_done: int
    targets_failed: int
    targets_running: int
    pages_fetched: int
    links_checked: int
    findings: int
    passed: int
    targets_uninspected: int = Field(
        0, description="未能检查的对象数：首页无法获取或账号无法读取，既不算合格也不算不合格")
    tasks_recovered: int = Field(
        0, description="工作进程失联（心跳停止）后被收回、重新排队的次数")


class RunRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "ee455066-159a-4210-8579-4bd07739fcaf", "plan_id": None,
        "name": "2026年第四季度历下区网站检查", "kind": "inspection", "rules": None,
        "status": "running", "status_label": "检查中", "profile_name": "national_2019",
        "scope": {"regions": ["370102"], "organisation_ids": [], "website_ids": [],
                  "account_ids": [], "target_types": ["website"]},
        "as_of": "2026-11-20T02:00:00Z", "created_at": "2026-11-20T02:00:00Z",
        "started_at": "2026-11-20T02:00:03Z", "finished_at": None,
        "progress": {"targets_total": 12, "targets_done": 5, "targets_failed": 0,
                     "targets_running": 2, "pages_fetched": 1840, "links_checked": 9620,
                     "findings": 17, "passed": 4, "targets_uninspected": 1,
                     "tasks_recovered": 0}}]})

    id: UUID
    plan_id: UUID | None
    name: str
    kind: str = Field(description="inspection 检查 / recheck 复核")
    rules: list[str] | None
    status: str
    status_label: str
    profile_name: str
    scope: dict[str, Any]
    as_of: datetime
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress: RunProgress


class TaskRead(BaseModel):
    id: UUID
    run_id: UUID
    target_id: UUID
    target_type: TargetType = Field(description="website 网站 / account 政务新媒体账号")
    site_code: str = Field(description="网站标识码；账号为“平台:平台账号 ID”")
    name: str
    kind: str = Field(description="网站类别（portal/department）或账号平台")
    organisation_id: UUID
    organisation_name: str
    region_code: str
    status: str
    attempts: int
    pages_fetched: int
    links_checked: int
    findings_count: int
    score: float | None
    passed: bool | None
    verdict_label: str | None = Field(None, description="合格 / 不合格 / 未能检查；未完成时为空")
    uninspected_reason: str | None = Field(
        None, description="未能检查的原因，如“首页无法访问：域名无法解析（dns）”")
    vetoes: list[str]
    deductions: dict[str, float]
    revision: int = Field(0, description="研判误报后重新计分的次数（0：检查时的结果）")
    error: str | None
    recovered: int = Field(0, description="工作进程失联后被收回重新排队的次数")
    started_at: datetime | None
    finished_at: datetime | None


class RunPage(BaseModel):
    items: list[RunRead]
    total: int
    limit: int
    offset: int
