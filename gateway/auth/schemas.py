"""Request and response bodies of API keys, OAuth2 clients and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.principal import Role

REGION_CODE = r"^\d{6}$"
Status = Literal["active", "revoked", "expired"]


class CredentialCreate(BaseModel):
    """Roles and scope of a new API key or OAuth2 client: never more than the caller's own."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "历下区政务公开办", "roles": ["supervisor"], "regions": ["370102"]}, {
        "name": "山东省政务服务数据对接", "roles": ["integration"], "all_regions": True}]})

    name: str = Field(min_length=2, max_length=200, description="用途或持有人，便于识别")
    roles: list[Role] = Field(min_length=1, max_length=5)
    all_regions: bool = Field(default=False, description="是否可访问全部区划")
    regions: list[str] = Field(default_factory=list, max_length=100,
                               description="可访问的区划（含下级），六位行政区划代码")
    organisations: list[UUID] = Field(default_factory=list, max_length=100,
                                      description="可访问的单位 id")
    expires_at: datetime | None = Field(default=None, description="到期时间（可选，ISO 8601；"
                                        "不带时区时按北京时间）")

    @field_validator("expires_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        # A time without an offset is read as the users read clocks: Asia/Shanghai.
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
        return value


class CredentialRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    roles: list[Role]
    all_regions: bool
    regions: list[str]
    organisations: list[UUID]
    status: Status
    created_by: str
    created_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None


class ApiKeyRead(CredentialRead):
    display: str = Field(description="密钥的可辨识部分（密钥本身只在创建和轮换时显示一次）",
                         examples=["gik_0f8c…_…x7Qa"])


class ApiKeyCreated(ApiKeyRead):
    secret: str = Field(description="完整密钥，仅此一次显示；"
                                    "请求时放在 Authorization: Bearer 或 X-API-Key 中")


class ApiKeyPage(BaseModel):
    items: list[ApiKeyRead]
    total: int
    limit: int
    offset: int


class ClientRead(CredentialRead):
    client_id: str = Field(examples=["gic_0f8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e"])


class ClientCreated(ClientRead):
    client_secret: str = Field(description="客户端密钥，仅此一次显示")


class ClientPage(BaseModel):
    items: list[ClientRead]
    total: int
    limit: int
    offset: int


class TokenResponse(BaseModel):
    """RFC 6749 §5.1 access token response."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…", "token_type": "Bearer",
        "expires_in": 600}]})

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class Me(BaseModel):
    """The caller as the services see it."""

    subject: str
    name: str
    roles: list[Role]
    all_regions: bool
    regions: list[str]
    organisations: list[UUID]
