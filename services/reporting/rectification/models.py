"""Rectification items (整改) opened by a published circular, with every state change kept."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field

from services.reporting.common.base import ReportingTable
from shared.columns import id_field, instant_field, optional_instant


class RectificationItem(ReportingTable, table=True):
    __tablename__ = "rectification_item"
    __table_args__ = (UniqueConstraint("circular_id", "target_id", "rule",
                                       name="uq_item_circular_target_rule"),)

    id: uuid.UUID = id_field()
    circular_id: uuid.UUID = Field(foreign_key="circular.id", index=True)
    target_id: uuid.UUID = Field(index=True)
    target_type: str = Field(max_length=16)
    target_code: str = Field(max_length=64)
    target_name: str = Field(max_length=200)
    organisation_id: uuid.UUID = Field(index=True)
    organisation_name: str = Field(max_length=200)
    region_code: str = Field(max_length=6, index=True)
    rule: str = Field(max_length=64)
    indicator: str = Field(max_length=100)
    severity: str = Field(max_length=8)
    message: str = Field(max_length=2000)
    fingerprints: list[str] = Field(default_factory=list, sa_type=JSON)
    # open → reported → rechecking → closed, or back to open (reopened) when a re-check fails.
    status: str = Field(default="open", max_length=16, index=True)
    deadline_at: datetime = instant_field(index=True)
    opened_at: datetime = instant_field()
    closed_at: datetime | None = optional_instant()
    recheck_run_id: uuid.UUID | None = None
    # The deadline an event was already sent for: never twice for one deadline, never missed.
    overdue_sent_for: datetime | None = optional_instant()
    due_soon_sent_for: datetime | None = optional_instant()


class RectificationEvent(ReportingTable, table=True):
    __tablename__ = "rectification_event"

    id: uuid.UUID = id_field()
    item_id: uuid.UUID = Field(foreign_key="rectification_item.id", index=True)
    at: datetime = instant_field()
    actor: str = Field(max_length=200)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=2000)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
