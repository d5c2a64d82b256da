"""Liveness and readiness endpoints: /healthz (the process) and /readyz (database and Redis)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from redis.asyncio import Redis

from shared.db import ping
from shared.errors import PROBLEM_JSON

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="存活检查", operation_id="healthz")
async def healthz(request: Request) -> dict[str, str]:
    """Answer 200 while the process serves requests."""
    return {"status": "ok", "service": request.app.state.settings.service_name}


async def _check_redis(url: str) -> None:
    client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
    finally:
        await client.aclose()


@router.get("/readyz", summary="就绪检查", operation_id="readyz",
            responses={503: {"description": "数据库或 Redis 不可用"}})
async def readyz(request: Request) -> Any:
    """Answer 200 when the database and Redis both answer, else 503 naming what failed.

    A service may add what it runs without (`app.state.readiness_report`, a callable returning
    a dict merged into the answer; its `warnings`, in Chinese, are for people)."""
    state = request.app.state
    checks: dict[str, str] = {}
    for name, probe in (("database", ping(state.engine)),
                        ("redis", _check_redis(state.settings.redis_url))):
        try:
            await asyncio.wait_for(probe, timeout=3)
            checks[name] = "ok"
        except Exception as exc:  # any failure means not ready; say which
            checks[name] = f"error: {type(exc).__name__}"
    report = getattr(state, "readiness_report", None)
    extra: dict[str, Any] = report() if report is not None else {}
    if all(v == "ok" for v in checks.values()):
        return {"status": "ready", "checks": checks, **extra}
    failed = "、".join(k for k, v in checks.items() if v != "ok")
    return JSONResponse(
        {"type": "https://govinspect.cn/problems/not-ready", "title": "服务未就绪",
         "status": 503, "detail": f"依赖不可用：{failed}", "checks": checks, **extra},
        status_code=503, media_type=PROBLEM_JSON, headers={"Retry-After": "5"})
