"""A checker worker killed mid-run, or a Redis that lost the queue, loses no target and
duplicates no finding: the database says what is unfinished and another worker finishes it.

Every wait here polls state against a generous deadline, so a loaded machine slows the tests
down but does not fail them.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from services.checker.config import CheckerSettings
from services.checker.tables import Finding, OutboxEvent, Sighting, Task
from services.checker.worker import build_worker
from tests.checker.sitefixture import SiteServer
from tests.integration.conftest import Suite
from tests.integration.sites import BAD, GOOD, serve
from tests.registry.factories import JINAN, SECRET, org, region_tree, site

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def slow_sites() -> Iterator[SiteServer]:
    with SiteServer() as server:
        serve(server)
        # Slow article pages keep a target in flight long enough to kill its worker.
        for host in (GOOD, BAD):
            for path in ("/ywdt/1.html", "/tzgg/1.html"):
                res = server.resources.get((host, path))
                if res is not None:
                    res.delay = 2.0
        yield server


async def _file(suite: Suite) -> None:
    reg = suite.registry
    await region_tree(reg, *JINAN)
    await site(reg, await org(reg, name="甲单位"), code="3701020001", domain=GOOD,
               home_url=f"http://{GOOD}/")
    await site(reg, await org(reg, name="乙单位"), code="3701020002", domain=BAD,
               home_url=f"http://{BAD}/")


def _worker_env(settings: CheckerSettings, host_map: dict[str, str]) -> dict[str, str]:
    return {**os.environ, "PRINCIPAL_SECRET": SECRET, "PYTHONPATH": str(ROOT),
            "CHECKER_DATABASE_URL": settings.resolved_database_url(),
            "CHECKER_REDIS_URL": settings.redis_url,
            "CHECKER_HOST_MAP": json.dumps(host_map),
            "CHECKER_ALLOW_PRIVATE_ADDRESSES": "true",
            "CHECKER_EVIDENCE_DIR": str(settings.evidence_dir),
            # A dead worker's task is taken back after 3 missed beats (6 s), not 30 s: the test
            # waits on the run's state either way, this only keeps it short.
            "CHECKER_HEARTBEAT_INTERVAL_S": "2", "CHECKER_RECONCILE_INTERVAL_S": "5",
            "CHECKER_LINK_RECHECK_DELAY_S": "0.5", "CHECKER_MAX_PAGES": "40",
            "CHECKER_WORKER_CONCURRENCY": "2"}


async def _tasks(suite: Suite) -> list[Task]:
    async with suite.checker.state.sessionmaker() as s:
        return list((await s.execute(select(Task))).scalars().all())


async def _wait(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
    """Poll `predicate` until it holds; fail only after `timeout` seconds of wall clock."""
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout:.0f} s")
        await asyncio.sleep(0.2)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.timeout(1200)  # the waits below (180 s + 600 s) must end before pytest gives up
async def test_worker_killed_mid_run_then_another_finishes_every_target_once(
        suite: Suite, checker_settings: CheckerSettings, slow_sites: SiteServer) -> None:
    """kill -9 of a worker holding tasks: a live worker takes them back once their heartbeat
    stops and the run completes, its progress counting the tasks taken back."""
    await _file(suite)
    run = (await suite.client.post("/runs", json={"name": "断点续检", "scope": {"regions": ["370102"]}})).json()
    env = _worker_env(checker_settings, slow_sites.host_map())
    cmd = [sys.executable, "-m", "services.checker.worker"]
    log = open(Path(str(checker_settings.evidence_dir)) / "worker.log", "ab")  # noqa: SIM115
    first = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=log)
    second: subprocess.Popen[bytes] | None = None
    try:
        async def some_running() -> bool:
            return any(t.status == "running" for t in await _tasks(suite))
        await _wait(some_running, 180)
        # The other worker is already up when the first dies: nobody restarts anything.
        second = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=log)
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        killed = [t.id for t in await _tasks(suite) if t.status == "running"]
        assert killed, "the worker died holding a task"

        async def finished() -> bool:
            got = (await suite.client.get(f"/runs/{run['id']}")).json()
            return bool(got["status"] == "completed")
        await _wait(finished, 600)
    finally:
        if first.poll() is None:
            first.kill()
        if second is not None:
            _stop(second)

    got = (await suite.client.get(f"/runs/{run['id']}")).json()
    assert got["progress"]["tasks_recovered"] >= len(killed)
    listed = {t["id"]: t for t in (await suite.client.get(f"/runs/{run['id']}/tasks")).json()}
    assert all(listed[str(i)]["recovered"] >= 1 for i in killed)
    tasks = await _tasks(suite)
    assert [t.status for t in tasks] == ["done", "done"]
    assert all(t.attempts >= 2 for t in tasks if t.id in killed)
    got = (await suite.client.get(f"/runs/{run['id']}")).json()
    assert got["status"] == "completed" and got["progress"]["targets_done"] == 2
    async with suite.checker.state.sessionmaker() as s:
        findings = (await s.execute(select(func.count()).select_from(Finding))).scalar_one()
        prints = (await s.execute(select(func.count(func.distinct(Finding.fingerprint))))).scalar_one()
        sightings = (await s.execute(select(func.count()).select_from(Sighting))).scalar_one()
        events = [e.name for e in (await s.execute(select(OutboxEvent))).scalars()]
    assert findings == prints == sightings > 0
    assert sorted(t.findings_count for t in tasks) and sum(t.findings_count for t in tasks) == findings
    assert events.count("target.inspected") == 2
    assert events.count("inspection.completed") == 1


async def test_reconciler_requeues_what_redis_lost(
        suite: Suite, checker_settings: CheckerSettings, slow_sites: SiteServer) -> None:
    await _file(suite)
    run = (await suite.client.post("/runs", json={"name": "队列丢失", "scope": {"regions": ["370102"]}})).json()
    await suite.checker.state.redis.flushdb()  # every queued job is gone
    settings = checker_settings.model_copy(update={"host_map": slow_sites.host_map()})
    worker = build_worker(settings, suite.registry.clock, burst=True, handle_signals=False)
    try:
        await worker.main()  # its startup reconciles: the database still lists both tasks
    finally:
        await worker.close()
    got = (await suite.client.get(f"/runs/{run['id']}")).json()
    assert got["status"] == "completed" and got["progress"]["targets_done"] == 2
    async with suite.checker.state.sessionmaker() as s:
        done = (await s.execute(select(func.count()).select_from(Task).where(
            col(Task.status) == "done"))).scalar_one()
    assert done == 2
