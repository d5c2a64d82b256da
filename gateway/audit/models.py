"""The audit log: one row per write that came through the gateway."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Integer
from sqlmodel import Field

from gateway.common.base import GatewayTable
from shared.db import UTCDateTime


class AuditEntry(GatewayTable, table=True):
    __tablename__ = "audit_entry"

    # A sequence, not a UUID: the log reads in the order it was written, even within a second.
    # BIGINT on PostgreSQL; SQLite numbers rows only through an INTEGER primary key.
    id: int | None = Field(default=None, primary_key=True,
                           sa_type=BigInteger().with_variant(Integer(), "sqlite"))
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    # Who: the principal's subject (apikey:…, client:gic_…), its name and roles at the time.
    subject: str = Field(max_length=200, index=True)
    name: str = Field(default="", max_length=200)
    roles: list[str] = Field(default_factory=list, sa_type=JSON)
    # What: the request line and the answer.
    method: str = Field(max_length=8)
    path: str = Field(max_length=2048, index=True)
    query: str = Field(default="", max_length=2048)
    status: int = Field(index=True)
    # From where, and how to find the same request in every service's log.
    address: str = Field(default="", max_length=64)
    request_id: str = Field(default="", max_length=128, index=True)
    user_agent: str = Field(default="", max_length=300)
    idempotency_key: str | None = Field(default=None, max_length=255)
    replayed: bool = False
    duration_ms: float = 0.0
