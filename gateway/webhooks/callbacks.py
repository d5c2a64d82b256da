"""The webhooks' callback bodies in the gateway's OpenAPI document (OpenAPI 3.1 `webhooks`).

One operation per event one can subscribe to: the POST a subscriber receives, its signed
headers and its body `{id, event, occurred_at, data}`, where `data` is the event's payload
model from shared/contracts/events/ (the same model the producer builds and `fan_out` reads).
"""

import inspect
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import FastAPI, Header
from pydantic import BaseModel, Field, create_model

from gateway.webhooks.schemas import EVENT_LABELS, EventName
from gateway.webhooks.signing import EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER
from shared.contracts.events import payload_type

ANSWER = {"description": "接收方以任意 2xx 状态确认收到；其他状态、连接失败或超时按退避重试，"
                         "直到订阅的重试期限"}


def _pascal(event: EventName) -> str:
    return "".join(part.capitalize() for part in event.name.split("_"))


def callback_model(event: EventName) -> type[BaseModel]:
    """The body POSTed to a subscriber for one event."""
    tag: Any = Literal.__getitem__(event.value)  # one constant: the event's name
    return create_model(
        f"{_pascal(event)}Callback",
        __doc__=f"回调请求体：{EVENT_LABELS[event]}",
        id=(UUID, Field(description="事件 ID，与请求头 X-Govinspect-Event-Id 相同；"
                                    "重发时不变，供接收方去重")),
        event=(tag, Field(description="事件名称")),
        occurred_at=(datetime, Field(description="事件发生时间")),
        data=(payload_type(event.value), Field(description="事件内容")),
    )


def _receiver(event: EventName) -> Any:
    async def receive(**_: Any) -> None:  # documentation only: never served
        return None

    header = inspect.Parameter.KEYWORD_ONLY
    receive.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("body", header, annotation=callback_model(event)),
        inspect.Parameter("event_name", header, annotation=str, default=Header(
            alias=EVENT_HEADER, description="事件名称")),
        inspect.Parameter("event_id", header, annotation=UUID, default=Header(
            alias=EVENT_ID_HEADER, description="事件 ID")),
        inspect.Parameter("signature", header, annotation=str, default=Header(
            alias=SIGNATURE_HEADER, description=(
                "签名：t=<Unix 秒>,v1=<HMAC-SHA256 十六进制>，对 \"<t>.<原始请求体>\" 以订阅密钥计算；"
                "密钥轮换的过渡期内带两个 v1，任一匹配即可"))),
    ], return_annotation=None)
    return receive


def install(app: FastAPI) -> None:
    """Document every subscribable event's callback in `app`'s OpenAPI `webhooks` section."""
    for event in EventName:
        app.webhooks.add_api_route(
            event.value, _receiver(event), methods=["POST"], name=f"{event.name}_webhook",
            operation_id=operation_id_of(event), summary=EVENT_LABELS[event], tags=["webhooks"],
            responses={200: ANSWER})
    plain: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        doc = plain()
        for item in doc.get("webhooks", {}).values():
            for op in item.values():
                # The receiver answers; the gateway validates nothing there, and any 2xx will do.
                op["responses"].pop("422", None)
                op["responses"]["200"].pop("content", None)
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


def operation_id_of(event: EventName) -> str:
    """`rectification.due_soon` → `rectificationDueSoonWebhook`."""
    pascal = _pascal(event)
    return pascal[:1].lower() + pascal[1:] + "Webhook"
