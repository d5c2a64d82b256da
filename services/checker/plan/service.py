"""Inspection plans: a scope, a profile and a schedule; runs start by hand or when due."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.checker.plan.models import Plan
from services.checker.run import service as runs
from services.checker.run.models import Run
from services.checker.run.schemas import Scope
from shared.calendar import SHANGHAI
from shared.clients.registry import RegistryClient
from shared.principal import Principal, sign_principal


async def start(session: AsyncSession, plan: Plan, *, registry_url: str, secret: str,
                now: datetime, probes_per_day: int,
                transport: httpx.AsyncBaseTransport | None = None) -> Run:
    """Start a run of a plan, reading the registry with the plan owner's scope."""
    owner = Principal.model_validate(plan.owner)
    token = sign_principal(owner.model_copy(update={"expires_at": None}), secret)
    scope = Scope.model_validate(plan.scope)
    async with RegistryClient(registry_url, token, transport=transport) as registry:
        targets = await runs.fetch_targets(registry, scope)
    stamp = now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    run = await runs.create_run(session, name=f"{plan.name}（{stamp}）", scope=scope,
                                profile_name=plan.profile, owner=owner, targets=targets,
                                now=now, as_of=None, plan_id=plan.id,
                                probes_per_day=probes_per_day)
    if plan.interval_hours:
        plan.next_run_at = now + timedelta(hours=plan.interval_hours)
    return run
