"""Bring the checker's database to the latest migration: `python -m services.checker.migrate`."""

from __future__ import annotations

from pathlib import Path

from services.checker.config import CheckerSettings
from shared.migrations import upgrade

MIGRATIONS = Path(__file__).parent / "migrations"


def migrate(settings: CheckerSettings | None = None) -> None:
    """Apply every pending checker migration."""
    settings = settings or CheckerSettings()
    upgrade(MIGRATIONS, settings.resolved_database_url(), settings.db_schema)


if __name__ == "__main__":
    migrate()
