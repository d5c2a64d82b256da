"""Counting compliance flags in the database rather than row by row in Python."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Text, cast, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select


async def flag_counts(session: AsyncSession, flags: Any) -> dict[str, int]:
    """Count rows per compliance flag of a JSON-list column (of a filtered subquery).

    The database groups rows by their whole flag list (a handful of distinct lists even over
    150,000 accounts), so only those groups cross into Python.
    """
    by_flag: dict[str, int] = {}
    groups = await session.execute(select(cast(flags, Text), func.count()).group_by(cast(flags, Text)))
    for text, n in groups.all():
        for flag in json.loads(text) if text else []:
            by_flag[flag] = by_flag.get(flag, 0) + n
    return by_flag
