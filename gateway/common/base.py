"""The base of every gateway table, with the gateway's own metadata."""

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

mapper_registry = registry()


class GatewayTable(SQLModel, registry=mapper_registry):
    """Subclass with table=True for a gateway table."""
