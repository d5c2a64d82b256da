"""The gateway's worker: fans events out to webhook subscriptions and sends the deliveries.

`python -m gateway.worker` runs an arq worker on the gateway's queue. Each `event.deliver` job
adds one delivery row per receiving subscription, once per event id; a delivery loop running
beside the worker sends what is due and retries with backoff (gateway/webhooks/delivery.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arq.worker import Worker, func
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.config import GatewaySettings
from gateway.webhooks.delivery import DeliveryLoop, WebhookSettings, webhook_settings
from gateway.webhooks.models import WebhookProcessedEvent
from gateway.webhooks.service import fan_out
from shared.clock import Clock, SystemClock
from shared.contracts.events import DELIVER_JOB, EventEnvelope
from shared.events import consume_once
from shared.logging import configure_logging
from shared.queue import queue_name
from shared.worker import WorkerPlan, WorkerResources
from shared.worker import build_worker as build

QUEUE = queue_name("gateway")


@dataclass(kw_only=True)
class Resources(WorkerResources):
    """The gateway worker's: shared.worker.WorkerResources plus the webhook settings."""

    settings: GatewaySettings
    webhooks: WebhookSettings


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

    async def resources(base: WorkerResources) -> Resources:
        res = Resources(**base.shared(), settings=settings, webhooks=webhook_settings(settings))
        if delivery_loop:
            loop = DeliveryLoop(res.sessionmaker, clock, res.webhooks)
            res.on_close(loop.aclose)
            res.in_background(loop.run_forever())
        return res

    plan = WorkerPlan(queue=QUEUE, shutdown_wait_s=settings.shutdown_wait_s,
                      metrics_port=settings.metrics_port,
                      functions=[func(deliver, name=DELIVER_JOB, max_tries=10)])
    return build(settings, clock, plan, resources, burst=burst, handle_signals=handle_signals)


def main() -> None:
    """Run the worker until SIGTERM/SIGINT."""
    settings = GatewaySettings()
    configure_logging("gateway-worker", settings.log_level)
    build_worker(settings).run()


if __name__ == "__main__":
    main()
