"""The checker's workers: inspections here, availability probes in probe_worker.py.

`python -m services.checker.worker` runs the inspection worker on the checker's queue:
inspections, reconciliation and the outbox relay. It owns one Chromium and one guarded HTTP
client for its lifetime; each target gets a fresh browser context. `build_worker` also builds
the probe worker (role "probe"): its own queue, slots and cron, a guarded HTTP client and no
browser, so probes keep their spacing while a week of inspections fills the checker's queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from typing import Any, Literal

import httpx
from arq.cron import cron
from arq.worker import Worker, func

from services.checker import tables  # noqa: F401 - every mapper registered before use
from services.checker.common.outbox import OutboxDelivery, OutboxEvent
from services.checker.config import CheckerSettings
from services.checker.ground.outcome import Outcome
from services.checker.inspect.pipeline import Inspector
from services.checker.jobs.inspect_target import inspect_target
from services.checker.jobs.probe_site import probe_site, schedule_probes
from services.checker.jobs.reconcile import reconcile, recover_tasks
from services.checker.jobs.resources import Resources
from services.checker.probe.service import PROBE_JOB, PROBE_QUEUE, open_fetcher
from services.checker.run.models import Run
from services.checker.run.service import INSPECT_JOB, QUEUE
from shared.clock import Clock, SystemClock
from shared.db import is_sqlite, make_engine, make_sessionmaker
from shared.events import Outbox, OutboxRelay
from shared.logging import configure_logging
from shared.metrics import instrument_worker
from shared.queue import connect, deserialize, redis_settings, serialize

log = logging.getLogger("govinspect.checker.worker")

Role = Literal["inspect", "probe"]


async def _inspections_elsewhere(ctx: dict[str, Any], run: Run) -> Outcome:
    raise RuntimeError("the probe worker does not inspect: inspections run on the checker's queue")


def build_worker(settings: CheckerSettings | None = None, clock: Clock | None = None, *,
                 role: Role = "inspect", burst: bool = False,
                 registry_transport: httpx.AsyncBaseTransport | None = None,
                 handle_signals: bool = True) -> Worker:
    """Create the arq worker of a role (inspections or probes) with its startup and shutdown."""
    settings = settings or CheckerSettings()
    clock = clock or SystemClock()

    async def startup(ctx: dict[str, Any]) -> None:
        url = settings.resolved_database_url()
        engine = make_engine(url, None if is_sqlite(url) else settings.db_schema)
        sessionmaker = make_sessionmaker(engine)
        redis = await connect(settings.redis_url)
        outbox = Outbox("checker", OutboxEvent, OutboxDelivery, settings.event_routes, clock)
        if role == "probe":  # no Chromium: a probe loads the home page over HTTP only
            fetcher = open_fetcher(settings)
            res = Resources(settings=settings, clock=clock, engine=engine,
                            sessionmaker=sessionmaker, redis=redis, outbox=outbox,
                            inspect=_inspections_elsewhere)
            res.extra["probe_fetch"] = functools.partial(fetcher.fetch, retries=0)
            res.extra["close"] = fetcher.aclose
            ctx["resources"] = res
            return
        inspector = await Inspector.open(settings, sessionmaker, redis, registry_transport)
        res = Resources(settings=settings, clock=clock, engine=engine,
                        sessionmaker=sessionmaker, redis=redis, outbox=outbox,
                        inspect=inspector.inspect)
        relay = OutboxRelay("checker", sessionmaker, OutboxEvent, OutboxDelivery, redis, clock)
        res.extra["relay"] = asyncio.create_task(relay.run_forever())
        res.extra["close"] = inspector.aclose
        res.extra["registry_transport"] = registry_transport
        ctx["resources"] = res
        await reconcile(ctx)  # pick up what a previous worker left unfinished

    async def shutdown(ctx: dict[str, Any]) -> None:
        res: Resources | None = ctx.get("resources")
        if res is None:
            return
        relay = res.extra.get("relay")
        if relay is not None:
            relay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay
        await res.extra["close"]()
        await res.redis.aclose()
        await res.engine.dispose()

    if role == "probe":
        queue, slots = PROBE_QUEUE, settings.probe_concurrency
        wait_s, metrics_port = settings.probe_shutdown_wait_s, settings.probe_metrics_port
        functions = [func(probe_site, name=PROBE_JOB, timeout=120, max_tries=2)]
        cron_jobs = [cron(schedule_probes, name="checker.schedule_probes", second={30},
                          run_at_startup=False, unique=True, timeout=120)]
    else:
        queue, slots = QUEUE, settings.worker_concurrency
        wait_s, metrics_port = settings.shutdown_wait_s, settings.metrics_port
        seconds = set(range(0, 60, max(1, min(59, settings.reconcile_interval_s))))
        functions = [func(inspect_target, name=INSPECT_JOB, timeout=settings.job_timeout_s,
                          max_tries=5)]
        beats = set(range(0, 60, max(1, min(59, round(settings.heartbeat_interval_s)))))
        cron_jobs = [cron(reconcile, name="checker.reconcile", second=seconds,
                          run_at_startup=False, unique=True, timeout=300),
                     cron(recover_tasks, name="checker.recover_tasks", second=beats,
                          run_at_startup=False, unique=True, timeout=60)]
    return instrument_worker(Worker(
        functions=functions, cron_jobs=cron_jobs,
        queue_name=queue, redis_settings=redis_settings(settings.redis_url),
        job_serializer=serialize, job_deserializer=deserialize,
        on_startup=startup, on_shutdown=shutdown, burst=burst,
        max_jobs=slots, keep_result=3600, poll_delay=0.2,
        handle_signals=handle_signals, job_completion_wait=wait_s),
        metrics_port)


def main() -> None:
    """Run the worker until SIGTERM/SIGINT."""
    settings = CheckerSettings()
    configure_logging("checker-worker", settings.log_level)
    build_worker(settings).run()


if __name__ == "__main__":
    main()
