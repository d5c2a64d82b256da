"""Repost tasks and, per task and target, the repost an inspection found (or did not)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field

from services.checker.common.base import CheckerTable
from shared.columns import id_field, instant_field, optional_instant


class RepostTask(CheckerTable, table=True):
    """An article every site or account in `scope` must repost within the deadline."""

    __tablename__ = "repost_task"

    id: uuid.UUID = id_field()
    # Set by a bulk import from the provincial system; a second import of the same id is refused.
    external_id: str | None = Field(default=None, max_length=100, unique=True)
    title: str = Field(max_length=300)
    source_url: str = Field(max_length=2000)
    body: str = Field(sa_type=Text)
    published_on: date
    region_code: str = Field(max_length=12, index=True)  # the supervisor's region: who sees the task
    scope: dict[str, Any] = Field(sa_type=JSON)  # regions, organisation_ids, kinds
    column: str | None = Field(default=None, max_length=100)
    deadline_working_days: int
    # The deadline is part of the task as issued: working days after publication on the
    # registry's calendar when the task was created (a calendar change later does not move it).
    due_on: date
    created_by: str = Field(max_length=200)
    created_at: datetime = instant_field()


class RepostResult(CheckerTable, table=True):
    """What the inspections found for one task on one site or account (the first repost found)."""

    __tablename__ = "repost_result"
    __table_args__ = (UniqueConstraint("task_id", "target_id"),)

    id: uuid.UUID = id_field()
    task_id: uuid.UUID = Field(foreign_key="repost_task.id", index=True)
    target_type: str = Field(max_length=20)  # website / account
    target_id: uuid.UUID
    target_code: str = Field(max_length=200)
    target_name: str = Field(max_length=300)
    organisation_id: uuid.UUID = Field(index=True)
    organisation_name: str = Field(max_length=300)
    region_code: str = Field(max_length=12, index=True)
    found_url: str | None = Field(default=None, max_length=2000)
    found_title: str | None = Field(default=None, max_length=500)
    found_published_at: datetime | None = optional_instant()
    similarity: float | None = None  # containment of the article's shingles in the repost
    in_column: bool | None = None  # found under the task's column (None: no column named)
    run_id: uuid.UUID
    checked_at: datetime = instant_field()
