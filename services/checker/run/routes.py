"""Run endpoints: start an inspection, follow it, list its tasks, cancel it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Request, status

from services.checker.common.clients import ServiceRegistryDep
from services.checker.common.context import Ctx, get_ctx
from services.checker.run import service
from services.checker.run.schemas import RecheckCreate, RunCreate, RunPage, RunRead, Scope, TaskRead
from shared.clients.deps import RegistryDep
from shared.db import MAX_OFFSET
from shared.errors import problem_responses

router = APIRouter(prefix="/runs", tags=["runs"], responses=problem_responses(401, 422))


@router.post("", operation_id="startRun", response_model=RunRead,
             status_code=status.HTTP_201_CREATED, summary="发起检查批次",
             responses=problem_responses(403, 404))
async def start_run(body: RunCreate, request: Request, registry: RegistryDep,
                    checker_registry: ServiceRegistryDep, ctx: Ctx = Depends(get_ctx)) -> RunRead:
    """Start a run over a scope (region subtrees, organisations, listed websites or accounts).

    The targets are the websites — and, with `scope.target_types` including `account`, the
    new-media accounts — in the scope that the caller may see in the registry, except planned
    ones; each becomes a task executed by checker workers. Follow progress with
    `GET /runs/{id}`; findings appear under `/findings?run_id=`.
    """
    ctx.require_writer()
    targets = await service.fetch_targets(registry, body.scope)
    portals = await service.fetch_portals(checker_registry, targets)
    run = await service.create_run(ctx.session, name=body.name, scope=body.scope,
                                   profile_name=body.profile, owner=ctx.principal,
                                   targets=targets, portals=portals, now=ctx.clock.now(),
                                   as_of=body.as_of,
                                   probes_per_day=ctx.settings.probes_per_day)
    # Committed before the tasks are queued: a worker may pick one up at once and must find it.
    await ctx.session.commit()
    await service.enqueue_pending(ctx.session, request.app.state.redis, run.id, ctx.clock.now())
    return await service.to_read(ctx, run)


@router.get("", operation_id="listRuns", response_model=RunPage, summary="检查批次列表")
async def list_runs(ctx: Ctx = Depends(get_ctx), limit: int = Query(20, ge=1, le=200),
                    offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> RunPage:
    """Runs with at least one target in the caller's scope, newest first."""
    items, total = await service.list_runs(ctx, limit, offset)
    return RunPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/{run_id}", operation_id="getRun", response_model=RunRead, summary="检查批次进度",
            responses=problem_responses(404))
async def get_run(run_id: uuid.UUID, ctx: Ctx = Depends(get_ctx)) -> RunRead:
    """A run with its progress: targets done / total, pages fetched, findings so far."""
    return await service.to_read(ctx, await service.get_run(ctx, run_id))


@router.get("/{run_id}/tasks", operation_id="listRunTasks", response_model=list[TaskRead],
            summary="检查批次中各网站的结果", responses=problem_responses(404))
async def list_tasks(run_id: uuid.UUID, ctx: Ctx = Depends(get_ctx),
                     status: str | None = Query(None, pattern="^(pending|running|done|failed|cancelled)$")
                     ) -> list[TaskRead]:
    """Each target of the run in the caller's scope: status, score, vetoes and deductions."""
    await service.get_run(ctx, run_id)
    return await service.list_tasks(ctx, run_id, status)


@router.post("/{run_id}/cancel", operation_id="cancelRun", response_model=RunRead,
             summary="取消检查批次", responses=problem_responses(403, 404, 409))
async def cancel_run(run_id: uuid.UUID, ctx: Ctx = Depends(get_ctx)) -> RunRead:
    """Cancel a run; targets already inspected keep their results."""
    ctx.require_writer()
    run = await service.get_run(ctx, run_id)
    await service.cancel_run(ctx, run)
    return await service.to_read(ctx, run)


recheck_router = APIRouter(prefix="/rechecks", tags=["runs"], responses=problem_responses(401, 422))


@recheck_router.post("", operation_id="startRecheck", response_model=RunRead,
                     status_code=status.HTTP_201_CREATED, summary="发起复核",
                     responses=problem_responses(403))
async def start_recheck(body: RecheckCreate, request: Request, registry: RegistryDep,
                        checker_registry: ServiceRegistryDep, ctx: Ctx = Depends(get_ctx)) -> RunRead:
    """Re-check (复核) exactly one website or account for the given rules, e.g. after a fix.

    A unit may ask for its own websites. The run has one task; only findings of these rules
    can be resolved by it, and `target.inspected` carries `run_kind: "recheck"` and the rules.
    """
    ctx.require_writer(unit_allowed=True)
    scope = (Scope(account_ids=[body.target_id]) if body.target_type == "account"
             else Scope(website_ids=[body.target_id]))
    targets = await service.fetch_targets(registry, scope)
    portals = await service.fetch_portals(checker_registry, targets)
    run = await service.create_run(ctx.session, name=body.reason, scope=scope,
                                   profile_name=body.profile, owner=ctx.principal,
                                   targets=targets, portals=portals, now=ctx.clock.now(), as_of=None,
                                   probes_per_day=ctx.settings.probes_per_day,
                                   rules=list(dict.fromkeys(body.rules)))
    # Committed before the tasks are queued: a worker may pick one up at once and must find it.
    await ctx.session.commit()
    await service.enqueue_pending(ctx.session, request.app.state.redis, run.id, ctx.clock.now())
    return await service.to_read(ctx, run)
