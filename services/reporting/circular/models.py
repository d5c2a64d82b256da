"""Circulars (通报): drafts with editable narrative; published ones frozen."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlalchemy.orm import declared_attr
from sqlmodel import Field

from services.reporting.common.base import ReportingTable
from shared.columns import id_field, instant_field, optional_instant


class Circular(ReportingTable, table=True):
    __table_args__ = (UniqueConstraint("number", name="uq_circular_number"),)

    id: uuid.UUID = id_field()
    title: str = Field(max_length=300)
    region_code: str = Field(max_length=6, index=True)
    period_start: date
    period_end: date
    status: str = Field(default="draft", max_length=16, index=True)  # draft / published
    issuing_office: str = Field(max_length=200)
    narrative: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    # The deadline for rectification: an instant, or working days from publication.
    deadline_at: datetime | None = optional_instant()
    deadline_working_days: int | None = None
    # Frozen at publication: the computed content as it was published.
    content: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    number: str | None = Field(default=None, max_length=100)
    issued_on: date | None = None
    corrects_id: uuid.UUID | None = Field(default=None, foreign_key="circular.id")
    version: int = 1
    created_by: str = Field(max_length=200)
    created_at: datetime = instant_field()
    updated_at: datetime = instant_field()
    published_at: datetime | None = optional_instant()
    published_by: str | None = Field(default=None, max_length=200)

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, object]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
