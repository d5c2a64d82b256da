"""Round trips per request on PostgreSQL (issue 13): the pool's ping (a connection that died
while idle is replaced before a request uses it; one returned moments ago is lent without a
round trip) and GET sessions without a transaction."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import column, exc, insert, table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import make_engine, make_read_engine, make_read_sessionmaker, make_sessionmaker
from tests.conftest import BACKENDS, PG_ADMIN_DSN

pytestmark = pytest.mark.skipif("postgres" not in BACKENDS, reason="PostgreSQL pool only")


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _kill(pid: int) -> None:
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        # With a timeout, PostgreSQL (14+) answers once the backend has exited.
        assert await admin.fetchval("SELECT pg_terminate_backend($1, 10000)", pid)
    finally:
        await admin.close()


async def test_a_connection_killed_while_idle_is_replaced_before_use(pg_url: str) -> None:
    engine = make_engine(pg_url, None, pool_size=1, max_overflow=0, pool_ping_idle_s=0)
    try:
        first = await _backend_pid(engine)
        await _kill(first)
        second = await _backend_pid(engine)  # no error: the ping found it dead
        assert second != first
    finally:
        await engine.dispose()


async def test_a_recently_returned_connection_is_not_pinged_and_a_dead_one_resets_the_pool(
        pg_url: str) -> None:
    engine = make_engine(pg_url, None, pool_size=2, max_overflow=0, pool_ping_idle_s=3600)
    try:
        async with engine.connect() as a, engine.connect() as b:  # two pooled connections
            pids = [int((await c.execute(text("SELECT pg_backend_pid()"))).scalar_one())
                    for c in (a, b)]
        for pid in pids:
            await _kill(pid)
        # Within the idle allowance the connection is lent unpinged: the one request fails...
        with pytest.raises(exc.DBAPIError) as failed:
            await _backend_pid(engine)
        assert failed.value.connection_invalidated
        # ...and the disconnect invalidated the whole pool: the next one gets a fresh connection.
        assert await _backend_pid(engine) not in pids
    finally:
        await engine.dispose()


async def test_a_read_session_runs_each_statement_on_its_own_and_refuses_writes(
        pg_url: str) -> None:
    # GET requests of the registry (issue 13): no BEGIN/COMMIT round trips, and no way to
    # half-apply a write from a GET.
    engine = make_engine(pg_url, None, pool_size=1, max_overflow=0)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE IF NOT EXISTS pool_probe (n int)"))
        txid = text("SELECT txid_current()")
        async with make_sessionmaker(engine)() as session:
            first, second = [(await session.execute(txid)).scalar_one() for _ in range(2)]
            assert first == second  # one transaction for the unit of work
        reads = make_read_engine(pg_url, None, pool_size=1, max_overflow=0)
        try:
            async with make_read_sessionmaker(reads)() as session:
                first, second = [(await session.execute(txid)).scalar_one() for _ in range(2)]
                assert first != second  # each statement is its own
                with pytest.raises(RuntimeError, match="GET"):
                    await session.execute(insert(table("pool_probe", column("n"))).values(n=1))
        finally:
            await reads.dispose()
        async with make_sessionmaker(engine)() as session:  # writes keep their transaction
            first, second = [(await session.execute(txid)).scalar_one() for _ in range(2)]
            assert first == second
            assert (await session.execute(text("SELECT count(*) FROM pool_probe"))).scalar_one() == 0
    finally:
        await engine.dispose()
