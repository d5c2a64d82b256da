"""Alembic environment of the checker."""

from services.checker.tables import metadata
from shared.migrations import run_env

run_env(metadata, "checker")
