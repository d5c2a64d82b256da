"""What websites and accounts (the filing targets) do alike: scoped loading, shared filters,
paging and derived compliance flags. Filing itself is `services.registry.filing.service`.

Each target module keeps what differs: its validation, its compliance rules, its snapshot and
event payload, and its schemas; it passes those in here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol

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


class Sponsor(Protocol):
    """What a target's read shows of its sponsoring unit: an `Organisation`, or `Listed`."""

    @property
    def name(self) -> str: ...

    @property
    def region_code(self) -> str: ...


class Listed(NamedTuple):
    """A sponsor as a list page reads it: two columns, not the unit's row."""

    name: str
    region_code: str


_SPONSOR: tuple[Any, ...] = (col(Organisation.name).label("sponsor_name"),
            col(Organisation.region_code).label("sponsor_region_code"))


async def page(ctx: Ctx, stmt: Select[Any, Organisation], model: Any, order_by: Sequence[Any], *,
               limit: int, offset: int) -> tuple[list[tuple[Any, Listed]], int]:
    """One page of a filtered query of `model` (joined to its sponsor) in the given order, and
    the total it has. A page is read as plain columns, each row with its sponsor's name and
    region: building two ORM objects per row was a third of a list page's CPU (issue 13)."""
    total = (await ctx.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    listed = stmt.with_only_columns(*model.__table__.c, *_SPONSOR)
    rows = (await ctx.session.execute(listed.order_by(*order_by).limit(limit).offset(offset))).all()
    return [(r, Listed(r.sponsor_name, r.sponsor_region_code)) for r in rows], total


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
