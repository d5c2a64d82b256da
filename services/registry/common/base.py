"""The base of every registry table, with the registry's own metadata (not SQLModel's global)."""

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

mapper_registry = registry()


class RegistryTable(SQLModel, registry=mapper_registry):
    """Subclass with table=True for a registry table."""
