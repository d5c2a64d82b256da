"""Organisations (单位): who sponsors and operates websites and accounts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.registry.common.context import Ctx
from services.registry.organisation.models import Organisation
from services.registry.organisation.schemas import OrganisationCreate, OrganisationUpdate
from services.registry.region.models import Region
from shared.contracts.registry import OrganisationRead, OrgKind
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.principal import Principal, region_prefix
from shared.scope import scope_condition


def to_read(org: Organisation) -> OrganisationRead:
    """Render an organisation for the API."""
    kind = OrgKind(org.kind)
    return OrganisationRead(id=org.id, name=org.name, kind=kind, kind_label=kind.label,
                            region_code=org.region_code, parent_id=org.parent_id,
                            credit_code=org.credit_code, provides_services=org.provides_services,
                            version=org.version, created_at=org.created_at,
                            updated_at=org.updated_at)


def in_scope(principal: Principal, org: Organisation) -> bool:
    """Tell whether the principal may see an organisation."""
    return principal.sees(org.region_code, [org.id])


async def get_organisation(ctx: Ctx, org_id: uuid.UUID) -> Organisation:
    """Load an organisation in the caller's scope, or 404 as if it did not exist."""
    org = await ctx.session.get(Organisation, org_id)
    if org is None or not in_scope(ctx.principal, org):
        raise NotFound(f"单位 {org_id} 不存在")
    return org


async def referenced_organisation(ctx: Ctx, org_id: uuid.UUID, field: str) -> Organisation:
    """Load an organisation named in a request body; out of scope reads as missing (422)."""
    org = await ctx.session.get(Organisation, org_id)
    if org is None or not in_scope(ctx.principal, org):
        raise ValidationFailed(f"字段 {field} 的值 {str(org_id)!r}：单位不存在或不在管辖范围内")
    return org


async def _check_fields(ctx: Ctx, org_id: uuid.UUID | None, region_code: str,
                        parent_id: uuid.UUID | None, name: str) -> None:
    if not ctx.principal.sees_region(region_code) and org_id not in ctx.principal.organisations:
        raise Forbidden(f"区划 {region_code} 不在当前调用者的管辖范围内")
    if await ctx.session.get(Region, region_code) is None:
        raise ValidationFailed(f"字段 region_code 的值 {region_code!r}：区划不存在，请先登记区划")
    if parent_id is not None:
        parent = await referenced_organisation(ctx, parent_id, "parent_id")
        if parent.id == org_id:
            raise ValidationFailed("字段 parent_id：单位不能以自身为上级")
        if not region_code.startswith(region_prefix(parent.region_code)):
            raise ValidationFailed(
                f"字段 parent_id 的值 {str(parent_id)!r}：上级单位所在区划 {parent.region_code}"
                f" 不包含本单位区划 {region_code}")
    clash = (await ctx.session.execute(select(Organisation.id).where(
        Organisation.region_code == region_code, Organisation.name == name))).scalar()
    if clash is not None and clash != org_id:
        raise Conflict(f"区划 {region_code} 下已有名为 {name!r} 的单位", existing_id=str(clash))


async def create_organisation(ctx: Ctx, body: OrganisationCreate) -> Organisation:
    """Register an organisation."""
    await _check_fields(ctx, None, body.region_code, body.parent_id, body.name)
    now = ctx.clock.now()
    org = Organisation(**body.model_dump(), created_at=now, updated_at=now)
    org.kind = body.kind.value
    ctx.session.add(org)
    await ctx.session.flush()
    return org


async def update_organisation(ctx: Ctx, org: Organisation, body: OrganisationUpdate) -> None:
    """Change an organisation's fields."""
    changes = body.model_dump(exclude_unset=True)
    if "kind" in changes and changes["kind"] is not None:
        changes["kind"] = changes["kind"].value
    for key in ("name", "kind", "region_code", "provides_services"):
        if key in changes and changes[key] is None:
            raise ValidationFailed(f"字段 {key} 的值 null：不能为空（不修改请省略该字段）",
                                   errors=[{"field": key, "value": None, "message": "不能为空"}])
    await _check_fields(ctx, org.id, changes.get("region_code", org.region_code),
                        changes.get("parent_id", org.parent_id), changes.get("name", org.name))
    for key, value in changes.items():
        setattr(org, key, value)
    org.updated_at = ctx.clock.now()
    await ctx.session.flush()


async def list_organisations(ctx: Ctx, *, region: str | None, kind: OrgKind | None,
                             parent_id: uuid.UUID | None, q: str | None, limit: int,
                             offset: int) -> tuple[Sequence[Organisation], int]:
    """List organisations in scope, filtered."""
    stmt = select(Organisation).where(
        scope_condition(ctx.principal, Organisation.region_code, Organisation.id))
    if region:
        stmt = stmt.where(col(Organisation.region_code).like(f"{region_prefix(region)}%"))
    if kind:
        stmt = stmt.where(Organisation.kind == kind.value)
    if parent_id:
        stmt = stmt.where(Organisation.parent_id == parent_id)
    if q:
        stmt = stmt.where(col(Organisation.name).contains(q))
    total = (await ctx.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await ctx.session.execute(
        stmt.order_by(Organisation.region_code, Organisation.name).limit(limit).offset(offset))
    return rows.scalars().all(), total


async def load_by_keys(session: AsyncSession) -> dict[tuple[str, str], Organisation]:
    """Every organisation keyed by (region_code, name), for bulk imports."""
    rows = (await session.execute(select(Organisation))).scalars().all()
    return {(o.region_code, o.name): o for o in rows}
