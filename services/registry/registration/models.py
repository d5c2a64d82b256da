"""The registration request table (补报备案通知): one discovered, unfiled account or site."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy.orm import declared_attr
from sqlmodel import Field

from services.registry.common.base import RegistryTable
from shared.columns import id_field, instant_field, optional_instant


class RegistrationRequest(RegistryTable, table=True):
    __tablename__ = "registration_request"

    id: uuid.UUID = id_field()
    kind: str = Field(max_length=16)  # account / website
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(max_length=6, index=True)  # the unit's, for scope
    platform: str | None = Field(default=None, max_length=32)
    platform_account_id: str | None = Field(default=None, max_length=200)
    name: str = Field(max_length=200)
    domain: str | None = Field(default=None, max_length=253, index=True)
    url: str | None = Field(default=None, max_length=2048)
    seen_on: list[str] = Field(default_factory=list, sa_type=JSON)
    finding_id: uuid.UUID | None = None  # the checker finding it was made from
    note: str | None = Field(default=None, max_length=2000)
    status: str = Field(max_length=16, index=True)  # open / filed / dismissed
    requested_by: str = Field(max_length=200)
    closed_by: str | None = Field(default=None, max_length=200)
    closing_note: str | None = Field(default=None, max_length=2000)
    filed_target_id: uuid.UUID | None = None  # the account or website whose filing closed it
    version: int = 1
    created_at: datetime = instant_field()
    closed_at: datetime | None = optional_instant()

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, object]:
        # Optimistic locking: an UPDATE names the version it read, so a concurrent write fails.
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
