"""The registry's worker: relays outbox events to subscribers (`python -m services.registry.worker`)."""

from __future__ import annotations

import asyncio
import logging
import signal

from services.registry.common.outbox import OutboxDelivery, OutboxEvent
from services.registry.config import RegistrySettings
from shared.clock import Clock, SystemClock
from shared.db import is_sqlite, make_engine, make_sessionmaker
from shared.events import OutboxRelay
from shared.logging import configure_logging
from shared.metrics import MetricsServer
from shared.queue import connect

log = logging.getLogger("govinspect.registry.worker")


async def run(settings: RegistrySettings | None = None, clock: Clock | None = None) -> None:
    """Relay until SIGTERM or SIGINT, then finish the current round and stop."""
    settings = settings or RegistrySettings()
    configure_logging("registry-worker", settings.log_level)
    url = settings.resolved_database_url()
    engine = make_engine(url, None if is_sqlite(url) else settings.db_schema)
    redis = await connect(settings.redis_url)
    relay = OutboxRelay("registry", make_sessionmaker(engine), OutboxEvent, OutboxDelivery,
                        redis, clock or SystemClock())
    task = asyncio.create_task(relay.run_forever())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    log.info("outbox relay started")
    metrics = None if settings.metrics_port is None else MetricsServer(settings.metrics_port)
    try:
        await task
    except asyncio.CancelledError:
        pass
    finally:
        if metrics is not None:
            metrics.close()
        await redis.aclose()
        await engine.dispose()
        log.info("outbox relay stopped")


if __name__ == "__main__":
    asyncio.run(run())
