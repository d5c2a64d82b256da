"""Which published circulars name a unit: those that opened a rectification item for it, or
print a practice it wrote."""

from __future__ import annotations

import uuid

from sqlmodel import col, select

from services.reporting.common.context import Ctx
from services.reporting.practice.models import Practice
from services.reporting.rectification.models import RectificationItem


async def naming(ctx: Ctx, circular_id: uuid.UUID | None = None) -> set[uuid.UUID]:
    """Ids of the circulars that name one of the caller's organisations (none without any)."""
    orgs = ctx.principal.organisations
    if not orgs:
        return set()
    items = select(RectificationItem.circular_id).where(
        col(RectificationItem.organisation_id).in_(orgs)).distinct()
    chosen = select(Practice.circular_id).where(
        col(Practice.organisation_id).in_(orgs), col(Practice.circular_id).is_not(None),
        col(Practice.status) == "shortlisted").distinct()
    if circular_id is not None:
        items = items.where(col(RectificationItem.circular_id) == circular_id)
        chosen = chosen.where(col(Practice.circular_id) == circular_id)
    found = set((await ctx.session.execute(items)).scalars())
    found |= {c for c in (await ctx.session.execute(chosen)).scalars() if c is not None}
    return found
