"""Helpers of the whole-flow test: CSV files, the workers run in burst, the outbox relays."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from fastapi import FastAPI

from gateway.config import GatewaySettings
from gateway.webhooks.delivery import DeliveryLoop, webhook_settings
from gateway.worker import build_worker as build_gateway_worker
from services.checker.common.outbox import OutboxDelivery as CheckerDelivery
from services.checker.common.outbox import OutboxEvent as CheckerEvent
from services.checker.config import CheckerSettings
from services.checker.worker import build_worker as build_checker_worker
from services.reporting.common.outbox import OutboxDelivery as ReportingDelivery
from services.reporting.common.outbox import OutboxEvent as ReportingEvent
from services.reporting.config import ReportingSettings
from services.reporting.worker import build_worker as build_reporting_worker
from shared.clock import Clock
from shared.events import OutboxRelay


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """Return a CSV file as Excel writes it (UTF-8 with BOM)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


async def run_checker(settings: CheckerSettings, clock: Clock, registry: FastAPI) -> None:
    """Run the checker worker until its queue is empty."""
    worker = build_checker_worker(settings, clock, burst=True, heartbeat_s=1.0,
                                  registry_transport=httpx.ASGITransport(app=registry),
                                  handle_signals=False)
    try:
        await worker.main()
    finally:
        await worker.close()


async def relay_checker(checker: FastAPI, clock: Clock) -> None:
    """Hand the checker's pending events to their subscribers' queues."""
    await OutboxRelay("checker", checker.state.sessionmaker, CheckerEvent, CheckerDelivery,
                      checker.state.redis, clock).run_once()


async def relay_reporting(reporting: FastAPI, checker: FastAPI, clock: Clock) -> None:
    """Hand reporting's pending events (rectification.* → the gateway) to their queues."""
    await OutboxRelay("reporting", reporting.state.sessionmaker, ReportingEvent, ReportingDelivery,
                      checker.state.redis, clock).run_once()


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
