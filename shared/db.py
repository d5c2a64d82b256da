"""Async database engines and sessions: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import DateTime, event, exc, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util.concurrency import await_


def is_sqlite(url: str) -> bool:
    """Tell whether a database URL names SQLite."""
    return url.startswith("sqlite")


# The largest `offset` a list endpoint takes: far past any real listing, and inside the 64-bit
# integers SQLite and PostgreSQL bind (a larger one was a 500, not a 422).
MAX_OFFSET = 2**31 - 1


def make_engine(url: str, schema: str | None = None, **kwargs: Any) -> AsyncEngine:
    """Create an engine; on PostgreSQL, confine it to the service's schema. Pool options
    (`ServiceSettings.engine_options`) apply to PostgreSQL only.

    `pool_pre_ping` (default on) pings a pooled connection before lending it only when it lay
    idle for `pool_ping_idle_s` or longer (see `_ping_idle_connections`)."""
    if is_sqlite(url):
        for pool_option in ("pool_size", "max_overflow", "pool_pre_ping", "pool_ping_idle_s"):
            kwargs.pop(pool_option, None)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["server_settings"] = {"search_path": schema}
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    pre_ping = kwargs.pop("pool_pre_ping", True)
    idle_s = float(kwargs.pop("pool_ping_idle_s", 1.0))
    engine = create_async_engine(url, connect_args=connect_args, **kwargs)
    if pre_ping:
        _ping_idle_connections(engine, idle_s)
    return engine


IDLE_SINCE = "govinspect_idle_since"


def _ping_idle_connections(engine: AsyncEngine, idle_s: float) -> None:
    """Ping a pooled connection before lending it if it lay idle `idle_s` or longer.

    SQLAlchemy's own `pool_pre_ping` costs three round trips on asyncpg (BEGIN, `;`, ROLLBACK)
    on every checkout, a third of a read's CPU in the registry (issue 13). This ping is one
    round trip (a simple-protocol `SELECT 1`, no prepared statement), and only after idleness: a
    connection returned moments ago by a request that succeeded is alive. When PostgreSQL
    restarts under load, the first request that meets a dead connection fails, and SQLAlchemy
    then invalidates every older connection of the pool, so later requests get fresh ones.
    A failed ping raises DisconnectionError: the pool drops that connection and lends another.
    """

    @event.listens_for(engine.sync_engine.pool, "connect")
    def _fresh(_dbapi_conn: Any, record: ConnectionPoolEntry) -> None:
        record.info[IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _returned(_dbapi_conn: Any, record: ConnectionPoolEntry) -> None:
        record.info[IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _lend(dbapi_conn: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        if time.monotonic() - record.info.get(IDLE_SINCE, 0.0) < idle_s:
            return
        try:
            await_(dbapi_conn._connection.execute("SELECT 1"))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise exc.DisconnectionError(f"pooled connection is dead: {error!r}") from error


async def ensure_schema(engine: AsyncEngine, schema: str) -> None:
    """Create the service's PostgreSQL schema if it is missing (no-op on SQLite)."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Create the session factory for an engine."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class ReadOnlySession(Session):
    """The session of a GET in a service whose reads run without a transaction (see
    `make_read_sessionmaker`): any write through it is a programming error."""


READS = frozenset({"GET", "HEAD"})


@event.listens_for(ReadOnlySession, "do_orm_execute")
def _refuse_write_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise RuntimeError(f"a GET request may not write: {state.statement}")


@event.listens_for(ReadOnlySession, "before_flush")
def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a GET request may not write: it has pending changes")


def make_read_engine(url: str, schema: str | None = None, **kwargs: Any) -> AsyncEngine:
    """An engine whose connections run every statement in autocommit, for GET requests (see
    `make_read_sessionmaker`); PostgreSQL only. A pool of its own: the same pool switched to
    autocommit per session (`execution_options(isolation_level=…)`) sets and resets the
    isolation level at every checkout and checkin, which cost more CPU than the BEGIN and
    COMMIT it saved (0.26 against 0.16 CPU-ms per session and query; issue 13)."""
    return make_engine(url, schema, isolation_level="AUTOCOMMIT", **kwargs)


def make_read_sessionmaker(read_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for GET requests, on an engine from `make_read_engine`: no BEGIN and COMMIT.

    On PostgreSQL a read's unit of work cost three round trips (BEGIN, the query, COMMIT), and
    every round trip costs the service CPU in its event loop (issue 13). Under READ COMMITTED,
    PostgreSQL's default, each statement sees the data committed when it starts whether or
    not a transaction is open, so a read answers the same. The session refuses writes
    (RuntimeError), so a GET can never half-apply one. For services whose GET routes only read.
    """
    return async_sessionmaker(read_engine, expire_on_commit=False, autoflush=False,
                              sync_session_class=ReadOnlySession)


async def unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: one session that commits when the route returns and rolls
    back when it raises.

    Routes and service functions only flush. A route commits early itself only where a call to
    another service follows, so the remote side can see what was written (say why at the call).
    Used with `scope="function"` (see `request_session`) so the commit happens before the answer
    is sent: a failing commit is the answer, never a 2xx for data that was not kept.
    """
    reads: async_sessionmaker[AsyncSession] | None = getattr(
        request.app.state, "read_sessionmaker", None)
    if reads is not None and request.method in READS:
        async with reads() as session:  # autocommit: nothing to commit or roll back
            yield session
        return
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with factory() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


# FastAPI dependency: the request's session, committed on success (see `unit_of_work`).
request_session = Depends(unit_of_work, scope="function")


async def ping(engine: AsyncEngine) -> None:
    """Run a trivial query; raises when the database is unreachable."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


class UTCDateTime(TypeDecorator[datetime]):
    """Store instants in UTC; always hand back aware datetimes (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an instant is stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
