"""Inspection plans: a scope, a profile and a schedule; runs start by hand or when due."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.checker.common.clients import service_token
from services.checker.plan.models import Plan
from services.checker.run import service as runs
from services.checker.run.models import Run
from services.checker.run.schemas import Scope
from shared.calendar import SHANGHAI
from shared.clients.base import UpstreamProblem
from shared.clients.deps import RegistryAs
from shared.clients.registry import RegistryClient
from shared.errors import NotFound, ValidationFailed
from shared.principal import Principal, region_prefix, sign_principal


async def start(session: AsyncSession, plan: Plan, registry_as: RegistryAs, *, secret: str,
                now: datetime, probes_per_day: int) -> Run:
    """Start a run of a plan, reading the registry with the plan owner's scope (`secret` signs
    the owner's principal; `registry_as` gives the registry client acting as a principal)."""
    owner = Principal.model_validate(plan.owner)
    token = sign_principal(owner.model_copy(update={"expires_at": None}), secret)
    scope = Scope.model_validate(plan.scope)
    async with registry_as(token) as registry:
        targets = await runs.fetch_targets(registry, scope)
    async with registry_as(service_token(secret)) as checker:
        portals = await runs.fetch_portals(checker, targets)
    stamp = now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    run = await runs.create_run(session, name=f"{plan.name}（{stamp}）", scope=scope,
                                profile_name=plan.profile, owner=owner, targets=targets,
                                portals=portals,
                                now=now, as_of=None, plan_id=plan.id,
                                probes_per_day=probes_per_day)
    if plan.interval_hours:
        plan.next_run_at = now + timedelta(hours=plan.interval_hours)
    return run


async def check_scope(registry: RegistryClient, principal: Principal, scope: Scope) -> None:
    """Refuse (422) a plan scope reaching outside the caller's: a region that does not overlap
    it, or a listed organisation, website or account the registry does not show the caller.

    A wider region is allowed and narrowed when the plan runs, as for a run; a plan is checked
    here because, unlike a run, it resolves its targets only later.
    """
    for code in scope.regions:
        prefix = region_prefix(code)
        if not (principal.sees_region(code) or any(r.startswith(prefix) for r in principal.regions)):
            raise _outside("scope.regions", code, "区划")
    for field, what, ids, fetch in (
            ("scope.organisation_ids", "单位", scope.organisation_ids, registry.organisation),
            ("scope.website_ids", "网站", scope.website_ids, registry.website),
            ("scope.account_ids", "账号", scope.account_ids, registry.account)):
        for row_id in ids:
            try:
                await fetch(row_id)
            except UpstreamProblem as exc:
                if exc.status != 404:
                    raise
                raise _outside(field, str(row_id), what) from exc


def _outside(field: str, value: str, what: str) -> ValidationFailed:
    return ValidationFailed(f"字段 {field} 中的{what} {value} 不存在或不在管辖范围内",
                            errors=[{"field": field, "value": value, "message": "不存在"}])


def visible(principal: Principal, plan: Plan) -> bool:
    """The caller's own plans, and those whose creator's scope lies inside the caller's (a city
    sees its counties' plans, a county never its neighbour's, nobody a national plan but a
    national principal)."""
    owner = plan.owner
    if principal.all_regions or owner.get("subject") == principal.subject:
        return True
    if owner.get("all_regions"):
        return False
    regions, units = owner.get("regions") or [], owner.get("organisations") or []
    named = {str(o) for o in principal.organisations}
    return bool(regions or units) and all(principal.sees_region(r) for r in regions) and all(
        str(o) in named for o in units)


async def get_visible(session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> Plan:
    """A plan the principal may see, or 404."""
    plan = await session.get(Plan, plan_id)
    if plan is None or not visible(principal, plan):
        raise NotFound(f"检查计划 {plan_id} 不存在")
    return plan


async def list_visible(session: AsyncSession, principal: Principal) -> list[Plan]:
    """The plans the principal may see, oldest first."""
    rows = (await session.execute(select(Plan).order_by(col(Plan.created_at)))).scalars()
    return [p for p in rows if visible(principal, p)]


async def add(session: AsyncSession, plan: Plan) -> None:
    """Store a new plan."""
    session.add(plan)
    await session.flush()
