"""Practice write-ups with every version kept (the unit's submission history)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Text
from sqlalchemy.orm import declared_attr
from sqlmodel import Field

from services.reporting.common.base import ReportingTable
from shared.columns import id_field, instant_field


class Practice(ReportingTable, table=True):
    """A unit's write-up: its current text, and where a supervisor placed it."""

    id: uuid.UUID = id_field()
    organisation_id: uuid.UUID = Field(index=True)
    organisation_name: str = Field(max_length=200)
    region_code: str = Field(max_length=6, index=True)
    title: str = Field(max_length=100)
    text: str = Field(sa_type=Text)
    links: list[str] = Field(default_factory=list, sa_type=JSON)
    images: list[str] = Field(default_factory=list, sa_type=JSON)  # attachment ids
    # submitted → shortlisted (for one circular) or declined; back to submitted when unlisted.
    status: str = Field(default="submitted", max_length=16, index=True)
    circular_id: uuid.UUID | None = Field(default=None, foreign_key="circular.id", index=True)
    position: int | None = None  # order within the circular's 主要做法
    decision_note: str | None = Field(default=None, max_length=1000)
    submitted_by: str = Field(max_length=200)
    submitted_at: datetime = instant_field()
    updated_at: datetime = instant_field()
    version: int = 1

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, object]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class PracticeVersion(ReportingTable, table=True):
    """One state of a write-up's text, by whom (the unit, or a supervisor editing it)."""

    __tablename__ = "practice_version"

    id: uuid.UUID = id_field()
    practice_id: uuid.UUID = Field(foreign_key="practice.id", index=True)
    version: int
    title: str = Field(max_length=100)
    text: str = Field(sa_type=Text)
    links: list[str] = Field(default_factory=list, sa_type=JSON)
    images: list[str] = Field(default_factory=list, sa_type=JSON)
    edited_by: str = Field(max_length=200)
    edited_as: str = Field(max_length=16)  # unit / supervisor
    edited_at: datetime = instant_field()
