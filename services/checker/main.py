"""The checker's FastAPI app: `uvicorn services.checker.main:create_app --factory`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from services.checker import tables  # noqa: F401 - every mapper registered before use
from services.checker.common.outbox import OutboxDelivery, OutboxEvent
from services.checker.config import CheckerSettings
from services.checker.emblem.routes import router as emblem_router
from services.checker.evidence import EvidenceStore
from services.checker.feeds.routes import router as posts_router
from services.checker.finding.routes import router as finding_router
from services.checker.health import browser_report
from services.checker.offers.routes import router as offers_router
from services.checker.plan.routes import router as plan_router
from services.checker.profile.routes import router as profile_router
from services.checker.repost.routes import router as repost_router
from services.checker.run.routes import recheck_router
from services.checker.run.routes import router as run_router
from services.checker.unfiled.routes import router as unfiled_router
from services.checker.watch.routes import router as alerts_router
from shared.app import build_app
from shared.clock import Clock, SystemClock
from shared.events import Outbox
from shared.queue import connect

TAGS = [
    {"name": "runs", "description": "检查批次：发起、进度、取消"},
    {"name": "plans", "description": "检查计划：范围、规则配置与周期"},
    {"name": "findings", "description": "发现的问题、证据与研判"},
    {"name": "profiles", "description": "规则配置与自定义词库"},
    {"name": "posts", "description": "新媒体账号文章：推送、查询与 JSON 订阅源格式"},
    {"name": "alerts", "description": "系统告警：检查停滞、计划逾期（自检）"},
    {"name": "emblems", "description": "国徽参考图：现行版与已废止版本"},
    {"name": "repost-tasks", "description": "重点信息转载任务及完成情况"},
    {"name": "health", "description": "存活与就绪检查"},
]


def create_app(settings: CheckerSettings | None = None, clock: Clock | None = None,
               registry_transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """Build the checker app; `registry_transport` lets tests mount the registry in-process."""
    settings = settings or CheckerSettings()
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.outbox = Outbox("checker", OutboxEvent, OutboxDelivery, settings.event_routes,
                                  clock)
        app.state.redis = await connect(settings.redis_url)
        app.state.evidence = EvidenceStore(settings.evidence_dir)
        try:
            yield
        finally:
            await app.state.redis.aclose()

    app = build_app(
        title="govinspect 检查服务（checker）",
        description="政府网站检查：检查批次、发现的问题及证据、评分与规则配置。调用须携带网关签发的身份请求头。",
        settings=settings, clock=clock, extra_lifespan=lifespan, openapi_tags=TAGS)
    app.state.registry_transport = registry_transport

    def readiness() -> dict[str, Any]:
        browser = browser_report(settings)
        return {"browser": browser, "warnings": [browser["warning"]] if "warning" in browser else []}

    app.state.readiness_report = readiness
    for router in (run_router, recheck_router, plan_router, finding_router, profile_router,
                   posts_router, emblem_router, repost_router, offers_router, unfiled_router):
        app.include_router(router)
    app.include_router(alerts_router)
    return app
