"""Reporting's own copy of inspection results, fed by checker events (idempotent)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field

from services.reporting.common.base import ReportingTable
from shared.columns import instant_field


class Result(ReportingTable, table=True):
    """One target's outcome in one run (from target.inspected)."""

    __table_args__ = (Index("ix_result_target_asof", "target_id", "as_of"),)

    task_id: uuid.UUID = Field(primary_key=True)
    run_id: uuid.UUID = Field(index=True)
    as_of: datetime = instant_field(index=True)
    target_id: uuid.UUID
    target_type: str = Field(max_length=16)  # website / account
    target_code: str = Field(max_length=64)
    target_name: str = Field(max_length=200)
    kind: str = Field(max_length=32)  # portal / department / platform
    organisation_id: uuid.UUID = Field(index=True)
    organisation_name: str = Field(max_length=200)
    region_code: str = Field(max_length=6, index=True)
    score: float | None = None
    # None: the target could not be inspected (未能检查), never counted 合格 or 不合格.
    passed: bool | None = None
    uninspected_reason: str | None = Field(default=None, max_length=500)
    vetoes: list[str] = Field(default_factory=list, sa_type=JSON)
    deductions: dict[str, float] = Field(default_factory=dict, sa_type=JSON)
    problems: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    # The checker's revision of this result (target.rescored counts up): the highest one wins.
    revision: int = 0
    received_at: datetime = instant_field()


class LateFiling(ReportingTable, table=True):
    """A filing the registry judged late (from filing.late)."""

    __tablename__ = "late_filing"

    filing_id: uuid.UUID = Field(primary_key=True)
    target_type: str = Field(max_length=16)
    target_id: uuid.UUID
    action: str = Field(max_length=24)
    region_code: str | None = Field(default=None, max_length=6, index=True)
    organisation_id: uuid.UUID | None = None
    name: str | None = Field(default=None, max_length=200)
    due_on: str | None = Field(default=None, max_length=10)
    filed_at: datetime = instant_field()
