"""The registry's FastAPI app: `uvicorn services.registry.main:create_app --factory`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm.exc import StaleDataError

from services.registry.account.routes import router as account_router
from services.registry.bulk.routes import router as bulk_router
from services.registry.calendar.routes import router as calendar_router
from services.registry.common.outbox import OutboxDelivery, OutboxEvent
from services.registry.config import RegistrySettings
from services.registry.filing.routes import router as filing_router
from services.registry.organisation.routes import router as organisation_router
from services.registry.region.routes import router as region_router
from services.registry.registration.routes import router as registration_router
from services.registry.website.routes import router as website_router
from shared.app import build_app
from shared.clock import Clock, SystemClock
from shared.errors import Conflict, problem_response
from shared.events import Outbox

TAGS = [
    {"name": "regions", "description": "行政区划（GB/T 2260）"},
    {"name": "organisations", "description": "单位（主办单位、运维单位）"},
    {"name": "websites", "description": "政府网站及其备案（开设、变更、迁移、关停、注销）"},
    {"name": "accounts", "description": "政务新媒体账号及其备案"},
    {"name": "filings", "description": "报备记录与报备时效"},
    {"name": "registration", "description": "补报备案通知（发现未备案的账号与网站）"},
    {"name": "calendar", "description": "工作日历（法定节假日与调休）"},
    {"name": "bulk", "description": "批量导入导出（CSV、XLSX、JSON）"},
    {"name": "health", "description": "存活与就绪检查"},
]


def create_app(settings: RegistrySettings | None = None, clock: Clock | None = None) -> FastAPI:
    """Build the registry app; nothing connects until its lifespan starts."""
    settings = settings or RegistrySettings()
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.outbox = Outbox("registry", OutboxEvent, OutboxDelivery,
                                  settings.event_routes, clock)
        yield

    app = build_app(
        title="govinspect 备案库（registry）",
        description="政府网站与政务新媒体的登记、备案与报备时效。调用须携带网关签发的身份请求头。",
        settings=settings, clock=clock, extra_lifespan=lifespan, openapi_tags=TAGS,
        autocommit_reads=True)  # every GET route only reads (issue 13: no BEGIN/COMMIT)

    async def on_stale(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(Conflict("数据已被他人同时修改，请重新读取后再提交。"), request)

    app.add_exception_handler(StaleDataError, on_stale)
    for router in (region_router, bulk_router, organisation_router, website_router,
                   account_router, filing_router, registration_router, calendar_router):
        app.include_router(router)
    return app
