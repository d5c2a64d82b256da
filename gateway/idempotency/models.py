"""The idempotency record: one per (principal, Idempotency-Key), holding the first response."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, LargeBinary, UniqueConstraint
from sqlmodel import Field

from gateway.common.base import GatewayTable
from shared.db import UTCDateTime

IN_FLIGHT, DONE = "in_flight", "done"


class IdempotencyRecord(GatewayTable, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("subject", "key", name="uq_idempotency_subject_key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Keys are scoped per principal: two clients may pick the same key without colliding.
    subject: str = Field(max_length=200)
    key: str = Field(max_length=255)
    # SHA-256 over method, path, query and body: the same key with anything else is refused.
    fingerprint: str = Field(max_length=64)
    method: str = Field(max_length=8)
    path: str = Field(max_length=2048)
    state: str = Field(default=IN_FLIGHT, max_length=16)
    status: int | None = None
    headers: list[list[str]] = Field(default_factory=list, sa_type=JSON)
    body: bytes | None = Field(default=None, sa_type=LargeBinary)
    # False when the first response showed a secret (Cache-Control: no-store) or was too large
    # to keep: a retry is told the request was done, never re-run.
    replayable: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
