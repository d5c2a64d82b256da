"""The integration tier: the registry and the checker apps, in-process, on one backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import delete

from services.checker.config import CheckerSettings
from services.checker.main import create_app as create_checker
from services.checker.migrate import migrate as migrate_checker
from services.checker.tables import metadata as checker_metadata
from services.reporting.config import ReportingSettings
from services.reporting.main import create_app as create_reporting
from services.reporting.tables import metadata as reporting_metadata
from tests.registry.conftest import registry, registry_settings
from tests.registry.factories import ADMIN, SECRET, Registry
from tests.reporting.conftest import reporting_settings

__all__ = ["Suite", "checker_settings", "registry", "registry_settings", "reporting_app",
           "reporting_settings", "suite"]


@pytest.fixture(scope="session")
def checker_settings(database_url: str, redis_url: str,
                     tmp_path_factory: pytest.TempPathFactory) -> CheckerSettings:
    """Checker settings on a freshly migrated database of the current backend.

    On PostgreSQL the checker shares the database and keeps its own schema; on SQLite each
    service has its own file, as in production.
    """
    if database_url.startswith("sqlite"):
        database_url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('checker')}/checker.db"
    settings = CheckerSettings(database_url=database_url, principal_secret=SECRET,
                               redis_url=redis_url, registry_url="http://registry",
                               evidence_dir=tmp_path_factory.mktemp("evidence"),
                               allow_private_addresses=True, max_pages=40,
                               link_recheck_delay_s=0.5,
                               reconcile_interval_s=5)
    migrate_checker(settings)
    return settings


@dataclass
class Suite:
    registry: Registry
    checker: FastAPI
    client: httpx.AsyncClient  # to the checker, as the administrator


@pytest.fixture
async def suite(registry: Registry, checker_settings: CheckerSettings) -> AsyncIterator[Suite]:
    """The checker app reading the in-process registry, on a clean database."""
    app = create_checker(checker_settings, registry.clock,
                         registry_transport=httpx.ASGITransport(app=registry.app))
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://checker", headers=ADMIN,
                                     timeout=60) as client:
            await app.state.redis.flushdb()
            yield Suite(registry=registry, checker=app, client=client)
            await app.state.redis.flushdb()
        async with app.state.sessionmaker() as session:
            for table in reversed(checker_metadata.sorted_tables):
                await session.execute(delete(table))
            await session.commit()


@pytest.fixture
async def reporting_app(suite: Suite, reporting_settings: ReportingSettings) -> AsyncIterator[FastAPI]:
    """Reporting reading the suite's registry and checker, on a clean database."""
    app = create_reporting(reporting_settings, suite.registry.clock,
                           registry_transport=httpx.ASGITransport(app=suite.registry.app),
                           checker_transport=httpx.ASGITransport(app=suite.checker))
    async with LifespanManager(app):
        yield app
        async with app.state.sessionmaker() as s:
            for table in reversed(reporting_metadata.sorted_tables):
                await s.execute(delete(table))
            await s.commit()
