"""Prometheus metrics: request latency by route template, job durations, queue depth.

Every process keeps its own default registry (one uvicorn process per container: scale with
replicas, not `--workers`). The service APIs answer `GET /metrics` on their own port, without
authentication, like /healthz: they are reachable on the cluster network only. The gateway and
the workers, which have no API port a scraper may use (the gateway's is public; workers have
none), serve the same text on a port of their own, `<PREFIX>METRICS_PORT`, when it is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import time
from typing import Any

from arq.typing import WorkerCoroutine
from arq.worker import Worker
from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("govinspect.metrics")

REQUEST_SECONDS = Histogram(
    "govinspect_http_request_duration_seconds",
    "HTTP request latency by route template (never the raw path: ids stay out of the labels)",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120))
JOB_SECONDS = Histogram(
    "govinspect_job_duration_seconds", "arq job run time by job name and outcome",
    ["queue", "job", "outcome"],
    buckets=(0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 900, 1800))
QUEUE_DEPTH = Gauge("govinspect_queue_depth", "Jobs waiting in an arq queue (ready or deferred)",
                    ["queue"])
QUEUE_READY = Gauge("govinspect_queue_ready", "Jobs in an arq queue whose time has come",
                    ["queue"])
UNMATCHED = "<unmatched>"


def route_template(scope: Scope) -> str:
    """Return the path template of the route that served a request, e.g. `/runs/{run_id}`.

    FastAPI leaves the matched route in the scope; routes it does not (the docs pages) are
    looked up among the app's top-level routes.
    """
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    partial = None
    for route in getattr(getattr(scope.get("app"), "router", None), "routes", ()):
        if not isinstance(getattr(route, "path", None), str):
            continue
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return str(getattr(route, "path", UNMATCHED))
        if match == Match.PARTIAL and partial is None:  # right path, wrong method
            partial = str(getattr(route, "path", UNMATCHED))
    return partial or UNMATCHED


class MetricsMiddleware:
    """Observe every HTTP request's latency, labelled with its route template and status.

    It reads the route from the scope the router wrote into, so no middleware between it and
    the router may replace the scope with a copy (the gateway adds it innermost for that).
    """

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what a client sees when the app dies before answering

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, watch)
        finally:
            elapsed = time.perf_counter() - started
            REQUEST_SECONDS.labels(self.service, scope["method"], route_template(scope),
                                   str(status)).observe(elapsed)


router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    """Prometheus text exposition of this process's metrics (cluster network only)."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


class MetricsServer:
    """A metrics listener on a port of its own, for processes without a scrapeable API port."""

    def __init__(self, port: int, host: str = "0.0.0.0") -> None:
        self._server, self._thread = start_http_server(port, host)
        self.port: int = self._server.server_port
        log.info("metrics on port %s", self.port)

    def close(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()


def _timed(queue: str, job: str, coroutine: WorkerCoroutine) -> WorkerCoroutine:
    @functools.wraps(coroutine)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        started, outcome = time.perf_counter(), "error"
        try:
            result = await coroutine(ctx, *args, **kwargs)
            outcome = "ok"
            return result
        except asyncio.CancelledError:
            outcome = "cancelled"  # shutdown or timeout: arq runs it again
            raise
        finally:
            JOB_SECONDS.labels(queue, job, outcome).observe(time.perf_counter() - started)
    return run


async def watch_queue(redis: Any, queue: str, interval_s: float = 5.0) -> None:
    """Keep the queue-depth gauges current (arq keeps a queue as a sorted set by due time)."""
    while True:
        try:
            QUEUE_DEPTH.labels(queue).set(await redis.zcard(queue))
            QUEUE_READY.labels(queue).set(
                await redis.zcount(queue, "-inf", int(time.time() * 1000)))
        except Exception:  # a Redis hiccup leaves the last figure; readiness reports the outage
            log.warning("queue depth of %s unavailable", queue, exc_info=True)
        await asyncio.sleep(interval_s)


def instrument_worker(worker: Worker, port: int | None) -> Worker:
    """Time every job of an arq worker and, with a port, serve its metrics there.

    The listener and the queue watcher start after the worker's own startup and stop before
    its shutdown; `worker.ctx["metrics_port"]` is the port actually bound (0 picks a free one).
    """
    queue = worker.queue_name
    for name, fn in list(worker.functions.items()):
        worker.functions[name] = dataclasses.replace(
            fn, coroutine=_timed(queue, name, fn.coroutine))
    if port is None:
        return worker
    startup, shutdown = worker.on_startup, worker.on_shutdown

    async def start(ctx: dict[str, Any]) -> None:
        if startup is not None:
            await startup(ctx)
        server = MetricsServer(port)
        ctx["metrics_server"], ctx["metrics_port"] = server, server.port
        ctx["metrics_watch"] = asyncio.create_task(watch_queue(worker.pool, queue))

    async def stop(ctx: dict[str, Any]) -> None:
        task = ctx.pop("metrics_watch", None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        server = ctx.pop("metrics_server", None)
        if server is not None:
            server.close()
        if shutdown is not None:
            await shutdown(ctx)

    worker.on_startup, worker.on_shutdown = start, stop
    return worker
