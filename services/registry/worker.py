"""The registry's worker: relays outbox events to subscribers (`python -m services.registry.worker`).

It has no jobs of its own: shared.worker.run_relay opens its resources, relays until SIGTERM or
SIGINT, then finishes the current round and closes them.
"""

from __future__ import annotations

import asyncio

from services.registry.common.outbox import OutboxDelivery, OutboxEvent
from services.registry.config import RegistrySettings
from shared.clock import Clock, SystemClock
from shared.logging import configure_logging
from shared.worker import OutboxTables, run_relay

OUTBOX = OutboxTables("registry", OutboxEvent, OutboxDelivery)


async def run(settings: RegistrySettings | None = None, clock: Clock | None = None) -> None:
    """Relay until SIGTERM or SIGINT, then finish the current round and stop."""
    settings = settings or RegistrySettings()
    configure_logging("registry-worker", settings.log_level)
    await run_relay(settings, clock or SystemClock(), OUTBOX)


if __name__ == "__main__":
    asyncio.run(run())
