"""Reporting's worker: consumes checker and registry events, watches deadlines, relays events.

`python -m services.reporting.worker` runs an arq worker on reporting's queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from arq.cron import cron
from arq.worker import Worker, func
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting import tables  # noqa: F401 - every mapper registered before use
from services.reporting.common.calendar import load_calendar
from services.reporting.common.outbox import OutboxDelivery, OutboxEvent, ProcessedEvent
from services.reporting.config import ReportingSettings
from services.reporting.jobs.watch_deadlines import watch_deadlines
from services.reporting.result.intake import handle
from shared.calendar import WorkingCalendar
from shared.clients.checker import CheckerClient
from shared.clients.registry import RegistryClient
from shared.clock import Clock, SystemClock
from shared.contracts.events import DELIVER_JOB, EventEnvelope
from shared.events import Outbox, consume_once
from shared.logging import configure_logging
from shared.principal import Principal, Role, sign_principal
from shared.queue import queue_name
from shared.worker import OutboxTables, WorkerPlan, WorkerResources
from shared.worker import build_worker as build

QUEUE = queue_name("reporting")


OUTBOX = OutboxTables("reporting", OutboxEvent, OutboxDelivery)


@dataclass(kw_only=True)
class Resources(WorkerResources):
    """Reporting's worker: shared.worker.WorkerResources plus its outbox and other services."""

    settings: ReportingSettings
    outbox: Outbox
    registry_transport: httpx.AsyncBaseTransport | None = None
    checker_transport: httpx.AsyncBaseTransport | None = None

    @property
    def service_token(self) -> str:
        """Reporting's own principal, for calls it makes on nobody's behalf (the watcher)."""
        return sign_principal(Principal(subject="service:reporting", name="通报服务",
                                        roles=[Role.supervisor], all_regions=True),
                              self.settings.principal_secret)

    def checker(self, timeout: float) -> CheckerClient:
        """The checker, asked as reporting itself (no person is behind the watcher's calls)."""
        return CheckerClient(self.settings.checker_url, self.service_token, timeout=timeout,
                             transport=self.checker_transport)

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
    """Create the arq worker: event intake, the deadline watcher and the outbox relay."""
    settings = settings or ReportingSettings()
    clock = clock or SystemClock()

    async def resources(base: WorkerResources) -> Resources:
        return Resources(**base.shared(), settings=settings,
                         outbox=Outbox(OUTBOX.source, OUTBOX.event, OUTBOX.delivery,
                                       settings.event_routes, clock),
                         registry_transport=registry_transport,
                         checker_transport=checker_transport)

    every = set(range(0, 60, max(1, min(59, settings.watch_interval_s))))
    plan = WorkerPlan(
        queue=QUEUE, shutdown_wait_s=settings.shutdown_wait_s, metrics_port=settings.metrics_port,
        relay=OUTBOX, functions=[func(deliver, name=DELIVER_JOB, max_tries=10)],
        cron_jobs=[cron(watch_deadlines, name="reporting.watch_deadlines", second=every,
                        run_at_startup=True, unique=True, timeout=300)])
    return build(settings, clock, plan, resources, burst=burst, handle_signals=handle_signals)


def main() -> None:
    """Run the worker until SIGTERM/SIGINT."""
    settings = ReportingSettings()
    configure_logging("reporting-worker", settings.log_level)
    build_worker(settings).run()


if __name__ == "__main__":
    main()
