"""Bring the reporting's database to the latest migration: `python -m services.reporting.migrate`."""

from __future__ import annotations

from pathlib import Path

from services.reporting.config import ReportingSettings
from shared.migrations import upgrade

MIGRATIONS = Path(__file__).parent / "migrations"


def migrate(settings: ReportingSettings | None = None) -> None:
    """Apply every pending reporting migration."""
    settings = settings or ReportingSettings()
    upgrade(MIGRATIONS, settings.resolved_database_url(), settings.db_schema)


if __name__ == "__main__":
    migrate()
