"""One way to build a service's worker: its resources, their startup and shutdown, the relay.

A worker holds, for its lifetime, a database engine and sessions, a Redis connection (JSON job
serializer), whatever the service adds (a browser, HTTP clients, loops) and, for a service
with an outbox, the relay that hands its events to subscribers. `WorkerResources` is that
typed object (each service subclasses it with its own fields); `build_worker` makes the arq
worker around it and `run_relay` runs a worker that only relays (the registry's).

Everything opened is registered on the resources' exit stack as it is opened, so shutdown (or a
failed startup) closes it in reverse order: background loops stop first, the engine last.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from arq.connections import ArqRedis
from arq.cron import CronJob
from arq.worker import Function, Worker
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.clock import Clock
from shared.config import ServiceSettings
from shared.db import is_sqlite, make_engine, make_sessionmaker
from shared.events import OutboxDeliveryBase, OutboxEventBase, OutboxRelay
from shared.metrics import MetricsServer, instrument_worker
from shared.queue import connect, deserialize, redis_settings, serialize

log = logging.getLogger("govinspect.worker")

RESOURCES = "resources"
"""The key of a job's `ctx` that holds the worker's resources (a `WorkerResources`)."""


@dataclass(kw_only=True)
class WorkerResources:
    """What every worker holds for its lifetime; a service subclasses it with its own fields."""

    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    closing: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack,
                                               repr=False)

    def shared(self) -> dict[str, Any]:
        """These fields, to build a service's subclass that owns the same connections."""
        return {"clock": self.clock, "engine": self.engine, "sessionmaker": self.sessionmaker,
                "redis": self.redis, "closing": self.closing}

    def on_close(self, close: Callable[[], Awaitable[Any]]) -> None:
        """Call `close` at shutdown (before what was opened earlier is closed)."""
        self.closing.push_async_callback(close)

    def in_background(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `work` beside the worker's jobs until shutdown cancels it."""
        task = asyncio.create_task(work)

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        self.on_close(stop)
        return task

    async def aclose(self) -> None:
        """Close everything the worker opened, the last opened first."""
        await self.closing.aclose()


async def open_resources(settings: ServiceSettings, clock: Clock) -> WorkerResources:
    """Open a worker's database engine, sessions and Redis connection."""
    closing = contextlib.AsyncExitStack()
    url = settings.resolved_database_url()
    engine = make_engine(url, None if is_sqlite(url) else settings.db_schema)
    closing.push_async_callback(engine.dispose)
    try:
        redis = await connect(settings.redis_url)
    except BaseException:
        await closing.aclose()
        raise
    closing.push_async_callback(redis.aclose)
    return WorkerResources(clock=clock, engine=engine, sessionmaker=make_sessionmaker(engine),
                           redis=redis, closing=closing)


@dataclass(frozen=True)
class OutboxTables:
    """A service's outbox: its name as an event source and its two outbox tables."""

    source: str
    event: type[OutboxEventBase]
    delivery: type[OutboxDeliveryBase]

    def relay(self, res: WorkerResources) -> OutboxRelay:
        """The relay that hands this outbox's deliveries to subscriber queues."""
        return OutboxRelay(self.source, res.sessionmaker, self.event, self.delivery, res.redis,
                           res.clock)


R = TypeVar("R", bound=WorkerResources)


@dataclass(frozen=True)
class WorkerPlan:
    """What distinguishes one worker from another; `build_worker` does the rest."""

    queue: str
    functions: Sequence[Function]
    cron_jobs: Sequence[CronJob] = ()
    max_jobs: int = 10
    keep_result_s: int = 86400
    shutdown_wait_s: float = 5
    metrics_port: int | None = None
    relay: OutboxTables | None = None
    """Relay this outbox's events while the worker runs (crash-safe: see shared.events)."""


def build_worker(settings: ServiceSettings, clock: Clock, plan: WorkerPlan,
                 resources: Callable[[WorkerResources], Awaitable[R]], *,
                 started: Callable[[dict[str, Any]], Awaitable[Any]] | None = None,
                 burst: bool = False, handle_signals: bool = True) -> Worker:
    """Create an arq worker whose jobs find `resources(…)` at `ctx["resources"]`.

    `resources` turns the opened database and Redis into the service's own resources (opening
    and registering whatever else it needs); `started` runs once they are in `ctx` (e.g. to
    take up what a previous worker left unfinished).
    """

    async def startup(ctx: dict[str, Any]) -> None:
        base = await open_resources(settings, clock)
        try:
            res = await resources(base)
            if plan.relay is not None:
                res.in_background(plan.relay.relay(res).run_forever())
        except BaseException:
            await base.aclose()
            raise
        ctx[RESOURCES] = res
        if started is not None:
            await started(ctx)

    async def shutdown(ctx: dict[str, Any]) -> None:
        res: WorkerResources | None = ctx.pop(RESOURCES, None)
        if res is not None:
            await res.aclose()

    return instrument_worker(Worker(
        functions=list(plan.functions), cron_jobs=list(plan.cron_jobs), queue_name=plan.queue,
        redis_settings=redis_settings(settings.redis_url), job_serializer=serialize,
        job_deserializer=deserialize, on_startup=startup, on_shutdown=shutdown, burst=burst,
        max_jobs=plan.max_jobs, keep_result=plan.keep_result_s, poll_delay=0.2,
        handle_signals=handle_signals, job_completion_wait=int(plan.shutdown_wait_s)),
        plan.metrics_port)


async def run_relay(settings: ServiceSettings, clock: Clock, outbox: OutboxTables) -> None:
    """Relay a service's outbox until SIGTERM or SIGINT (a worker with no jobs of its own)."""
    res = await open_resources(settings, clock)
    try:
        if settings.metrics_port is not None:
            metrics = MetricsServer(settings.metrics_port)
            res.closing.callback(metrics.close)
        task = res.in_background(outbox.relay(res).run_forever())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
            res.closing.callback(loop.remove_signal_handler, sig)
        log.info("outbox relay of %s started", outbox.source)
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        await res.aclose()
        log.info("outbox relay of %s stopped", outbox.source)
