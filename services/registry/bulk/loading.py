"""Preloading the stored rows a bulk file refers to, a few queries per file rather than per row."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.registry.account.models import Account
from services.registry.common.lifecycle import ACTIVE
from services.registry.organisation.models import Organisation
from services.registry.website.models import Website

# Well under the bound-parameter limits of SQLite (32766) and asyncpg (32767).
CHUNK = 1000
T = TypeVar("T")


def among(column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """`column IN (...)` with the values written into the SQL rather than bound.

    On PostgreSQL a prepared statement with hundreds of parameters switches to a generic plan
    after five runs; planned while the table was small, it keeps scanning every row against
    the whole list long after the table has grown (seconds for 10,000 sites). Inlined values
    are planned for what they are each time, using the index or a hashed lookup.
    """
    return column.in_(bindparam(f"among_{column.key}", list(values), expanding=True,
                                literal_execute=True))


def chunks(values: Collection[T]) -> Iterator[list[T]]:
    """Split values into lists of at most CHUNK."""
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


async def websites_by_code(session: AsyncSession, codes: Collection[str]) -> dict[str, Website]:
    """Stored websites with these 网站标识码."""
    out: dict[str, Website] = {}
    for part in chunks(codes):
        rows = await session.execute(select(Website).where(among(col(Website.site_code), part)))
        out.update((w.site_code, w) for w in rows.scalars())
    return out


async def active_domain_owners(session: AsyncSession,
                               domains: Collection[str]) -> list[tuple[str, str]]:
    """(main domain, 网站标识码) of active websites using these main domains."""
    out: list[tuple[str, str]] = []
    for part in chunks(domains):
        rows = await session.execute(select(col(Website.main_domain), col(Website.site_code)).where(
            among(col(Website.main_domain), part), col(Website.status).in_([s.value for s in ACTIVE])))
        out.extend((d, c) for d, c in rows)
    return out


async def accounts_by_key(session: AsyncSession,
                          keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], Account]:
    """Stored accounts with these (platform, platform account id) keys."""
    wanted = set(keys)
    out: dict[tuple[str, str], Account] = {}
    for part in chunks({k[1] for k in wanted}):
        rows = await session.execute(
            select(Account).where(among(col(Account.platform_account_id), part)))
        for acc in rows.scalars():
            if (acc.platform, acc.platform_account_id) in wanted:
                out[(acc.platform, acc.platform_account_id)] = acc
    return out


async def organisations_by_id(session: AsyncSession,
                              ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Organisation]:
    """Organisations with these ids, whatever the caller's scope (for names in exports)."""
    out: dict[uuid.UUID, Organisation] = {}
    for part in chunks(ids):
        rows = await session.execute(select(Organisation).where(among(col(Organisation.id), part)))
        out.update((o.id, o) for o in rows.scalars())
    return out

