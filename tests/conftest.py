"""Test backends: every service-tier test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import asyncpg
import pytest

PG_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# The integration tier owns one Redis database (flushed between tests) and the gateway tier the
# next one; two test runs on one Redis server need different GOVINSPECT_TEST_REDIS_DB values.
REDIS_DB = int(os.environ.get("GOVINSPECT_TEST_REDIS_DB", "9"))
BACKENDS = [b.strip() for b in os.environ.get("GOVINSPECT_TEST_BACKENDS", "sqlite,postgres").split(",")
            if b.strip()]


def _pg(dsn: str, sql: str) -> None:
    async def go() -> None:
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()
    asyncio.run(go())


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    name = f"govinspect_test_{uuid.uuid4().hex[:10]}"
    try:
        _pg(PG_ADMIN_DSN, f'CREATE DATABASE "{name}"')
    except OSError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_DSN} ({exc}); start it, or set "
                    "GOVINSPECT_TEST_BACKENDS=sqlite to run the SQLite half only", pytrace=False)
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    yield f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    _pg(PG_ADMIN_DSN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database URL per backend: a SQLite file or the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db')}/test.db"
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_url")
        return url
    raise ValueError(f"unknown backend {request.param}")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The real Redis the integration tier talks to (a database of its own)."""
    return f"{REDIS_URL.rsplit('/', 1)[0]}/{REDIS_DB}"
