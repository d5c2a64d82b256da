"""Webhook endpoints: subscriptions of integration principals, their delivery log and replays."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from gateway.webhooks import service
from gateway.webhooks.schemas import (
    DeliveryPage,
    DeliveryRead,
    DeliveryStatus,
    EventName,
    EventTypeRead,
    WebhookCreate,
    WebhookPage,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)
from shared.context import Ctx, get_ctx
from shared.db import MAX_OFFSET
from shared.errors import problem_responses

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=problem_responses(401, 403, 422))

SIGNATURE_RECIPE = """

**每次投递**：`POST` 到订阅地址，正文为 JSON `{"id": 事件ID, "event": 事件名, "occurred_at": ISO 8601
时间, "data": {…}}`，请求头：

- `X-Govinspect-Event`：事件名，如 `rectification.overdue`
- `X-Govinspect-Event-Id`：事件 ID；重试和人工重发时不变，接收方据此去重
- `X-Govinspect-Signature`：`t=<Unix 秒>,v1=<签名>`

**验证签名**（务必用收到的原始字节，不要先解析再序列化）：

1. 从 `X-Govinspect-Signature` 取出 `t` 和所有 `v1`（轮换密钥后的宽限期内有两个 `v1`）；
2. 计算 `HMAC-SHA256(key=订阅密钥, message = t + "." + 原始正文)`，以小写十六进制表示；
3. 用常量时间比较与任一 `v1` 相等即为真，并拒绝 `t` 与当前时间相差超过 300 秒的请求（防重放）。

```python
import hashlib, hmac, time

def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    parts = [p.split("=", 1) for p in header.split(",")]
    t = next(v for k, v in parts if k == "t")
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(t)) <= tolerance
    return fresh and any(hmac.compare_digest(expected, v) for k, v in parts if k == "v1")
```

**应答与重试**：10 秒内返回任意 2xx 即视为送达（不跟随重定向）。否则按指数退避加随机抖动重试：
约 30 秒、1 分、2 分、4 分……最长间隔 1 小时，事件到达网关 25 小时后仍未送达则标记为 `failed`；
接收方恢复应答后，积压的投递随即补发。每次尝试（状态码、耗时、响应开头 500 字、错误）都可在
`GET /api/v1/webhooks/{id}/deliveries` 查到，`POST /api/v1/webhooks/deliveries/{delivery_id}/replay`
可人工重发。

**范围**：订阅只收到其所属调用者数据范围内的事件（按事件的区划代码和单位判断）；
不含区划和单位的事件（`inspection.completed`）只发给范围为全部区划的订阅。
"""


@router.get("/event-types", operation_id="listWebhookEventTypes", response_model=list[EventTypeRead],
            summary="可订阅的事件")
async def list_event_types() -> list[EventTypeRead]:
    """The events a subscription may choose, with their Chinese labels."""
    return service.event_types()


@router.post("", operation_id="createWebhook", response_model=WebhookWithSecret, status_code=201,
             summary="新建回调订阅", description=(
                 "为当前调用者（integration 角色）新建回调订阅。响应中的 `secret` 是签名密钥，"
                 "只在此处显示一次。地址须为 http(s)，不得指向内网、本机或保留地址（管理员可放行指定网段）。"
                 + SIGNATURE_RECIPE))
async def create_webhook(body: WebhookCreate, response: Response,
                         ctx: Ctx[Any] = Depends(get_ctx)) -> WebhookWithSecret:
    # The secret is shown once: never cached, never kept for an Idempotency-Key replay.
    response.headers.update(NO_STORE)
    sub = await service.create(ctx, body)
    return service.to_read_with_secret(sub, ctx.clock.now())


@router.get("", operation_id="listWebhooks", response_model=WebhookPage, summary="查询回调订阅")
async def list_webhooks(ctx: Ctx[Any] = Depends(get_ctx), limit: int = Query(50, ge=1, le=500),
                        offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> WebhookPage:
    """The caller's own subscriptions (an administrator sees everyone's), newest first; no secrets."""
    rows, total = await service.list_subscriptions(ctx, limit=limit, offset=offset)
    return WebhookPage(items=[service.to_read(s) for s in rows], total=total, limit=limit, offset=offset)


@router.get("/{webhook_id}", operation_id="getWebhook", response_model=WebhookRead,
            summary="查看回调订阅", responses=problem_responses(404))
async def get_webhook(webhook_id: uuid.UUID, ctx: Ctx[Any] = Depends(get_ctx)) -> WebhookRead:
    """One subscription; another caller's answers 404. The secret is never shown again."""
    return service.to_read(await service.get(ctx, webhook_id))


@router.patch("/{webhook_id}", operation_id="updateWebhook", response_model=WebhookRead,
              summary="修改回调订阅", responses=problem_responses(404))
async def update_webhook(webhook_id: uuid.UUID, body: WebhookUpdate,
                         ctx: Ctx[Any] = Depends(get_ctx)) -> WebhookRead:
    """Change the URL, the events, the note, or pause (`active: false`) and resume deliveries.

    Events that happen while a subscription is paused are not delivered later. Saving also
    refreshes the data scope the subscription receives events for to the owner's current scope.
    """
    sub = await service.update(ctx, await service.get(ctx, webhook_id), body)
    return service.to_read(sub)


@router.delete("/{webhook_id}", operation_id="deleteWebhook", status_code=204,
               summary="删除回调订阅", responses=problem_responses(404))
async def delete_webhook(webhook_id: uuid.UUID, ctx: Ctx[Any] = Depends(get_ctx)) -> Response:
    """Delete a subscription together with its deliveries and their log; pending ones are dropped."""
    await service.remove(ctx, await service.get(ctx, webhook_id))
    return Response(status_code=204)


@router.post("/{webhook_id}/rotate-secret", operation_id="rotateWebhookSecret",
             response_model=WebhookWithSecret, summary="轮换签名密钥", responses=problem_responses(404))
async def rotate_webhook_secret(webhook_id: uuid.UUID, response: Response,
                                ctx: Ctx[Any] = Depends(get_ctx)) -> WebhookWithSecret:
    """Issue a new secret, shown once in this answer.

    Until `previous_secret_expires_at` every delivery carries two `v1` signatures, one per secret,
    so the receiver can switch to the new secret without rejecting anything in between.
    """
    response.headers.update(NO_STORE)
    sub = await service.rotate_secret(ctx, await service.get(ctx, webhook_id))
    return service.to_read_with_secret(sub, ctx.clock.now())


@router.get("/{webhook_id}/deliveries", operation_id="listWebhookDeliveries",
            response_model=DeliveryPage, summary="回调投递记录", responses=problem_responses(404))
async def list_webhook_deliveries(
    webhook_id: uuid.UUID, ctx: Ctx[Any] = Depends(get_ctx),
    status: DeliveryStatus | None = Query(None, description=("pending 待投递 / delivered 已送达 / "
                                                             "failed 已放弃")),
    event: EventName | None = Query(None, description="只看某种事件"),
    limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> DeliveryPage:
    """The subscription's deliveries, newest first, each with every attempt: status code, latency,
    the start of the response (≤ 500 characters) and the error, if any."""
    sub = await service.get(ctx, webhook_id)
    items, total = await service.list_deliveries(ctx, sub, status=status, event=event, limit=limit,
                                                 offset=offset)
    return DeliveryPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/deliveries/{delivery_id}", operation_id="getWebhookDelivery", response_model=DeliveryRead,
            summary="查看一次回调投递", responses=problem_responses(404))
async def get_webhook_delivery(delivery_id: uuid.UUID, ctx: Ctx[Any] = Depends(get_ctx)) -> DeliveryRead:
    """One delivery with its attempts."""
    delivery, _ = await service.get_delivery(ctx, delivery_id)
    return await service.render_delivery(ctx, delivery)


@router.post("/deliveries/{delivery_id}/replay", operation_id="replayWebhookDelivery",
             response_model=DeliveryRead, summary="人工重发回调", responses=problem_responses(404))
async def replay_webhook_delivery(delivery_id: uuid.UUID,
                                  ctx: Ctx[Any] = Depends(get_ctx)) -> DeliveryRead:
    """Send the delivery again now, with the same event id and a fresh signature.

    The answer shows the attempt just made. If the receiver does not answer 2xx, the delivery
    returns to the retry schedule (a fresh 25-hour window when it had already been delivered or
    given up).
    """
    delivery, sub = await service.get_delivery(ctx, delivery_id)
    read = await service.replay(ctx, delivery, sub)
    return read
