"""Disputes of findings: raised by a unit with a reason, accepted or rejected by a supervisor."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field

from services.reporting.common.base import ReportingTable
from shared.columns import id_field, instant_field, optional_instant


class Dispute(ReportingTable, table=True):
    """One dispute; the finding's identity is copied so the list reads without the checker."""

    # At most one dispute of a finding awaits a decision (a partial unique index on both backends).
    __table_args__ = (Index("uq_dispute_pending_finding", "finding_id", unique=True,
                            sqlite_where=text("status = 'pending'"),
                            postgresql_where=text("status = 'pending'")),)

    id: uuid.UUID = id_field()
    finding_id: uuid.UUID = Field(index=True)
    target_id: uuid.UUID
    target_type: str = Field(max_length=16)
    target_code: str = Field(max_length=64)
    target_name: str = Field(max_length=200)
    organisation_id: uuid.UUID = Field(index=True)
    organisation_name: str = Field(max_length=200)
    region_code: str = Field(max_length=6, index=True)
    rule: str = Field(max_length=64)
    indicator: str = Field(max_length=100)
    message: str = Field(max_length=2000)
    kind: str = Field(max_length=16)  # false_positive 误报 / doubtful 存疑
    reason: str = Field(max_length=2000)
    status: str = Field(default="pending", max_length=16, index=True)  # pending / accepted / rejected
    raised_by: str = Field(max_length=200)
    raised_at: datetime = instant_field()
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = optional_instant()
    decision_note: str | None = Field(default=None, max_length=1000)
