"""New-media account request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.contracts.registry import AccountFeed, AccountRead, FilingAction, LifecycleStatus, Platform
from shared.openapi import not_null
from shared.text import Name, Text


class AccountFields(BaseModel):
    """Fields a filing may change."""

    model_config = ConfigDict(extra="forbid")

    # Left out: unchanged. name and sponsor_id cannot be cleared: the document does not offer
    # null for them (the filing refuses it, 422); url, operator_id and feed can be (null).
    name: Name | None = Field(default=None, min_length=1, max_length=200,
                              json_schema_extra=not_null)
    url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$")
    sponsor_id: UUID | None = Field(default=None, description="主办单位",
                                    json_schema_extra=not_null)
    operator_id: UUID | None = Field(default=None, description="运维单位")
    feed: AccountFeed | None = Field(default=None, description="订阅源；null 取消")


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "platform": "wechat_subscription", "platform_account_id": "gh_1a2b3c4d5e6f",
        "name": "历下发布", "sponsor_id": "6f1c9e0a-6f7e-4a45-9a0c-4b8f1d2e3a11",
        "status": "running"}]})

    platform: Platform = Field(description="平台")
    platform_account_id: Name = Field(min_length=1, max_length=200,
                                     description="平台账号 ID（如微信原始 ID、微博 UID）")
    name: Name = Field(min_length=1, max_length=200, description="账号名称")
    url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$")
    sponsor_id: UUID = Field(description="主办单位")
    operator_id: UUID | None = Field(default=None, description="运维单位（缺省同主办单位）")
    feed: AccountFeed | None = Field(default=None, description="检查服务读取账号文章的订阅源")
    status: Literal[LifecycleStatus.planned, LifecycleStatus.running] = LifecycleStatus.planned
    occurred_at: datetime | None = Field(default=None, description="开设时间；缺省为当前时间")
    note: Text | None = Field(default=None, max_length=2000)


class ChangedAccountFields(AccountFields):
    """What a change or migration files: at least one field."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})


class NoAccountChanges(BaseModel):
    """Nothing: only change and migrate carry changes."""

    model_config = ConfigDict(extra="forbid")


class _AccountFiling(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_at: datetime | None = None
    note: Text | None = Field(default=None, max_length=2000)


class AccountChangeFiling(_AccountFiling):
    """A change (or migration) of registered fields."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"action": "change", "changes": {"name": "历下区发布"}}]})

    action: Literal[FilingAction.change, FilingAction.migrate]
    changes: ChangedAccountFields = Field(description="变更内容（至少一项）")

    @field_validator("changes", mode="before")
    @classmethod
    def _some(cls, v: object, info: ValidationInfo) -> object:
        if isinstance(v, dict) and not v:
            action = info.data.get("action")
            raise ValueError(f"{getattr(action, 'value', action)} 须在 changes 中给出变更内容")
        return v


class AccountLifecycleFiling(_AccountFiling):
    """Open, announce the closure of, close or deregister the account: no field changes."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"action": "close", "occurred_at": "2026-10-09T09:00:00+08:00"}]})

    action: Literal[FilingAction.open, FilingAction.announce_closure, FilingAction.close,
                    FilingAction.deregister]
    changes: NoAccountChanges | None = Field(default=None,
                                             description="不带变更内容；字段变更请用 change")


# A lifecycle action on an account; the changes suit the action (a union on `action`).
AccountFilingCreate = Annotated[
    AccountChangeFiling | AccountLifecycleFiling,
    Field(discriminator="action", examples=[
        {"action": "close", "occurred_at": "2026-10-09T09:00:00+08:00"},
        {"action": "change", "changes": {"name": "历下区发布"}}])]


class AccountPage(BaseModel):
    items: list[AccountRead]
    total: int
    limit: int
    offset: int


class AccountStats(BaseModel):
    total: int
    by_platform: dict[str, int]
    by_status: dict[str, int]
    by_platform_status: dict[str, dict[str, int]]
    by_flag: dict[str, int]
