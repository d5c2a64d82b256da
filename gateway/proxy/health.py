"""The gateway's /healthz and /readyz; readiness also says which services answer."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from arq.constants import in_progress_key_prefix
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from redis.asyncio import Redis

from gateway.auth.deps import current_principal
from gateway.proxy.upstream import Upstreams
from shared.db import ping
from shared.errors import PROBLEM_JSON, TYPE_PREFIX
from shared.principal import Principal
from shared.queue import queue_name

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="存活检查", operation_id="healthz")
async def healthz() -> dict[str, str]:
    """Answer 200 while the gateway process serves requests."""
    return {"status": "ok", "service": "gateway"}


async def _check(probe: Any) -> str:
    try:
        await asyncio.wait_for(probe, timeout=3)
    except Exception as exc:  # any failure means not ready; say which
        return f"error: {type(exc).__name__}"
    return "ok"


@router.get("/readyz", summary="就绪检查", operation_id="readyz",
            responses={503: {"description": "网关的数据库或 Redis 不可用"}})
async def readyz(request: Request) -> Any:
    """Answer 200 when the gateway's database and Redis answer (status `ready`, or `degraded`
    when some service behind it does not), else 503. `upstreams` says which services answer:
    one service down leaves the others reachable, so it does not make the gateway unready.
    `warnings` names what a service runs without (the checker without Chromium, by service)."""
    state = request.app.state
    redis: Redis = state.redis
    upstreams: Upstreams = state.upstreams
    names = list(upstreams.clients)
    results = await asyncio.gather(_check(ping(state.engine)), _check(redis.ping()),
                                   *(upstreams.probe(n) for n in names))
    checks = {"database": results[0], "redis": results[1]}
    services = dict(zip(names, results[2:], strict=True))
    said = await asyncio.gather(*(upstreams.warnings(n) for n in names))
    warnings = {n: w for n, w in zip(names, said, strict=True) if w}
    if all(v == "ok" for v in checks.values()):
        status = "ready" if all(v == "ok" for v in services.values()) else "degraded"
        return {"status": status, "checks": checks, "upstreams": services, "warnings": warnings}
    failed = "、".join(k for k, v in checks.items() if v != "ok")
    return JSONResponse(
        {"type": TYPE_PREFIX + "not-ready", "title": "服务未就绪", "status": 503,
         "detail": f"依赖不可用：{failed}", "checks": checks, "upstreams": services},
        status_code=503, media_type=PROBLEM_JSON, headers={"Retry-After": "5"})


# In-progress jobs are counted among the first due ones only: enough to see a stuck worker.
IN_PROGRESS_SCAN = 1000


@router.get("/api/v1/queues", summary="队列积压", operation_id="queueDepths", tags=["health"])
async def queues(request: Request, principal: Principal = Depends(current_principal)
                 ) -> dict[str, Any]:
    """Depth of each worker queue (the gateway's and every service's): `queued` jobs in all,
    `due` ones whose time has come, `in_progress` ones a worker holds (among the first 1,000 due)."""
    state = request.app.state
    redis: Redis = state.redis
    now_ms = int(time.time() * 1000)  # arq scores jobs by the wall clock, not the app's clock
    out = []
    for name in ("gateway", *state.upstreams.clients):
        key = queue_name(name)
        queued = int(await redis.zcard(key))
        due = int(await redis.zcount(key, "-inf", now_ms))
        ids = await redis.zrangebyscore(key, "-inf", now_ms, start=0, num=IN_PROGRESS_SCAN)
        held = 0
        if ids:
            async with redis.pipeline(transaction=False) as pipe:
                for job_id in ids:
                    pipe.exists(in_progress_key_prefix + job_id.decode())
                held = sum(int(x) for x in await pipe.execute())
        out.append({"name": name, "queue": key, "queued": queued, "due": due, "in_progress": held})
    return {"queues": out}
