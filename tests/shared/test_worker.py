"""shared.worker: a job sees its worker's typed resources; shutdown and a failed startup close
everything that was opened, the last opened first; the registry's relay-only worker relays and
stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from arq.worker import func
from sqlalchemy import select, text

from services.registry.config import RegistrySettings
from services.registry.tables import OutboxDelivery
from shared.clock import SystemClock
from shared.events import ENQUEUED, PENDING
from shared.queue import connect
from shared.worker import WorkerPlan, WorkerResources, build_worker
from tests.integration.conftest import registry, registry_settings
from tests.registry.factories import JINAN, SECRET, Registry, org, region_tree, site

__all__ = ["registry", "registry_settings"]
ROOT = Path(__file__).resolve().parents[2]
QUEUE = "govinspect:test-shared-worker"


@dataclass(kw_only=True)
class JobResources(WorkerResources):
    closed: list[str]


def _settings(tmp_path: Path, redis_url: str) -> RegistrySettings:
    return RegistrySettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/worker.db",
                            redis_url=redis_url)


async def _clear_queue(redis_url: str) -> None:
    redis = await connect(redis_url)
    for key in await redis.keys(f"{QUEUE}*") + await redis.keys("arq:*test.job*"):
        await redis.delete(key)
    await redis.aclose()


async def test_jobs_see_typed_resources_and_shutdown_closes_the_last_opened_first(
        tmp_path: Path, redis_url: str) -> None:
    closed: list[str] = []
    seen: dict[str, Any] = {}

    async def job(ctx: dict[str, Any]) -> bool:
        res = ctx["resources"]
        seen["type"] = type(res)
        async with res.sessionmaker() as s:
            seen["db"] = (await s.execute(text("select 1"))).scalar_one()
        seen["redis"] = await res.redis.ping()
        return True

    async def background() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            closed.append("background loop")

    async def resources(base: WorkerResources) -> JobResources:
        res = JobResources(**base.shared(), closed=closed)

        async def close_client() -> None:
            closed.append("client")

        res.on_close(close_client)
        res.in_background(background())
        return res

    await _clear_queue(redis_url)
    plan = WorkerPlan(queue=QUEUE, functions=[func(job, name="test.job")])
    worker = build_worker(_settings(tmp_path, redis_url), SystemClock(), plan, resources,
                          burst=True, handle_signals=False)
    redis = await connect(redis_url)
    await redis.enqueue_job("test.job", _queue_name=QUEUE)
    await redis.aclose()
    try:
        await worker.main()
    finally:
        await worker.close()
        await _clear_queue(redis_url)
    assert worker.jobs_complete == 1 and worker.jobs_failed == 0
    assert seen == {"type": JobResources, "db": 1, "redis": True}
    assert closed == ["background loop", "client"]
    assert "resources" not in worker.ctx


async def test_a_failed_startup_closes_what_it_had_opened(tmp_path: Path, redis_url: str) -> None:
    closed: list[str] = []

    async def resources(base: WorkerResources) -> WorkerResources:
        async def close_browser() -> None:
            closed.append("browser")

        base.on_close(close_browser)
        raise RuntimeError("Chromium did not start")

    async def job(ctx: dict[str, Any]) -> None:
        raise AssertionError("no job runs when startup failed")

    plan = WorkerPlan(queue=QUEUE, functions=[func(job, name="test.job")])
    worker = build_worker(_settings(tmp_path, redis_url), SystemClock(), plan, resources,
                          burst=True, handle_signals=False)
    try:
        with pytest.raises(RuntimeError, match="Chromium"):
            await worker.main()
    finally:
        await worker.close()
        await _clear_queue(redis_url)
    assert closed == ["browser"]


async def _statuses(registry: Registry) -> list[str]:
    async with registry.app.state.sessionmaker() as s:
        return list((await s.execute(select(OutboxDelivery.status))).scalars().all())


async def test_the_registry_relay_worker_relays_and_stops_on_sigterm(
        registry: Registry, registry_settings: RegistrySettings, redis_url: str) -> None:
    await region_tree(registry, *JINAN)
    await site(registry, await org(registry))  # website.registered, routed to govinspect:test
    assert await _statuses(registry) == [PENDING]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PRINCIPAL_SECRET": SECRET,
           "REGISTRY_DATABASE_URL": registry_settings.resolved_database_url(),
           "REGISTRY_REDIS_URL": redis_url}
    proc = subprocess.Popen([sys.executable, "-m", "services.registry.worker"], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while await _statuses(registry) != [ENQUEUED]:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            assert time.monotonic() < deadline, "the relay did not hand the event over in 60 s"
            await asyncio.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        log = proc.stdout.read().decode() if proc.stdout else ""
        assert "outbox relay of registry stopped" in log, log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        redis = await connect(redis_url)
        for key in await redis.keys("arq:*evt:*govinspect:test*") + [b"govinspect:test"]:
            await redis.delete(key)
        await redis.aclose()
