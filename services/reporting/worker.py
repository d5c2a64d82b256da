"""Reporting's worker: consumes checker and registry events, watches deadlines, relays events.

`python -m services.reporting.worker` runs an arq worker on reporting's queue.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

import httpx
from arq.cron import cron
from arq.worker import Worker, func
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.reporting import tables  # noqa: F401 - every mapper registered before use
from services.reporting.common.calendar import load_calendar
from services.reporting.common.outbox import OutboxDelivery, OutboxEvent, ProcessedEvent
from services.reporting.config import ReportingSettings
from services.reporting.jobs.watch_deadlines import watch_deadlines
from services.reporting.result.intake import handle
from shared.calendar import WorkingCalendar
from shared.clients.registry import RegistryClient
from shared.clock import Clock, SystemClock
from shared.contracts.events import DELIVER_JOB, EventEnvelope
from shared.db import is_sqlite, make_engine, make_sessionmaker
from shared.events import Outbox, OutboxRelay, consume_once
from shared.logging import configure_logging
from shared.metrics import instrument_worker
from shared.principal import Principal, Role, sign_principal
from shared.queue import connect, deserialize, queue_name, redis_settings, serialize

QUEUE = queue_name("reporting")


@dataclass
class Resources:
    settings: ReportingSettings
    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    outbox: Outbox
    registry_transport: httpx.AsyncBaseTransport | None = None
    checker_transport: httpx.AsyncBaseTransport | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def service_token(self) -> str:
        """Reporting's own principal, for calls it makes on nobody's behalf (the watcher)."""
        return sign_principal(Principal(subject="service:reporting", name="通报服务",
                                        roles=[Role.supervisor], all_regions=True),
                              self.settings.principal_secret)

    async def calendar_loader(self) -> WorkingCalendar:
        """The working-day calendar with the years loaded in the registry."""
        async with RegistryClient(self.settings.registry_url, self.service_token,
                                  transport=self.registry_transport) as registry:
            return await load_calendar(registry)


async def deliver(ctx: dict[str, Any], envelope: dict[str, Any]) -> bool:
    """Apply one event from another service, once per event id."""
    res: Resources = ctx["resources"]

    async def apply(session: AsyncSession, event: EventEnvelope) -> None:
        await handle(session, event, res.clock.now())

    return await consume_once(res.sessionmaker, ProcessedEvent, EventEnvelope(**envelope), apply,
                              res.clock)


def build_worker(settings: ReportingSettings | None = None, clock: Clock | None = None, *,
                 burst: bool = False,
                 registry_transport: httpx.AsyncBaseTransport | None = None,
                 checker_transport: httpx.AsyncBaseTransport | None = None,
                 handle_signals: bool = True) -> Worker:
    """Create the arq worker with its startup and shutdown hooks."""
    settings = settings or ReportingSettings()
    clock = clock or SystemClock()

    async def startup(ctx: dict[str, Any]) -> None:
        url = settings.resolved_database_url()
        engine = make_engine(url, None if is_sqlite(url) else settings.db_schema)
        sessionmaker = make_sessionmaker(engine)
        redis = await connect(settings.redis_url)
        outbox = Outbox("reporting", OutboxEvent, OutboxDelivery, settings.event_routes, clock)
        res = Resources(settings=settings, clock=clock, engine=engine, sessionmaker=sessionmaker,
                        outbox=outbox, registry_transport=registry_transport,
                        checker_transport=checker_transport)
        relay = OutboxRelay("reporting", sessionmaker, OutboxEvent, OutboxDelivery, redis, clock)
        res.extra["redis"] = redis
        res.extra["relay"] = asyncio.create_task(relay.run_forever())
        ctx["resources"] = res

    async def shutdown(ctx: dict[str, Any]) -> None:
        res: Resources | None = ctx.get("resources")
        if res is None:
            return
        res.extra["relay"].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await res.extra["relay"]
        await res.extra["redis"].aclose()
        await res.engine.dispose()

    every = set(range(0, 60, max(1, min(59, settings.watch_interval_s))))
    return instrument_worker(Worker(
        functions=[func(deliver, name=DELIVER_JOB, max_tries=10)],
        cron_jobs=[cron(watch_deadlines, name="reporting.watch_deadlines", second=every,
                        run_at_startup=True, unique=True, timeout=300)],
        queue_name=QUEUE, redis_settings=redis_settings(settings.redis_url),
        job_serializer=serialize, job_deserializer=deserialize, on_startup=startup,
        on_shutdown=shutdown, burst=burst, keep_result=86400, poll_delay=0.2,
        handle_signals=handle_signals, job_completion_wait=settings.shutdown_wait_s),
        settings.metrics_port)


def main() -> None:
    """Run the worker until SIGTERM/SIGINT."""
    settings = ReportingSettings()
    configure_logging("reporting-worker", settings.log_level)
    build_worker(settings).run()


if __name__ == "__main__":
    main()
