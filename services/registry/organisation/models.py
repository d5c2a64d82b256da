"""The organisation (单位) table."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import declared_attr
from sqlmodel import Field

from services.registry.common.base import RegistryTable
from shared.columns import id_field, instant_field


class Organisation(RegistryTable, table=True):
    __table_args__ = (UniqueConstraint("region_code", "name", name="uq_organisation_region_name"),)

    id: uuid.UUID = id_field()
    name: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=40)
    region_code: str = Field(foreign_key="region.code", index=True, max_length=6)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="organisation.id", index=True)
    credit_code: str | None = Field(default=None, max_length=18, unique=True)
    provides_services: bool = True
    version: int = 1
    created_at: datetime = instant_field()
    updated_at: datetime = instant_field()

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, object]:
        # Optimistic locking: an UPDATE names the version it read, so a concurrent write fails.
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
