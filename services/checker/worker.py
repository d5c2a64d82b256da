"""The checker's inspection worker (`python -m services.checker.worker`); probes: probe_worker.py.

It runs inspections, reconciliation (heartbeats, recover_tasks) and the outbox relay on the
checker's queue. It owns one Chromium and one guarded HTTP client for its lifetime; each target
gets a fresh browser context. Resources, startup and shutdown come from shared.worker.
"""

from __future__ import annotations

import logging

import httpx
from arq.cron import cron
from arq.worker import Worker, func

from services.checker import tables  # noqa: F401 - every mapper registered before use
from services.checker.common.outbox import OutboxDelivery, OutboxEvent
from services.checker.config import CheckerSettings
from services.checker.inspect.pipeline import Inspector
from services.checker.jobs.inspect_target import inspect_target
from services.checker.jobs.reconcile import reconcile, recover_tasks
from services.checker.jobs.resources import InspectResources
from services.checker.run.service import INSPECT_JOB, QUEUE
from shared.clock import Clock, SystemClock
from shared.events import Outbox
from shared.logging import configure_logging
from shared.worker import OutboxTables, WorkerPlan, WorkerResources
from shared.worker import build_worker as build

log = logging.getLogger("govinspect.checker.worker")

OUTBOX = OutboxTables("checker", OutboxEvent, OutboxDelivery)


def checker_outbox(settings: CheckerSettings, clock: Clock) -> Outbox:
    """The checker's outbox, as its workers publish into it."""
    return Outbox(OUTBOX.source, OUTBOX.event, OUTBOX.delivery, settings.event_routes, clock)


def build_worker(settings: CheckerSettings | None = None, clock: Clock | None = None, *,
                 burst: bool = False,
                 registry_transport: httpx.AsyncBaseTransport | None = None,
                 handle_signals: bool = True) -> Worker:
    """Create the inspection worker; at startup it takes up what a previous one left unfinished."""
    settings = settings or CheckerSettings()
    clock = clock or SystemClock()

    async def resources(base: WorkerResources) -> InspectResources:
        inspector = await Inspector.open(settings, base.sessionmaker, base.redis,
                                         registry_transport)
        inspector.outbox = checker_outbox(settings, clock)
        base.on_close(inspector.aclose)
        return InspectResources(**base.shared(), settings=settings,
                                outbox=checker_outbox(settings, clock),
                                registry_transport=registry_transport, inspect=inspector.inspect)

    seconds = set(range(0, 60, max(1, min(59, settings.reconcile_interval_s))))
    beats = set(range(0, 60, max(1, min(59, round(settings.heartbeat_interval_s)))))
    plan = WorkerPlan(
        queue=QUEUE, max_jobs=settings.worker_concurrency, keep_result_s=3600,
        shutdown_wait_s=settings.shutdown_wait_s, metrics_port=settings.metrics_port,
        relay=OUTBOX,
        functions=[func(inspect_target, name=INSPECT_JOB, timeout=settings.job_timeout_s,
                        max_tries=5)],
        cron_jobs=[cron(reconcile, name="checker.reconcile", second=seconds,
                        run_at_startup=False, unique=True, timeout=300),
                   cron(recover_tasks, name="checker.recover_tasks", second=beats,
                        run_at_startup=False, unique=True, timeout=60)])
    return build(settings, clock, plan, resources, started=reconcile, burst=burst,
                 handle_signals=handle_signals)


def main() -> None:
    """Run the worker until SIGTERM/SIGINT."""
    settings = CheckerSettings()
    configure_logging("checker-worker", settings.log_level)
    build_worker(settings).run()


if __name__ == "__main__":
    main()
