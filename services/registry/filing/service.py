"""Filings: every lifecycle action on a website or account, recorded immutably with its events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlmodel import col, select

from services.registry.calendar.service import load_calendar
from services.registry.common.context import Ctx
from services.registry.common.lifecycle import next_status
from services.registry.filing.models import Filing
from services.registry.filing.timeliness import judge, limit_for
from shared.calendar import WorkingCalendar
from shared.contracts.events import (
    FILING_LATE,
    AccountFilingLate,
    WebsiteFilingLate,
    filing_event_name,
    payload_type,
)
from shared.contracts.registry import FilingAction, FilingRead, LifecycleStatus
from shared.errors import ValidationFailed

# A clock skew allowance: an event "now" on the caller's machine may be slightly ahead of ours.
FUTURE_TOLERANCE = timedelta(minutes=5)


class Lifecycled(Protocol):
    id: uuid.UUID
    status: str
    updated_at: datetime


def check_occurred_at(ctx: Ctx, occurred_at: datetime | None) -> datetime:
    """Default the event time to now and refuse one in the future."""
    now = ctx.clock.now()
    if occurred_at is None:
        return now
    if occurred_at.tzinfo is None:
        raise ValidationFailed(f"字段 occurred_at 的值 {occurred_at.isoformat()!r}：须带时区")
    if occurred_at > now + FUTURE_TOLERANCE:
        raise ValidationFailed(
            f"字段 occurred_at 的值 {occurred_at.isoformat()!r}：事项发生时间不能晚于当前时间")
    return occurred_at


def record(ctx: Ctx, calendar: WorkingCalendar, *, target_type: str, row: Lifecycled,
           action: FilingAction, from_status: LifecycleStatus | None,
           before: dict[str, Any] | None, after: dict[str, Any], occurred_at: datetime,
           note: str | None, event_payload: dict[str, Any]) -> Filing:
    """Add the filing and its events to the session (the caller has already changed the row)."""
    now = ctx.clock.now()
    filing = Filing(target_type=target_type, target_id=row.id, action=action.value,
                    from_status=from_status.value if from_status else None,
                    to_status=row.status, occurred_at=occurred_at, filed_at=now,
                    filed_by=ctx.actor, note=note, before=before, after=after)
    ctx.session.add(filing)
    payload = {"filing_id": filing.id, "target_type": target_type, "target_id": row.id,
               "action": action.value, "from_status": filing.from_status,
               "to_status": row.status, "occurred_at": occurred_at, **event_payload}
    name = filing_event_name(target_type, action.value)
    ctx.outbox.publish(ctx.session, name, payload_type(name).model_validate(payload))
    verdict = judge(calendar, limit_for(ctx.settings.filing_limits, target_type, action.value),
                    occurred_at, now)
    if verdict.on_time is False:
        late = WebsiteFilingLate if target_type == "website" else AccountFilingLate
        ctx.outbox.publish(ctx.session, FILING_LATE, late.model_validate({
            **payload, "due_on": verdict.due_on, "limit_working_days": verdict.limit_working_days,
            "filed_at": now}))
    return filing


def transition(ctx: Ctx, row: Lifecycled, action: FilingAction) -> LifecycleStatus:
    """Move a row's status by an action (409 if not allowed); return the status it had."""
    current = LifecycleStatus(row.status)
    row.status = next_status(current, action).value
    row.updated_at = ctx.clock.now()
    return current


def to_read(filing: Filing, calendar: WorkingCalendar, limits: dict[str, int]) -> FilingRead:
    """Render a filing with its timeliness judged now from the calendar."""
    verdict = judge(calendar, limit_for(limits, filing.target_type, filing.action),
                    filing.occurred_at, filing.filed_at)
    action = FilingAction(filing.action)
    return FilingRead(
        id=filing.id, target_type=filing.target_type, target_id=filing.target_id,
        action=action, action_label=action.label,
        from_status=LifecycleStatus(filing.from_status) if filing.from_status else None,
        to_status=LifecycleStatus(filing.to_status), occurred_at=filing.occurred_at,
        filed_at=filing.filed_at, filed_by=filing.filed_by, note=filing.note,
        before=filing.before, after=filing.after,
        limit_working_days=verdict.limit_working_days, due_on=verdict.due_on,
        on_time=verdict.on_time, timeliness_note=verdict.note)


async def filings_of(ctx: Ctx, target_type: str, target_id: uuid.UUID) -> list[FilingRead]:
    """Every filing of one target, oldest first, with its timeliness."""
    rows: Sequence[Filing] = (await ctx.session.execute(
        select(Filing).where(Filing.target_type == target_type, Filing.target_id == target_id)
        .order_by(col(Filing.filed_at)))).scalars().all()
    calendar = await load_calendar(ctx.session)
    return [to_read(f, calendar, ctx.settings.filing_limits) for f in rows]
