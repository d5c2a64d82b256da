"""The common shape of a service's FastAPI app: errors, request ids, health, state."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

from shared.clock import Clock, SystemClock
from shared.config import ServiceSettings
from shared.db import (
    ensure_schema,
    is_sqlite,
    make_engine,
    make_read_engine,
    make_read_sessionmaker,
    make_sessionmaker,
)
from shared.errors import install_problem_handlers
from shared.health import router as health_router
from shared.heap import freeze_startup_heap
from shared.logging import RequestIdMiddleware, configure_logging
from shared.metrics import MetricsMiddleware
from shared.metrics import router as metrics_router
from shared.openapi import install_openapi, operation_id
from shared.request_guard import JsonBodyGuard, refuse_unknown_query


def build_app(
    *,
    title: str,
    description: str,
    settings: ServiceSettings,
    clock: Clock | None = None,
    extra_lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    openapi_tags: list[dict[str, Any]] | None = None,
    configure_log: bool = True,
    autocommit_reads: bool = False,
) -> FastAPI:
    """Create a service app whose engine and state are made in the lifespan, not at import.

    `autocommit_reads`: GET requests on PostgreSQL get a session without a transaction
    (`shared.db.make_read_sessionmaker`, a pool of their own), for a service whose GET routes
    only read.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.resolved_database_url()
        engine = make_engine(url, None if is_sqlite(url) else settings.db_schema,
                             **settings.engine_options())
        await ensure_schema(engine, settings.db_schema)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        read_engine = None
        if autocommit_reads and not is_sqlite(url):
            read_engine = make_read_engine(url, settings.db_schema, **settings.read_engine_options())
            app.state.read_sessionmaker = make_read_sessionmaker(read_engine)
        try:
            if extra_lifespan is not None:
                async with extra_lifespan(app):
                    freeze_startup_heap()
                    yield
            else:
                freeze_startup_heap()
                yield
        finally:
            await engine.dispose()
            if read_engine is not None:
                await read_engine.dispose()

    if configure_log:
        configure_logging(settings.service_name, settings.log_level)
    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan,
                  openapi_tags=openapi_tags, generate_unique_id_function=operation_id,
                  dependencies=[Depends(refuse_unknown_query)])
    install_openapi(app)
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    install_problem_handlers(app)
    app.add_middleware(JsonBodyGuard, max_depth=settings.max_json_depth)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health_router)
    app.add_middleware(MetricsMiddleware, service=settings.service_name)  # outermost
    app.include_router(metrics_router)
    return app
