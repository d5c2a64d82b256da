"""Bring the gateway's database to the latest migration: `python -m gateway.migrate`."""

from __future__ import annotations

from pathlib import Path

from gateway.config import GatewaySettings
from shared.migrations import upgrade

MIGRATIONS = Path(__file__).parent / "migrations"


def migrate(settings: GatewaySettings | None = None) -> None:
    """Apply every pending gateway migration."""
    settings = settings or GatewaySettings()
    upgrade(MIGRATIONS, settings.resolved_database_url(), settings.db_schema)


if __name__ == "__main__":
    migrate()
