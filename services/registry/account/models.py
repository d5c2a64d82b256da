"""The new-media account table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlalchemy.orm import declared_attr
from sqlmodel import Field

from services.registry.common.base import RegistryTable
from shared.columns import id_field, instant_field


class Account(RegistryTable, table=True):
    __table_args__ = (UniqueConstraint("platform", "platform_account_id",
                                       name="uq_account_platform_id"),)

    id: uuid.UUID = id_field()
    platform: str = Field(max_length=32, index=True)
    platform_account_id: str = Field(max_length=200)
    name: str = Field(max_length=200, index=True)
    url: str | None = Field(default=None, max_length=2048)
    sponsor_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    operator_id: uuid.UUID | None = Field(default=None, foreign_key="organisation.id")
    status: str = Field(max_length=16, index=True)
    compliance_flags: list[str] = Field(default_factory=list, sa_type=JSON)
    # How the checker reads the account's posts (shared.contracts.registry.AccountFeed).
    feed: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    version: int = 1
    created_at: datetime = instant_field()
    updated_at: datetime = instant_field()

    @property
    def filing_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        """The units its filings are scoped by: the sponsor and the operator."""
        return self.sponsor_id, self.operator_id

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, object]:
        # Optimistic locking: an UPDATE names the version it read, so a concurrent write fails.
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
