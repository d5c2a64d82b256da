"""SQL conditions confining reporting queries to the caller's scope (region subtree, units)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, true

from shared.principal import Principal


def scope_condition(principal: Principal, region_col: Any, org_col: Any) -> ColumnElement[bool]:
    """Rows in the principal's region subtrees or belonging to one of its organisations."""
    if principal.all_regions:
        return true()
    parts = [region_col.like(f"{p}%") for p in principal.region_prefixes()]
    if principal.organisations:
        parts.append(org_col.in_(principal.organisations))
    return or_(*parts) if parts else false()
