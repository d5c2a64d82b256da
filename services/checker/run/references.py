"""A scope in a request body names only regions, organisations and targets the caller sees.

Out-of-scope references answer 422 naming the field and the value (like a missing one), never a
silently empty run or a plan that would inspect another county once its owner's scope widens.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import UUID

from services.checker.run.schemas import Scope
from shared.clients.base import UpstreamProblem
from shared.clients.registry import RegistryClient
from shared.errors import ValidationFailed
from shared.principal import Principal


def _refused(field: str, value: str, what: str) -> ValidationFailed:
    return ValidationFailed(f"字段 {field} 中的{what} {value} 不存在或不在管辖范围内",
                            errors=[{"field": field, "value": value, "message": "不在管辖范围内"}])


async def _each_visible(field: str, what: str, ids: Sequence[UUID],
                        fetch: Callable[[UUID], Awaitable[Any]]) -> None:
    for row_id in ids:
        try:
            await fetch(row_id)
        except UpstreamProblem as exc:
            if exc.status != 404:
                raise
            raise _refused(field, str(row_id), what) from exc


async def check_references(registry: RegistryClient, principal: Principal, scope: Scope) -> None:
    """Refuse a scope naming a region, organisation or website outside the caller's (the
    registry, asked as the caller, is the judge of rows)."""
    for code in scope.regions:
        if not principal.sees_region(code):
            raise _refused("scope.regions", code, "区划")
    await _each_visible("scope.organisation_ids", "单位", scope.organisation_ids,
                        registry.organisation)
    await _each_visible("scope.website_ids", "网站", scope.website_ids, registry.website)
