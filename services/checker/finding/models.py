"""Findings tracked across runs by fingerprint, and the runs that saw them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field

from services.checker.common.base import CheckerTable
from shared.columns import id_field, instant_field, optional_instant


class Finding(CheckerTable, table=True):
    __table_args__ = (Index("ix_finding_target_rule", "target_id", "rule"),)

    id: uuid.UUID = id_field()
    fingerprint: str = Field(max_length=64, unique=True)
    target_id: uuid.UUID = Field(index=True)
    target_type: str = Field(default="website", max_length=16)
    target_code: str = Field(max_length=64)  # 网站标识码, or platform:account id
    target_name: str = Field(max_length=200)
    region_code: str = Field(max_length=6, index=True)
    organisation_id: uuid.UUID = Field(index=True)
    organisation_name: str = Field(max_length=200)
    rule: str = Field(max_length=64, index=True)
    indicator: str = Field(max_length=100)
    severity: str = Field(max_length=8, index=True)
    message: str = Field(max_length=2000)
    # The rule's locator (with rule and target it makes the fingerprint): the same dismissed
    # link on many sites shares rule and locator, so it can be marked on all of them at once.
    locator: str | None = Field(default=None, max_length=2048)
    url: str | None = Field(default=None, max_length=2048)
    parent_url: str | None = Field(default=None, max_length=2048)
    position: str | None = Field(default=None, max_length=1000)
    excerpt: str | None = Field(default=None, max_length=2000)
    offending: str | None = Field(default=None, max_length=1000)
    suggestion: str | None = Field(default=None, max_length=1000)
    points: float = 0.0
    screenshot: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    first_seen_at: datetime = instant_field()
    last_seen_at: datetime = instant_field()
    resolved_at: datetime | None = optional_instant()
    first_run_id: uuid.UUID
    last_run_id: uuid.UUID = Field(index=True)
    verdict: str | None = Field(default=None, max_length=16, index=True)
    verdict_by: str | None = Field(default=None, max_length=200)
    verdict_at: datetime | None = optional_instant()
    verdict_note: str | None = Field(default=None, max_length=1000)


class Sighting(CheckerTable, table=True):
    """A finding seen in a run; inserting it twice is impossible, so a re-run task adds none."""

    run_id: uuid.UUID = Field(primary_key=True)
    finding_id: uuid.UUID = Field(primary_key=True, foreign_key="finding.id")
    task_id: uuid.UUID = Field(index=True)
    seen_at: datetime = instant_field()
