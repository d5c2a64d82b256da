"""One row per repost task and site or account: what the checker last told (repost.checked)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlmodel import Field

from services.reporting.common.base import ReportingTable
from shared.columns import instant_field, optional_instant


class RepostCopy(ReportingTable, table=True):
    __tablename__ = "repost_copy"

    task_id: uuid.UUID = Field(primary_key=True)
    target_id: uuid.UUID = Field(primary_key=True)
    title: str = Field(max_length=300)
    published_on: date = Field(index=True)
    due_on: date
    target_type: str = Field(max_length=16)
    target_code: str = Field(max_length=200)
    target_name: str = Field(max_length=300)
    organisation_id: uuid.UUID = Field(index=True)
    organisation_name: str = Field(max_length=300)
    region_code: str = Field(max_length=12, index=True)
    found_url: str | None = Field(default=None, max_length=2000)
    found_published_at: datetime | None = optional_instant()
    received_at: datetime = instant_field()
