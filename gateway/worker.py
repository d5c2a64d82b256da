"""The gateway's worker: fans events out to webhook subscriptions and sends the deliveries.

`python -m gateway.worker` runs an arq worker on the gateway's queue. Each `event.deliver` job
adds one delivery row per receiving subscription, once per event id; a delivery loop running
beside the worker sends what is due and retries with backoff (gateway/webhooks/delivery.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from arq.worker import Worker, func
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gateway.config import GatewaySettings
from gateway.webhooks.delivery import DeliveryLoop, WebhookSettings, webhook_settings
from gateway.webhooks.models import WebhookProcessedEvent
from gateway.webhooks.service import fan_out
from shared.clock import Clock, SystemClock
from shared.contracts.events import DELIVER_JOB, EventEnvelope
from shared.db import is_sqlite, make_engine, make_sessionmaker
from shared.events import consume_once
from shared.logging import configure_logging
from shared.metrics import instrument_worker
from shared.queue import deserialize, queue_name, redis_settings, serialize

QUEUE = queue_name("gateway")


@dataclass
class Resources:
    settings: GatewaySettings
    webhooks: WebhookSettings
    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    extra: dict[str, Any] = field(default_factory=dict)


async def deliver(ctx: dict[str, Any], envelope: dict[str, Any]) -> bool:
    """Fan one event out to the subscriptions that receive it, once per event id."""
    res: Resources = ctx["resources"]

    async def apply(session: AsyncSession, event: EventEnvelope) -> None:
        await fan_out(session, event, res.clock.now(), res.webhooks)

    return await consume_once(res.sessionmaker, WebhookProcessedEvent, EventEnvelope(**envelope),
                              apply, res.clock)


def build_worker(settings: GatewaySettings | None = None, clock: Clock | None = None, *,
                 burst: bool = False, delivery_loop: bool = True,
                 handle_signals: bool = True) -> Worker:
    """Create the arq worker; tests turn off the delivery loop and signal handling."""
    settings = settings or GatewaySettings()
    clock = clock or SystemClock()

    async def startup(ctx: dict[str, Any]) -> None:
        url = settings.resolved_database_url()
        engine = make_engine(url, None if is_sqlite(url) else settings.db_schema)
        res = Resources(settings=settings, webhooks=webhook_settings(settings), clock=clock,
                        engine=engine, sessionmaker=make_sessionmaker(engine))
        if delivery_loop:
            loop = DeliveryLoop(res.sessionmaker, clock, res.webhooks)
            res.extra["loop"] = loop
            res.extra["loop_task"] = asyncio.create_task(loop.run_forever())
        ctx["resources"] = res

    async def shutdown(ctx: dict[str, Any]) -> None:
        res: Resources | None = ctx.get("resources")
        if res is None:
            return
        task = res.extra.get("loop_task")
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await res.extra["loop"].aclose()
        await res.engine.dispose()

    return instrument_worker(Worker(
        functions=[func(deliver, name=DELIVER_JOB, max_tries=10)],
        queue_name=QUEUE, redis_settings=redis_settings(settings.redis_url),
        job_serializer=serialize, job_deserializer=deserialize, on_startup=startup,
        on_shutdown=shutdown, burst=burst, keep_result=86400, poll_delay=0.2,
        handle_signals=handle_signals, job_completion_wait=settings.shutdown_wait_s),
        settings.metrics_port)


def main() -> None:
    """Run the worker until SIGTERM/SIGINT."""
    settings = GatewaySettings()
    configure_logging("gateway-worker", settings.log_level)
    build_worker(settings).run()


if __name__ == "__main__":
    main()
