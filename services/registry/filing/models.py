"""The filing table: one immutable row per lifecycle event of a website or account."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field

from services.registry.common.base import RegistryTable
from shared.columns import id_field, instant_field


class Filing(RegistryTable, table=True):
    __table_args__ = (Index("ix_filing_target", "target_type", "target_id", "filed_at"),)

    id: uuid.UUID = id_field()
    target_type: str = Field(max_length=16)
    target_id: uuid.UUID
    # The scope of the target, so a list of filings is scoped and paged in SQL: its sponsor
    # (a website's organisation, an account's sponsor) and an account's operator. They follow
    # the target: when a filing moves it to another unit, its earlier filings move with it.
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    operator_id: uuid.UUID | None = Field(default=None, foreign_key="organisation.id", index=True)
    action: str = Field(max_length=24, index=True)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    occurred_at: datetime = instant_field()
    filed_at: datetime = instant_field(index=True)
    filed_by: str = Field(max_length=200)
    note: str | None = Field(default=None, max_length=2000)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] = Field(sa_type=JSON)
