"""Bring the registry's database to the latest migration: `python -m services.registry.migrate`."""

from __future__ import annotations

from pathlib import Path

from services.registry.config import RegistrySettings
from shared.migrations import upgrade

MIGRATIONS = Path(__file__).parent / "migrations"


def migrate(settings: RegistrySettings | None = None) -> None:
    """Apply every pending registry migration."""
    settings = settings or RegistrySettings()
    upgrade(MIGRATIONS, settings.resolved_database_url(), settings.db_schema)


if __name__ == "__main__":
    migrate()
