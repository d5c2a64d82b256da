"""The gateway's FastAPI app: `uvicorn gateway.main:create_app --factory`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping

import httpx
from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from redis.asyncio import Redis

from gateway.audit.middleware import AuditMiddleware
from gateway.audit.routes import router as audit_router
from gateway.auth.cache import CredentialCache
from gateway.auth.lockout import FailureLimiter, LockoutPolicy
from gateway.auth.middleware import AuthenticationMiddleware
from gateway.auth.oauth import router as oauth_router
from gateway.auth.routes import router as auth_router
from gateway.config import GatewaySettings
from gateway.idempotency import service as idempotency
from gateway.idempotency.middleware import IdempotencyMiddleware
from gateway.openapi import routes as openapi
from gateway.proxy.asgi import parse_networks
from gateway.proxy.forward import ProxyMiddleware, own_segments
from gateway.proxy.health import router as health_router
from gateway.proxy.routes import router as proxy_router
from gateway.proxy.upstream import RouteTable, Upstreams
from gateway.ratelimit.limiter import RateLimiter
from gateway.ratelimit.middleware import RateLimitMiddleware
from gateway.webhooks.callbacks import install as install_callbacks
from gateway.webhooks.routes import router as webhooks_router
from shared.clock import Clock, SystemClock
from shared.db import ensure_schema, is_sqlite, make_engine, make_sessionmaker
from shared.errors import install_problem_handlers
from shared.heap import freeze_startup_heap
from shared.logging import RequestIdMiddleware, configure_logging
from shared.metrics import MetricsMiddleware, MetricsServer
from shared.openapi import install_openapi, operation_id
from shared.request_guard import JsonBodyGuard, refuse_unknown_query

log = logging.getLogger("govinspect.gateway")

DESCRIPTION = """govinspect 的统一接入网关：各服务的接口都在 `/api/v1/` 下。

**认证**：`Authorization: Bearer <API 密钥>`（或 `X-API-Key`），或用 OAuth2 客户端凭证在
`/oauth/token` 换取访问令牌后 `Authorization: Bearer <令牌>`。每个凭证有角色和数据范围（全部区划、
若干区划子树和/或单位）；范围外的数据一律答 404，如同不存在。

**写操作**：POST 可带 `Idempotency-Key`（24 小时内同键同内容重放首次响应，同键不同内容答 422，
首个请求未完成时答 409 并带 Retry-After）；每次写操作都记入审计日志。

**限流**：按调用者计数，超限答 429 并带 Retry-After；`RateLimit-*` 响应头给出当前窗口的余量。
认证失败（错误的 API 密钥、客户端密钥）按来源地址和凭证分别计数，超过上限后在锁定期内一律答 429；
认证失败、无权（403）和限流（429）都记入审计日志。

**错误**：一律为 RFC 9457 problem+json，`title` 为中文标题，`detail` 指明出错的字段和取值。"""

TAGS = [
    {"name": "auth", "description": "访问令牌与当前调用者"},
    {"name": "keys", "description": "API 密钥（创建、轮换、吊销；密钥只显示一次）"},
    {"name": "clients", "description": "OAuth2 客户端（客户端凭证模式）"},
    {"name": "audit", "description": "审计日志（管理员）"},
    {"name": "webhooks", "description": "回调订阅与投递记录"},
    {"name": "health", "description": "存活与就绪检查"},
]


async def _purge_forever(app: FastAPI, interval_s: int) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await idempotency.purge(app.state.sessionmaker, app.state.clock.now())
        except Exception:  # the next round tries again; expired keys are also replaced lazily
            log.exception("could not purge expired idempotency records")


def create_app(settings: GatewaySettings | None = None, clock: Clock | None = None,
               upstream_transports: Mapping[str, httpx.AsyncBaseTransport] | None = None
               ) -> FastAPI:
    """Build the gateway; `upstream_transports` (by service name) lets tests mount the services."""
    settings = settings or GatewaySettings()
    clock = clock or SystemClock()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.resolved_database_url()
        engine = make_engine(url, None if is_sqlite(url) else settings.db_schema,
                             **settings.engine_options())
        await ensure_schema(engine, settings.db_schema)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.redis = Redis.from_url(settings.redis_url, socket_connect_timeout=2,
                                         socket_timeout=2)
        app.state.ratelimiter = RateLimiter(app.state.redis, settings.rate_limits,
                                            settings.rate_limit_window_s)
        app.state.lockout = FailureLimiter(app.state.redis, LockoutPolicy(
            per_source=settings.auth_failures_per_source,
            per_credential=settings.auth_failures_per_credential,
            window_s=settings.auth_failure_window_s, lockout_s=settings.auth_lockout_s))
        app.state.credentials = CredentialCache(settings.credential_cache_s)
        app.state.upstreams = Upstreams(settings, upstream_transports)
        purge = asyncio.create_task(_purge_forever(app, settings.idempotency_purge_interval_s))
        # The gateway's own port is public: its metrics go to a port of their own.
        metrics = None if settings.metrics_port is None else MetricsServer(settings.metrics_port)
        app.state.metrics_port = metrics and metrics.port
        freeze_startup_heap()
        try:
            yield
        finally:
            if metrics is not None:
                metrics.close()
            purge.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purge
            await app.state.upstreams.aclose()
            await app.state.redis.aclose()
            await engine.dispose()

    configure_logging(settings.service_name, settings.log_level)
    app = FastAPI(title="govinspect 网关（gateway）", description=DESCRIPTION, version="1.0.0",
                  lifespan=lifespan, openapi_tags=TAGS, generate_unique_id_function=operation_id,
                  openapi_url=None, docs_url=None, redoc_url=None)
    install_openapi(app)  # the gateway's own part; /openapi.json serves it merged (openapi/)
    app.state.settings = settings
    app.state.clock = clock
    app.state.trusted_proxies = parse_networks(settings.trusted_proxies)
    app.state.route_table = RouteTable(settings.routes)
    app.state.outbox = None  # shared.context.get_ctx (webhook routes) expects one; none is used
    install_problem_handlers(app)
    # Starlette runs the last added outermost: request id → authentication → audit → rate
    # limit → idempotency → route. Audit sits outside the limits so refused requests are kept
    # too; authentication writes the entries of the requests it refuses itself.
    # Metrics innermost: it reads the route the router matched (authentication copies the
    # scope), so it times what passed authentication and the limits.
    # Proxied /api/v1/<resource>/… is served innermost, before FastAPI routes it: every
    # /api/v1 resource except the gateway's own (those of the routers included below).
    own = [health_router, oauth_router, auth_router, audit_router]
    own_paths = [r.path for router in own for r in router.routes if isinstance(r, APIRoute)]
    own_paths += ["/api/v1" + r.path for r in webhooks_router.routes if isinstance(r, APIRoute)]
    app.add_middleware(ProxyMiddleware, own=own_segments(own_paths), route=proxy_router.routes[0])
    app.add_middleware(JsonBodyGuard, max_depth=settings.max_json_depth)
    app.add_middleware(MetricsMiddleware, service=settings.service_name)
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(RateLimitMiddleware)
    app.add_middleware(AuditMiddleware)
    app.add_middleware(AuthenticationMiddleware)
    app.add_middleware(RequestIdMiddleware)
    # Unknown query parameters answer 422 on the gateway's own APIs; proxied paths are checked
    # by the service that owns them, and OAuth must ignore what it does not know (RFC 6749 3.1).
    strict = [Depends(refuse_unknown_query)]
    for router in (health_router, oauth_router):
        app.include_router(router)
    app.include_router(auth_router, dependencies=strict)
    app.include_router(audit_router, dependencies=strict)
    app.include_router(webhooks_router, prefix="/api/v1", dependencies=strict)
    install_callbacks(app)  # the webhooks' bodies, in the document's `webhooks` section
    openapi.install(app, settings.openapi_cache_s)
    # Last: everything else below /api/v1 belongs to a service.
    app.include_router(proxy_router)
    return app
