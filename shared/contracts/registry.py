"""The registry's wire contract: enums with Chinese labels and the read models others consume."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class LabelledEnum(StrEnum):
    """A string enum whose members carry a Chinese label."""

    @property
    def label(self) -> str:
        """The Chinese label shown to people."""
        return LABELS[self]

    @classmethod
    def parse(cls, text: str) -> LabelledEnum:
        """Accept a value or its Chinese label; raise ValueError naming the allowed ones."""
        text = text.strip()
        for member in cls:
            if text in (member.value, LABELS[member]):
                return member
        allowed = "、".join(f"{m.value}（{LABELS[m]}）" for m in cls)
        raise ValueError(f"取值 {text!r} 不在允许范围内，允许：{allowed}")


class LifecycleStatus(LabelledEnum):
    planned = "planned"
    running = "running"
    closing = "closing"
    closed = "closed"
    deregistered = "deregistered"


class FilingAction(LabelledEnum):
    register = "register"
    open = "open"
    change = "change"
    migrate = "migrate"
    announce_closure = "announce_closure"
    close = "close"
    deregister = "deregister"


class OrgKind(LabelledEnum):
    state_council_department = "state_council_department"
    provincial_government = "provincial_government"
    provincial_department = "provincial_department"
    city_government = "city_government"
    city_department = "city_department"
    county_government = "county_government"
    county_department = "county_department"
    township_government = "township_government"
    functional_zone = "functional_zone"
    public_institution = "public_institution"
    other = "other"


class SiteKind(LabelledEnum):
    portal = "portal"
    department = "department"


class Platform(LabelledEnum):
    wechat_subscription = "wechat_subscription"
    wechat_service = "wechat_service"
    wechat_channels = "wechat_channels"
    weibo = "weibo"
    douyin = "douyin"
    toutiao = "toutiao"
    kuaishou = "kuaishou"
    baijiahao = "baijiahao"
    qq_penguin = "qq_penguin"
    bilibili = "bilibili"
    xiaohongshu = "xiaohongshu"
    mini_program = "mini_program"
    mobile_app = "mobile_app"
    other = "other"


LABELS: dict[Any, str] = {
    LifecycleStatus.planned: "拟开设",
    LifecycleStatus.running: "运行中",
    LifecycleStatus.closing: "拟关停（已公告）",
    LifecycleStatus.closed: "已关停",
    LifecycleStatus.deregistered: "已注销",
    FilingAction.register: "备案登记",
    FilingAction.open: "开通",
    FilingAction.change: "变更",
    FilingAction.migrate: "迁移",
    FilingAction.announce_closure: "关停公告",
    FilingAction.close: "关停",
    FilingAction.deregister: "注销",
    OrgKind.state_council_department: "国务院部门",
    OrgKind.provincial_government: "省级政府",
    OrgKind.provincial_department: "省直部门",
    OrgKind.city_government: "市级政府",
    OrgKind.city_department: "市直部门",
    OrgKind.county_government: "区县政府",
    OrgKind.county_department: "区县部门",
    OrgKind.township_government: "乡镇政府（街道）",
    OrgKind.functional_zone: "直属功能区",
    OrgKind.public_institution: "事业单位",
    OrgKind.other: "其他",
    SiteKind.portal: "门户网站",
    SiteKind.department: "部门网站",
    Platform.wechat_subscription: "微信公众号（订阅号）",
    Platform.wechat_service: "微信公众号（服务号）",
    Platform.wechat_channels: "微信视频号",
    Platform.weibo: "新浪微博",
    Platform.douyin: "抖音",
    Platform.toutiao: "今日头条",
    Platform.kuaishou: "快手",
    Platform.baijiahao: "百家号",
    Platform.qq_penguin: "企鹅号",
    Platform.bilibili: "哔哩哔哩",
    Platform.xiaohongshu: "小红书",
    Platform.mini_program: "小程序",
    Platform.mobile_app: "移动客户端（APP）",
    Platform.other: "其他",
}

# Accounts on platforms of one family count as one platform for "one account per unit".
PLATFORM_FAMILY: dict[Platform, str] = {
    Platform.wechat_subscription: "wechat", Platform.wechat_service: "wechat",
}


def platform_family(platform: Platform) -> str:
    """Return the family a platform belongs to (微信订阅号 and 服务号 are both 微信)."""
    return PLATFORM_FAMILY.get(platform, platform.value)


class ComplianceFlag(LabelledEnum):
    domain_not_gov_cn = "domain_not_gov_cn"
    portal_domain_not_www = "portal_domain_not_www"
    public_institution_gov_domain = "public_institution_gov_domain"
    unit_multiple_sites = "unit_multiple_sites"
    unit_multiple_accounts_on_platform = "unit_multiple_accounts_on_platform"


LABELS.update({
    ComplianceFlag.domain_not_gov_cn: "域名不以 .gov.cn 或 .政务 结尾",
    ComplianceFlag.portal_domain_not_www: "门户网站域名不是 www.<名称>.gov.cn 形式",
    ComplianceFlag.public_institution_gov_domain: "事业单位使用 .gov.cn 域名",
    ComplianceFlag.unit_multiple_sites: "同一主办单位开设多个网站",
    ComplianceFlag.unit_multiple_accounts_on_platform: "同一单位在同一平台开设多个账号",
})


class OrganisationRead(BaseModel):
    id: UUID
    name: str
    kind: OrgKind
    kind_label: str
    region_code: str
    parent_id: UUID | None
    credit_code: str | None
    provides_services: bool
    version: int
    created_at: datetime
    updated_at: datetime


class WebsiteRead(BaseModel):
    id: UUID
    site_code: str = Field(description="网站标识码")
    name: str
    organisation_id: UUID
    organisation_name: str
    region_code: str
    kind: SiteKind
    kind_label: str
    domains: list[str]
    home_url: str
    icp_number: str | None
    psb_number: str | None
    status: LifecycleStatus
    status_label: str
    compliance_flags: list[ComplianceFlag]
    version: int
    created_at: datetime
    updated_at: datetime


class AccountRead(BaseModel):
    id: UUID
    platform: Platform
    platform_label: str
    platform_account_id: str
    name: str
    url: str | None
    sponsor_id: UUID
    sponsor_name: str
    operator_id: UUID | None
    region_code: str
    status: LifecycleStatus
    status_label: str
    compliance_flags: list[ComplianceFlag]
    version: int
    created_at: datetime
    updated_at: datetime


class FilingRead(BaseModel):
    id: UUID
    target_type: str
    target_id: UUID
    action: FilingAction
    action_label: str
    from_status: LifecycleStatus | None
    to_status: LifecycleStatus
    occurred_at: datetime
    filed_at: datetime
    filed_by: str
    note: str | None
    before: dict[str, Any] | None
    after: dict[str, Any]
    limit_working_days: int | None = Field(description="允许的报备时限（工作日）")
    due_on: date | None = Field(description="最迟报备日期（上海时间）")
    on_time: bool | None = Field(description="是否按时报备；日历缺少年份时为 null")
    timeliness_note: str | None = None
