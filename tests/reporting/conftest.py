"""Reporting fixtures: the reporting app with the registry in-process, on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import delete

from services.reporting.config import ReportingSettings
from services.reporting.main import create_app
from services.reporting.migrate import migrate
from services.reporting.tables import metadata
from tests.registry.conftest import registry, registry_settings
from tests.registry.factories import ADMIN, SECRET, Registry

__all__ = ["Reporting", "registry", "registry_settings", "reporting", "reporting_settings"]


@pytest.fixture(scope="session")
def reporting_settings(database_url: str, redis_url: str,
                       tmp_path_factory: pytest.TempPathFactory) -> ReportingSettings:
    """Reporting on a freshly migrated database (its own SQLite file, or its own schema)."""
    if database_url.startswith("sqlite"):
        database_url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('reporting')}/reporting.db"
    settings = ReportingSettings(database_url=database_url, principal_secret=SECRET,
                                 redis_url=redis_url, registry_url="http://registry",
                                 checker_url="http://checker")
    migrate(settings)
    return settings


@dataclass
class Reporting:
    registry: Registry
    app: FastAPI
    client: httpx.AsyncClient  # as the administrator


@pytest.fixture
async def reporting(registry: Registry, reporting_settings: ReportingSettings
                    ) -> AsyncIterator[Reporting]:
    """The reporting app reading the in-process registry, on a clean database."""
    app = create_app(reporting_settings, registry.clock,
                     registry_transport=httpx.ASGITransport(app=registry.app))
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://reporting", headers=ADMIN,
                                     timeout=60) as client:
            yield Reporting(registry=registry, app=app, client=client)
        async with app.state.sessionmaker() as session:
            for table in reversed(metadata.sorted_tables):
                await session.execute(delete(table))
            await session.commit()
