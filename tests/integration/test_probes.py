"""Availability probes: every inspected site is probed; a failure is confirmed by a retry; the
probe worker keeps probing on time while inspections fill the checker's queue."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlmodel import select

from services.checker.config import CheckerSettings
from services.checker.jobs.probe_site import schedule_probes
from services.checker.probe.service import PROBE_QUEUE, availability
from services.checker.probe_worker import build_probe_worker
from services.checker.run.service import INSPECT_JOB, QUEUE
from services.checker.tables import MonitoredSite, ProbeSample, Task
from tests.checker.sitefixture import SiteServer
from tests.integration.conftest import Suite
from tests.integration.flow_helpers import stop_worker
from tests.integration.sites import BAD, GOOD, serve
from tests.registry.factories import JINAN, org, region_tree, site

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sites() -> Iterator[SiteServer]:
    with SiteServer() as server:
        serve(server)
        yield server


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the socket goes


async def test_sites_of_a_run_are_probed_and_failures_confirmed(
        suite: Suite, checker_settings: CheckerSettings, sites: SiteServer) -> None:
    reg = suite.registry
    await region_tree(reg, *JINAN)
    up = await site(reg, await org(reg), code="3701020001", domain=GOOD, home_url=f"http://{GOOD}/")
    down = await site(reg, await org(reg), code="3701020002", domain=BAD, home_url=f"http://{BAD}/")
    await suite.client.post("/runs", json={"name": "探测", "scope": {"regions": ["370102"]}})
    async with suite.checker.state.sessionmaker() as s:
        watched = {str(m.website_id) for m in (await s.execute(select(MonitoredSite))).scalars()}
    assert watched == {up["id"], down["id"]}

    host_map = {GOOD: f"127.0.0.1:{sites.port}", BAD: f"127.0.0.1:{_closed_port()}"}
    settings = checker_settings.model_copy(update={
        "host_map": host_map, "use_browser": False, "probe_retry_after_s": 0.1})
    worker = build_probe_worker(settings, reg.clock, burst=True, handle_signals=False)
    probes = "govinspect_checker_probes_total"
    timed = {"name": "govinspect_job_duration_seconds_count", "queue": PROBE_QUEUE,
             "job": "checker.probe_site", "outcome": "ok"}
    before = (_metric(probes, outcome="ok"), _metric(probes, outcome="failed"), _metric(**timed))
    ctx: dict[str, Any] = {}
    await worker.on_startup(ctx)  # type: ignore[misc]
    try:
        assert await schedule_probes(ctx) == 2
        assert await schedule_probes(ctx) == 0  # the next slot is an interval away
    finally:
        await worker.on_shutdown(ctx)  # type: ignore[misc]
    try:
        await worker.main()
    finally:
        await worker.close()
    after = (_metric(probes, outcome="ok"), _metric(probes, outcome="failed"), _metric(**timed))
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 2]  # Prometheus too
    # The run's inspections wait for the inspection worker; the probe worker left them alone.
    assert await suite.checker.state.redis.zcard(QUEUE) == 2

    async with suite.checker.state.sessionmaker() as s:
        samples = {str(p.website_id): p for p in (await s.execute(select(ProbeSample))).scalars()}
        assert samples[up["id"]].ok is True and samples[up["id"]].status == 200
        failed = samples[down["id"]]
        assert failed.ok is False and failed.failure == "refused" and failed.retried is True
        as_of = reg.clock.now() + timedelta(minutes=1)
        judged = await availability(s, failed.website_id, as_of, 7)
        assert (judged.probes, judged.failures) == (1, 1)
        assert (await availability(s, samples[up["id"]].website_id, as_of, 7)).failures == 0


def _chromium_descendants() -> list[int]:
    """Chromium processes under this test process (Playwright starts them through its driver)."""
    parents: dict[int, tuple[int, str]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                          if ":\t" in line)
        except OSError:  # gone meanwhile
            continue
        parents[int(status.parent.name)] = (int(fields["PPid"]), fields["Name"])
    found = []
    for pid, (_ppid, name) in parents.items():
        up = pid
        while up in parents and up != os.getpid():
            up = parents[up][0]
        if up == os.getpid() and pid != up and "chrom" in name:
            found.append(pid)
    return found


async def test_probes_run_on_time_while_the_inspection_queue_is_full(
        suite: Suite, checker_settings: CheckerSettings, sites: SiteServer) -> None:
    reg = suite.registry
    await region_tree(reg, *JINAN)
    filed = {(await site(reg, await org(reg), code=f"370102000{n}", domain=host,
                         home_url=f"http://{host}/"))["id"]
             for n, host in enumerate((GOOD, BAD), start=1)}
    await suite.client.post("/runs", json={"name": "全量检查", "scope": {"regions": ["370102"]}})
    redis = suite.checker.state.redis
    async with suite.checker.state.sessionmaker() as s:
        tasks = [str(t.id) for t in (await s.execute(select(Task))).scalars()]
    for i in range(40):  # a national week: far more inspections waiting than any slot can take
        await redis.enqueue_job(INSPECT_JOB, tasks[i % len(tasks)], _queue_name=QUEUE,
                                _job_id=f"backlog:{i}")
    waiting = await redis.zcard(QUEUE)
    assert waiting == 42

    settings = checker_settings.model_copy(update={
        "host_map": {GOOD: f"127.0.0.1:{sites.port}", BAD: f"127.0.0.1:{sites.port}"},
        "probe_concurrency": 2})  # use_browser stays on: the probe worker must not need it
    worker = build_probe_worker(settings, reg.clock, handle_signals=False)
    running = asyncio.create_task(worker.main())
    try:
        for _ in range(100):
            if "resources" in worker.ctx:
                break
            await asyncio.sleep(0.1)
        assert _chromium_descendants() == []
        started = time.monotonic()
        await schedule_probes(worker.ctx)  # the cron's round (it may also just have run)
        samples: list[ProbeSample] = []
        while len(samples) < 2 and time.monotonic() - started < 30:
            await asyncio.sleep(0.1)
            async with suite.checker.state.sessionmaker() as s:
                samples = list((await s.execute(select(ProbeSample))).scalars())
        elapsed = time.monotonic() - started
    finally:
        await stop_worker(worker, running)
    assert sorted(str(p.website_id) for p in samples) == sorted(filed)
    assert all(p.ok for p in samples)
    assert elapsed < 10, f"probes waited {elapsed:.1f} s"  # behind 42 inspections: minutes
    assert await redis.zcard(QUEUE) == waiting  # every inspection still waits its turn
