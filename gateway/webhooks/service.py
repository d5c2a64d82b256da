"""Webhook logic: subscriptions owned by integration principals, fan-out of events, replays.

Who receives an event: a subscription's owner must see the event's region or one of its
organisations, with the scope the owner had when they last wrote the subscription. The region
and organisations are what the event's model says it concerns (`EventPayload.scope`, in
shared/contracts/events/). An event naming neither (`inspection.completed`: a run may span
regions) reaches only owners whose scope is all regions.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import ColumnElement, delete, func, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from gateway.webhooks.delivery import (
    TargetRefused,
    WebhookSettings,
    new_client,
    record,
    resolve_target,
    send,
    webhook_settings,
)
from gateway.webhooks.models import (
    DELIVERED,
    FAILED,
    PENDING,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from gateway.webhooks.schemas import (
    EVENT_LABELS,
    AttemptRead,
    DeliveryRead,
    DeliveryStatus,
    EventName,
    EventTypeRead,
    WebhookCreate,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)
from gateway.webhooks.signing import new_secret
from shared.clock import Clock
from shared.contracts.events import EventEnvelope, EventPayload, parse_event
from shared.errors import Forbidden, NotFound, ValidationFailed
from shared.principal import Principal, Role

MANAGERS = (Role.integration, Role.administrator)


class WebhookCtx(Protocol):
    """What these functions need of a request: `shared.context.Ctx` and the gateway's both fit."""

    @property
    def session(self) -> AsyncSession: ...

    @property
    def principal(self) -> Principal: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def settings(self) -> Any: ...


def event_types() -> list[EventTypeRead]:
    """Return the events one can subscribe to, with their Chinese labels."""
    return [EventTypeRead(name=name, label=label) for name, label in EVENT_LABELS.items()]


def _require_manager(ctx: WebhookCtx) -> None:
    if not ctx.principal.has_role(*MANAGERS):
        raise Forbidden("管理回调订阅需要 integration 或 administrator 角色；当前角色："
                        + "、".join(r.value for r in ctx.principal.roles))


def _owned(ctx: WebhookCtx) -> ColumnElement[bool]:
    """The condition for subscriptions the caller may see: their own (all, for a national
    administrator; an administrator of some regions does not manage other regions' systems)."""
    if ctx.principal.is_national_admin():
        return true()
    return col(WebhookSubscription.owner_subject) == ctx.principal.subject


async def _check_target(url: str, ws: WebhookSettings) -> None:
    try:
        await resolve_target(url, ws)
    except TargetRefused as exc:
        raise ValidationFailed(f"字段 url 的值 {url!r}：{exc}") from exc


def _snapshot_owner(sub: WebhookSubscription, principal: Principal) -> None:
    sub.owner_subject, sub.owner_name = principal.subject, principal.name
    sub.owner_all_regions = principal.all_regions
    sub.owner_regions = list(principal.regions)
    sub.owner_organisations = [str(o) for o in principal.organisations]


async def create(ctx: WebhookCtx, body: WebhookCreate) -> WebhookSubscription:
    """Add a subscription owned by the caller, with a fresh secret."""
    _require_manager(ctx)
    await _check_target(body.url, webhook_settings(ctx.settings))
    now = ctx.clock.now()
    sub = WebhookSubscription(owner_subject=ctx.principal.subject, url=body.url,
                              events=[e.value for e in body.events], description=body.description,
                              secret=new_secret(), created_at=now, updated_at=now,
                              secret_rotated_at=now)
    _snapshot_owner(sub, ctx.principal)
    ctx.session.add(sub)
    await ctx.session.flush()
    return sub


async def list_subscriptions(ctx: WebhookCtx, *, limit: int, offset: int
                             ) -> tuple[list[WebhookSubscription], int]:
    """Return a page of the caller's subscriptions, newest first, and their total."""
    _require_manager(ctx)
    where = _owned(ctx)
    total = (await ctx.session.execute(
        select(func.count()).select_from(WebhookSubscription).where(where))).scalar_one()
    rows = (await ctx.session.execute(
        select(WebhookSubscription).where(where)
        .order_by(col(WebhookSubscription.created_at).desc(), col(WebhookSubscription.id))
        .limit(limit).offset(offset))).scalars().all()
    return list(rows), total


async def get(ctx: WebhookCtx, subscription_id: uuid.UUID) -> WebhookSubscription:
    """Load one of the caller's subscriptions, or 404 as if it did not exist."""
    _require_manager(ctx)
    sub = (await ctx.session.execute(select(WebhookSubscription).where(
        col(WebhookSubscription.id) == subscription_id, _owned(ctx)))).scalar_one_or_none()
    if sub is None:
        raise NotFound(f"回调订阅 {subscription_id} 不存在")
    return sub


async def update(ctx: WebhookCtx, sub: WebhookSubscription, body: WebhookUpdate) -> WebhookSubscription:
    """Change a subscription's URL, events, description or whether it is active."""
    if body.url is not None and body.url != sub.url:
        await _check_target(body.url, webhook_settings(ctx.settings))
        sub.url = body.url
    if body.events is not None:
        sub.events = [e.value for e in body.events]
    if body.active is not None:
        sub.active = body.active
    if "description" in body.model_fields_set:
        sub.description = body.description
    if sub.owner_subject == ctx.principal.subject:
        _snapshot_owner(sub, ctx.principal)
    sub.updated_at = ctx.clock.now()
    await ctx.session.flush()
    return sub


async def remove(ctx: WebhookCtx, sub: WebhookSubscription) -> None:
    """Delete a subscription with its deliveries and their log."""
    deliveries = select(WebhookDelivery.id).where(col(WebhookDelivery.subscription_id) == sub.id)
    await ctx.session.execute(delete(WebhookAttempt).where(
        col(WebhookAttempt.delivery_id).in_(deliveries)))
    await ctx.session.execute(delete(WebhookDelivery).where(
        col(WebhookDelivery.subscription_id) == sub.id))
    await ctx.session.delete(sub)
    await ctx.session.flush()


async def rotate_secret(ctx: WebhookCtx, sub: WebhookSubscription) -> WebhookSubscription:
    """Give a subscription a new secret; the old one co-signs for the configured grace period."""
    now = ctx.clock.now()
    grace = webhook_settings(ctx.settings).secret_rotation_grace_s
    sub.previous_secret = sub.secret if grace > 0 else None
    sub.previous_secret_expires_at = now + timedelta(seconds=grace) if grace > 0 else None
    sub.secret, sub.secret_rotated_at, sub.updated_at = new_secret(), now, now
    await ctx.session.flush()
    return sub


async def deactivate_owner(session: AsyncSession, subject: str) -> int:
    """Pause every subscription of a principal (call it when its key or client is revoked)."""
    subs = (await session.execute(select(WebhookSubscription).where(
        col(WebhookSubscription.owner_subject) == subject, col(WebhookSubscription.active)))).scalars().all()
    for sub in subs:
        sub.active = False
    await session.flush()
    return len(subs)


def to_read(sub: WebhookSubscription) -> WebhookRead:
    """Render a subscription without its secret."""
    return WebhookRead(id=sub.id, url=sub.url, events=[EventName(e) for e in sub.events],
                       description=sub.description, active=sub.active,
                       owner_subject=sub.owner_subject, created_at=sub.created_at,
                       updated_at=sub.updated_at, secret_rotated_at=sub.secret_rotated_at)


def to_read_with_secret(sub: WebhookSubscription, now: datetime) -> WebhookWithSecret:
    """Render a subscription with its secret, for the one answer that shows it."""
    grace_until = sub.previous_secret_expires_at
    return WebhookWithSecret(**to_read(sub).model_dump(), secret=sub.secret,
                             previous_secret_expires_at=grace_until if grace_until and grace_until > now
                             else None)


# --- deliveries -------------------------------------------------------------------------


async def list_deliveries(ctx: WebhookCtx, sub: WebhookSubscription, *, status: str | None,
                          event: EventName | None, limit: int, offset: int
                          ) -> tuple[list[DeliveryRead], int]:
    """Return a page of a subscription's deliveries, newest first, with their attempts."""
    D = WebhookDelivery
    where = [col(D.subscription_id) == sub.id]
    if status is not None:
        where.append(col(D.status) == status)
    if event is not None:
        where.append(col(D.event_name) == event.value)
    total = (await ctx.session.execute(select(func.count()).select_from(D).where(*where))).scalar_one()
    rows = (await ctx.session.execute(select(D).where(*where).order_by(
        col(D.created_at).desc(), col(D.occurred_at).desc(), col(D.id)).limit(limit).offset(offset)
    )).scalars().all()
    return await _render(ctx.session, list(rows)), total


async def get_delivery(ctx: WebhookCtx, delivery_id: uuid.UUID
                       ) -> tuple[WebhookDelivery, WebhookSubscription]:
    """Load a delivery of one of the caller's subscriptions, or 404."""
    _require_manager(ctx)
    row = (await ctx.session.execute(
        select(WebhookDelivery, WebhookSubscription)
        .join(WebhookSubscription, col(WebhookSubscription.id) == col(WebhookDelivery.subscription_id))
        .where(col(WebhookDelivery.id) == delivery_id, _owned(ctx)))).first()
    if row is None:
        raise NotFound(f"回调投递记录 {delivery_id} 不存在")
    return row[0], row[1]


async def replay(ctx: WebhookCtx, delivery: WebhookDelivery, sub: WebhookSubscription) -> DeliveryRead:
    """Send a delivery again now, with the same event id; if that fails, retry it on schedule."""
    ws = webhook_settings(ctx.settings)
    now = ctx.clock.now()
    if delivery.status in (DELIVERED, FAILED):
        # Asked for by hand: a fresh retry window, as if the event had just arrived.
        delivery.give_up_at = now + timedelta(seconds=ws.give_up_after_s)
    async with new_client(ws) as client:
        outcome = await send(client, sub, delivery, now, ws)
    record(ctx.session, delivery, outcome, ctx.clock.now(), ws, random.Random(), replay=True)
    await ctx.session.flush()
    return (await _render(ctx.session, [delivery]))[0]


async def render_delivery(ctx: WebhookCtx, delivery: WebhookDelivery) -> DeliveryRead:
    """Render one delivery with its attempts."""
    return (await _render(ctx.session, [delivery]))[0]


async def _render(session: AsyncSession, deliveries: list[WebhookDelivery]) -> list[DeliveryRead]:
    attempts: dict[uuid.UUID, list[AttemptRead]] = {d.id: [] for d in deliveries}
    if deliveries:
        rows = (await session.execute(select(WebhookAttempt).where(
            col(WebhookAttempt.delivery_id).in_(list(attempts))).order_by(
            col(WebhookAttempt.delivery_id), col(WebhookAttempt.number)))).scalars().all()
        for a in rows:
            attempts[a.delivery_id].append(AttemptRead.model_validate(a, from_attributes=True))
    return [DeliveryRead(
        id=d.id, subscription_id=d.subscription_id, event_id=d.event_id,
        event=EventName(d.event_name), occurred_at=d.occurred_at, status=cast(DeliveryStatus, d.status),
        attempts=d.attempts, next_attempt_at=d.next_attempt_at if d.status == PENDING else None,
        give_up_at=d.give_up_at, delivered_at=d.delivered_at, last_status_code=d.last_status_code,
        last_error=d.last_error, attempt_log=attempts[d.id]) for d in deliveries]


# --- fan-out ----------------------------------------------------------------------------


def receives(sub: WebhookSubscription, name: str, payload: EventPayload) -> bool:
    """Tell whether a subscription gets an event: it chose the event and its owner sees it."""
    if not sub.active or name not in sub.events:
        return False
    owner = Principal(subject=sub.owner_subject, roles=[Role.integration],
                      all_regions=sub.owner_all_regions, regions=sub.owner_regions,
                      organisations=[uuid.UUID(o) for o in sub.owner_organisations])
    if owner.all_regions:
        return True
    where = payload.scope()
    return owner.sees(where.region_code, list(where.organisation_ids))


async def fan_out(session: AsyncSession, event: EventEnvelope, now: datetime, ws: WebhookSettings) -> int:
    """Add one pending delivery per subscription that receives the event; return how many.

    The payload is read into its model (a malformed one raises MalformedEvent and the event is
    retried, never half-sent) and subscribers get the model's JSON, the body the OpenAPI
    document shows for that webhook.
    """
    if event.name not in {e.value for e in EventName}:
        return 0
    payload = parse_event(event)
    data = payload.model_dump(mode="json")
    subs = (await session.execute(select(WebhookSubscription).where(
        col(WebhookSubscription.active)))).scalars().all()
    added = 0
    for sub in subs:
        if receives(sub, event.name, payload):
            session.add(WebhookDelivery(
                subscription_id=sub.id, event_id=event.id, event_name=event.name,
                occurred_at=event.occurred_at, data=data, created_at=now,
                next_attempt_at=now, give_up_at=now + timedelta(seconds=ws.give_up_after_s)))
            added += 1
    # No flush here: a concurrent copy of the same event then fails on the unique constraint at
    # consume_once's commit, which it reads as "already processed".
    return added
