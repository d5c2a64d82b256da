"""SQL conditions that confine every query to the caller's scope (region subtree, units)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, true

from shared.principal import Principal


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
