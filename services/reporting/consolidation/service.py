"""The consolidation report per region, computed on request from the registry's running
accounts and the checker's posts; supervisors' decisions; units' confirmations, which become
关停公告 (announce_closure) filings in the registry, made as the unit."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time, timedelta

from sqlmodel import col, select

from services.reporting.circular.service import quarter_period, region_names
from services.reporting.common.context import Ctx
from services.reporting.consolidation.analyse import AccountStats, Suggestion, analyse, is_repost
from services.reporting.consolidation.models import ConsolidationDecision
from services.reporting.consolidation.schemas import (
    ACTION_LABELS,
    STATUS_LABELS,
    ConfirmBody,
    ConsolidationReport,
    DecisionCreate,
    DecisionRead,
    Overlap,
    ReportRow,
)
from shared.calendar import SHANGHAI
from shared.clients.base import UpstreamProblem
from shared.clients.checker import CheckerClient
from shared.clients.registry import RegistryClient
from shared.contracts.registry import AccountRead
from shared.errors import Forbidden, InvalidTransition, ValidationFailed
from shared.principal import Role
from shared.scope import ScopedLoader

AWAITING = "awaiting_unit"
# Posts are read account by account from the checker; a few at a time keeps a county's report
# quick without one report occupying the checker's connection pool.
CHECKER_CONCURRENCY = 8
CONFIRMERS = (Role.unit, Role.integration, Role.administrator)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time(), SHANGHAI),
            datetime.combine(end + timedelta(days=1), time(), SHANGHAI))


async def _stats(account: AccountRead, checker: CheckerClient, lo: datetime, hi: datetime,
                 markers: list[str], counted: bool) -> AccountStats:
    stats = AccountStats(id=account.id, name=account.name, platform=account.platform.value,
                         platform_label=account.platform_label,
                         platform_account_id=account.platform_account_id,
                         sponsor_id=account.sponsor_id, sponsor_name=account.sponsor_name,
                         region_code=account.region_code, created_at=account.created_at)
    if not counted:
        return stats
    for post in await checker.account_posts(account.id, since=lo):
        at = datetime.fromisoformat(post["published_at"])
        if at >= hi:
            continue  # after the period: not seen at its monitoring point
        stats.last_post_at = max(stats.last_post_at or at, at)
        if at >= lo:
            stats.posts += 1
            stats.reposts += is_repost(post, markers)
    return stats


async def report(ctx: Ctx, region: str, quarter: str, reg: RegistryClient,
                 checker: CheckerClient) -> ConsolidationReport:
    """Compute the report of a region for a quarter (as of its end, or now while it runs)."""
    if not ctx.principal.sees_region(region):
        raise Forbidden(f"区划 {region} 不在当前调用者的管辖范围内")
    t = ctx.settings.consolidation
    start, end = quarter_period(quarter)
    lo, hi = _bounds(start, end)
    as_of = min(ctx.clock.now(), hi)
    accounts = await reg.all_accounts(region=region, status=["running"])
    names = await region_names(reg, region)
    gate = asyncio.Semaphore(CHECKER_CONCURRENCY)

    async def one(a: AccountRead) -> AccountStats:
        async with gate:
            return await _stats(a, checker, lo, hi, t.repost_markers,
                                a.platform.value not in t.no_activity_platforms)

    stats = list(await asyncio.gather(*(one(a) for a in accounts)))
    suggestions = analyse(stats, t, as_of, names)
    decided = await _latest_decisions(ctx, [a.id for a in accounts])
    rows = [_row(s, as_of, decided.get(s.account.id)) for s in suggestions]
    counts = {a: sum(r.suggested_action == a for r in rows) for a in ACTION_LABELS}
    return ConsolidationReport(region_code=region, period_start=start, period_end=end,
                               thresholds=t, counts=counts, items=rows)


def _row(s: Suggestion, as_of: datetime, decision: ConsolidationDecision | None) -> ReportRow:
    a = s.account
    return ReportRow(
        account_id=a.id, name=a.name, platform=a.platform, platform_label=a.platform_label,
        platform_account_id=a.platform_account_id, organisation_id=a.sponsor_id,
        organisation_name=a.sponsor_name, region_code=a.region_code, posts_in_period=a.posts,
        reposts_in_period=a.reposts,
        repost_share=round(s.repost_share, 4) if s.repost_share is not None else None,
        last_post_at=a.last_post_at,
        idle_days=(as_of - a.last_post_at).days if a.last_post_at else None,
        overlaps=[Overlap.model_validate(o) for o in s.overlaps], suggested_action=s.action,
        suggested_action_label=ACTION_LABELS[s.action],
        merge_into_id=s.merge_into.id if s.merge_into else None,
        merge_into_name=s.merge_into.name if s.merge_into else None, reasons=s.reasons,
        decision_id=decision.id if decision else None,
        decided_action=decision.action if decision else None)


async def _latest_decisions(ctx: Ctx, account_ids: list[uuid.UUID]) -> dict[uuid.UUID, ConsolidationDecision]:
    if not account_ids:
        return {}
    rows = (await ctx.session.execute(select(ConsolidationDecision).where(
        col(ConsolidationDecision.account_id).in_(account_ids)).order_by(
        col(ConsolidationDecision.decided_at)))).scalars()
    return {d.account_id: d for d in rows}


async def _account(reg: RegistryClient, account_id: uuid.UUID, field: str) -> AccountRead:
    try:
        return await reg.account(account_id)
    except UpstreamProblem as exc:
        if exc.status != 404:
            raise
        raise ValidationFailed(f"账号 {account_id} 不存在或不在管辖范围内", errors=[
            {"field": field, "value": str(account_id), "message": "账号不存在"}]) from None


async def decide(ctx: Ctx, body: DecisionCreate, reg: RegistryClient) -> ConsolidationDecision:
    """Record a supervisor's decision; a merge or closure then waits for the unit to confirm."""
    ctx.require_admin_or_supervisor()
    # The document's union on action already has merge_into_id exactly with merge.
    if body.merge_into_id == body.account_id:
        raise ValidationFailed("整合须给出另一个账号 merge_into_id，不能是本账号", errors=[
            {"field": "merge_into_id", "value": str(body.merge_into_id) if body.merge_into_id else None,
             "message": "与 action 不符"}])
    account = await _account(reg, body.account_id, "account_id")
    into = await _account(reg, body.merge_into_id, "merge_into_id") if body.merge_into_id else None
    d = ConsolidationDecision(
        account_id=account.id, account_name=account.name[:200], platform=account.platform.value,
        organisation_id=account.sponsor_id, organisation_name=account.sponsor_name[:200],
        region_code=account.region_code, action=body.action,
        merge_into_id=into.id if into else None, merge_into_name=into.name[:200] if into else None,
        note=body.note, status=AWAITING if body.action in ("merge", "close") else "decided",
        decided_by=ctx.actor[:200], decided_at=ctx.clock.now())
    ctx.session.add(d)
    await ctx.session.flush()
    return d


# The decisions in the caller's scope (region subtrees and own units), and one of them or 404.
DECISIONS = ScopedLoader(ConsolidationDecision, col(ConsolidationDecision.region_code),
                         col(ConsolidationDecision.organisation_id), missing="瘦身决定 {id} 不存在")


async def get(ctx: Ctx, decision_id: uuid.UUID) -> ConsolidationDecision:
    """Load a decision in the caller's scope; out of scope answers 404 like a missing one."""
    return await DECISIONS.get(ctx.session, ctx.principal, decision_id)


async def listed(ctx: Ctx, region: str | None, status: str | None, limit: int,
                 offset: int) -> tuple[list[ConsolidationDecision], int]:
    """One page of decisions in scope, newest first, and the total."""
    stmt = DECISIONS.select(ctx.principal, region=region)
    if status:
        stmt = stmt.where(col(ConsolidationDecision.status) == status)
    return await DECISIONS.page(ctx.session, stmt, [col(ConsolidationDecision.decided_at).desc(),
                                                    col(ConsolidationDecision.id)],
                                limit=limit, offset=offset)


async def confirm(ctx: Ctx, d: ConsolidationDecision, body: ConfirmBody,
                  reg: RegistryClient) -> None:
    """The unit confirms a merge or closure: the registry records its 关停公告, filed as the unit."""
    if not ctx.principal.has_role(*CONFIRMERS):
        raise Forbidden("整合、关停由账号的主办单位确认（unit，或代其报备的 integration、administrator）")
    if d.status != AWAITING:
        raise InvalidTransition(f"该决定为“{STATUS_LABELS[d.status]}”，无需单位确认",
                                allowed_next_states=[])
    what = f"整合至“{d.merge_into_name}”" if d.action == "merge" else "关停"
    note = f"瘦身提质：{what}" + (f"；{body.note}" if body.note else "")
    filing = await reg.file_account(d.account_id, "announce_closure", note[:2000])
    d.status, d.filing_id = "filed", filing.id
    d.confirmed_by, d.confirmed_at = ctx.actor[:200], ctx.clock.now()
    await ctx.session.flush()


def to_read(d: ConsolidationDecision) -> DecisionRead:
    """Render a decision with its labels."""
    return DecisionRead.model_validate({**d.model_dump(), "action_label": ACTION_LABELS[d.action],
                                        "status_label": STATUS_LABELS[d.status]})
