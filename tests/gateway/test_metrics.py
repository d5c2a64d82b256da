"""The gateway's metrics: by route template, on a port of their own, never on the public port
and never through the proxy to a service's /metrics; webhook outcomes; the self-watch's
`system.stalled` event as a webhook."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client import REGISTRY

from shared.contracts.events import SystemStalled
from tests.gateway.conftest import OpenGateway
from tests.gateway.test_webhooks import (
    ALICE,
    Env,
    Receiver,
    env,
    subscribe,
    wh_database_url,
)
from tests.gateway.webhook_fixtures import COUNTY_A, envelope, overdue, principal

__all__ = ["env", "wh_database_url"]

LATENCY = "govinspect_http_request_duration_seconds_count"
PROXY = "/api/v1/{path:path}"


def _count(route: str, status: str) -> float:
    labels = {"service": "gateway", "method": "GET", "route": route, "status": status}
    return REGISTRY.get_sample_value(LATENCY, labels) or 0.0


async def test_gateway_metrics_are_on_their_own_port_only(open_gateway: OpenGateway) -> None:
    async with open_gateway(metrics_port=0) as gw:
        port = gw.app.state.metrics_port
        assert port
        before = _count(PROXY, "200")
        assert (await gw.call("GET", "/api/v1/regions")).status_code == 200
        assert _count(PROXY, "200") == before + 1

        # Not on the public port, with or without a key, and not forwarded to a service.
        assert (await gw.client.get("/metrics")).status_code == 404
        assert (await gw.call("GET", "/metrics")).status_code == 404
        proxied = await gw.call("GET", "/api/v1/metrics")
        assert proxied.status_code == 404
        assert not [r for r in gw.seen if r.url.path.endswith("/metrics")]

        async with httpx.AsyncClient(trust_env=False, timeout=5) as client:
            scraped = await client.get(f"http://127.0.0.1:{port}/metrics")
        assert scraped.status_code == 200
        assert ('govinspect_http_request_duration_seconds_count{method="GET",'
                f'route="{PROXY}",service="gateway",status="200"}}') in scraped.text
    async with httpx.AsyncClient(trust_env=False, timeout=2) as client:
        try:
            await client.get(f"http://127.0.0.1:{port}/metrics")
        except httpx.ConnectError:
            pass  # the listener stops with the app
        else:
            raise AssertionError("metrics listener still up after shutdown")


async def test_webhook_attempts_are_counted_by_outcome(env: Env, receiver: Receiver) -> None:
    def attempts(outcome: str) -> float:
        return REGISTRY.get_sample_value("govinspect_webhook_attempts_total",
                                         {"outcome": outcome}) or 0.0

    await subscribe(env.app, ALICE, receiver.url)
    delivered, retrying = attempts("delivered"), attempts("retrying")
    receiver.answer(503)
    assert await env.publish(overdue(COUNTY_A))
    assert await env.loop().run_once() == 1
    assert attempts("retrying") == retrying + 1
    receiver.answer(200)
    env.clock.advance(timedelta(hours=1))
    assert await env.loop().run_once() == 1
    assert attempts("delivered") == delivered + 1


async def test_system_stalled_reaches_national_subscribers_only(
        env: Env, receiver: Receiver) -> None:
    national = principal("integration:national", all_regions=True)
    await subscribe(env.app, national, receiver.url, events=("system.stalled",))
    await subscribe(env.app, ALICE, receiver.url, events=("system.stalled",))
    alert = envelope("system.stalled", SystemStalled(
        kind="run.stalled", subject_type="run", subject_id=uuid.uuid4(), name="全国季度检查",
        since=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
        message="检查批次“全国季度检查”已 61 分钟没有任何进展"))
    assert await env.publish(alert)
    assert await env.loop().run_once() == 1  # the county subscriber is not told
    [got] = receiver.requests
    assert got.headers["X-Govinspect-Event"] == "system.stalled"
    assert json.loads(got.body)["data"]["kind"] == "run.stalled"
