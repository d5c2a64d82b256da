"""Helpers of the whole-flow test: CSV files, the workers run in burst, the outbox relays.

The relays here settle a delivery as soon as arq reports its job (`check_after=0`): the
services' own relays wait a second of *clock* time before they look, which under a FixedClock
never passes, so an event whose job failed or vanished would only be sent again after the test
happened to move the clock. `deliver_checker_events` repeats relay → reporting worker → relay
until every checker event is acknowledged (moving the clock past the relay's backoff when a
handler failed), and fails naming the ones that are not.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from arq.connections import ArqRedis
from arq.worker import Worker
from fastapi import FastAPI
from sqlmodel import col, select

from gateway.config import GatewaySettings
from gateway.webhooks.delivery import DeliveryLoop, webhook_settings
from gateway.webhooks.models import PENDING as WEBHOOK_PENDING
from gateway.webhooks.models import WebhookDelivery
from gateway.worker import QUEUE as GATEWAY_QUEUE
from gateway.worker import build_worker as build_gateway_worker
from services.checker.common.outbox import OutboxDelivery as CheckerDelivery
from services.checker.common.outbox import OutboxEvent as CheckerEvent
from services.checker.config import CheckerSettings
from services.checker.worker import build_worker as build_checker_worker
from services.registry.common.outbox import OutboxDelivery as RegistryDelivery
from services.registry.common.outbox import OutboxEvent as RegistryEvent
from services.reporting.common.outbox import OutboxDelivery as ReportingDelivery
from services.reporting.common.outbox import OutboxEvent as ReportingEvent
from services.reporting.config import ReportingSettings
from services.reporting.worker import QUEUE as REPORTING_QUEUE
from services.reporting.worker import build_worker as build_reporting_worker
from shared.clock import Clock, FixedClock
from shared.events import ACKED, OutboxRelay


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """Return a CSV file as Excel writes it (UTF-8 with BOM)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


async def run_checker(settings: CheckerSettings, clock: Clock, registry: FastAPI) -> None:
    """Run the checker worker until its queue is empty."""
    worker = build_checker_worker(settings, clock, burst=True,
                                  registry_transport=httpx.ASGITransport(app=registry),
                                  handle_signals=False)
    try:
        await worker.main()
    finally:
        await worker.close()


async def stop_worker(worker: Worker, running: asyncio.Task[None], wait_s: float = 30) -> None:
    """Stop a worker whose `main()` runs as `running`, the way a deploy drains one: it picks no
    more jobs, the jobs it holds finish, then its loop stops and it closes.

    Cancelling the loop first would cancel a job the cron had just started, and arq's `close()`
    re-raises that cancellation (it gathers its job tasks without `return_exceptions`).
    """
    worker.allow_pick_jobs = False
    deadline = asyncio.get_running_loop().time() + wait_s
    while (held := [t for t in worker.tasks.values() if not t.done()]):
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            raise AssertionError(f"{len(held)} job(s) still running after {wait_s} s")
        await asyncio.wait(held, timeout=left)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    await worker.close()


async def relay_checker(checker: FastAPI, clock: Clock) -> dict[str, int]:
    """Hand the checker's pending events to their subscribers' queues; settle the handled ones."""
    return await OutboxRelay("checker", checker.state.sessionmaker, CheckerEvent, CheckerDelivery,
                             checker.state.redis, clock, check_after=timedelta(0)).run_once()


async def relay_reporting(reporting: FastAPI, checker: FastAPI, clock: Clock) -> dict[str, int]:
    """Hand reporting's pending events (rectification.* → the gateway) to their queues."""
    return await OutboxRelay("reporting", reporting.state.sessionmaker, ReportingEvent,
                             ReportingDelivery, checker.state.redis, clock,
                             check_after=timedelta(0)).run_once()


async def relay_registry(registry: FastAPI, redis: ArqRedis, clock: Clock) -> dict[str, int]:
    """Hand the registry's pending events (filing.late, registration.* → the gateway) to their
    queues. The registry's app keeps no Redis pool: the caller gives one."""
    return await OutboxRelay("registry", registry.state.sessionmaker, RegistryEvent,
                             RegistryDelivery, redis, clock, check_after=timedelta(0)).run_once()


async def unacked(app: FastAPI, subscriber: str,
                  model: type[CheckerDelivery] | type[ReportingDelivery] | type[RegistryDelivery]
                  = CheckerDelivery) -> list[Any]:
    """A service's outbox deliveries to one subscriber queue not yet acknowledged."""
    async with app.state.sessionmaker() as s:
        return list((await s.execute(select(model).where(
            col(model.subscriber) == subscriber, col(model.status) != ACKED))).scalars().all())


async def deliver_checker_events(settings: ReportingSettings, clock: FixedClock,
                                 registry: FastAPI, checker: FastAPI, rounds: int = 4) -> None:
    """Relay the checker's events and run the reporting worker until reporting acknowledged
    every one. A job that failed is sent again after the relay's backoff, which is clock time:
    the fixed clock is moved past it (time passing, as it would for a real relay)."""
    for _ in range(rounds):
        await relay_checker(checker, clock)
        await run_reporting(settings, clock, registry, checker)
        await relay_checker(checker, clock)
        left = await unacked(checker, REPORTING_QUEUE)
        if not left:
            return
        due = max(d.next_attempt_at for d in left)
        if due > clock.now():
            clock.advance(due - clock.now())
    left = await unacked(checker, REPORTING_QUEUE)
    raise AssertionError("reporting did not acknowledge: " + "; ".join(
        f"{d.event_id} {d.status} attempts={d.attempts} error={d.last_error}" for d in left))


async def deliver_webhooks(settings: GatewaySettings, clock: FixedClock, gateway: FastAPI,
                           reporting: FastAPI, checker: FastAPI, rounds: int = 4) -> None:
    """Relay reporting's events to the gateway's queue, fan them out and send the callbacks,
    until the gateway acknowledged every event and no callback is left pending (the clock is
    moved past a retry's backoff, as time would pass for the real workers)."""
    await _deliver_to_gateway(settings, clock, gateway, lambda: relay_reporting(
        reporting, checker, clock), reporting, ReportingDelivery, rounds)


async def deliver_registry_webhooks(settings: GatewaySettings, clock: FixedClock,
                                    gateway: FastAPI, registry: FastAPI, redis: ArqRedis,
                                    rounds: int = 4) -> None:
    """`deliver_webhooks` for the registry's events (filing.late, registration.*)."""
    await _deliver_to_gateway(settings, clock, gateway, lambda: relay_registry(
        registry, redis, clock), registry, RegistryDelivery, rounds)


async def _deliver_to_gateway(settings: GatewaySettings, clock: FixedClock, gateway: FastAPI,
                              relay: Callable[[], Awaitable[dict[str, int]]], source: FastAPI,
                              model: type[ReportingDelivery] | type[RegistryDelivery],
                              rounds: int) -> None:
    for _ in range(rounds):
        await relay()
        await run_gateway(settings, clock, gateway)
        await relay()
        events = await unacked(source, GATEWAY_QUEUE, model)
        async with gateway.state.sessionmaker() as s:
            calls = list((await s.execute(select(WebhookDelivery).where(
                col(WebhookDelivery.status) == WEBHOOK_PENDING))).scalars().all())
        if not events and not calls:
            return
        due = max(x.next_attempt_at for x in [*events, *calls])
        if due > clock.now():
            clock.advance(due - clock.now())
    raise AssertionError(
        "undelivered: " + "; ".join(f"event {d.event_id} {d.status} error={d.last_error}"
                                    for d in events)
        + " | " + "; ".join(f"callback {c.event_name} {c.event_id} attempts={c.attempts} "
                            f"code={c.last_status_code} error={c.last_error}" for c in calls))


async def run_reporting(settings: ReportingSettings, clock: Clock, registry: FastAPI,
                        checker: FastAPI) -> None:
    """Run the reporting worker until its queue is empty (its deadline watcher runs at startup)."""
    worker = build_reporting_worker(settings, clock, burst=True,
                                    registry_transport=httpx.ASGITransport(app=registry),
                                    checker_transport=httpx.ASGITransport(app=checker),
                                    handle_signals=False)
    try:
        await worker.main()
    finally:
        await worker.close()


async def run_gateway(settings: GatewaySettings, clock: Clock, app: FastAPI) -> int:
    """Fan the gateway queue's events out to subscriptions, then send every due delivery once.

    The burst worker's own delivery loop may be cancelled before its first round, so the due
    deliveries are sent here by one explicit round of the same loop.
    """
    worker = build_gateway_worker(settings, clock, burst=True, delivery_loop=False,
                                  handle_signals=False)
    try:
        await worker.main()
    finally:
        await worker.close()
    loop = DeliveryLoop(app.state.sessionmaker, clock, webhook_settings(settings))
    try:
        return await loop.run_once()
    finally:
        await loop.aclose()
