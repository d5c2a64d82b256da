"""Runs (批次): resolve targets from the registry, one task per target, progress and cancel.

A target is a website or a new-media account; each task keeps a snapshot of the registry's
record (`target_snapshot` / `account_snapshot`) and its `target_type`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from arq.connections import ArqRedis
from pydantic import BaseModel
from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select, update

from services.checker.common.context import Ctx
from services.checker.probe import service as probes
from services.checker.profile.service import profile_for_body
from services.checker.run.models import Run, Task, target_code
from services.checker.run.schemas import RunProgress, RunRead, Scope, TaskRead
from shared.clients.base import UpstreamProblem
from shared.clients.registry import RegistryClient
from shared.contracts.events import AccountSibling, AccountTarget, WebsiteTarget, parse_target
from shared.contracts.registry import AccountRead, WebsiteRead, platform_family
from shared.errors import InvalidTransition, NotFound, ValidationFailed
from shared.principal import Principal
from shared.queue import queue_name
from shared.scope import scope_condition

INSPECT_JOB = "checker.inspect_target"
QUEUE = queue_name("checker")
# Planned sites are not online yet; every other status is inspected, so a site filed as closed
# but still serving is caught.
INSPECTED_STATUSES = ["running", "closing", "closed", "deregistered"]
STATUS_LABELS = {"queued": "排队中", "running": "检查中", "completed": "已完成",
                 "cancelled": "已取消"}
UNFINISHED = ("pending", "running")
# Accounts counted together for "one account per unit per platform" (registry's rule).
ACTIVE_ACCOUNT_STATUSES = ("running", "closing")
RunTarget = WebsiteRead | AccountRead


def target_snapshot(site: WebsiteRead, provides_services: bool = True,
                    portal_domain: str | None = None) -> dict[str, Any]:
    """The registry facts a task keeps, so the run does not drift if the registry changes.

    `portal_domain` is the main domain of the region's portal, kept for a department site
    (deduct.domain: a department site is a subdomain of its level's portal).
    """
    return WebsiteTarget(
        id=site.id, site_code=site.site_code, name=site.name,
        organisation_id=site.organisation_id, organisation_name=site.organisation_name,
        region_code=site.region_code, kind=site.kind.value, domains=site.domains,
        home_url=site.home_url, status=site.status.value, icp_number=site.icp_number,
        psb_number=site.psb_number, provides_services=provides_services,
        politeness=site.politeness.model_dump(mode="json", exclude_none=True)
        if site.politeness else None,
        portal_domain=portal_domain if site.kind.value == "department" else None,
    ).model_dump(mode="json")


def account_snapshot(acc: AccountRead, siblings: Sequence[AccountRead] = ()) -> dict[str, Any]:
    """The registry facts an account's task keeps (read back by ground.account.AccountTarget).

    `organisation_*` name the sponsor (主办单位) and `kind` the platform, so findings, scope and
    reporting treat an account like a website; `siblings` are the unit's other running accounts
    on the same platform family that the run saw.
    """
    feed = getattr(acc, "feed", None)  # the registry's per-account feed configuration
    if isinstance(feed, BaseModel):
        feed = feed.model_dump(mode="json")
    return AccountTarget(
        id=acc.id, platform=acc.platform.value, platform_label=acc.platform_label,
        platform_account_id=acc.platform_account_id, name=acc.name, url=acc.url,
        kind=acc.platform.value, organisation_id=acc.sponsor_id,
        organisation_name=acc.sponsor_name, region_code=acc.region_code,
        status=acc.status.value, compliance_flags=[f.value for f in acc.compliance_flags],
        siblings=[AccountSibling(id=o.id, name=o.name, platform=o.platform.value,
                                 status=o.status.value) for o in siblings if o.id != acc.id],
        feed=feed).model_dump(mode="json")


def snapshot_of(target: RunTarget, seen: Sequence[RunTarget] = (),
                portals: dict[str, str] | None = None) -> dict[str, Any]:
    """The task snapshot of a website or an account (siblings looked up among `seen`, a
    department site's portal in `portals`, region code → portal domain)."""
    if isinstance(target, WebsiteRead):
        return target_snapshot(target, portal_domain=(portals or {}).get(target.region_code))
    family = platform_family(target.platform)
    siblings = [o for o in seen if isinstance(o, AccountRead) and o.sponsor_id == target.sponsor_id
                and platform_family(o.platform) == family
                and o.status.value in ACTIVE_ACCOUNT_STATUSES]
    return account_snapshot(target, siblings)


def _target_type(target: RunTarget) -> str:
    return "website" if isinstance(target, WebsiteRead) else "account"


def _organisation_id(target: RunTarget) -> uuid.UUID:
    return target.organisation_id if isinstance(target, WebsiteRead) else target.sponsor_id


def _sort_key(target: RunTarget) -> tuple[int, str]:
    if isinstance(target, WebsiteRead):
        return 0, target.site_code
    return 1, f"{target.platform.value}:{target.platform_account_id}"


async def fetch_portals(registry: RegistryClient, targets: Sequence[RunTarget]) -> dict[str, str]:
    """The main domain of the portal of each department site's region, keyed by region code.

    The portal is the registry's portal website (kind portal) whose sponsor sits in exactly that
    region. It is read as the checker service, across regions: a unit re-checking its own
    department site cannot see its portal, and a re-check must judge as the inspection did. A
    region with no portal filed has none, and deduct.domain then judges no portal form.
    `registry` acts as the checker (services.checker.common.clients).
    """
    regions = sorted({t.region_code for t in targets
                      if isinstance(t, WebsiteRead) and t.kind.value == "department"})
    if not regions:
        return {}
    portals: dict[str, str] = {}
    for region in regions:
        found = [s for s in await registry.all_websites(region=region, kind="portal",
                                                        status=INSPECTED_STATUSES)
                 if s.region_code == region and s.domains]
        # A running portal before one being closed; then the lowest site code, for stability.
        found.sort(key=lambda s: (s.status.value != "running", s.site_code))
        if found:
            portals[region] = found[0].domains[0]
    return portals


async def fetch_targets(registry: RegistryClient, scope: Scope) -> list[RunTarget]:
    """Every website and/or account in the scope that the registry lets this principal see."""
    found: dict[uuid.UUID, RunTarget] = {}
    sites, accounts = "website" in scope.target_types, "account" in scope.target_types
    for region in scope.regions:
        if sites:
            for site in await registry.all_websites(region=region, status=INSPECTED_STATUSES):
                found[site.id] = site
        if accounts:
            for acc in await registry.all_accounts(region=region, status=INSPECTED_STATUSES):
                found[acc.id] = acc
    for org_id in scope.organisation_ids:
        if sites:
            for site in await registry.all_websites(organisation_id=org_id,
                                                    status=INSPECTED_STATUSES):
                found[site.id] = site
        if accounts:
            for acc in await registry.all_accounts(organisation_id=org_id,
                                                   status=INSPECTED_STATUSES):
                found[acc.id] = acc
    for site_id in scope.website_ids:
        try:
            site = await registry.website(site_id)
        except UpstreamProblem as exc:
            # A listed site the caller cannot see is a bad reference in the body, not a 404.
            if exc.status != 404:
                raise
            raise ValidationFailed(f"字段 scope.website_ids 中的网站 {site_id} 不存在或不在管辖范围内",
                                   errors=[{"field": "scope.website_ids", "value": str(site_id),
                                            "message": "不存在"}]) from exc
        if site.status.value in INSPECTED_STATUSES:
            found[site_id] = site
    for account_id in scope.account_ids:
        try:
            acc = await registry.account(account_id)
        except UpstreamProblem as exc:
            if exc.status != 404:
                raise
            raise ValidationFailed(
                f"字段 scope.account_ids 中的账号 {account_id} 不存在或不在管辖范围内",
                errors=[{"field": "scope.account_ids", "value": str(account_id),
                         "message": "不存在"}]) from exc
        if acc.status.value in INSPECTED_STATUSES:
            found[account_id] = acc
    return sorted(found.values(), key=_sort_key)


async def create_run(session: AsyncSession, *, name: str, scope: Scope, profile_name: str,
                     owner: Principal, targets: Sequence[RunTarget], now: datetime,
                     as_of: datetime | None, plan_id: uuid.UUID | None = None,
                     probes_per_day: int = 24, rules: list[str] | None = None,
                     portals: dict[str, str] | None = None) -> Run:
    """Create a run and one pending task per target (`portals` as from `fetch_portals`)."""
    if not targets:
        raise ValidationFailed("检查范围内没有可检查的网站或账号（拟开设的不检查）",
                               scope=scope.model_dump(mode="json"))
    profile = await profile_for_body(session, profile_name)
    if rules is not None:
        known = set(profile["rules"])
        unknown = sorted(set(rules) - known)
        if unknown:
            raise ValidationFailed(f"字段 rules 的值 {unknown!r}：未知的规则代码",
                                   errors=[{"field": "rules", "value": u, "message": "未知的规则代码"}
                                           for u in unknown])
    run = Run(plan_id=plan_id, name=name, status="queued", profile_name=profile_name,
              kind="recheck" if rules else "inspection", rules=rules,
              profile=profile, scope=scope.model_dump(mode="json"),
              owner=owner.model_dump(mode="json"), as_of=as_of or now,
              targets_total=len(targets), created_at=now)
    session.add(run)
    snapshots = [snapshot_of(t, targets, portals) for t in targets]
    session.add_all(Task(run_id=run.id, target_id=t.id, target_type=_target_type(t), target=snap,
                         region_code=t.region_code, organisation_id=_organisation_id(t))
                    for t, snap in zip(targets, snapshots, strict=True))
    # Every inspected site is probed from now on, so its availability can be judged.
    await probes.watch(session, [s for s in map(parse_target, snapshots)
                                 if isinstance(s, WebsiteTarget)], now, probes_per_day)
    await session.flush()
    return run


async def enqueue_pending(session: AsyncSession, redis: ArqRedis, run_id: uuid.UUID,
                          now: datetime) -> int:
    """Enqueue every pending task of a run (job ids make a second enqueue a no-op)."""
    tasks = (await session.execute(select(Task).where(
        Task.run_id == run_id, Task.status == "pending"))).scalars().all()
    for task in tasks:
        await redis.enqueue_job(INSPECT_JOB, str(task.id), _queue_name=QUEUE,
                                _job_id=f"inspect:{task.id}:{task.attempts}")
        task.enqueued_at = now
    return len(tasks)


async def get_run(ctx: Ctx, run_id: uuid.UUID) -> Run:
    """Load a run with at least one task in the caller's scope, or 404."""
    run = await ctx.session.get(Run, run_id)
    if run is None:
        raise NotFound(f"检查批次 {run_id} 不存在")
    visible = (await ctx.session.execute(select(func.count()).select_from(Task).where(
        Task.run_id == run_id,
        scope_condition(ctx.principal, col(Task.region_code), col(Task.organisation_id))))
    ).scalar_one()
    if not visible:
        raise NotFound(f"检查批次 {run_id} 不存在")
    return run


async def progress(ctx: Ctx, run_id: uuid.UUID) -> RunProgress:
    """Counts over the run's tasks in the caller's scope."""
    done = func.sum(case((col(Task.status) == "done", 1), else_=0))
    failed = func.sum(case((col(Task.status) == "failed", 1), else_=0))
    running = func.sum(case((col(Task.status) == "running", 1), else_=0))
    passed = func.sum(case((col(Task.passed).is_(True), 1), else_=0))
    uninspected = func.sum(case(((col(Task.status) == "done") & col(Task.passed).is_(None), 1),
                                else_=0))
    row = (await ctx.session.execute(sa_select(
        func.count(), done, failed, running, func.coalesce(func.sum(Task.pages_fetched), 0),
        func.coalesce(func.sum(Task.links_checked), 0),
        func.coalesce(func.sum(Task.findings_count), 0), passed, uninspected,
        func.coalesce(func.sum(Task.recovered), 0),
    ).where(col(Task.run_id) == run_id, scope_condition(
        ctx.principal, col(Task.region_code), col(Task.organisation_id))))).one()
    return RunProgress(targets_total=row[0], targets_done=row[1] or 0,
                       targets_failed=row[2] or 0, targets_running=row[3] or 0,
                       pages_fetched=row[4], links_checked=row[5], findings=row[6],
                       passed=row[7] or 0, targets_uninspected=row[8] or 0,
                       tasks_recovered=row[9])


async def to_read(ctx: Ctx, run: Run) -> RunRead:
    """Render a run with its progress."""
    return RunRead(id=run.id, plan_id=run.plan_id, name=run.name, kind=run.kind,
                   rules=run.rules, status=run.status,
                   status_label=STATUS_LABELS.get(run.status, run.status),
                   profile_name=run.profile_name, scope=run.scope, as_of=run.as_of,
                   created_at=run.created_at, started_at=run.started_at,
                   finished_at=run.finished_at, progress=await progress(ctx, run.id))


async def list_runs(ctx: Ctx, limit: int, offset: int) -> tuple[list[RunRead], int]:
    """Runs with at least one task in scope, newest first."""
    visible = select(Task.run_id).where(scope_condition(
        ctx.principal, col(Task.region_code), col(Task.organisation_id))).distinct()
    stmt = select(Run).where(col(Run.id).in_(visible))
    total = (await ctx.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    runs = (await ctx.session.execute(
        stmt.order_by(col(Run.created_at).desc()).limit(limit).offset(offset))).scalars().all()
    return [await to_read(ctx, r) for r in runs], total


async def list_tasks(ctx: Ctx, run_id: uuid.UUID, status: str | None) -> list[TaskRead]:
    """The run's tasks in the caller's scope, by 网站标识码 (accounts by platform and id)."""
    stmt = select(Task).where(Task.run_id == run_id, scope_condition(
        ctx.principal, col(Task.region_code), col(Task.organisation_id)))
    if status:
        stmt = stmt.where(Task.status == status)
    tasks = (await ctx.session.execute(stmt)).scalars().all()
    out = [TaskRead(id=t.id, run_id=t.run_id, target_id=t.target_id,
                    target_type=t.target_type,
                    site_code=target_code(s), name=s.name,
                    kind=s.kind, organisation_id=t.organisation_id,
                    organisation_name=s.organisation_name,
                    region_code=t.region_code, status=t.status, attempts=t.attempts,
                    pages_fetched=t.pages_fetched, links_checked=t.links_checked,
                    findings_count=t.findings_count, score=t.score, passed=t.passed,
                    verdict_label=verdict_label(t), uninspected_reason=t.uninspected_reason,
                    vetoes=t.vetoes, deductions=t.deductions, revision=t.revision, error=t.error,
                    recovered=t.recovered, started_at=t.started_at, finished_at=t.finished_at)
           for t, s in ((t, t.snapshot) for t in tasks)]
    return sorted(out, key=lambda t: t.site_code)


def verdict_label(task: Task) -> str | None:
    """合格, 不合格 or 未能检查 for a finished task; None while it is unfinished or failed."""
    if task.status != "done":
        return None
    return "未能检查" if task.passed is None else ("合格" if task.passed else "不合格")


async def cancel_run(ctx: Ctx, run: Run) -> None:
    """Cancel a run: unfinished tasks are cancelled; a task in flight stops at its next step."""
    if run.status in ("completed", "cancelled"):
        raise InvalidTransition(f"检查批次状态为 {STATUS_LABELS[run.status]}，不能取消",
                                allowed_next_states=[])
    now = ctx.clock.now()
    await ctx.session.execute(update(Task).where(
        col(Task.run_id) == run.id, col(Task.status).in_(UNFINISHED)).values(
        status="cancelled", finished_at=now))
    run.status, run.finished_at = "cancelled", now
