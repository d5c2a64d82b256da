"""A checker worker stopped with SIGTERM mid-inspection hands its tasks back at once (never
left "running" until the stale timeout), its log lines name the run, and its metrics listener
shows queue and job figures."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.checker.config import CheckerSettings
from services.checker.jobs.inspect_target import inspect_target
from services.checker.worker import build_worker
from tests.checker.sitefixture import SiteServer
from tests.integration.conftest import Suite
from tests.integration.flow_helpers import run_checker
from tests.integration.test_checker_resilience import (
    ROOT,
    _file,
    _tasks,
    _wait,
    _worker_env,
    slow_sites,
)

pytestmark = pytest.mark.integration
__all__ = ["slow_sites"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def _scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    async with httpx.AsyncClient(trust_env=False, timeout=5) as client:
        response = await client.get(f"http://127.0.0.1:{port}/metrics")
    assert response.status_code == 200
    return _samples(response.text)


async def test_sigterm_mid_job_hands_the_task_back_then_another_worker_finishes(
        suite: Suite, checker_settings: CheckerSettings, slow_sites: SiteServer) -> None:
    await _file(suite)
    run = (await suite.client.post("/runs", json={"name": "平滑停止",
                                                  "scope": {"regions": ["370102"]}})).json()
    port = _free_port()
    env = {**_worker_env(checker_settings, slow_sites.host_map()),
           # Far beyond the test: only the handing back can free the task in time.
           "CHECKER_STALE_TASK_AFTER_S": "600", "CHECKER_SHUTDOWN_WAIT_S": "0",
           "CHECKER_METRICS_PORT": str(port)}
    cmd = [sys.executable, "-m", "services.checker.worker"]
    log = open(Path(str(checker_settings.evidence_dir)) / "graceful.log", "ab")  # noqa: SIM115
    first = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        async def some_running() -> bool:
            return any(t.status == "running" for t in await _tasks(suite))
        await _wait(some_running, 180)
        held = [t.id for t in await _tasks(suite) if t.status == "running"]
        seen = await _scrape(port)
        assert ("govinspect_queue_depth", frozenset({("queue", "govinspect:checker")})) in seen
        first.send_signal(signal.SIGTERM)
        assert first.wait(60) == 0
    finally:
        if first.poll() is None:
            first.kill()
    after = {t.id: t for t in await _tasks(suite)}
    assert {after[i].status for i in held} <= {"pending", "done"}
    assert not [t for t in after.values() if t.status == "running"]
    handed_back = [i for i in held if after[i].status == "pending"]
    assert handed_back, "the signal came while the tasks were in flight"
    assert all(after[i].attempts == 0 for i in handed_back)  # a shutdown is not a failed attempt
    log.flush()
    lines = [json.loads(line) for line in Path(log.name).read_text().splitlines()
             if line.startswith("{") and "handed back" in line]
    # JSON log lines of a job name its run.
    assert {str(i) for i in handed_back} <= {line["message"].split()[1] for line in lines}
    assert {line["run_id"] for line in lines if line["message"].split()[1] in
            {str(i) for i in handed_back}} == {run["id"]}

    second = subprocess.Popen(cmd, env={**env, "CHECKER_SHUTDOWN_WAIT_S": "5"}, cwd=ROOT,
                              stdout=log, stderr=log)
    try:
        async def finished() -> bool:
            return all(t.status == "done" for t in await _tasks(suite))
        await _wait(finished, 600)
        seen = await _scrape(port)
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(20)
        except subprocess.TimeoutExpired:
            second.kill()
    got = (await suite.client.get(f"/runs/{run['id']}")).json()
    assert got["status"] == "completed" and got["progress"]["targets_done"] == 2
    done = frozenset({("queue", "govinspect:checker"), ("job", "checker.inspect_target"),
                      ("outcome", "ok")})
    assert seen[("govinspect_job_duration_seconds_count", done)] >= len(handed_back)
    assert seen[("govinspect_checker_pages_fetched_total", frozenset())] > 0
    assert seen[("govinspect_checker_links_checked_total", frozenset())] > 0
    by_rule = {dict(labels)["rule"]: value for (name, labels), value in seen.items()
               if name == "govinspect_checker_findings_total"}
    assert by_rule and all(value > 0 for value in by_rule.values())


@pytest.mark.parametrize("where", ["claiming", "recording"])
async def test_a_job_stopped_while_it_claims_or_records_hands_its_task_back(
        suite: Suite, checker_settings: CheckerSettings, slow_sites: SiteServer, where: str) -> None:
    """The windows around the inspection: the claim committed but its session still closing,
    and the inspection done but not yet recorded. A stop in either returns the task to pending
    (it was left "running" until its heartbeat turned stale), and the next worker finishes it."""
    await _file(suite)
    run = (await suite.client.post("/runs", json={"name": "停止窗口",
                                                  "scope": {"regions": ["370102"]}})).json()
    settings = checker_settings.model_copy(update={
        "host_map": slow_sites.host_map(), "use_browser": False, "heartbeat_interval_s": 3600})
    registry = httpx.ASGITransport(app=suite.registry.app)
    worker = build_worker(settings, suite.registry.clock, burst=True, handle_signals=False,
                          registry_transport=registry)
    ctx: dict[str, Any] = {}
    await worker.on_startup(ctx)  # type: ignore[misc]
    try:
        res = ctx["resources"]
        opened, reached = 0, asyncio.Event()

        @contextlib.asynccontextmanager
        async def sessions() -> AsyncIterator[Any]:
            nonlocal opened
            opened += 1
            n = opened
            if where == "recording" and n == 2:  # the job's next session after the claim: _finish
                reached.set()
                await asyncio.Event().wait()  # the stop comes here
            async with res.sessionmaker() as s:
                yield s
                if where == "claiming" and n == 1:  # committed; the session not yet closed
                    reached.set()
                    await asyncio.Event().wait()

        task_id = (await _tasks(suite))[0].id
        gated = {**ctx, "resources": dataclasses.replace(res, sessionmaker=sessions)}
        job = asyncio.create_task(inspect_target(gated, str(task_id)))
        await asyncio.wait_for(reached.wait(), 300)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
    finally:
        await worker.on_shutdown(ctx)  # type: ignore[misc]
        await worker.close()
    held = {t.id: t for t in await _tasks(suite)}[task_id]
    assert (held.status, held.attempts) == ("pending", 0)  # a stop is not a failed attempt

    await run_checker(settings, suite.registry.clock, suite.registry.app)  # the queued jobs
    assert {t.status for t in await _tasks(suite)} == {"done"}
    got = (await suite.client.get(f"/runs/{run['id']}")).json()
    assert got["status"] == "completed" and got["progress"]["targets_done"] == 2
