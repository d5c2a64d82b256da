"""The base of every checker table, with the checker's own metadata."""

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

mapper_registry = registry()


class CheckerTable(SQLModel, registry=mapper_registry):
    """Subclass with table=True for a checker table."""
