"""The registry facts an inspection task keeps of its target (a website or an account),
as the checker's events carry them."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter


class WebsiteTarget(BaseModel):
    """The registry facts an inspection task keeps of a website (网站)."""

    model_config = ConfigDict(extra="ignore")

    target_type: Literal["website"] = "website"
    id: UUID
    site_code: str = Field(description="网站标识码")
    name: str
    kind: str = Field(description="网站类别（门户、部门等）")
    organisation_id: UUID = Field(description="主办单位")
    organisation_name: str
    region_code: str
    home_url: str
    domains: list[str]
    status: str = Field(description="备案生命周期状态")
    icp_number: str | None = None
    psb_number: str | None = None
    provides_services: bool = True
    politeness: dict[str, Any] | None = Field(default=None, description="备案的抓取礼貌设置")
    portal_domain: str | None = Field(
        default=None, description="部门网站：本级门户网站的主域名（部门网站应为其子域名）")

    @property
    def code(self) -> str:
        """How a person finds the site: its 网站标识码."""
        return self.site_code


class AccountSibling(BaseModel):
    """Another running account of the same unit on the same platform family."""

    id: UUID
    name: str
    platform: str
    status: str


class AccountTarget(BaseModel):
    """The registry facts an inspection task keeps of a new-media account (政务新媒体).

    `organisation_*` name the sponsor (主办单位) and `kind` is the platform, so findings, scope
    and reporting treat an account like a website.
    """

    model_config = ConfigDict(extra="ignore")

    target_type: Literal["account"] = "account"
    id: UUID
    platform: str
    platform_label: str
    platform_account_id: str
    name: str
    kind: str = Field(description="平台（与 platform 相同）")
    organisation_id: UUID = Field(description="主办单位")
    organisation_name: str
    region_code: str
    status: str
    url: str | None = None
    compliance_flags: list[str] = Field(default_factory=list)
    siblings: list[AccountSibling] = Field(default_factory=list)
    feed: dict[str, Any] | None = Field(default=None, description="备案的内容读取配置")

    @property
    def code(self) -> str:
        """How a person finds the account on its platform: the platform account id."""
        return self.platform_account_id


def _target_tag(value: Any) -> str:
    # Website snapshots written before the tag existed carry no target_type: a website.
    if isinstance(value, dict):
        return str(value.get("target_type") or "website")
    return str(getattr(value, "target_type", "website"))


TargetSnapshot = Annotated[
    Annotated[WebsiteTarget, Tag("website")] | Annotated[AccountTarget, Tag("account")],
    Discriminator(_target_tag)]
"""A task's target: a website or an account, told apart by `target_type`."""

_TARGET_ADAPTER: TypeAdapter[WebsiteTarget | AccountTarget] = TypeAdapter(TargetSnapshot)


def parse_target(data: Any) -> WebsiteTarget | AccountTarget:
    """A stored target snapshot read through its contract: a malformed one raises, never half-read."""
    return _TARGET_ADAPTER.validate_python(data)
