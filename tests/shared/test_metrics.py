"""/metrics on a service app: latency by route template; /readyz fails without DB or Redis."""

from __future__ import annotations

import socket
import uuid

import httpx
from asgi_lifespan import LifespanManager
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import create_async_engine

from services.registry.config import RegistrySettings
from services.registry.main import create_app
from tests.registry.conftest import registry, registry_settings
from tests.registry.factories import ADMIN, Registry

__all__ = ["registry", "registry_settings"]
LATENCY = "govinspect_http_request_duration_seconds_count"


def _count(route: str, status: str, method: str = "GET") -> float:
    labels = {"service": "registry", "method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value(LATENCY, labels) or 0.0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_requests_are_counted_by_route_template_not_raw_path(registry: Registry) -> None:
    template = "/websites/{site_id}"
    before = _count(template, "404")
    for _ in range(3):  # three different ids, one series
        r = await registry.client.get(f"/websites/{uuid.uuid4()}", headers=ADMIN)
        assert r.status_code == 404
    listed = _count("/websites", "200")
    assert (await registry.client.get("/websites", headers=ADMIN)).status_code == 200
    assert _count(template, "404") == before + 3
    assert _count("/websites", "200") == listed + 1

    scraped = await registry.client.get("/metrics")  # no principal: cluster network only
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    assert ('govinspect_http_request_duration_seconds_bucket{le="0.005",method="GET",'
            f'route="{template}",service="registry",status="404"}}') in scraped.text
    assert "/websites/" + "0" not in scraped.text  # no raw path (and so no id) in a label
    unknown = _count("<unmatched>", "404")
    assert (await registry.client.get("/no/such/place")).status_code == 404
    assert _count("<unmatched>", "404") == unknown + 1
    assert "/metrics" not in (await registry.client.get("/openapi.json")).json()["paths"]


async def test_readiness_fails_when_redis_is_unreachable(
        registry_settings: RegistrySettings) -> None:
    settings = registry_settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{_closed_port()}/0"})
    app = create_app(settings)
    async with LifespanManager(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://registry") as client:
        assert (await client.get("/healthz")).status_code == 200  # alive, not ready
        r = await client.get("/readyz")
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")
    assert "redis" in body["detail"]


async def test_readiness_fails_when_the_database_is_unreachable(registry: Registry) -> None:
    assert (await registry.client.get("/readyz")).status_code == 200
    state = registry.app.state
    working = state.engine
    state.engine = create_async_engine(
        f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/govinspect")
    try:
        r = await registry.client.get("/readyz")
    finally:
        await state.engine.dispose()
        state.engine = working
    assert r.status_code == 503
    assert r.json()["checks"] == {"database": r.json()["checks"]["database"], "redis": "ok"}
    assert r.json()["checks"]["database"].startswith("error")
    assert "database" in r.json()["detail"]
