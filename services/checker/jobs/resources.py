"""What a checker worker owns for its lifetime: database, Redis, outbox, browser, fetcher."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.checker.config import CheckerSettings
from services.checker.ground.outcome import Outcome
from services.checker.run.models import Run
from shared.clock import Clock
from shared.events import Outbox

Inspect = Callable[[dict[str, Any], Run], Awaitable[Outcome]]


@dataclass
class Resources:
    settings: CheckerSettings
    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    outbox: Outbox
    inspect: Inspect
    extra: dict[str, Any] = field(default_factory=dict)
