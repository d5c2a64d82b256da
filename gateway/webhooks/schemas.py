"""Webhook request and response bodies, and the fixed list of events one can subscribe to."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal
from urllib.parse import urlsplit
from uuid import UUID

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.errors import named_pattern


class EventName(StrEnum):
    rectification_overdue = "rectification.overdue"
    rectification_due_soon = "rectification.due_soon"
    circular_published = "circular.published"
    inspection_completed = "inspection.completed"
    filing_late = "filing.late"
    error_report_overdue = "error_report.overdue"
    system_stalled = "system.stalled"
    repost_checked = "repost.checked"
    registration_requested = "registration.requested"
    registration_closed = "registration.closed"


EVENT_LABELS: dict[EventName, str] = {
    EventName.rectification_overdue: "整改逾期：整改事项已过截止时间仍未整改",
    EventName.rectification_due_soon: "整改即将到期：距截止时间不足规定的工作日",
    EventName.circular_published: "通报已发布：季度检查通报正式发布",
    EventName.inspection_completed: "检查批次已完成",
    EventName.filing_late: "备案逾期：开设、变更、关停等事项未按时报备",
    EventName.error_report_overdue: "找错留言逾期：网民留言超过答复期限仍未答复",
    EventName.system_stalled: "系统自检告警：检查批次停滞或检查计划逾期未启动（仅限全国范围）",
    EventName.repost_checked: "转载任务核查结果：某网站或账号按时转载、逾期转载或未转载重点信息",
    EventName.registration_requested: "补报备案通知：发现未备案的账号或网站，已通知单位补报备案",
    EventName.registration_closed: "补报备案通知已办结：单位已补报备案，或通知已撤销",
}

DeliveryStatus = Literal["pending", "delivered", "failed"]

_EVENTS_DESCRIPTION = "订阅的事件，取值：" + "；".join(f"`{k.value}` {v}" for k, v in EVENT_LABELS.items())


# http(s), a host, no fragment: what _check_url also enforces, said in the document.
# Host names in ASCII (an internationalised one in its xn-- form): which Unicode labels IDNA
# accepts is more than a pattern can say.
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
URL_PATTERN = named_pattern(
    rf"^[Hh][Tt][Tt][Pp][Ss]?://({_LABEL}(\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])(:\d{{1,5}})?([/?][^\x00-\x20\x7f-\x9f#]*)?$",
    "应为 http 或 https 网址（主机名由字母、数字和连字符组成，中文域名用 xn-- 形式；"
    "IPv6 地址写在方括号内），且不含 # 片段")


def _check_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https"):
        raise ValueError("网址协议应为 http 或 https")
    if not parts.hostname:
        raise ValueError("网址缺少主机名")
    if parts.fragment:
        raise ValueError("网址不能包含 # 片段")
    try:
        httpx.URL(value.strip())
    except (httpx.InvalidURL, ValueError) as exc:
        raise ValueError(f"不是有效的网址：{exc}") from exc
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError as exc:
        raise ValueError("网址端口无效") from exc
    return value.strip()


def _dedupe(events: list[EventName]) -> list[EventName]:
    return list(dict.fromkeys(events))


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "url": "https://sjb.example.gov.cn/govinspect/callback",
        "events": ["rectification.overdue", "circular.published"],
        "description": "省级报送系统"}]})

    url: str = Field(max_length=2000, pattern=URL_PATTERN, description=("接收回调的 http(s) 地址；"
                                                   "不允许指向内网或本机地址，除非网关配置放行"))
    events: list[EventName] = Field(min_length=1, max_length=len(EventName),
                                    description=_EVENTS_DESCRIPTION)
    description: str | None = Field(default=None, max_length=500, description="备注")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _check_url(value)

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[EventName]) -> list[EventName]:
        return _dedupe(value)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"active": False}]})

    url: str | None = Field(default=None, max_length=2000, pattern=URL_PATTERN,
                            description="新的接收地址")
    events: list[EventName] | None = Field(default=None, min_length=1, max_length=len(EventName),
                                           description=_EVENTS_DESCRIPTION)
    active: bool | None = Field(default=None, description="false 暂停投递（暂停期间的事件不补发）")
    description: str | None = Field(default=None, max_length=500)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _check_url(value)

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[EventName] | None) -> list[EventName] | None:
        return None if value is None else _dedupe(value)


class WebhookRead(BaseModel):
    id: UUID
    url: str
    events: list[EventName]
    description: str | None
    active: bool
    owner_subject: str = Field(description="订阅所属的调用者（集成账号）")
    created_at: datetime
    updated_at: datetime
    secret_rotated_at: datetime


class WebhookWithSecret(WebhookRead):
    secret: str = Field(description="签名密钥，仅在创建和轮换时返回这一次，请妥善保存")
    previous_secret_expires_at: datetime | None = Field(
        default=None, description="轮换后旧密钥仍同时签名至此时间（两个 v1 签名并存）")


class WebhookPage(BaseModel):
    items: list[WebhookRead]
    total: int
    limit: int
    offset: int


class EventTypeRead(BaseModel):
    name: EventName
    label: str


class AttemptRead(BaseModel):
    number: int = Field(description="第几次投递（从 1 开始）")
    started_at: datetime
    status_code: int | None = Field(description="接收方返回的 HTTP 状态码；连接失败或超时为空")
    latency_ms: int = Field(description="从发出请求到收到响应头的耗时（毫秒）")
    response_excerpt: str | None = Field(description="响应正文开头（至多 500 字）")
    error: str | None = Field(description="连接错误、超时或非 2xx 的说明")
    succeeded: bool
    replay: bool = Field(description="是否为人工重发")


class DeliveryRead(BaseModel):
    id: UUID
    subscription_id: UUID
    event_id: UUID = Field(description="事件 ID，即请求头 X-Govinspect-Event-Id；重发时不变，供接收方去重")
    event: EventName
    occurred_at: datetime
    status: DeliveryStatus = Field(
        description="pending 待投递（含等待重试）/ delivered 已送达 / failed 超过重试期限")
    attempts: int
    next_attempt_at: datetime | None = Field(description="下次投递时间（仅 pending）")
    give_up_at: datetime = Field(description="在此之前持续重试，之后标记为 failed")
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    attempt_log: list[AttemptRead] = Field(description="每次投递的记录，最早的在前")


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    total: int
    limit: int
    offset: int
