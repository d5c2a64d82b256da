"""Events leave the registry through the outbox and reach a real arq worker exactly once,
even when Redis loses its data or the subscriber's handler fails once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from arq.worker import Worker, func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import registry as sa_registry
from sqlmodel import SQLModel

from services.registry.tables import OutboxDelivery, OutboxEvent
from shared.clock import SystemClock
from shared.contracts.events import DELIVER_JOB, EventEnvelope
from shared.db import make_engine, make_sessionmaker
from shared.events import ACKED, OutboxRelay, ProcessedEventBase, consume_once
from shared.queue import connect, deserialize, redis_settings, serialize
from tests.registry.factories import JINAN, Registry, account, org, region_tree

pytestmark = pytest.mark.integration
QUEUE = "govinspect:test"
_consumer_registry = sa_registry()


class ConsumerBase(SQLModel, registry=_consumer_registry):
    pass


class ProcessedEvent(ProcessedEventBase, ConsumerBase, table=True):
    __tablename__ = "processed_event"


async def test_every_event_is_consumed_once_despite_lost_queue_and_failure(
        registry: Registry, redis_url: str, tmp_path: Path) -> None:
    redis = await connect(redis_url)
    await redis.flushdb()
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/consumer.db")
    async with engine.begin() as conn:
        await conn.run_sync(_consumer_registry.metadata.create_all)
    consumer_db = make_sessionmaker(engine)
    handled: list[str] = []
    fail_once: set[str] = set()

    async def handler(session: AsyncSession, envelope: EventEnvelope) -> None:
        key = str(envelope.id)
        if key not in fail_once and len(fail_once) == 0:
            fail_once.add(key)
            raise RuntimeError("subscriber briefly broken")
        handled.append(key)

    async def deliver(ctx: dict[str, Any], envelope: dict[str, Any]) -> bool:
        return await consume_once(consumer_db, ProcessedEvent, EventEnvelope(**envelope),
                                  handler, SystemClock())

    def worker() -> Worker:
        return Worker(functions=[func(deliver, name=DELIVER_JOB)], queue_name=QUEUE,
                      redis_settings=redis_settings(redis_url), job_serializer=serialize,
                      job_deserializer=deserialize, burst=True, poll_delay=0.05,
                      keep_result=3600, handle_signals=False, max_tries=1)

    relay = OutboxRelay("registry", registry.app.state.sessionmaker, OutboxEvent, OutboxDelivery,
                        redis, registry.clock)
    try:
        await region_tree(registry, *JINAN)
        o = await org(registry)
        for _ in range(5):
            await account(registry, o)

        assert (await relay.run_once())["sent"] == 5
        await redis.flushdb()  # Redis loses every queued job before any worker ran
        registry.clock.advance(timedelta(seconds=2))
        assert (await relay.run_once())["resent"] == 5
        assert (await relay.run_once())["sent"] == 5

        w = worker()
        await w.main()  # one handler fails once; four events are handled
        await w.close()
        registry.clock.advance(timedelta(seconds=2))
        counts = await relay.run_once()
        assert counts["acked"] == 4 and counts["resent"] == 1

        registry.clock.advance(timedelta(seconds=5))  # past the failed delivery's backoff
        assert (await relay.run_once())["sent"] == 1
        w = worker()
        await w.main()
        await w.close()
        registry.clock.advance(timedelta(seconds=2))
        assert (await relay.run_once())["acked"] == 1

        # A duplicate delivery of an already processed event does nothing.
        async with registry.app.state.sessionmaker() as s:
            events = (await s.execute(select(OutboxEvent))).scalars().all()
            statuses = (await s.execute(select(OutboxDelivery.status))).scalars().all()
        dup = EventEnvelope(id=events[0].id, name=events[0].name, source="registry",
                            occurred_at=events[0].occurred_at, payload=events[0].payload)
        await redis.enqueue_job(DELIVER_JOB, dup.model_dump(mode="json"), _queue_name=QUEUE,
                                _job_id="duplicate")
        w = worker()
        await w.main()
        await w.close()

        assert sorted(handled) == sorted(str(e.id) for e in events)
        assert len(handled) == len(set(handled)) == 5
        assert statuses == [ACKED] * 5
        async with consumer_db() as s:
            processed = (await s.execute(select(ProcessedEvent))).scalars().all()
        assert {p.event_id for p in processed} == {e.id for e in events}
    finally:
        await redis.flushdb()
        await redis.aclose()
        await engine.dispose()
