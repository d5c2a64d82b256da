"""Website request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from services.registry.common.validators import (
    DOMAIN,
    HOME_URL,
    ICP_NUMBER,
    PSB_NUMBER,
    SITE_CODE,
    check_home_url,
    normalise_domains,
)
from shared.contracts.registry import CrawlPoliteness, FilingAction, LifecycleStatus, SiteKind, WebsiteRead
from shared.openapi import not_null
from shared.text import Name, Text

Domain = Annotated[str, StringConstraints(pattern=DOMAIN, max_length=253)]


class WebsiteFields(BaseModel):
    """Fields a filing may change."""

    model_config = ConfigDict(extra="forbid")

    # Left out: unchanged. name, organisation_id, kind, domains and home_url cannot be cleared:
    # the document does not offer null for them (the filing refuses it, 422); the record numbers
    # and the politeness can be (null).
    name: Name | None = Field(default=None, min_length=2, max_length=200,
                              json_schema_extra=not_null)
    organisation_id: UUID | None = Field(default=None, description="主办单位",
                                         json_schema_extra=not_null)
    kind: SiteKind | None = Field(default=None, json_schema_extra=not_null)
    domains: list[Domain] | None = Field(default=None, min_length=1, max_length=20,
                                         description="域名，第一个为主域名",
                                         json_schema_extra=not_null)
    home_url: str | None = Field(default=None, max_length=2048, pattern=HOME_URL,
                                 json_schema_extra=not_null)
    icp_number: str | None = Field(default=None, pattern=ICP_NUMBER,
                                   description="ICP备案号，如 鲁ICP备05001234号")
    psb_number: str | None = Field(default=None, pattern=PSB_NUMBER,
                                   description="公安机关备案号，如 鲁公网安备 37010202000123号")
    politeness: CrawlPoliteness | None = Field(default=None, description="抓取礼貌设置；null 取消")

    @field_validator("domains")
    @classmethod
    def _domains(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else normalise_domains(v)


class WebsiteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "site_code": "3701020001", "name": "济南市历下区人民政府",
        "organisation_id": "6f1c9e0a-6f7e-4a45-9a0c-4b8f1d2e3a11", "kind": "portal",
        "domains": ["www.lixia.gov.cn"], "home_url": "https://www.lixia.gov.cn/",
        "icp_number": "鲁ICP备05001234号", "psb_number": "鲁公网安备 37010202000123号",
        "status": "running"}]})

    site_code: str = Field(pattern=SITE_CODE, description="网站标识码：六位区划代码+四位序号，或 bm+八位数字")
    name: Name = Field(min_length=2, max_length=200)
    organisation_id: UUID = Field(description="主办单位")
    kind: SiteKind
    domains: list[Domain] = Field(min_length=1, max_length=20,
                                  description="域名，第一个为主域名")
    home_url: str = Field(max_length=2048, pattern=HOME_URL,
                          description="首页网址（http/https），主机须为所报域名或其下级域名")
    icp_number: str | None = Field(default=None, pattern=ICP_NUMBER)
    psb_number: str | None = Field(default=None, pattern=PSB_NUMBER)
    politeness: CrawlPoliteness | None = Field(
        default=None, description="抓取礼貌设置（较慢的区县服务器、内网镜像等），缺省用检查服务的设置")
    status: Literal[LifecycleStatus.planned, LifecycleStatus.running] = Field(
        default=LifecycleStatus.planned, description="登记时的状态：planned 拟开设 或 running 运行中")
    occurred_at: datetime | None = Field(default=None, description="开设时间；缺省为当前时间")
    note: Text | None = Field(default=None, max_length=2000)

    @field_validator("domains")
    @classmethod
    def _domains(cls, v: list[str]) -> list[str]:
        return normalise_domains(v)

    @model_validator(mode="after")
    def _home(self) -> WebsiteCreate:
        self.home_url = check_home_url(self.home_url, self.domains)
        return self


class ChangedWebsiteFields(WebsiteFields):
    """What a change files: at least one field."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})


class MovedWebsiteFields(WebsiteFields):
    """What a migration files: the domains or the home page, perhaps with other fields."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "anyOf": [{"required": ["domains"]}, {"required": ["home_url"]}]})

    @model_validator(mode="after")
    def _moved(self) -> MovedWebsiteFields:
        if not {"domains", "home_url"} & self.model_fields_set:
            raise ValueError("migrate（迁移）须变更 domains 或 home_url")
        return self


class NoChanges(BaseModel):
    """Nothing: only change and migrate carry changes."""

    model_config = ConfigDict(extra="forbid")


class _WebsiteFiling(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_at: datetime | None = Field(default=None, description="事项发生时间；缺省为当前时间")
    note: Text | None = Field(default=None, max_length=2000)


class WebsiteChangeFiling(_WebsiteFiling):
    """A change of registered fields (name, sponsor, kind, …)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"action": "change", "changes": {"name": "历下区人民政府门户网站"}}]})

    action: Literal[FilingAction.change]
    changes: ChangedWebsiteFields = Field(description="变更内容（至少一项）")

    @field_validator("changes", mode="before")
    @classmethod
    def _some(cls, v: object) -> object:
        if isinstance(v, dict) and not v:
            raise ValueError("change 须在 changes 中给出变更内容")
        return v


class WebsiteMigrateFiling(_WebsiteFiling):
    """A move to other domains or another home page."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"action": "migrate", "changes": {"domains": ["www.lixia.gov.cn"],
                                          "home_url": "https://www.lixia.gov.cn/"}}]})

    action: Literal[FilingAction.migrate]
    changes: MovedWebsiteFields = Field(description="变更内容：须含 domains 或 home_url")


class WebsiteLifecycleFiling(_WebsiteFiling):
    """Open, announce the closure of, close or deregister the site: no field changes."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"action": "close", "occurred_at": "2026-10-09T09:00:00+08:00", "note": "整合至区政府门户"}]})

    action: Literal[FilingAction.open, FilingAction.announce_closure, FilingAction.close,
                    FilingAction.deregister]
    changes: NoChanges | None = Field(default=None, description="不带变更内容；字段变更请用 change")


# A lifecycle action on a website: what happened, when, and (change, migrate) what changed.
# The changes suit the action: a union on `action` says so in the document.
WebsiteFilingCreate = Annotated[
    WebsiteChangeFiling | WebsiteMigrateFiling | WebsiteLifecycleFiling,
    Field(discriminator="action", examples=[
        {"action": "close", "occurred_at": "2026-10-09T09:00:00+08:00", "note": "整合至区政府门户"},
        {"action": "migrate", "changes": {"domains": ["www.lixia.gov.cn"],
                                          "home_url": "https://www.lixia.gov.cn/"}}])]


class WebsitePage(BaseModel):
    items: list[WebsiteRead]
    total: int
    limit: int
    offset: int


class WebsiteStats(BaseModel):
    total: int
    by_status: dict[str, int]
    by_kind: dict[str, int]
    by_flag: dict[str, int]
