"""Registry fixtures: a migrated database per backend and the app behind an ASGI client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import delete

from services.registry.config import RegistrySettings
from services.registry.main import create_app
from services.registry.migrate import migrate
from services.registry.tables import metadata
from shared.clock import FixedClock
from tests.registry.factories import SECRET, Registry

SEEDED = "region"


@pytest.fixture(scope="session")
def registry_settings(database_url: str, redis_url: str) -> RegistrySettings:
    """Settings pointing at a freshly migrated database of the current backend."""
    settings = RegistrySettings(database_url=database_url, principal_secret=SECRET,
                                redis_url=redis_url,
                                event_routes={"website.*": ["govinspect:test"],
                                              "account.*": ["govinspect:test"],
                                              "filing.late": ["govinspect:test"]})
    migrate(settings)
    return settings


@pytest.fixture
async def registry(registry_settings: RegistrySettings) -> AsyncIterator[Registry]:
    """The registry app on a clean database, with a clock fixed at 2026-11-20 10:00 Shanghai."""
    clock = FixedClock(datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    app = create_app(registry_settings, clock)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            yield Registry(app=app, client=client, clock=clock)
        async with app.state.sessionmaker() as session:
            for table in reversed(metadata.sorted_tables):
                stmt = delete(table)
                if table.name == SEEDED:
                    stmt = stmt.where(table.c.parent_code.is_not(None))
                    # children before parents: county rows first
                    await session.execute(delete(table).where(table.c.level == "county"))
                await session.execute(stmt)
            await session.commit()
