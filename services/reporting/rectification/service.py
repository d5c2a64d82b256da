"""Rectification (整改): items opened on publication, reported by units, closed by re-checks.

An item moves open → reported (the unit says it is done) → rechecking (the checker re-checks
exactly that target and rule) → closed when the rule no longer fails, or back to open when it
still does. Supervisors may close or reopen by hand with a note. Every move is a conditional
UPDATE on the status it starts from, so two writers never both win, and leaves an event row.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select, update

from services.reporting.attachment import service as attachments
from services.reporting.circular.models import Circular
from services.reporting.common.context import Ctx
from services.reporting.rectification.models import RectificationEvent, RectificationItem
from services.reporting.rectification.schemas import (
    ACTION_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    OpenItem,
    RectificationDetail,
    RectificationEventRead,
    RectificationRead,
    ReportBody,
)
from shared.calendar import SHANGHAI, WorkingCalendar
from shared.clients.base import UpstreamProblem
from shared.clients.checker import CheckerClient
from shared.errors import InvalidTransition, ServiceUnavailable
from shared.scope import ScopedLoader

log = logging.getLogger("govinspect.reporting.rectification")

SYSTEM_ACTOR = "复核"
CLOSED = "closed"
# What a person may do from each status; the system's own moves (rechecking and its outcome)
# are not actions anyone can request.
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "report": (frozenset({"open"}), "reported"),
    "close": (frozenset({"open", "reported", "rechecking"}), "closed"),
    "reopen": (frozenset({"reported", "rechecking", "closed"}), "open"),
}
RecheckOutcome = Literal["started", "unavailable", "refused", "skipped"]
_EPSILON = timedelta(microseconds=1)


def allowed_actions(status: str) -> list[str]:
    """Return the actions a person may take on an item in this status."""
    return [a for a, (sources, _) in ACTIONS.items() if status in sources]


def deadline_from_working_days(calendar: WorkingCalendar, published_at: datetime, days: int) -> datetime:
    """Return the end of the days-th working day after publication (Asia/Shanghai), in UTC."""
    return calendar.deadline(published_at, days)


def circular_deadline(calendar: WorkingCalendar, circular: Circular, published_at: datetime,
                      default_days: int) -> datetime:
    """Return a circular's rectification deadline: its instant, or working days from publication."""
    if circular.deadline_at is not None:
        return circular.deadline_at
    days = circular.deadline_working_days or default_days
    return deadline_from_working_days(calendar, published_at, days)


def due_soon_from(calendar: WorkingCalendar, deadline_at: datetime, days: int) -> datetime | None:
    """Return when a deadline becomes due soon: the start of the days-th last working day before it."""
    if days <= 0:
        return None
    # The deadline is the end of its last day, so the instant just before it names that day.
    last = (deadline_at.astimezone(SHANGHAI) - _EPSILON).date()
    first = calendar.add_working_days(last, -(days - 1) if calendar.is_working_day(last) else -days)
    return datetime.combine(first, datetime.min.time(), tzinfo=SHANGHAI)


async def open_items(session: AsyncSession, circular: Circular, problems: Sequence[OpenItem],
                     deadline_at: datetime, now: datetime, actor: str) -> int:
    """Open one item per (target, rule) problem of a published circular; return how many are new."""
    merged: dict[tuple[uuid.UUID, str], OpenItem] = {}
    for p in problems:
        key = (p.target_id, p.rule)
        if key in merged:
            prints = list(dict.fromkeys([*merged[key].fingerprints, *p.fingerprints]))
            merged[key] = merged[key].model_copy(update={"fingerprints": prints})
        else:
            merged[key] = p
    existing = {(target, rule) for target, rule in (await session.execute(
        select(RectificationItem.target_id, RectificationItem.rule)
        .where(RectificationItem.circular_id == circular.id))).all()}
    created = [RectificationItem(circular_id=circular.id, **p.model_dump(exclude={"message"}),
                                 message=p.message[:2000], status="open",
                                 deadline_at=deadline_at, opened_at=now)
               for key, p in merged.items() if key not in existing]
    session.add_all(created)
    await session.flush()
    note = f"通报《{circular.title}》发布，开启整改"
    session.add_all(RectificationEvent(item_id=item.id, at=now, actor=actor, from_status=None,
                                       to_status="open", note=note) for item in created)
    await session.flush()
    return len(created)


# The items in the caller's scope (region subtrees and own units), and one of them or 404.
ITEMS = ScopedLoader(RectificationItem, col(RectificationItem.region_code),
                     col(RectificationItem.organisation_id), missing="整改项 {id} 不存在")


async def get_item(ctx: Ctx, item_id: uuid.UUID) -> RectificationItem:
    """Load one in the caller's scope; out of scope answers 404 like a missing one."""
    return await ITEMS.get(ctx.session, ctx.principal, item_id)


async def list_items(ctx: Ctx, *, circular_id: uuid.UUID | None, status: str | None,
                     organisation_id: uuid.UUID | None, region: str | None, overdue_only: bool,
                     limit: int, offset: int) -> tuple[list[RectificationItem], int]:
    """Return one page of items in scope, soonest deadline first, and the total."""
    stmt = ITEMS.select(ctx.principal, region=region, organisation_id=organisation_id)
    if circular_id:
        stmt = stmt.where(col(RectificationItem.circular_id) == circular_id)
    if status:
        stmt = stmt.where(col(RectificationItem.status) == status)
    if overdue_only:
        stmt = stmt.where(col(RectificationItem.deadline_at) <= ctx.clock.now(),
                          col(RectificationItem.status) != CLOSED)
    return await ITEMS.page(ctx.session, stmt, [col(RectificationItem.deadline_at),
                                                 col(RectificationItem.target_code),
                                                 col(RectificationItem.rule)],
                            limit=limit, offset=offset)


def to_read(item: RectificationItem, now: datetime) -> RectificationRead:
    """Render an item, with whether it is overdue now and what may be done with it."""
    return RectificationRead.model_validate({
        **item.model_dump(), "severity_label": SEVERITY_LABELS.get(item.severity, item.severity),
        "status_label": STATUS_LABELS[item.status], "allowed_actions": allowed_actions(item.status),
        "overdue": item.status != CLOSED and now >= item.deadline_at})


async def to_detail(session: AsyncSession, item: RectificationItem, now: datetime) -> RectificationDetail:
    """Render an item with its whole history, oldest first."""
    events = (await session.execute(select(RectificationEvent).where(
        RectificationEvent.item_id == item.id).order_by(col(RectificationEvent.at)))).scalars().all()
    return RectificationDetail(**to_read(item, now).model_dump(), events=[
        RectificationEventRead.model_validate({**e.model_dump(),
                                               "to_status_label": STATUS_LABELS[e.to_status]})
        for e in events])


async def report_done(ctx: Ctx, item: RectificationItem, body: ReportBody) -> None:
    """Record the unit's report that the problem is fixed (open → reported)."""
    ctx.require_writer(unit_allowed=True)
    evidence: dict[str, Any] = body.evidence.model_dump(exclude_none=True) if body.evidence else {}
    if body.attachments:
        evidence["attachments"] = await attachments.claim(ctx, item.id, body.attachments,
                                                          "attachments")
    await _act(ctx, item, "report", note=body.note, evidence=evidence)


async def decide(ctx: Ctx, item: RectificationItem, action: Literal["close", "reopen"], note: str) -> None:
    """Close or reopen an item by hand (supervisors), with the note kept in its history."""
    ctx.require_admin_or_supervisor()
    values: dict[str, Any] = {"recheck_run_id": None}
    values["closed_at"] = ctx.clock.now() if action == "close" else None
    await _act(ctx, item, action, note=note, **values)


async def request_recheck(session: AsyncSession, item: RectificationItem, checker: CheckerClient,
                          now: datetime) -> RecheckOutcome:
    """Ask the checker to re-check the item's target for its rule; on failure it stays reported."""
    if item.status != "reported" or item.recheck_run_id is not None:
        return "skipped"
    reason = f"整改复核：{item.target_name}（{item.target_code}）{item.indicator}"
    try:
        started = await checker.recheck(item.target_id, [item.rule], reason)
    except (httpx.HTTPError, ServiceUnavailable) as exc:
        log.warning("checker unreachable for re-check of item %s: %s", item.id, exc)
        return "unavailable"
    except UpstreamProblem as exc:
        if exc.status >= 500 or exc.status in (408, 429):
            log.warning("checker unavailable for re-check of item %s: %s", item.id, exc.status)
            return "unavailable"
        log.error("checker refused re-check of item %s: %s %s", item.id, exc.status, exc.detail)
        return "refused"
    moved = await _move(session, item, "rechecking", {"reported"}, actor=SYSTEM_ACTOR, now=now,
                        note=f"已请求检查服务复核（复核批次 {started.id}）",
                        evidence={"run_id": str(started.id)}, recheck_run_id=started.id)
    return "started" if moved else "skipped"


async def apply_recheck(session: AsyncSession, run_id: uuid.UUID, target_id: uuid.UUID,
                        rules: Sequence[str] | None, still_failing: set[str],
                        evidence: Mapping[str, Any], now: datetime) -> int:
    """Close the run's items whose rule passed, reopen those still failing; return how many moved.

    `evidence` is what the re-check saw, as in the target.inspected payload:
    {"findings": [{"rule", "message", "url", "severity", "fingerprint"}, ...]}; a reopened item
    keeps the findings of its own rule.
    """
    items = (await session.execute(select(RectificationItem).where(
        RectificationItem.recheck_run_id == run_id, RectificationItem.target_id == target_id,
        RectificationItem.status == "rechecking").order_by(col(RectificationItem.id)))).scalars().all()
    moved = 0
    for item in items:
        trace: dict[str, Any] = {"run_id": str(run_id)}
        if rules and item.rule not in rules:
            # The run did not look at this rule: ask again rather than guess.
            ok = await _move(session, item, "reported", {"rechecking"}, actor=SYSTEM_ACTOR, now=now,
                             note="复核批次未包含该规则，将重新请求复核", evidence=trace,
                             recheck_run_id=None)
        elif item.rule in still_failing:
            ok = await _move(session, item, "open", {"rechecking"}, actor=SYSTEM_ACTOR, now=now,
                             note="复核未通过：问题仍然存在，请继续整改",
                             evidence={**trace, "findings": _findings_of(evidence, item.rule)},
                             recheck_run_id=None)
        else:
            ok = await _move(session, item, CLOSED, {"rechecking"}, actor=SYSTEM_ACTOR, now=now,
                             note="复核通过：问题已不再出现", evidence=trace, closed_at=now)
        moved += ok
    return moved


async def abandon_recheck(session: AsyncSession, run_id: uuid.UUID, target_id: uuid.UUID | None,
                          note: str, now: datetime) -> int:
    """Hand items whose re-check will never report back to "reported" again; return how many.

    A re-check task the checker gave up on (target.failed), or one that stayed silent past
    `recheck_stale_after`, must not leave an item "rechecking" for good: the deadline watcher
    asks again after `recheck_retry_after`.
    """
    where = [RectificationItem.recheck_run_id == run_id, RectificationItem.status == "rechecking"]
    if target_id is not None:
        where.append(RectificationItem.target_id == target_id)
    items = (await session.execute(select(RectificationItem).where(*where)
                                   .order_by(col(RectificationItem.id)))).scalars().all()
    moved = 0
    for item in items:
        moved += await _move(session, item, "reported", {"rechecking"}, actor=SYSTEM_ACTOR, now=now,
                             note=note, evidence={"run_id": str(run_id)}, recheck_run_id=None)
    return moved


async def extend_deadline(session: AsyncSession, item: RectificationItem, deadline_at: datetime,
                          actor: str, now: datetime, note: str) -> None:
    """Move an item's deadline; overdue and due-soon events may go out again for the new one."""
    item.deadline_at = deadline_at
    session.add(RectificationEvent(
        item_id=item.id, at=now, actor=actor, from_status=item.status, to_status=item.status,
        note=f"截止时间调整为 {_shown(deadline_at)}：{note}"))
    await session.flush()


async def _act(ctx: Ctx, item: RectificationItem, action: str, *, note: str,
               evidence: dict[str, Any] | None = None, **values: Any) -> None:
    sources, target = ACTIONS[action]
    if item.status not in sources or not await _move(
            ctx.session, item, target, sources, actor=ctx.actor, now=ctx.clock.now(), note=note,
            evidence=evidence, **values):
        raise _illegal(item, action)


async def _move(session: AsyncSession, item: RectificationItem, to_status: str, sources: Iterable[str],
                *, actor: str, now: datetime, note: str, evidence: dict[str, Any] | None = None,
                **values: Any) -> bool:
    """Move an item if it is still in one of the source statuses; False if someone else moved it."""
    from_status = item.status
    if from_status not in sources:
        return False
    done = await session.execute(update(RectificationItem).where(
        col(RectificationItem.id) == item.id, col(RectificationItem.status) == from_status
    ).values(status=to_status, **values).execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        await session.refresh(item)
        return False
    # The row is already written: mirror it on the object without another UPDATE.
    for key, value in {"status": to_status, **values}.items():
        set_committed_value(item, key, value)
    session.add(RectificationEvent(item_id=item.id, at=now, actor=actor, from_status=from_status,
                                   to_status=to_status, note=note, evidence=evidence or {}))
    await session.flush()
    return True


def _shown(at: datetime) -> str:
    local = at.astimezone(SHANGHAI)
    if local.time() == datetime.min.time():  # the end of the previous day, as people write it
        return f"{(local - timedelta(days=1)).date().isoformat()} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def _findings_of(evidence: Mapping[str, Any], rule: str, limit: int = 20) -> list[dict[str, Any]]:
    found = [f for f in evidence.get("findings") or [] if isinstance(f, Mapping) and f.get("rule") == rule]
    return [{k: f.get(k) for k in ("message", "url", "severity", "fingerprint")} for f in found[:limit]]


def _illegal(item: RectificationItem, action: str) -> InvalidTransition:
    allowed = allowed_actions(item.status)
    names = "、".join(f"{a}（{ACTION_LABELS[a]}）" for a in allowed) or "无"
    return InvalidTransition(
        f"整改项当前状态为 {item.status}（{STATUS_LABELS[item.status]}），不能{ACTION_LABELS[action]}"
        f"（{action}）；允许的操作：{names}",
        status_now=item.status, allowed_actions=allowed)

