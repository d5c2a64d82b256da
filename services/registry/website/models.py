"""The website table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import declared_attr
from sqlmodel import Field

from services.registry.common.base import RegistryTable
from shared.columns import id_field, instant_field


class Website(RegistryTable, table=True):
    id: uuid.UUID = id_field()
    site_code: str = Field(unique=True, max_length=10)
    name: str = Field(max_length=200, index=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=16)
    domains: list[str] = Field(sa_type=JSON)
    # The main domain, kept in its own column for search and uniqueness checks.
    main_domain: str = Field(max_length=253, index=True)
    home_url: str = Field(max_length=2048)
    icp_number: str | None = Field(default=None, max_length=64)
    psb_number: str | None = Field(default=None, max_length=64)
    status: str = Field(max_length=16, index=True)
    compliance_flags: list[str] = Field(default_factory=list, sa_type=JSON)
    # The filing's crawl politeness override (shared.contracts.registry.CrawlPoliteness).
    politeness: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    version: int = 1
    created_at: datetime = instant_field()
    updated_at: datetime = instant_field()

    @property
    def filing_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        """The units its filings are scoped by: the sponsor (a website has no operator)."""
        return self.organisation_id, None

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, object]:
        # Optimistic locking: an UPDATE names the version it read, so a concurrent write fails.
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
