"""Notice contacts (where a unit's or a supervising office's e-mail goes) and the notice log."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field

from services.reporting.common.base import ReportingTable
from shared.columns import id_field, instant_field, optional_instant


class NoticeContact(ReportingTable, table=True):
    """An e-mail address for deadline notices: a unit's (organisation) or a supervising office's
    (the region whose circulars it issues)."""

    __tablename__ = "notice_contact"

    id: uuid.UUID = id_field()
    role: str = Field(max_length=16)  # unit / supervisor
    region_code: str = Field(max_length=6, index=True)
    organisation_id: uuid.UUID | None = Field(default=None, index=True)  # for a unit
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    created_by: str = Field(max_length=200)
    created_at: datetime = instant_field()


class Notice(ReportingTable, table=True):
    """One notice sent (or attempted): a callback event per item, or an e-mail per unit and deadline."""

    __tablename__ = "notice"

    id: uuid.UUID = id_field()
    kind: str = Field(max_length=16, index=True)  # due_soon / overdue
    channel: str = Field(max_length=16)  # callback / email
    organisation_id: uuid.UUID = Field(index=True)
    organisation_name: str = Field(max_length=200)
    region_code: str = Field(max_length=6, index=True)
    circular_id: uuid.UUID
    deadline_at: datetime = instant_field()
    item_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    recipients: list[str] = Field(default_factory=list, sa_type=JSON)
    subject: str | None = Field(default=None, max_length=300)
    # callback: queued (in the outbox, which delivers it with retries). email: pending (written
    # with the claim, waiting for the sender), sending (claimed by a sender until
    # `next_attempt_at`), sent, failed (retried at `next_attempt_at` while `attempts` is below
    # the limit) or no_recipients.
    status: str = Field(max_length=16, index=True)
    error: str | None = Field(default=None, max_length=1000)
    attempts: int = 0
    next_attempt_at: datetime | None = optional_instant()
    created_at: datetime = instant_field()
    sent_at: datetime | None = optional_instant()
