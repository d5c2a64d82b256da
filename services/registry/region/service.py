"""Regions: the GB/T 2260 tree that scopes everything else."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.registry.region.models import Region
from services.registry.region.schemas import RegionCreate
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.principal import region_prefix


def level_of(code: str) -> str:
    """Return a code's level: province (xx0000), city (xxxx00) or county."""
    if code == "100000":
        return "national"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def check_parent(code: str, parent_code: str | None) -> None:
    """Refuse a parent that is not an ancestor of the code by GB/T 2260 structure."""
    level = level_of(code)
    if level in ("province", "national"):
        if parent_code is not None:
            raise ValidationFailed(f"字段 parent_code 的值 {parent_code!r}：省级区划 {code} 不应有上级")
        return
    if parent_code is None:
        raise ValidationFailed(f"字段 parent_code 缺失：区划 {code} 须指明上级区划")
    if parent_code == code or not code.startswith(region_prefix(parent_code)):
        raise ValidationFailed(
            f"字段 parent_code 的值 {parent_code!r}：不是区划 {code} 的上级（代码前缀不符）")


async def get_region(session: AsyncSession, code: str) -> Region:
    """Load a region or 404."""
    region = await session.get(Region, code)
    if region is None:
        raise NotFound(f"区划代码 {code} 不存在")
    return region


async def create_region(session: AsyncSession, body: RegionCreate) -> Region:
    """Add a region under an existing parent."""
    check_parent(body.code, body.parent_code)
    if await session.get(Region, body.code) is not None:
        raise Conflict(f"区划代码 {body.code} 已存在")
    if body.parent_code and await session.get(Region, body.parent_code) is None:
        raise ValidationFailed(f"字段 parent_code 的值 {body.parent_code!r}：上级区划不存在")
    region = Region(code=body.code, name=body.name, parent_code=body.parent_code,
                    level=level_of(body.code))
    session.add(region)
    await session.flush()
    return region


async def list_regions(session: AsyncSession, parent: str | None, under: str | None,
                       q: str | None, limit: int, offset: int) -> tuple[Sequence[Region], int]:
    """List regions: children of a parent, a subtree, or by name."""
    stmt = select(Region)
    if parent is not None:
        stmt = stmt.where(Region.parent_code == parent)
    if under is not None:
        stmt = stmt.where(col(Region.code).like(f"{region_prefix(under)}%"))
    if q:
        stmt = stmt.where(col(Region.name).contains(q))
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await session.execute(stmt.order_by(Region.code).limit(limit).offset(offset)))
    return rows.scalars().all(), total
