"""Webhook subscriptions, their deliveries and every delivery attempt, with the events seen."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, UniqueConstraint, Uuid
from sqlmodel import Field

from gateway.common.base import GatewayTable
from shared.db import UTCDateTime
from shared.events import ProcessedEventBase

# Delivery states: pending (due at next_attempt_at) → delivered, or failed once give_up_at passed.
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


class WebhookSubscription(GatewayTable, table=True):
    __tablename__ = "webhook_subscription"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_subject: str = Field(max_length=200, index=True)
    owner_name: str = Field(default="", max_length=200)
    # The owner's scope when the subscription was last written by them: the worker matches
    # events against it without calling back into auth, and every PATCH refreshes it.
    owner_all_regions: bool = False
    owner_regions: list[str] = Field(default_factory=list, sa_type=JSON)
    owner_organisations: list[str] = Field(default_factory=list, sa_type=JSON)
    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=list, sa_type=JSON)
    description: str | None = Field(default=None, max_length=500)
    # Stored as is, not hashed: HMAC signing needs the key itself, unlike an API key that is
    # only compared. Not encrypted either: the receiver holds the same key in its own config,
    # and a key-encryption key would sit beside the database (./var, or the same secret
    # store as the database password), so it would add key management without removing the
    # exposure. It is shown once, never returned by a read, and rotated by one call.
    secret: str = Field(max_length=128)
    # After a rotation the old secret keeps signing alongside the new one until this instant,
    # so a receiver can switch its configuration without rejecting a delivery in between.
    previous_secret: str | None = Field(default=None, max_length=128)
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    secret_rotated_at: datetime = Field(sa_type=UTCDateTime)


class WebhookDelivery(GatewayTable, table=True):
    __tablename__ = "webhook_delivery"
    # One delivery per subscription and event: a redelivered event never fans out twice.
    __table_args__ = (UniqueConstraint("subscription_id", "event_id",
                                       name="uq_webhook_delivery_subscription_event"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    subscription_id: uuid.UUID = Field(sa_column=Column(
        Uuid, ForeignKey("webhook_subscription.id", ondelete="CASCADE"), nullable=False,
        index=True))
    event_id: uuid.UUID = Field(index=True)
    event_name: str = Field(max_length=80)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = Field(default=PENDING, max_length=16, index=True)
    attempts: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    next_attempt_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # Set while a delivery loop is sending it: another loop leaves it alone until then, and a
    # loop that died mid-send lets it become due again once the lease has run out.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    give_up_at: datetime = Field(sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=500)


class WebhookAttempt(GatewayTable, table=True):
    __tablename__ = "webhook_attempt"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    delivery_id: uuid.UUID = Field(sa_column=Column(
        Uuid, ForeignKey("webhook_delivery.id", ondelete="CASCADE"), nullable=False, index=True))
    number: int
    started_at: datetime = Field(sa_type=UTCDateTime)
    status_code: int | None = None
    latency_ms: int
    response_excerpt: str | None = Field(default=None, max_length=500)
    error: str | None = Field(default=None, max_length=500)
    succeeded: bool = False
    replay: bool = False


class WebhookProcessedEvent(ProcessedEventBase, GatewayTable, table=True):
    """Events the gateway's worker has fanned out, so a redelivered one fans out once."""

    __tablename__ = "webhook_processed_event"
