"""The registry's wire contract: enums with Chinese labels and the read models others consume."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


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
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b", "name": "历下区人民政府办公室",
        "kind": "county_government", "kind_label": "区县政府", "region_code": "370102",
        "parent_id": None, "credit_code": "11370102004234567X", "provides_services": True,
        "version": 1, "created_at": "2026-11-20T02:00:00Z", "updated_at": "2026-11-20T02:00:00Z"}]})

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


class CrawlPoliteness(BaseModel):
    """How gently the checker crawls one site; every field optional, unset ones keep the defaults.

    The same block is a rule profile's `politeness` (a region's defaults) and a website
    filing's override (a slow county server, an intranet mirror); the filing wins.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"per_host_interval_ms": 1000, "per_host_concurrency": 1},
        {"per_host_interval_ms": 0, "per_host_concurrency": 16, "max_pages": 2000}]})

    per_host_interval_ms: int | None = Field(
        default=None, ge=0, le=60_000, description="同一主机两次请求开始之间的最小间隔（毫秒，0 为不间隔）")
    per_host_concurrency: int | None = Field(
        default=None, ge=1, le=32, description="同一主机同时进行的请求数")
    max_pages: int | None = Field(default=None, ge=1, le=100_000, description="每次检查最多抓取的页面数")
    max_depth: int | None = Field(default=None, ge=0, le=20, description="从首页起最多点击的层数")
    target_budget_s: int | None = Field(
        default=None, ge=30, le=7_200, description="检查一个网站的时间上限（秒）")
    honour_crawl_delay: bool | None = Field(
        default=None, description="是否遵守网站 robots.txt 的 Crawl-delay")


class WebsiteRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "3b1f0c52-8d4e-4b7a-9c21-5e6f7a8b9c0d", "site_code": "3701020001",
        "name": "历下区人民政府网站", "organisation_id": "6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b",
        "organisation_name": "历下区人民政府办公室", "region_code": "370102", "kind": "portal",
        "kind_label": "门户网站", "domains": ["www.lixia.gov.cn"],
        "home_url": "https://www.lixia.gov.cn/", "icp_number": "鲁ICP备05001234号-1",
        "psb_number": None, "status": "running", "status_label": "运行中", "compliance_flags": [],
        "version": 1, "created_at": "2026-11-20T02:00:00Z", "updated_at": "2026-11-20T02:00:00Z"}]})

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
    politeness: CrawlPoliteness | None = Field(
        default=None, description="本网站的抓取礼貌设置（覆盖检查服务与规则配置的默认值）")
    version: int
    created_at: datetime
    updated_at: datetime


FeedKind = Literal["rss", "atom", "json", "profile_page", "push"]
FEED_KIND_LABELS: dict[str, str] = {
    "rss": "RSS 2.0", "atom": "Atom", "json": "JSON 订阅源", "profile_page": "公开主页（选择器读取）",
    "push": "推送（由省级平台或平台导出经接口推送）",
}
# The selectors a profile page is read with: key → what it selects. Inside a post unless noted;
# CSS (add " @attr" for an attribute) or XPath (starting with "/", "./", "(" or "xpath:").
PROFILE_SELECTORS: dict[str, str] = {
    "post": "每篇文章的元素（必填）",
    "published": "文章内的发布时间（必填；<time datetime> 优先取属性）",
    "id": "文章内的平台文章编号（缺省用链接，再缺省用标题与时间的摘要）",
    "title": "文章内的标题",
    "text": "文章内的正文",
    "url": "文章内的链接（<a> 取 href）",
    "comment": "文章内的每条评论",
    "reply": "文章内账号的每条回复",
    "comment_text": "评论/回复内的文字（缺省为整个元素的文字）",
    "comment_author": "评论/回复内的作者",
    "comment_published": "评论/回复内的时间",
    "comment_id": "评论/回复内的编号",
    "account_name": "页面中的账号名称",
    "interaction": "页面中的留言/评论入口；配置后，找到即视为开通互动功能",
}
REQUIRED_PROFILE_SELECTORS = ("post", "published")


class AccountFeed(BaseModel):
    """How the checker reads an account's posts."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "rss", "url": "https://rss.example.cn/weibo/1234567890"},
        {"kind": "profile_page", "url": "https://weibo.example/u/1234567890", "render": True,
         "selectors": {"post": "article.post", "published": "time", "title": ".title", "text": ".text"}},
        {"kind": "push"}]})

    kind: FeedKind = Field(description="订阅源类型：rss、atom、json（JSON 订阅源）、"
                                       "profile_page（公开主页）、push（经接口推送）")
    url: str | None = Field(default=None, max_length=2048, validate_default=True,
                            description="订阅源或主页地址；push 以外必填")
    selectors: dict[str, str] = Field(default_factory=dict, validate_default=True,
                                      description="profile_page 的选择器：" + "；".join(
                                          f"{k} {v}" for k, v in PROFILE_SELECTORS.items()))
    render: bool = Field(default=False, validate_default=True,
                         description="profile_page：在浏览器中渲染后读取（页面靠脚本加载文章时）")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("订阅源地址须以 http:// 或 https:// 开头")
        if value is not None and any(c.isspace() for c in value):
            raise ValueError("订阅源地址不能含空白字符")
        if kind == "push" and value is not None:
            raise ValueError("推送（push）账号不需要订阅源地址")
        if kind not in (None, "push") and not value:
            raise ValueError(f"订阅源类型 {kind}（{FEED_KIND_LABELS[kind]}）须填写订阅源地址")
        return value

    @field_validator("selectors")
    @classmethod
    def _selectors(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        kind = info.data.get("kind")
        if kind != "profile_page":
            if value and kind is not None:
                raise ValueError(f"选择器仅用于公开主页（profile_page），订阅源类型 {kind} 不需要")
            return value
        unknown = sorted(set(value) - set(PROFILE_SELECTORS))
        if unknown:
            raise ValueError(f"未知的选择器 {'、'.join(unknown)}，允许：{'、'.join(PROFILE_SELECTORS)}")
        missing = [k for k in REQUIRED_PROFILE_SELECTORS if not (value.get(k) or "").strip()]
        if missing:
            raise ValueError(f"公开主页（profile_page）须配置选择器 {'、'.join(missing)}")
        return value

    @field_validator("render")
    @classmethod
    def _render(cls, value: bool, info: ValidationInfo) -> bool:
        kind = info.data.get("kind")
        if value and kind not in (None, "profile_page"):
            raise ValueError(f"浏览器渲染仅用于公开主页（profile_page），订阅源类型 {kind} 不需要")
        return value


class AccountRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "502d928e-26e0-4aee-8d9a-b20dc957db33", "platform": "wechat_subscription",
        "platform_label": "微信公众号（订阅号）", "platform_account_id": "gh_lixia_0001",
        "name": "历下发布", "url": None, "sponsor_id": "6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b",
        "sponsor_name": "历下区人民政府办公室", "operator_id": None, "region_code": "370102",
        "status": "running", "status_label": "运行中", "compliance_flags": [], "feed": None,
        "version": 1, "created_at": "2026-11-20T02:00:00Z", "updated_at": "2026-11-20T02:00:00Z"}]})

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
    feed: AccountFeed | None = Field(default=None, description="检查服务读取账号文章的订阅源")
    version: int
    created_at: datetime
    updated_at: datetime


FILING_EXAMPLE: dict[str, Any] = {
    "id": "b466cb41-222a-4ea3-bfba-6e17c05db7ce", "target_type": "website",
    "target_id": "3b1f0c52-8d4e-4b7a-9c21-5e6f7a8b9c0d", "action": "change", "action_label": "变更",
    "from_status": "running", "to_status": "running", "occurred_at": "2026-11-20T02:00:00Z",
    "filed_at": "2026-11-23T01:30:00Z", "filed_by": "apikey:6c70fe97（历下区政务公开办）",
    "note": "网站名称调整", "before": {"name": "历下区政府网站"}, "after": {"name": "历下区人民政府网站"},
    "limit_working_days": 3, "due_on": "2026-11-25", "on_time": True, "timeliness_note": None}


class FilingRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [FILING_EXAMPLE]})

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

