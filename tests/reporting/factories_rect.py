"""Helpers for the rectification, deadline and error-report tests.

A migrated reporting database per backend, a small app with only these routers, a stand-in
checker answering `POST /rechecks` over real HTTP (ASGI), watcher resources, and data factories.
"""

from __future__ import annotations

import itertools
import socket
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col, select

from services.reporting import tables
from services.reporting.circular.models import Circular
from services.reporting.common.outbox import OutboxDelivery, OutboxEvent
from services.reporting.config import ReportingSettings
from services.reporting.error_report.routes import router as error_report_router
from services.reporting.jobs.watch_deadlines import watch_deadlines
from services.reporting.migrate import migrate
from services.reporting.notice.routes import router as notice_router
from services.reporting.rectification import service
from services.reporting.rectification.models import RectificationItem
from services.reporting.rectification.routes import router as rectification_router
from services.reporting.rectification.schemas import OpenItem
from shared.app import build_app
from shared.calendar import WorkingCalendar, bundled_schedules
from shared.clients.checker import CheckerClient
from shared.clock import FixedClock
from shared.db import is_sqlite, make_engine, make_sessionmaker
from shared.events import Outbox
from shared.principal import PRINCIPAL_HEADER, Principal, Role, sign_principal, verify_principal

SECRET = "test-principal-secret"
SHANGHAI = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)
_migrated: set[str] = set()

ORG_A = uuid.UUID("00000000-0000-4000-8000-0000000000a1")  # 历下区 unit
ORG_B = uuid.UUID("00000000-0000-4000-8000-0000000000b2")  # 市中区 unit
UNITS = {ORG_A: ("历下区教育和体育局", "370102"), ORG_B: ("市中区民政局", "370103")}


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An Asia/Shanghai instant."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def calendar_2026() -> WorkingCalendar:
    """The State Council arrangement for 2026 only: any other year is refused."""
    return WorkingCalendar([bundled_schedules()[2026]])


def reporting_settings(database_url: str, **overrides: Any) -> ReportingSettings:
    """Settings for this backend's reporting database, migrated once per test session."""
    url = database_url
    if is_sqlite(url):  # reporting keeps its own file next to the other services'
        url = url.rsplit("/", 1)[0] + "/reporting.db"
    settings = ReportingSettings(
        database_url=url, principal_secret=SECRET, due_soon_working_days=2,
        error_report_working_days=3,
        event_routes={"rectification.*": ["govinspect:test"], "error_report.*": ["govinspect:test"]},
        **overrides)
    if url not in _migrated:
        migrate(settings)
        _migrated.add(url)
    return settings


def headers(roles: list[Role], *, regions: list[str] | None = None,
            organisations: list[uuid.UUID] | None = None, all_regions: bool = False,
            subject: str = "tester", name: str = "测试") -> dict[str, str]:
    """Headers carrying a signed principal."""
    p = Principal(subject=subject, name=name, roles=roles, all_regions=all_regions,
                  regions=regions or [], organisations=organisations or [])
    return {PRINCIPAL_HEADER: sign_principal(p, SECRET)}


ADMIN = headers([Role.administrator], all_regions=True, subject="admin", name="管理员")
SUPERVISOR = headers([Role.supervisor], regions=["370100"], subject="jn-gkb", name="济南市政务公开办")
UNIT_A = headers([Role.unit], organisations=[ORG_A], subject="unit-a", name="历下区教体局")
UNIT_B = headers([Role.unit], organisations=[ORG_B], subject="unit-b", name="市中区民政局")
COUNTY_SHIZHONG = headers([Role.supervisor], regions=["370103"], subject="szq", name="市中区政务公开办")
PUBLIC_CHANNEL = headers([Role.integration], regions=["370100"], subject="zhaocuo", name="找错平台")


@dataclass
class CheckerStub:
    """A stand-in for the checker's `POST /rechecks`: records each call, answers {id, status}."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False
    app: FastAPI = field(default_factory=FastAPI)

    def __post_init__(self) -> None:
        @self.app.post("/rechecks", status_code=202)
        async def rechecks(request: Request) -> JSONResponse:
            if self.down:
                return JSONResponse({"type": "https://govinspect.cn/problems/service-unavailable",
                                     "title": "服务暂不可用", "status": 503, "detail": "检查服务维护中"},
                                    status_code=503, media_type="application/problem+json")
            run_id = uuid.uuid4()
            self.calls.append({"body": await request.json(), "run_id": run_id,
                               "principal": request.headers.get(PRINCIPAL_HEADER)})
            return JSONResponse({"id": str(run_id), "status": "pending"}, status_code=202)

    @property
    def transport(self) -> httpx.AsyncBaseTransport:
        """A real HTTP transport into the stand-in app."""
        return httpx.ASGITransport(app=self.app)


FILED_DEFAULTS: dict[str, Any] = {
    "kind": "department", "kind_label": "部门网站", "domains": ["example.gov.cn"],
    "home_url": "https://example.gov.cn/", "icp_number": None, "psb_number": None,
    "status": "running", "status_label": "运行中", "compliance_flags": [], "version": 1,
    "created_at": "2026-11-01T00:00:00Z", "updated_at": "2026-11-01T00:00:00Z"}


@dataclass
class RegistryStub:
    """A stand-in for the registry's `GET /websites/{id}` (the filed sites) and
    `GET /organisations/{id}` (the UNITS), scoped as the registry scopes them (a row the caller
    does not see answers 404)."""

    sites: dict[str, dict[str, Any]] = field(default_factory=dict)
    app: FastAPI = field(default_factory=FastAPI)

    def __post_init__(self) -> None:
        @self.app.get("/websites/{site_id}")
        async def website(site_id: str, request: Request) -> JSONResponse:
            caller = verify_principal(request.headers[PRINCIPAL_HEADER], SECRET, time.time())
            site = self.sites.get(site_id)
            if site is None or not caller.sees(site["region_code"],
                                               [uuid.UUID(site["organisation_id"])]):
                return JSONResponse({"type": "https://govinspect.cn/problems/not-found",
                                     "title": "资源不存在", "status": 404, "detail": site_id},
                                    status_code=404, media_type="application/problem+json")
            # The registry's whole record (shared.contracts.registry.WebsiteRead), the fields
            # a test does not care about filled in.
            return JSONResponse({**FILED_DEFAULTS, **site})

        @self.app.get("/organisations/{org_id}")
        async def organisation(org_id: str, request: Request) -> JSONResponse:
            caller = verify_principal(request.headers[PRINCIPAL_HEADER], SECRET, time.time())
            unit = UNITS.get(uuid.UUID(org_id))
            if unit is None or not caller.sees(unit[1], [uuid.UUID(org_id)]):
                return JSONResponse({"type": "https://govinspect.cn/problems/not-found",
                                     "title": "资源不存在", "status": 404, "detail": org_id},
                                    status_code=404, media_type="application/problem+json")
            # The registry's whole record (shared.contracts.registry.OrganisationRead).
            return JSONResponse({"id": org_id, "name": unit[0], "region_code": unit[1],
                                 "kind": "county_department", "kind_label": "区县部门", "parent_id": None,
                                 "credit_code": None, "provides_services": True, "version": 1,
                                 "created_at": "2026-11-01T00:00:00Z",
                                 "updated_at": "2026-11-01T00:00:00Z"})

    def file(self, *sites: dict[str, Any]) -> None:
        """File these sites (dicts with id, site_code, organisation_id, region_code, …)."""
        self.sites.update({site["id"]: site for site in sites})


@dataclass
class WatchResources:
    """What the reporting worker hands the watcher; a new one is a restarted watcher."""

    sessionmaker: async_sessionmaker[AsyncSession]
    clock: FixedClock
    outbox: Outbox
    settings: ReportingSettings
    checker_transport: httpx.AsyncBaseTransport | None
    calendar: WorkingCalendar

    @property
    def service_token(self) -> str:
        return sign_principal(Principal(subject="service:reporting", name="通报服务",
                                        roles=[Role.supervisor], all_regions=True), SECRET)

    def checker(self, timeout: float) -> CheckerClient:
        return CheckerClient(self.settings.checker_url, self.service_token, timeout=timeout,
                             transport=self.checker_transport)

    async def calendar_loader(self) -> WorkingCalendar:
        return self.calendar


@dataclass
class Env:
    app: FastAPI
    client: httpx.AsyncClient
    clock: FixedClock
    checker: CheckerStub
    registry: RegistryStub
    settings: ReportingSettings
    sessionmaker: async_sessionmaker[AsyncSession]
    engines: list[AsyncEngine] = field(default_factory=list)

    async def call(self, method: str, url: str, who: dict[str, str], **kwargs: Any) -> httpx.Response:
        """Send a request as a principal."""
        return await self.client.request(method, url, headers=who, **kwargs)

    async def ok(self, method: str, url: str, who: dict[str, str] = ADMIN, **kwargs: Any) -> Any:
        """Send a request that must succeed; return its JSON."""
        r = await self.call(method, url, who, **kwargs)
        assert r.status_code < 300, (r.status_code, r.text)
        return r.json()

    def resources(self, outbox: Outbox | None = None) -> WatchResources:
        """Fresh watcher resources (own engine and outbox) on the same database."""
        url = self.settings.resolved_database_url()
        engine = make_engine(url, None if is_sqlite(url) else self.settings.db_schema)
        self.engines.append(engine)
        return WatchResources(
            sessionmaker=make_sessionmaker(engine), clock=self.clock,
            outbox=outbox or Outbox("reporting", OutboxEvent, OutboxDelivery,
                                    self.settings.event_routes, self.clock),
            settings=self.settings, checker_transport=self.checker.transport,
            calendar=calendar_2026())

    async def watch(self, resources: WatchResources | None = None) -> dict[str, int]:
        """Run the deadline watcher once, as the arq cron would."""
        return await watch_deadlines({"resources": resources or self.resources()})

    async def events(self, name: str) -> list[dict[str, Any]]:
        """Payloads of the events of that name in the reporting outbox, oldest first."""
        async with self.sessionmaker() as s:
            rows = (await s.execute(select(OutboxEvent).where(OutboxEvent.name == name)
                                    .order_by(col(OutboxEvent.occurred_at)))).scalars().all()
        return [r.payload for r in rows]

    async def item(self, item_id: uuid.UUID | str) -> RectificationItem:
        """The item's row as stored."""
        async with self.sessionmaker() as s:
            row = await s.get(RectificationItem, uuid.UUID(str(item_id)))
            assert row is not None
            return row


@asynccontextmanager
async def rect_app(settings: ReportingSettings, clock: FixedClock, *,
                   checker_transport: httpx.AsyncBaseTransport | str | None = "stub"
                   ) -> AsyncIterator[Env]:
    """The rectification and error-report routers in a small app on a clean database."""
    stub = CheckerStub()
    registry = RegistryStub()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.outbox = Outbox("reporting", OutboxEvent, OutboxDelivery, settings.event_routes,
                                  clock)
        yield

    app = build_app(title="reporting (rectification tests)", description="整改与找错留言测试",
                    settings=settings, clock=clock, extra_lifespan=lifespan, configure_log=False)
    app.state.checker_transport = stub.transport if checker_transport == "stub" else checker_transport
    app.state.registry_transport = httpx.ASGITransport(app=registry.app)

    async def calendar_loader() -> WorkingCalendar:
        return calendar_2026()

    app.state.calendar_loader = calendar_loader
    app.include_router(rectification_router)
    app.include_router(error_report_router)
    app.include_router(notice_router)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(LifespanManager(app))
        client = await stack.enter_async_context(httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://reporting"))
        env = Env(app=app, client=client, clock=clock, checker=stub, registry=registry,
                  settings=settings,
                  sessionmaker=app.state.sessionmaker)
        try:
            yield env
        finally:
            async with env.sessionmaker() as s:
                for table in reversed(tables.metadata.sorted_tables):
                    await s.execute(delete(table))
                await s.commit()
            for engine in env.engines:
                await engine.dispose()


def closed_port_url() -> str:
    """An http URL on loopback where nothing listens: a checker that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def problem(org: uuid.UUID, *, rule: str = "content.typo", target_id: uuid.UUID | None = None,
            fingerprints: list[str] | None = None) -> OpenItem:
    """One (target, rule) problem of a unit's site, as a circular lists it."""
    name, region = UNITS[org]
    n = next(_seq)
    indicator = {"content.typo": "错别字", "deduct.links": "链接不可用"}.get(rule, rule)
    return OpenItem(target_id=target_id or uuid.uuid4(), target_type="website",
                    target_code=f"{region}{n % 10000:04d}", target_name=f"{name}网站{n}",
                    organisation_id=org, organisation_name=name, region_code=region, rule=rule,
                    indicator=indicator, severity="deduct", message=f"{indicator}：测试问题{n}",
                    fingerprints=fingerprints or [f"fp{n}"])


async def publish_items(env: Env, problems: list[OpenItem], deadline_at: datetime,
                        circular: Circular | None = None) -> tuple[Circular, list[RectificationItem]]:
    """Publish a circular opening items for the problems; return it and its items."""
    now = env.clock.now()
    async with env.sessionmaker() as s:
        if circular is None:
            circular = Circular(title="济南市2026年第三季度政府网站检查情况通报", region_code="370100",
                                period_start=date(2026, 7, 1), period_end=date(2026, 9, 30),
                                status="published", issuing_office="济南市人民政府办公厅",
                                deadline_at=deadline_at, number=f"济政办字〔2026〕{next(_seq)}号",
                                created_by="jn-gkb", created_at=now, updated_at=now,
                                published_at=now, published_by="jn-gkb")
            s.add(circular)
            await s.flush()
        await service.open_items(s, circular, problems, deadline_at, now, "济南市政务公开办")
        await s.commit()
        items = (await s.execute(select(RectificationItem).where(
            RectificationItem.circular_id == circular.id).order_by(
            col(RectificationItem.target_code), col(RectificationItem.rule)))).scalars().all()
    return circular, list(items)
