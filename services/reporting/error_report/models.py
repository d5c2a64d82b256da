"""Citizens' error reports (我为政府网站找错): routed to the unit, answered within working days."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from services.reporting.common.base import ReportingTable
from shared.columns import id_field, instant_field, optional_instant


class ErrorReport(ReportingTable, table=True):
    __tablename__ = "error_report"

    id: uuid.UUID = id_field()
    website_id: uuid.UUID = Field(index=True)
    site_code: str = Field(max_length=10)
    site_name: str = Field(max_length=200)
    organisation_id: uuid.UUID = Field(index=True)
    organisation_name: str = Field(max_length=200)
    region_code: str = Field(max_length=6, index=True)
    page_url: str | None = Field(default=None, max_length=2048)
    category: str = Field(max_length=32)
    content: str = Field(max_length=5000)
    reporter_contact: str | None = Field(default=None, max_length=200)
    submitted_at: datetime = instant_field(index=True)
    deadline_at: datetime = instant_field(index=True)
    status: str = Field(default="open", max_length=16, index=True)  # open / answered
    answer: str | None = Field(default=None, max_length=5000)
    answered_at: datetime | None = optional_instant()
    answered_by: str | None = Field(default=None, max_length=200)
    overdue_sent_for: datetime | None = optional_instant()
