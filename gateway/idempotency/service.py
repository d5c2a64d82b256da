"""Claiming an Idempotency-Key, recording the first response, and forgetting old ones."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from gateway.idempotency.models import DONE, IN_FLIGHT, IdempotencyRecord
from shared.errors import Conflict

Outcome = Literal["proceed", "replay", "mismatch", "in_flight", "not_replayable"]


@dataclass
class Claim:
    """What to do with a request carrying a key: run it, replay, or refuse."""

    outcome: Outcome
    record: IdempotencyRecord


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """Hash what makes two requests "the same request"."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode()):
        digest.update(part + b"\n")
    digest.update(body)
    return digest.hexdigest()


async def claim(sessions: async_sessionmaker[AsyncSession], *, subject: str, key: str, print_: str,
                method: str, path: str, now: datetime, retention_s: int, lock_s: int) -> Claim:
    """Claim a key for a request, or say why the request must not run."""
    for _ in range(3):
        async with sessions() as session:
            found = await session.scalar(select(IdempotencyRecord).where(
                col(IdempotencyRecord.subject) == subject, col(IdempotencyRecord.key) == key))
            if found is not None:
                abandoned = (found.state == IN_FLIGHT
                             and found.created_at + timedelta(seconds=lock_s) <= now)
                if found.expires_at <= now or abandoned:
                    # Whoever deletes it races any twin fairly for the insert below.
                    await session.execute(delete(IdempotencyRecord).where(
                        col(IdempotencyRecord.id) == found.id))
                    await session.commit()
                    continue
                if found.fingerprint != print_:
                    return Claim("mismatch", found)
                if found.state == IN_FLIGHT:
                    return Claim("in_flight", found)
                return Claim("replay" if found.replayable else "not_replayable", found)
            record = IdempotencyRecord(
                subject=subject, key=key, fingerprint=print_, method=method, path=path[:2048],
                created_at=now, expires_at=now + timedelta(seconds=retention_s))
            session.add(record)
            try:
                await session.commit()
            except IntegrityError:  # a concurrent twin inserted first; look again
                await session.rollback()
                continue
            return Claim("proceed", record)
    raise Conflict(f"幂等键 {key!r} 正被并发请求争用，请稍后重试。")


async def complete(sessions: async_sessionmaker[AsyncSession], record_id: uuid.UUID, *,
                   status: int, headers: list[list[str]], body: bytes | None, now: datetime) -> None:
    """Keep the first response of a claimed key (without body when it must not be replayed)."""
    async with sessions() as session:
        await session.execute(update(IdempotencyRecord).where(col(IdempotencyRecord.id) == record_id)
                              .values(state=DONE, status=status, headers=headers, body=body,
                                      replayable=body is not None, completed_at=now))
        await session.commit()


async def release(sessions: async_sessionmaker[AsyncSession], record_id: uuid.UUID) -> None:
    """Give a key back, so that a retry runs (the request failed on the server's side)."""
    async with sessions() as session:
        await session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.id) == record_id))
        await session.commit()


async def purge(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Forget records past their retention; return how many."""
    async with sessions() as session:
        result = await session.execute(delete(IdempotencyRecord).where(
            col(IdempotencyRecord.expires_at) <= now))
        await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
