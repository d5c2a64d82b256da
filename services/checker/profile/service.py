"""Rule profiles: the national one, and local ones stored as overrides of it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from services.checker.profile.loader import NATIONAL, deep_merge, national_profile
from services.checker.profile.models import RuleProfile
from shared.errors import NotFound, ValidationFailed


async def resolve_profile(session: AsyncSession, name: str) -> dict[str, Any]:
    """Return the full profile by name: the national one, or a local one merged over it."""
    if name == NATIONAL:
        return national_profile()
    row = (await session.execute(select(RuleProfile).where(RuleProfile.name == name))).scalar()
    if row is None:
        raise NotFound(f"规则配置 {name!r} 不存在")
    return merged(row.overrides)


def merged(overrides: dict[str, Any]) -> dict[str, Any]:
    """Merge overrides over the national profile, refusing unknown rule codes."""
    base = national_profile()
    unknown = sorted(set(overrides.get("rules", {})) - set(base["rules"]))
    if unknown:
        raise ValidationFailed(f"规则配置中有未知的规则代码：{'、'.join(unknown)}",
                               errors=[{"field": f"overrides.rules.{c}", "value": c,
                                        "message": "未知的规则代码"} for c in unknown])
    extra = sorted(set(overrides) - {"rules", "scoring", "name", "source"})
    if extra:
        raise ValidationFailed(f"规则配置只能覆盖 rules 与 scoring，不能有：{'、'.join(extra)}")
    return deep_merge(base, overrides)
