"""Availability probes: every inspected site is probed; a failure is confirmed by a retry."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlmodel import select

from services.checker.config import CheckerSettings
from services.checker.jobs.probe_site import schedule_probes
from services.checker.probe.service import availability
from services.checker.tables import MonitoredSite, ProbeSample
from services.checker.worker import build_worker
from tests.checker.sitefixture import SiteServer
from tests.integration.conftest import Suite
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
    await suite.checker.state.redis.flushdb()  # no inspection: only the probes are tested here
    worker = build_worker(settings, reg.clock, burst=True, handle_signals=False)
    probes = "govinspect_checker_probes_total"
    timed = {"name": "govinspect_job_duration_seconds_count", "queue": "govinspect:checker",
             "job": "checker.probe_site", "outcome": "ok"}
    before = (_metric(probes, outcome="ok"), _metric(probes, outcome="failed"), _metric(**timed))
    ctx: dict[str, Any] = {}
    await worker.on_startup(ctx)  # type: ignore[misc]
    try:
        await suite.checker.state.redis.flushdb()
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

    async with suite.checker.state.sessionmaker() as s:
        samples = {str(p.website_id): p for p in (await s.execute(select(ProbeSample))).scalars()}
        assert samples[up["id"]].ok is True and samples[up["id"]].status == 200
        failed = samples[down["id"]]
        assert failed.ok is False and failed.failure == "refused" and failed.retried is True
        as_of = reg.clock.now() + timedelta(minutes=1)
        judged = await availability(s, failed.website_id, as_of, 7)
        assert (judged.probes, judged.failures) == (1, 1)
        assert (await availability(s, samples[up["id"]].website_id, as_of, 7)).failures == 0
