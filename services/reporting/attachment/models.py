"""Attachments kept in reporting's own database, each tied to the item or write-up it documents."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field

from services.reporting.common.base import ReportingTable
from shared.columns import id_field, instant_field


class Attachment(ReportingTable, table=True):
    """One uploaded file; its scope is the subject's (region and unit), never the uploader's."""

    id: uuid.UUID = id_field()
    subject_type: str = Field(max_length=16)  # rectification / practice
    subject_id: uuid.UUID = Field(index=True)
    organisation_id: uuid.UUID = Field(index=True)
    region_code: str = Field(max_length=6, index=True)
    filename: str = Field(max_length=200)
    media_type: str = Field(max_length=64)  # as sniffed from the bytes, never as declared
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=LargeBinary)
    uploaded_by: str = Field(max_length=200)
    uploaded_at: datetime = instant_field()
