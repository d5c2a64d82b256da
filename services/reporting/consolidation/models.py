"""Supervisors' decisions on the consolidation report, and the unit's confirmation of them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from services.reporting.common.base import ReportingTable
from shared.columns import id_field, instant_field, optional_instant


class ConsolidationDecision(ReportingTable, table=True):
    """What a supervisor decided for one account; a merge or closure awaits its unit."""

    __tablename__ = "consolidation_decision"

    id: uuid.UUID = id_field()
    account_id: uuid.UUID = Field(index=True)
    account_name: str = Field(max_length=200)
    platform: str = Field(max_length=32)
    organisation_id: uuid.UUID = Field(index=True)  # the sponsor, who confirms
    organisation_name: str = Field(max_length=200)
    region_code: str = Field(max_length=6, index=True)
    action: str = Field(max_length=16)  # keep / improve / merge / close
    merge_into_id: uuid.UUID | None = None
    merge_into_name: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=1000)
    # decided (keep / improve), awaiting_unit (merge / close) → filed when the unit confirms.
    status: str = Field(max_length=16, index=True)
    decided_by: str = Field(max_length=200)
    decided_at: datetime = instant_field()
    confirmed_by: str | None = Field(default=None, max_length=200)
    confirmed_at: datetime | None = optional_instant()
    filing_id: uuid.UUID | None = None
