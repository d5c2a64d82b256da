"""The base of every reporting table, with reporting's own metadata."""

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

mapper_registry = registry()


class ReportingTable(SQLModel, registry=mapper_registry):
    """Subclass with table=True for a reporting table."""
