"""Plan endpoints: define what to inspect and how often, and start a plan's run by hand."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, ConfigDict, Field

from services.checker.common.context import Ctx, get_ctx
from services.checker.plan import service
from services.checker.plan.models import Plan
from services.checker.profile.service import profile_for_body
from services.checker.run import service as runs
from services.checker.run.schemas import Instant, RunRead, Scope
from shared.clients.deps import RegistryAsDep, RegistryDep
from shared.errors import problem_responses

router = APIRouter(prefix="/plans", tags=["plans"], responses=problem_responses(401, 422))


class PlanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "历下区每周检查", "scope": {"regions": ["370102"]}, "profile": "national_2019",
        "interval_hours": 168}]})

    name: str = Field(min_length=1, max_length=200)
    scope: Scope
    profile: str = Field(default="national_2019", max_length=100)
    interval_hours: int | None = Field(default=None, ge=1, le=24 * 366,
                                       description="每隔多少小时自动检查一次；为空则只手动发起")
    first_run_at: Instant | None = Field(default=None, description="首次自动检查时间")


class PlanRead(BaseModel):
    id: uuid.UUID
    name: str
    scope: dict[str, object]
    profile: str
    interval_hours: int | None
    next_run_at: datetime | None
    enabled: bool
    created_at: datetime


def _read(p: Plan) -> PlanRead:
    return PlanRead(id=p.id, name=p.name, scope=p.scope, profile=p.profile,
                    interval_hours=p.interval_hours, next_run_at=p.next_run_at,
                    enabled=p.enabled, created_at=p.created_at)


async def _get(ctx: Ctx, plan_id: uuid.UUID) -> Plan:
    return await service.get_visible(ctx.session, ctx.principal, plan_id)


@router.post("", operation_id="createPlan", response_model=PlanRead,
             status_code=status.HTTP_201_CREATED, summary="创建检查计划",
             responses=problem_responses(403, 404))
async def create_plan(body: PlanCreate, registry: RegistryDep,
                      ctx: Ctx = Depends(get_ctx)) -> PlanRead:
    """Create a plan; scheduled runs read the registry with the creator's scope. A scope
    reaching outside the caller's (a region apart from it, a unit or site it cannot see) is 422."""
    ctx.require_writer()
    await service.check_scope(registry, ctx.principal, body.scope)
    await profile_for_body(ctx.session, body.profile)
    now = ctx.clock.now()
    first = body.first_run_at or (now + timedelta(hours=body.interval_hours)
                                  if body.interval_hours else None)
    plan = Plan(name=body.name, scope=body.scope.model_dump(mode="json"), profile=body.profile,
                interval_hours=body.interval_hours, next_run_at=first,
                owner=ctx.principal.model_dump(mode="json"), created_at=now)
    await service.add(ctx.session, plan)
    return _read(plan)


@router.get("", operation_id="listPlans", response_model=list[PlanRead], summary="检查计划列表")
async def list_plans(ctx: Ctx = Depends(get_ctx)) -> list[PlanRead]:
    """Plans the caller created and those of creators inside its scope (every plan for a
    national principal)."""
    return [_read(p) for p in await service.list_visible(ctx.session, ctx.principal)]


@router.post("/{plan_id}/runs", operation_id="startPlanRun", response_model=RunRead,
             status_code=status.HTTP_201_CREATED, summary="立即执行检查计划",
             responses=problem_responses(403, 404))
async def start_plan_run(plan_id: uuid.UUID, request: Request, registry_as: RegistryAsDep,
                         ctx: Ctx = Depends(get_ctx)) -> RunRead:
    """Start a run of the plan now."""
    ctx.require_writer()
    plan = await _get(ctx, plan_id)
    run = await service.start(ctx.session, plan, registry_as,
                              secret=ctx.settings.principal_secret, now=ctx.clock.now(),
                              probes_per_day=ctx.settings.probes_per_day)
    # Committed before the tasks are queued: a worker may pick one up at once and must find it.
    await ctx.session.commit()
    await runs.enqueue_pending(ctx.session, request.app.state.redis, run.id, ctx.clock.now())
    return await runs.to_read(ctx, run)
