"""Webhook test helpers: a loopback receiver, the webhook routes in an app, principals, events."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pydantic import Field
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.common.base import GatewayTable
from gateway.config import GatewaySettings
from gateway.webhooks import models
from gateway.webhooks.delivery import WebhookSettings
from gateway.webhooks.routes import router
from shared.app import build_app
from shared.clock import FixedClock
from shared.contracts.events import (
    EventEnvelope,
    EventPayload,
    InspectionCompleted,
    RectificationOverdue,
    RegistrationClosed,
    RegistrationRequested,
)
from shared.db import ensure_schema, is_sqlite, make_engine, make_sessionmaker
from shared.principal import PRINCIPAL_HEADER, Principal, Role, sign_principal

SECRET = "webhook-test-principal-secret"
T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai

COUNTY_A, COUNTY_B, CITY = "370102", "370103", "370100"

WEBHOOK_TABLES = [GatewayTable.metadata.tables[t] for t in (
    "webhook_subscription", "webhook_delivery", "webhook_attempt", "webhook_processed_event")]


class Settings(GatewaySettings):
    """The gateway's settings, sure to carry webhook settings."""

    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)


def settings_for(database_url: str, redis_url: str, *, allow_loopback: bool = True) -> Settings:
    """Gateway settings for tests; loopback receivers allowed unless told otherwise."""
    allowed = ["127.0.0.0/8"] if allow_loopback else []
    # A schema of its own on PostgreSQL, apart from the one the gateway's migrations build.
    return Settings(service_name="gateway_webhooks_test", database_url=database_url,
                    redis_url=redis_url, principal_secret=SECRET,
                    jwt_secret="webhook-test-jwt",
                    webhooks=WebhookSettings(allowed_private_networks=allowed, timeout_s=2.0))


def principal(subject: str, *, roles: tuple[Role, ...] = (Role.integration,),
              regions: tuple[str, ...] = (),
              all_regions: bool = False) -> Principal:
    """A caller with a region scope."""
    return Principal(subject=subject, name=subject, roles=list(roles), regions=list(regions),
                     all_regions=all_regions)


def headers(who: Principal) -> dict[str, str]:
    """The signed principal header for a caller."""
    return {PRINCIPAL_HEADER: sign_principal(who, SECRET)}


def envelope(name: str, payload: EventPayload | dict[str, Any], *,
             event_id: uuid.UUID | None = None, at: datetime = T0,
             source: str = "reporting") -> EventEnvelope:
    """An event as the relay hands it to the gateway's queue (a model's JSON, as published)."""
    body = payload.model_dump(mode="json") if isinstance(payload, EventPayload) else payload
    return EventEnvelope(id=event_id or uuid.uuid4(), name=name, source=source,
                         occurred_at=at, payload=body)


def overdue(region_code: str, *, target_name: str = "示例县人民政府门户网站") -> EventEnvelope:
    """A rectification.overdue event of a site in a region."""
    return envelope("rectification.overdue", RectificationOverdue(
        item_id=uuid.uuid4(), circular_id=uuid.uuid4(), target_id=uuid.uuid4(),
        target_type="website", target_code=region_code + "0001", target_name=target_name,
        organisation_id=uuid.uuid4(), organisation_name="示例县人民政府办公室",
        region_code=region_code, rule="deduct.links", indicator="链接可用性", severity="deduct",
        status="open", deadline_at=T0))


def completed(run_id: uuid.UUID | None = None, total: int = 3) -> EventEnvelope:
    """An inspection.completed event (no region: a run may span regions)."""
    return envelope("inspection.completed", InspectionCompleted(
        run_id=run_id or uuid.uuid4(), finished_at=T0, targets_total=total, targets_done=total,
        targets_failed=0, targets_passed=total, targets_uninspected=0), at=T0)


def registration(region_code: str, *, closed: bool = False,
                 request_id: uuid.UUID | None = None) -> EventEnvelope:
    """A registration.requested (or, closed, a registration.closed: dismissed) event of an
    account a unit in a region is asked to file."""
    who = {"registration_request_id": request_id or uuid.uuid4(), "kind": "account",
           "organisation_id": uuid.uuid4(), "organisation_name": "示例县文化和旅游局",
           "region_code": region_code, "name": "示例县文旅", "platform": "douyin",
           "platform_label": "抖音", "platform_account_id": "MS4wLjABAAAA_demo", "domain": None}
    if closed:
        return envelope("registration.closed", RegistrationClosed(
            **who, outcome="dismissed", outcome_label="已撤销", filed_target_id=None,
            note="经核实非本单位账号", closed_at=T0), source="registry")
    return envelope("registration.requested", RegistrationRequested(
        **who, url=None, seen_on=["https://www.example.gov.cn/xmt/"], finding_id=None, note=None,
        created_at=T0), source="registry")


async def create_tables(settings: Settings) -> async_sessionmaker[AsyncSession]:
    """Create the webhook tables (and their schema on PostgreSQL); return a sessionmaker."""
    url = settings.resolved_database_url()
    engine = make_engine(url, None if is_sqlite(url) else settings.db_schema)
    await ensure_schema(engine, settings.db_schema)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: GatewayTable.metadata.create_all(c, tables=WEBHOOK_TABLES))
    return make_sessionmaker(engine)


async def clear_tables(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Empty the webhook tables."""
    async with sessionmaker() as session:
        for model in (models.WebhookAttempt, models.WebhookDelivery, models.WebhookSubscription,
                      models.WebhookProcessedEvent):
            await session.execute(delete(model))
        await session.commit()


@asynccontextmanager
async def webhook_app(settings: Settings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """The webhook routes in a gateway-shaped app, with its lifespan run."""
    app = build_app(title="gateway webhooks (test)", description="", settings=settings, clock=clock,
                    configure_log=False)
    app.state.outbox = None
    app.include_router(router)
    async with LifespanManager(app):
        yield app


def client(app: FastAPI, who: Principal) -> httpx.AsyncClient:
    """An HTTP client calling the app as someone."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway",
                             headers=headers(who), timeout=30)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that records every request and answers as told."""

    status: int = 200
    reply: bytes = "收到".encode()
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    status, reply, delay = receiver.status, receiver.reply, receiver.delay
                    receiver.requests.append(Received(self.path, dict(self.headers.items()), body,
                                                      status))
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up (or was killed) while we were answering

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The receiver's callback URL."""
        return f"http://127.0.0.1:{self.port}/hooks/govinspect"

    def answer(self, status: int, reply: str = "") -> None:
        """Answer every following request with this status and body."""
        with self._lock:
            self.status, self.reply = status, reply.encode()

    def event_ids(self) -> list[str]:
        """The event ids received, in order."""
        with self._lock:
            return [r.headers["X-Govinspect-Event-Id"] for r in self.requests]

    def close(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()
