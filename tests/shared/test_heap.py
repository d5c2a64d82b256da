"""An API process freezes the heap it built at start-up, so full collections skip it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager

from shared.app import build_app
from shared.config import ServiceSettings


async def test_a_started_service_has_frozen_its_start_up_heap(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ServiceSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/s.db",
                               principal_secret="s" * 40)
    gc.unfreeze()
    try:
        app = build_app(title="t", description="d", settings=settings, configure_log=False)
        async with LifespanManager(app):
            assert gc.get_freeze_count() > 10_000  # modules, models, routes: all of it
        gc.unfreeze()
        monkeypatch.setenv("GOVINSPECT_GC_FREEZE", "0")
        async with LifespanManager(build_app(title="t", description="d", settings=settings,
                                             configure_log=False)):
            assert gc.get_freeze_count() == 0  # the switch turns it off
    finally:
        gc.unfreeze()
