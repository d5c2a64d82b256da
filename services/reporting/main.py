"""Reporting's FastAPI app: `uvicorn services.reporting.main:create_app --factory`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from services.reporting import tables  # noqa: F401 - every mapper registered before use
from services.reporting.annual.routes import router as annual_router
from services.reporting.attachment.routes import router as attachment_router
from services.reporting.circular.routes import router as circular_router
from services.reporting.common.outbox import OutboxDelivery, OutboxEvent
from services.reporting.config import ReportingSettings
from services.reporting.consolidation.routes import router as consolidation_router
from services.reporting.dispute.routes import router as dispute_router
from services.reporting.error_report.routes import router as error_report_router
from services.reporting.notice.routes import router as notice_router
from services.reporting.practice.routes import router as practice_router
from services.reporting.rectification.routes import router as rectification_router
from services.reporting.result.routes import router as result_router
from services.reporting.unit.routes import router as unit_router
from shared.app import build_app
from shared.clock import Clock, SystemClock
from shared.events import Outbox

TAGS = [
    {"name": "circulars", "description": "季度检查通报：起草、修改、发布、下载"},
    {"name": "annual-reports", "description": "政府网站监管年度报表（DOCX、XLSX）"},
    {"name": "rectifications", "description": "整改事项：报告整改、复核、期限"},
    {"name": "error-reports", "description": "我为政府网站找错留言"},
    {"name": "results", "description": "检查结果副本"},
    {"name": "notices", "description": "整改期限通知：到期前与逾期时的回调和邮件记录、通知邮箱"},
    {"name": "disputes", "description": "单位对问题的申辩（误报 / 存疑）及处理"},
    {"name": "practices", "description": "典型做法：单位提交、监管单位遴选、通报“主要做法”"},
    {"name": "attachments", "description": "整改佐证与做法配图等附件"},
    {"name": "consolidation", "description": "政务新媒体瘦身提质：提升一批、整合一批、关停一批"},
    {"name": "health", "description": "存活与就绪检查"},
]


def create_app(settings: ReportingSettings | None = None, clock: Clock | None = None, *,
               registry_transport: httpx.AsyncBaseTransport | None = None,
               checker_transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """Build the reporting app; the transports let tests mount the other services in-process."""
    settings = settings or ReportingSettings()
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.outbox = Outbox("reporting", OutboxEvent, OutboxDelivery,
                                  settings.event_routes, clock)
        yield

    app = build_app(
        title="govinspect 通报与整改（reporting）",
        description="季度检查通报、整改事项及复核、期限提醒和找错留言。调用须携带网关签发的身份请求头。",
        settings=settings, clock=clock, extra_lifespan=lifespan, openapi_tags=TAGS)
    app.state.registry_transport = registry_transport
    app.state.checker_transport = checker_transport
    for router in (circular_router, rectification_router, error_report_router, result_router,
                   notice_router, unit_router, dispute_router, practice_router, attachment_router,
                   consolidation_router, annual_router):
        app.include_router(router)
    return app
