"""SQL conditions that confine every query to the caller's scope (region subtree, units)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, false, func, or_, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from shared.errors import NotFound
from shared.principal import Principal, region_prefix

T = TypeVar("T")


def region_condition(principal: Principal, region_col: Any) -> ColumnElement[bool]:
    """Rows whose region lies in one of the principal's region subtrees."""
    if principal.all_regions:
        return true()
    prefixes = principal.region_prefixes()
    if not prefixes:
        return false()
    return or_(*[region_col.like(f"{p}%") for p in prefixes])


def scope_condition(principal: Principal, region_col: Any, *org_cols: Any) -> ColumnElement[bool]:
    """Rows in the principal's region subtrees or belonging to one of its organisations."""
    if principal.all_regions:
        return true()
    parts = [region_condition(principal, region_col)]
    if principal.organisations:
        parts += [col.in_(principal.organisations) for col in org_cols]
    return or_(*parts)


class ScopedLoader(Generic[T]):
    """The scoped queries of one table whose rows carry a region and units.

    `select` lists what a principal may see; `get` loads one row in scope, answering 404
    exactly like a missing row when it is out of scope (`missing` names it, with `{id}`).
    """

    def __init__(self, model: type[T], region_col: Any, *org_cols: Any, missing: str) -> None:
        self.model, self.region_col, self.org_cols, self.missing = model, region_col, org_cols, missing

    def select(self, principal: Principal, *, region: str | None = None,
               organisation_id: Any = None) -> SelectOfScalar[T]:
        """Rows the principal may see (its region subtrees and its own organisations),
        narrowed to a region subtree and to one organisation (the first unit column) if given."""
        stmt = select(self.model).where(scope_condition(principal, self.region_col, *self.org_cols))
        if region:
            stmt = stmt.where(self.region_col.like(f"{region_prefix(region)}%"))
        if organisation_id:
            stmt = stmt.where(self.org_cols[0] == organisation_id)
        return stmt

    @staticmethod
    async def page(session: AsyncSession, stmt: SelectOfScalar[T], order_by: Sequence[Any], *,
                   limit: int, offset: int) -> tuple[list[T], int]:
        """One page of a scoped query in this order, and how many rows it has in all."""
        total = (await session.execute(
            stmt.with_only_columns(func.count()).order_by(None))).scalar_one()
        rows = (await session.execute(stmt.order_by(*order_by).limit(limit).offset(offset))).scalars().all()
        return list(rows), int(total)

    async def get(self, session: AsyncSession, principal: Principal, row_id: Any) -> T:
        """One row in the principal's scope, or 404."""
        id_col = self.model.id  # type: ignore[attr-defined]
        row = (await session.execute(self.select(principal).where(id_col == row_id))).scalar_one_or_none()
        if row is None:
            raise NotFound(self.missing.format(id=row_id))
        return row
