"""Disputes: a unit says a finding of its own is wrong (误报) or doubtful (存疑) with a reason;
a supervisor of its region accepts or rejects it with a note. Accepting records the verdict on
the finding through the checker's verdict endpoint, as the supervisor: a false positive is then
silent and its target re-scored there, and reporting's copy corrected by `target.rescored`."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select, update

from services.reporting.common.context import Ctx
from services.reporting.dispute.models import Dispute
from services.reporting.dispute.schemas import (
    KIND_LABELS,
    STATUS_LABELS,
    DecisionBody,
    DisputeCreate,
    DisputeRead,
)
from shared.clients.base import UpstreamProblem
from shared.clients.checker import CheckerClient
from shared.errors import Conflict, InvalidTransition, ValidationFailed
from shared.scope import ScopedLoader

PENDING = "pending"


async def raise_dispute(ctx: Ctx, body: DisputeCreate, checker: CheckerClient) -> Dispute:
    """Record a unit's dispute of a finding it can see (asked of the checker as the caller)."""
    ctx.require_writer(unit_allowed=True)
    try:
        finding = await checker.finding(body.finding_id)
    except UpstreamProblem as exc:
        if exc.status != 404:
            raise
        raise ValidationFailed(f"问题 {body.finding_id} 不存在或不在管辖范围内", errors=[
            {"field": "finding_id", "value": str(body.finding_id), "message": "问题不存在"}]) from None
    if finding.verdict == body.kind:
        raise Conflict(f"问题 {finding.id} 已被研判为{KIND_LABELS[body.kind]}，无需申辩")
    pending = (await ctx.session.execute(select(Dispute.id).where(
        col(Dispute.finding_id) == finding.id, col(Dispute.status) == PENDING))).scalar()
    if pending is not None:
        raise Conflict(f"问题 {finding.id} 已有待处理的申辩 {pending}", dispute_id=str(pending))
    d = Dispute(finding_id=finding.id, target_id=finding.target_id,
                target_type=finding.target_type, target_code=finding.target_code[:64],
                target_name=finding.target_name[:200], organisation_id=finding.organisation_id,
                organisation_name=finding.organisation_name[:200], region_code=finding.region_code,
                rule=finding.rule[:64], indicator=finding.indicator[:100],
                message=finding.message[:2000], kind=body.kind, reason=body.reason,
                raised_by=ctx.actor[:200], raised_at=ctx.clock.now())
    ctx.session.add(d)
    try:
        await ctx.session.flush()
    except IntegrityError:  # another dispute of the same finding was raised at the same moment
        raise Conflict(f"问题 {finding.id} 已有待处理的申辩") from None
    return d


# The disputes in the caller's scope (region subtrees and own units), and one of them or 404.
DISPUTES = ScopedLoader(Dispute, col(Dispute.region_code), col(Dispute.organisation_id),
                        missing="申辩 {id} 不存在")


async def get(ctx: Ctx, dispute_id: uuid.UUID) -> Dispute:
    """Load a dispute in the caller's scope; out of scope answers 404 like a missing one."""
    return await DISPUTES.get(ctx.session, ctx.principal, dispute_id)


async def page(ctx: Ctx, *, status: str | None, finding_id: uuid.UUID | None, limit: int,
               offset: int) -> tuple[list[Dispute], int]:
    """One page of disputes in scope, oldest pending first, and the total."""
    stmt = DISPUTES.select(ctx.principal)
    if status:
        stmt = stmt.where(col(Dispute.status) == status)
    if finding_id:
        stmt = stmt.where(col(Dispute.finding_id) == finding_id)
    return await DISPUTES.page(ctx.session, stmt, [col(Dispute.raised_at), col(Dispute.id)],
                               limit=limit, offset=offset)


def _pending(d: Dispute) -> None:
    if d.status != PENDING:
        raise InvalidTransition(f"申辩 {d.id} 已{STATUS_LABELS[d.status]}，不能再处理",
                                allowed_next_states=[])


async def decide(ctx: Ctx, d: Dispute, outcome: Literal["accepted", "rejected"],
                 body: DecisionBody, checker: CheckerClient) -> None:
    """Accept (the finding gets the verdict the unit asked for) or reject a pending dispute."""
    ctx.require_admin_or_supervisor()
    _pending(d)
    if outcome == "accepted":
        note = f"采纳单位申辩（{KIND_LABELS[d.kind]}）：{d.reason}；处理意见：{body.note}"
        await checker.set_verdict(d.finding_id, d.kind, note[:1000])
    now = ctx.clock.now()
    done = await ctx.session.execute(update(Dispute).where(
        col(Dispute.id) == d.id, col(Dispute.status) == PENDING).values(
        status=outcome, decided_by=ctx.actor[:200], decided_at=now, decision_note=body.note))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(f"申辩 {d.id} 已被他人处理", allowed_next_states=[])
    await ctx.session.refresh(d)


def to_read(d: Dispute) -> DisputeRead:
    """Render a dispute with its labels and the verdict an acceptance recorded."""
    return DisputeRead.model_validate({
        **d.model_dump(), "kind_label": KIND_LABELS[d.kind], "status_label": STATUS_LABELS[d.status],
        "verdict": d.kind if d.status == "accepted" else None})
