"""Alembic environment of the registry."""

from services.registry.tables import metadata
from shared.migrations import run_env

run_env(metadata, "registry")
