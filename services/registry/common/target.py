"""What websites and accounts (the filing targets) do alike: scoped loading, shared filters,
paging and derived compliance flags. Filing itself is `services.registry.filing.service`.

Each target module keeps what differs: its validation, its compliance rules, its snapshot and
event payload, and its schemas; it passes those in here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, cast, func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.sql.expression import Select

from services.registry.common.context import Ctx
from services.registry.organisation.models import Organisation
from shared.contracts.registry import ComplianceFlag, LifecycleStatus
from shared.errors import NotFound
from shared.principal import region_prefix


async def load_one(ctx: Ctx, stmt: Select[Any, Organisation], missing: str,
                   params: dict[str, Any] | None = None) -> tuple[Any, Organisation]:
    """The (row, organisation) a scoped query finds, or 404 with `missing` as if it did not exist."""
    row = (await ctx.session.execute(stmt, params)).first()
    if row is None:
        raise NotFound(missing)
    return row[0], row[1]


def common_filters(stmt: Select[Any, Organisation], model: Any, *, region: str | None,
                   status: list[LifecycleStatus] | None,
                   flag: ComplianceFlag | None) -> Select[Any, Organisation]:
    """Narrow a scoped query by sponsor region subtree, status and compliance flag."""
    if region:
        stmt = stmt.where(col(Organisation.region_code).like(f"{region_prefix(region)}%"))
    if status:
        stmt = stmt.where(col(model.status).in_([s.value for s in status]))
    if flag:
        # JSON arrays are stored as text on SQLite and as json on PostgreSQL; quoted match works on both.
        stmt = stmt.where(cast(col(model.compliance_flags), Text()).contains(f'"{flag.value}"'))
    return stmt


async def page(ctx: Ctx, stmt: Select[Any, Organisation], order_by: Sequence[Any], *,
               limit: int, offset: int) -> tuple[list[tuple[Any, Organisation]], int]:
    """One page of a filtered query in the given order, and the total it has."""
    total = (await ctx.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await ctx.session.execute(stmt.order_by(*order_by).limit(limit).offset(offset))).all()
    return [(r, o) for r, o in rows], total


async def store_flags(ctx: Ctx, model: Any, row: Any, flags: list[str]) -> None:
    """Save a row's recomputed compliance flags if they changed. `row` is a plain row of the
    table's columns (`id`, `compliance_flags`); an instance of it the session holds (say the
    site just registered, about to be answered) gets the new flags too."""
    if flags != row.compliance_flags:
        # A derived field: updated without a version bump, so editors' ETags stay valid.
        await ctx.session.execute(
            update(model).where(col(model.id) == row.id).values(compliance_flags=flags)
            .execution_options(synchronize_session=False))
        held = ctx.session.identity_map.get(ctx.session.sync_session.identity_key(model, row.id))
        if held is not None:
            set_committed_value(held, "compliance_flags", flags)
