"""The rows of an export: organisations, websites and accounts in scope, keyed by field name."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from services.registry.account import service as accounts
from services.registry.bulk.loading import organisations_by_id
from services.registry.common.context import Ctx
from services.registry.organisation.models import Organisation
from services.registry.website import service as websites
from shared.contracts.registry import ComplianceFlag, LifecycleStatus, OrgKind, Platform, SiteKind
from shared.principal import region_prefix
from shared.scope import scope_condition

Rows = list[dict[str, Any]]


async def organisation_rows(ctx: Ctx, *, region: str | None, kind: OrgKind | None,
                            parent_id: uuid.UUID | None, q: str | None) -> Rows:
    """Organisations in scope matching the list endpoint's filters, with their parents' names."""
    stmt = select(Organisation).where(
        scope_condition(ctx.principal, Organisation.region_code, Organisation.id))
    if region:
        stmt = stmt.where(col(Organisation.region_code).like(f"{region_prefix(region)}%"))
    if kind:
        stmt = stmt.where(col(Organisation.kind) == kind.value)
    if parent_id:
        stmt = stmt.where(col(Organisation.parent_id) == parent_id)
    if q:
        stmt = stmt.where(col(Organisation.name).contains(q))
    orgs = (await ctx.session.execute(
        stmt.order_by(Organisation.region_code, Organisation.name))).scalars().all()
    known = {o.id: o for o in orgs}
    # A parent may lie outside the caller's scope; its name is still what identifies it.
    known |= await organisations_by_id(
        ctx.session, {o.parent_id for o in orgs if o.parent_id and o.parent_id not in known})
    out: Rows = []
    for o in orgs:
        parent = known.get(o.parent_id) if o.parent_id else None
        out.append({"name": o.name, "kind": OrgKind(o.kind), "region_code": o.region_code,
                    "parent_name": parent.name if parent else None,
                    "parent_region_code": parent.region_code if parent else None,
                    "credit_code": o.credit_code, "provides_services": o.provides_services})
    return out


async def website_rows(ctx: Ctx, **filters: Any) -> Rows:
    """Websites in scope matching the list endpoint's filters."""
    return [{"site_code": s.site_code, "name": s.name, "organisation_name": o.name,
             "organisation_region_code": o.region_code, "kind": SiteKind(s.kind),
             "domains": list(s.domains), "home_url": s.home_url, "icp_number": s.icp_number,
             "psb_number": s.psb_number, "status": LifecycleStatus(s.status),
             "compliance_flags": [ComplianceFlag(f) for f in s.compliance_flags]}
            for s, o in await websites.all_for_export(ctx, **filters)]


async def account_rows(ctx: Ctx, **filters: Any) -> Rows:
    """Accounts in scope matching the list endpoint's filters, with their operators' names."""
    rows = await accounts.all_for_export(ctx, **filters)
    operators = await organisations_by_id(
        ctx.session, {a.operator_id for a, _ in rows if a.operator_id})
    out: Rows = []
    for a, sponsor in rows:
        op = operators.get(a.operator_id) if a.operator_id else None
        out.append({"platform": Platform(a.platform), "platform_account_id": a.platform_account_id,
                    "name": a.name, "url": a.url, "sponsor_name": sponsor.name,
                    "sponsor_region_code": sponsor.region_code,
                    "operator_name": op.name if op else None,
                    "operator_region_code": op.region_code if op else None,
                    "status": LifecycleStatus(a.status),
                    "compliance_flags": [ComplianceFlag(f) for f in a.compliance_flags],
                    "feed": a.feed})
    return out
