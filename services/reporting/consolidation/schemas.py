"""Consolidation report and decision bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.consolidation.thresholds import ConsolidationThresholds
from shared.text import Text

Action = Literal["keep", "improve", "merge", "close"]
ACTION_LABELS = {"keep": "保留", "improve": "提升", "merge": "整合", "close": "关停"}
DecisionStatus = Literal["decided", "awaiting_unit", "filed"]
STATUS_LABELS = {"decided": "已决定", "awaiting_unit": "待单位确认", "filed": "已报备"}


class Overlap(BaseModel):
    account_id: UUID
    name: str
    reason: str


class ReportRow(BaseModel):
    """One account, the evidence and the suggested action (with a decision if one was made)."""

    account_id: UUID
    name: str
    platform: str
    platform_label: str
    platform_account_id: str
    organisation_id: UUID
    organisation_name: str
    region_code: str
    posts_in_period: int = Field(description="本期发布条数")
    reposts_in_period: int = Field(description="其中转载条数")
    repost_share: float | None = Field(description="转载占比（0–1），本期无发布为 null")
    last_post_at: datetime | None
    idle_days: int | None = Field(description="距最近一次发布的天数；从未发布为 null")
    overlaps: list[Overlap]
    suggested_action: Action
    suggested_action_label: str
    merge_into_id: UUID | None
    merge_into_name: str | None
    reasons: list[str]
    decision_id: UUID | None = None
    decided_action: Action | None = None


class ConsolidationReport(BaseModel):
    region_code: str
    period_start: date
    period_end: date
    thresholds: ConsolidationThresholds
    counts: dict[str, int] = Field(description="建议提升 / 整合 / 关停 / 保留的账号数")
    items: list[ReportRow]


class _DecisionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: UUID
    note: Text | None = Field(default=None, max_length=1000)


class MergeDecisionCreate(_DecisionFields):
    """Merge the account into another: which one is part of the decision."""

    model_config = ConfigDict(extra="forbid", title="MergeDecisionCreate", json_schema_extra={
        "examples": [{"account_id": "502d928e-26e0-4aee-8d9a-b20dc957db33", "action": "merge",
                      "merge_into_id": "9a1d0c52-8d4e-4b7a-9c21-5e6f7a8b9c0d",
                      "note": "两号功能重叠"}]})

    action: Literal["merge"] = Field(description="merge 整合")
    merge_into_id: UUID = Field(description="整合到的账号（不能是本账号）")


class OtherDecisionCreate(_DecisionFields):
    """Keep, improve or close the account: no other account is named."""

    model_config = ConfigDict(extra="forbid", title="OtherDecisionCreate", json_schema_extra={
        "examples": [{"account_id": "502d928e-26e0-4aee-8d9a-b20dc957db33", "action": "close",
                      "note": "长期不更新"}]})

    action: Literal["keep", "improve", "close"] = Field(
        description="keep 保留 / improve 提升 / close 关停")
    merge_into_id: None = Field(default=None, description="仅 merge 时给出")


# merge_into_id is given exactly when the action is merge: a union on `action` says so.
DecisionCreate = Annotated[
    MergeDecisionCreate | OtherDecisionCreate,
    Field(discriminator="action", examples=[
        {"account_id": "502d928e-26e0-4aee-8d9a-b20dc957db33", "action": "merge",
         "merge_into_id": "9a1d0c52-8d4e-4b7a-9c21-5e6f7a8b9c0d", "note": "两号功能重叠"}])]


class ConfirmBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"note": "已于公众号发布停更公告"}]})

    note: Text | None = Field(default=None, max_length=1000, description="随关停公告报备的说明")


class DecisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    account_id: UUID
    account_name: str
    platform: str
    organisation_id: UUID
    organisation_name: str
    region_code: str
    action: Action
    action_label: str
    merge_into_id: UUID | None
    merge_into_name: str | None
    note: str | None
    status: DecisionStatus
    status_label: str
    decided_by: str
    decided_at: datetime
    confirmed_by: str | None
    confirmed_at: datetime | None
    filing_id: UUID | None = Field(description="单位确认后在备案系统生成的关停公告报备")


class DecisionPage(BaseModel):
    items: list[DecisionRead]
    total: int
    limit: int
    offset: int
