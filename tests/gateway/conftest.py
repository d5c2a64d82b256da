"""Gateway fixtures: the gateway app in front of the real registry (and checker, reporting)."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from redis.exceptions import RedisError
from sqlalchemy import delete

from gateway.bootstrap import bootstrap
from gateway.config import GatewaySettings
from gateway.main import create_app
from gateway.tables import (
    ApiKey,
    AuditEntry,
    IdempotencyRecord,
    OAuthClient,
    metadata,
    webhook_models,
)
from shared.clock import FixedClock
from shared.db import ensure_schema, is_sqlite, make_engine
from tests.conftest import REDIS_DB
from tests.gateway.webhook_fixtures import Receiver
from tests.integration.conftest import Suite, checker_settings, reporting_app, suite
from tests.registry.conftest import registry, registry_settings
from tests.registry.factories import SECRET, Registry
from tests.reporting.conftest import Reporting, reporting, reporting_settings

__all__ = ["Gateway", "checker_settings", "gateway", "gw_settings", "open_gateway", "registry",
           "registry_settings", "reporting", "reporting_app", "reporting_settings", "suite"]

GATEWAY_TABLES = (IdempotencyRecord, AuditEntry, ApiKey, OAuthClient,
                  webhook_models.WebhookAttempt, webhook_models.WebhookDelivery,
                  webhook_models.WebhookSubscription, webhook_models.WebhookProcessedEvent)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
async def gw_settings(database_url: str, redis_url: str,
                      tmp_path_factory: pytest.TempPathFactory) -> GatewaySettings:
    """Gateway settings on the current backend, its tables created; checker and reporting are
    at a closed loopback port unless a test mounts them."""
    if database_url.startswith("sqlite"):
        database_url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('gateway')}/gateway.db"
    down = f"http://127.0.0.1:{closed_port()}"
    # A database of its own: other tiers flush database 9 between (and during) their tests,
    # which would reset rate-limit counters mid-test.
    redis_url = f"{redis_url.rsplit('/', 1)[0]}/{REDIS_DB + 1}"
    settings = GatewaySettings(database_url=database_url, redis_url=redis_url,
                               principal_secret=SECRET,
                               jwt_secret="gateway-test-jwt-secret-of-at-least-32-bytes",
                               registry_url="http://registry", checker_url=down,
                               reporting_url=down)
    engine = make_engine(database_url, None if is_sqlite(database_url) else settings.db_schema)
    await ensure_schema(engine, settings.db_schema)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await engine.dispose()
    return settings


@dataclass
class Gateway:
    app: FastAPI
    client: httpx.AsyncClient
    clock: FixedClock
    registry: Registry
    admin: str  # the bootstrap administrator's API key
    var: Path
    seen: list[httpx.Request] = field(default_factory=list)  # what reached the registry

    async def call(self, method: str, url: str, key: str | None = None,
                   headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        """Send a request with an API key or token (the administrator's unless given)."""
        auth = {"Authorization": f"Bearer {key or self.admin}"}
        return await self.client.request(method, url, headers={**auth, **(headers or {})}, **kwargs)

    async def ok(self, method: str, url: str, key: str | None = None, **kwargs: Any) -> Any:
        """Send a request that must succeed; return its JSON."""
        r = await self.call(method, url, key, **kwargs)
        assert r.status_code < 300, (r.status_code, r.text)
        return r.json() if r.content else None

    async def key(self, roles: list[str], *, by: str | None = None, **scope: Any) -> str:
        """Create an API key (as the administrator unless `by`) and return its secret."""
        body = {"name": f"测试密钥 {'、'.join(roles)}", "roles": roles, **scope}
        return str((await self.ok("POST", "/api/v1/keys", by, json=body))["secret"])


class Recording(httpx.AsyncBaseTransport):
    """A real transport that also keeps every request it carried (the upstream's view)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, seen: list[httpx.Request]) -> None:
        self.inner, self.seen = inner, seen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return await self.inner.handle_async_request(request)


OpenGateway = Callable[..., AbstractAsyncContextManager[Gateway]]


@pytest.fixture
async def open_gateway(registry: Registry, gw_settings: GatewaySettings,
                       tmp_path: Path) -> AsyncIterator[OpenGateway]:
    """Open a gateway in front of the registry: `async with open_gateway(**settings) as gw`.

    Extra upstream transports (`transports={"reporting": …}`) mount more services."""

    @asynccontextmanager
    async def opener(transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
                     **overrides: Any) -> AsyncIterator[Gateway]:
        settings = gw_settings.model_copy(update=overrides)
        seen: list[httpx.Request] = []
        mounted = {"registry": Recording(httpx.ASGITransport(app=registry.app), seen),
                   **(transports or {})}
        app = create_app(settings, registry.clock, mounted)
        async with LifespanManager(app):
            # The gateway tier's own Redis database: counters (rate limits, failed
            # authentications from 127.0.0.1) start afresh with every gateway.
            with contextlib.suppress(RedisError):  # a test may point it at no Redis at all
                await app.state.redis.flushdb()
            outcome = await bootstrap(settings, tmp_path, registry.clock)
            assert outcome.key is not None
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://gateway", timeout=60) as client:
                yield Gateway(app=app, client=client, clock=registry.clock, registry=registry,
                              admin=outcome.key, var=tmp_path, seen=seen)

    try:
        yield opener
    finally:
        engine = make_engine(gw_settings.resolved_database_url(),
                             None if is_sqlite(gw_settings.resolved_database_url())
                             else gw_settings.db_schema)
        async with engine.begin() as conn:
            for table in GATEWAY_TABLES:
                await conn.execute(delete(table))
        await engine.dispose()


@pytest.fixture
async def gateway(open_gateway: OpenGateway) -> AsyncIterator[Gateway]:
    """The gateway in front of the in-process registry; checker and reporting are down."""
    async with open_gateway() as gw:
        yield gw


@pytest.fixture
async def full_gateway(open_gateway: OpenGateway, suite: Suite,
                       reporting: Reporting) -> AsyncIterator[Gateway]:
    """The gateway in front of the registry, the checker and reporting, all in-process."""
    async with open_gateway(transports={
            "checker": httpx.ASGITransport(app=suite.checker),
            "reporting": httpx.ASGITransport(app=reporting.app)}) as gw:
        yield gw


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A loopback server that records the callbacks it is sent (webhook tests)."""
    r = Receiver()
    yield r
    r.close()
