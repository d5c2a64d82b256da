"""The event outbox: events written with the change, relayed to subscribers until acknowledged.

A service subclasses the three table bases below with `table=True`. `publish` adds an event (its
payload the event's model from shared.contracts.events) and one delivery row per subscribing
queue in the caller's transaction. The relay enqueues each delivery as an arq job with a
deterministic id and marks it acknowledged only when arq reports the job completed successfully;
a delivery whose job vanished (Redis lost its data) or failed is sent again. Consumers wrap
their handler in `consume_once`, so an event id is processed once.
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from arq.connections import ArqRedis
from arq.jobs import Job, JobStatus
from sqlalchemy import JSON, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import Field, SQLModel

from shared.clock import Clock
from shared.contracts.events import DELIVER_JOB, EventEnvelope, EventPayload, check_payload
from shared.db import UTCDateTime
from shared.logging import current_request_id
from shared.queue import deserialize

log = logging.getLogger("govinspect.outbox")

PENDING, ENQUEUED, ACKED = "pending", "enqueued", "acked"


class OutboxEventBase(SQLModel):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(index=True, max_length=80)
    payload: dict[str, Any] = Field(sa_type=JSON)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    request_id: str | None = Field(default=None, max_length=128)


class OutboxDeliveryBase(SQLModel):
    event_id: uuid.UUID = Field(primary_key=True)
    subscriber: str = Field(primary_key=True, max_length=80)
    status: str = Field(default=PENDING, index=True, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    enqueued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)


class ProcessedEventBase(SQLModel):
    event_id: uuid.UUID = Field(primary_key=True)
    name: str = Field(max_length=80)
    processed_at: datetime = Field(sa_type=UTCDateTime)


def subscribers_for(name: str, routes: Mapping[str, Sequence[str]]) -> list[str]:
    """Return the queues subscribed to an event name (routes map glob patterns to queues)."""
    out: list[str] = []
    for pattern, queues in routes.items():
        if fnmatch.fnmatchcase(name, pattern):
            out.extend(q for q in queues if q not in out)
    return out


class Outbox:
    """Writes events into a service's outbox tables, inside the caller's transaction."""

    def __init__(self, source: str, event_model: type[OutboxEventBase],
                 delivery_model: type[OutboxDeliveryBase],
                 routes: Mapping[str, Sequence[str]], clock: Clock) -> None:
        self.source = source
        self.event_model = event_model
        self.delivery_model = delivery_model
        self.routes = routes
        self.clock = clock

    def publish(self, session: AsyncSession, name: str, payload: EventPayload) -> uuid.UUID:
        """Add an event and its deliveries to the session; they commit with the change.

        `payload` is the event's model (shared.contracts.events); another type is refused.
        """
        check_payload(name, payload)
        now = self.clock.now()
        event = self.event_model(name=name, payload=payload.model_dump(mode="json"),
                                 occurred_at=now,
                                 request_id=current_request_id())
        session.add(event)
        for queue in subscribers_for(name, self.routes):
            session.add(self.delivery_model(event_id=event.id, subscriber=queue,
                                            next_attempt_at=now))
        return event.id


def _job_id(event_id: uuid.UUID, subscriber: str) -> str:
    return f"evt:{event_id}:{subscriber}"


class OutboxRelay:
    """Hands outbox deliveries to subscriber queues and re-sends until each is acknowledged."""

    def __init__(self, source: str, sessionmaker: async_sessionmaker[AsyncSession],
                 event_model: type[OutboxEventBase], delivery_model: type[OutboxDeliveryBase],
                 redis: ArqRedis, clock: Clock, *, batch: int = 500,
                 check_after: timedelta = timedelta(seconds=1)) -> None:
        self.source = source
        self.sessionmaker = sessionmaker
        self.event_model = event_model
        self.delivery_model = delivery_model
        self.redis = redis
        self.clock = clock
        self.batch = batch
        self.check_after = check_after

    async def run_once(self) -> dict[str, int]:
        """Send pending deliveries and settle enqueued ones; return counts."""
        sent = await self._send_pending()
        acked, resent = await self._settle_enqueued()
        return {"sent": sent, "acked": acked, "resent": resent}

    async def run_forever(self, interval: float = 0.5) -> None:
        """Relay until cancelled; errors are logged and retried on the next round."""
        while True:
            try:
                counts = await self.run_once()
                busy = counts["sent"] or counts["resent"]
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay round failed")
                busy = 0
            await asyncio.sleep(0 if busy else interval)

    async def _send_pending(self) -> int:
        D, E = self.delivery_model, self.event_model
        now = self.clock.now()
        async with self.sessionmaker() as session:
            rows = (await session.execute(
                select(D, E).join(E, E.id == D.event_id)  # type: ignore[arg-type]
                .where(D.status == PENDING, D.next_attempt_at <= now)  # type: ignore[arg-type]
                .order_by(E.occurred_at).limit(self.batch)  # type: ignore[arg-type]
            )).all()
            for delivery, event in rows:
                envelope = EventEnvelope(id=event.id, name=event.name, source=self.source,
                                         occurred_at=event.occurred_at, payload=event.payload,
                                         request_id=event.request_id)
                await self.redis.enqueue_job(
                    DELIVER_JOB, envelope.model_dump(mode="json"),
                    _job_id=_job_id(event.id, delivery.subscriber),
                    _queue_name=delivery.subscriber)
                delivery.status = ENQUEUED
                delivery.enqueued_at = now
                delivery.attempts += 1
            await session.commit()
            return len(rows)

    async def _settle_enqueued(self) -> tuple[int, int]:
        D = self.delivery_model
        now = self.clock.now()
        acked = resent = 0
        async with self.sessionmaker() as session:
            rows = (await session.execute(
                select(D).where(D.status == ENQUEUED,  # type: ignore[arg-type]
                                D.enqueued_at <= now - self.check_after)  # type: ignore[arg-type,operator]
                .limit(self.batch))).scalars().all()
            for delivery in rows:
                job = Job(_job_id(delivery.event_id, delivery.subscriber), self.redis,
                          _queue_name=delivery.subscriber, _deserializer=deserialize)
                status = await job.status()
                if status == JobStatus.complete:
                    info = await job.result_info()
                    if info is not None and info.success:
                        delivery.status, delivery.acked_at = ACKED, now
                        acked += 1
                        continue
                    # A failed handler is retried with backoff; its old result must go first,
                    # or arq refuses a job with the same id.
                    delivery.last_error = str(info.result)[:500] if info else "no result"
                    await self.redis.delete(f"arq:result:{job.job_id}")
                    delay = timedelta(seconds=min(2 ** min(delivery.attempts, 10), 600))
                elif status == JobStatus.not_found:
                    delivery.last_error = "job vanished from Redis"
                    delay = timedelta(0)
                else:
                    continue
                delivery.status = PENDING
                delivery.next_attempt_at = now + delay
                resent += 1
            await session.commit()
        return acked, resent


async def consume_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    processed_model: type[ProcessedEventBase],
    envelope: EventEnvelope,
    handler: Callable[[AsyncSession, EventEnvelope], Awaitable[None]],
    clock: Clock,
) -> bool:
    """Run a handler for an event once per event id, in one transaction; False if seen before."""
    async with sessionmaker() as session:
        if await session.get(processed_model, envelope.id) is not None:
            return False
        await handler(session, envelope)
        session.add(processed_model(event_id=envelope.id, name=envelope.name,
                                    processed_at=clock.now()))
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            return False
    return True
