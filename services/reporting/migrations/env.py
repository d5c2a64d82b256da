"""Alembic environment of reporting."""

from services.reporting.tables import metadata
from shared.migrations import run_env

run_env(metadata, "reporting")
