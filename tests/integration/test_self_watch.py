"""The suite watches itself: a run without progress and a plan that did not fire are listed at
GET /alerts, counted in a gauge and announced once as `system.stalled` (the failure GSA's
scanner suffered: it silently stopped and nobody noticed for weeks)."""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlmodel import select

from services.checker.config import CheckerSettings
from services.checker.jobs.reconcile import reconcile
from services.checker.jobs.resources import Resources
from services.checker.plan.models import Plan
from services.checker.tables import OutboxEvent, Run
from shared.contracts.events import SYSTEM_STALLED
from tests.integration.conftest import Suite
from tests.integration.test_checker_resilience import _file
from tests.registry.factories import token

pytestmark = pytest.mark.integration


def _resources(suite: Suite, **overrides: Any) -> Resources:
    state = suite.checker.state
    transport = (None if "registry_url" in overrides
                 else httpx.ASGITransport(app=suite.registry.app))
    return Resources(settings=state.settings.model_copy(update=overrides),
                     clock=suite.registry.clock, engine=state.engine,
                     sessionmaker=state.sessionmaker, redis=state.redis, outbox=state.outbox,
                     registry_transport=transport)


async def _alerts(suite: Suite) -> list[dict[str, Any]]:
    r = await suite.client.get("/alerts")
    assert r.status_code == 200, r.text
    return list(r.json())


async def _announced(suite: Suite) -> list[dict[str, Any]]:
    async with suite.checker.state.sessionmaker() as s:
        rows = (await s.execute(select(OutboxEvent).where(
            OutboxEvent.name == SYSTEM_STALLED))).scalars().all()
    return [dict(e.payload) for e in rows]


def _gauge(kind: str) -> float | None:
    return REGISTRY.get_sample_value("govinspect_system_alerts", {"kind": kind})


async def test_a_run_without_progress_is_reported_once(
        suite: Suite, checker_settings: CheckerSettings) -> None:
    await _file(suite)
    run = (await suite.client.post("/runs", json={"name": "无人处理的批次",
                                                  "scope": {"regions": ["370102"]}})).json()
    clock = suite.registry.clock
    assert await _alerts(suite) == []  # no worker yet, but nothing is late either
    clock.advance(timedelta(seconds=checker_settings.stall_after_s - 1))
    assert await _alerts(suite) == []
    clock.advance(timedelta(seconds=2))
    [alert] = await _alerts(suite)
    assert alert["kind"] == "run.stalled" and alert["subject_id"] == run["id"]
    assert alert["subject_type"] == "run" and alert["minutes"] == 60
    assert "无人处理的批次" in alert["message"] and "没有任何进展" in alert["message"]

    ctx = {"resources": _resources(suite)}
    first = await reconcile(ctx)
    again = await reconcile(ctx)
    assert (first["alerts_sent"], again["alerts_sent"]) == (1, 0)  # announced once
    [event] = await _announced(suite)
    assert event["kind"] == "run.stalled" and event["subject_id"] == run["id"]
    assert _gauge("run.stalled") == 1 and _gauge("plan.overdue") == 0

    # Only the whole system's operators see system alerts.
    county = token(regions=["370102"], subject="county-supervisor")
    assert (await suite.client.get("/alerts", headers=county)).status_code == 403


async def test_a_plan_that_did_not_fire_is_reported_then_starts_when_it_can(
        suite: Suite, checker_settings: CheckerSettings) -> None:
    await _file(suite)
    clock = suite.registry.clock
    due = clock.now() + timedelta(hours=1)
    plan = (await suite.client.post("/plans", json={
        "name": "每周检查", "scope": {"regions": ["370102"]}, "interval_hours": 168,
        "first_run_at": due.isoformat()})).json()
    clock.advance(timedelta(hours=1, seconds=checker_settings.plan_grace_s - 60))
    assert await _alerts(suite) == []  # due, within the grace

    # The registry is down when the reconciler tries: the plan stays due and gets reported.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    down = {"resources": _resources(suite, registry_url=f"http://127.0.0.1:{closed}")}
    assert (await reconcile(down))["plans_started"] == 0
    assert await _alerts(suite) == []
    clock.advance(timedelta(seconds=120))
    got = await reconcile(down)
    assert got["plans_started"] == 0 and got["alerts_sent"] == 1
    [alert] = await _alerts(suite)
    assert alert["kind"] == "plan.overdue" and alert["subject_id"] == plan["id"]
    assert "每周检查" in alert["message"] and "逾期" in alert["message"]
    [event] = await _announced(suite)
    assert event["kind"] == "plan.overdue" and event["subject_type"] == "plan"
    assert _gauge("plan.overdue") == 1

    # The registry is back: the next round starts the plan and the alert closes.
    back = {"resources": _resources(suite)}
    assert (await reconcile(back))["plans_started"] == 1
    assert await _alerts(suite) == []
    assert _gauge("plan.overdue") == 0
    async with suite.checker.state.sessionmaker() as s:
        stored = (await s.execute(select(Plan))).scalar_one()
        runs = (await s.execute(select(Run))).scalars().all()
    assert stored.next_run_at == clock.now() + timedelta(hours=168)
    assert [r.plan_id for r in runs] == [stored.id]
