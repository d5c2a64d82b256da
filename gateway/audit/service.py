"""Writing and querying the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from gateway.audit.models import AuditEntry


async def record(sessions: async_sessionmaker[AsyncSession], entry: AuditEntry) -> None:
    """Keep one audit entry, in a transaction of its own."""
    async with sessions() as session:
        session.add(entry)
        await session.commit()


@dataclass
class AuditFilter:
    """What an administrator narrows the audit log to."""

    subject: str | None = None
    method: str | None = None
    path_prefix: str | None = None
    status: int | None = None
    request_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def search(session: AsyncSession, where: AuditFilter, limit: int,
                 offset: int) -> tuple[list[AuditEntry], int]:
    """Return a page of matching entries, newest first, and how many match in all."""
    conditions: list[ColumnElement[bool]] = []
    if where.subject:
        conditions.append(col(AuditEntry.subject) == where.subject)
    if where.method:
        conditions.append(col(AuditEntry.method) == where.method.upper())
    if where.path_prefix:
        conditions.append(col(AuditEntry.path).startswith(where.path_prefix, autoescape=True))
    if where.status is not None:
        conditions.append(col(AuditEntry.status) == where.status)
    if where.request_id:
        conditions.append(col(AuditEntry.request_id) == where.request_id)
    if where.since is not None:
        conditions.append(col(AuditEntry.at) >= where.since)
    if where.until is not None:
        conditions.append(col(AuditEntry.at) < where.until)
    total = await session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    rows = await session.scalars(
        select(AuditEntry).where(*conditions)
        .order_by(col(AuditEntry.id).desc())
        .limit(limit).offset(offset))
    return list(rows), int(total or 0)
