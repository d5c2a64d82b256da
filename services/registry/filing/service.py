"""Filings: every lifecycle action on a website or account, recorded immutably with its events.

This is the one way to file a target. The target modules (website, account, bulk) validate
what differs and pass their snapshot and event payload in; the functions here change the row,
add the filing and its events to the session and return data. They flush, never commit, and
know nothing of HTTP.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import Date, Integer, and_, case, column, func, null, update, values
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from services.registry.calendar.service import load_calendar
from services.registry.common.context import Ctx
from services.registry.common.lifecycle import next_status
from services.registry.filing.models import Filing
from services.registry.filing.timeliness import judge, limit_for
from services.registry.organisation.models import Organisation
from shared.calendar import SHANGHAI, CalendarYearMissing, WorkingCalendar
from shared.contracts.events import (
    FILING_LATE,
    AccountFilingLate,
    WebsiteFilingLate,
    filing_event_name,
    payload_type,
)
from shared.contracts.registry import FilingAction, FilingRead, LifecycleStatus
from shared.errors import ValidationFailed
from shared.scope import scope_condition

# A clock skew allowance: an event "now" on the caller's machine may be slightly ahead of ours.
FUTURE_TOLERANCE = timedelta(minutes=5)
TARGET_TYPES = ("website", "account")

Snapshot = Callable[[Any], dict[str, Any]]
Payload = Callable[[Any, Organisation], dict[str, Any]]


class Lifecycled(Protocol):
    id: uuid.UUID
    status: str
    updated_at: datetime

    @property
    def filing_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]: ...


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
    organisation_id, operator_id = row.filing_scope
    filing = Filing(target_type=target_type, target_id=row.id, organisation_id=organisation_id,
                    operator_id=operator_id, action=action.value,
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


async def carry_scope(ctx: Ctx, target_type: str, row: Lifecycled,
                      before: tuple[uuid.UUID, uuid.UUID | None]) -> None:
    """Move a target's earlier filings with it when a filing gave it another sponsor or operator.

    A filing is seen by whoever sees its target now (as before filings carried scope columns),
    so the columns follow the target.
    """
    if row.filing_scope == before:
        return
    organisation_id, operator_id = row.filing_scope
    await ctx.session.flush()
    await ctx.session.execute(
        update(Filing).where(col(Filing.target_type) == target_type, col(Filing.target_id) == row.id)
        .values(organisation_id=organisation_id, operator_id=operator_id)
        .execution_options(synchronize_session=False))


def transition(ctx: Ctx, row: Lifecycled, action: FilingAction) -> LifecycleStatus:
    """Move a row's status by an action (409 if not allowed); return the status it had."""
    current = LifecycleStatus(row.status)
    row.status = next_status(current, action).value
    row.updated_at = ctx.clock.now()
    return current


def requested_changes(body: Any, required: Iterable[str]) -> dict[str, Any]:
    """The fields a filing sets in `changes`, refusing null for the `required` ones."""
    changes: dict[str, Any] = {}
    if body.changes is not None:
        changes = {k: getattr(body.changes, k) for k in body.changes.model_fields_set}
    for key in required:
        if key in changes and changes[key] is None:
            raise ValidationFailed(f"字段 changes.{key} 的值 null：不能为空（不变更请省略该字段）",
                                   errors=[{"field": f"changes.{key}", "value": None,
                                            "message": "不能为空"}])
    return changes


async def file_registration(ctx: Ctx, row: Any, org: Organisation, body: Any,
                            occurred_at: datetime, calendar: WorkingCalendar | None, *,
                            target: str, snapshot: Snapshot, payload: Payload) -> Filing:
    """Add a new row and its `register` filing (occurred_at as checked by the caller)."""
    ctx.session.add(row)
    calendar = calendar or await load_calendar(ctx.session)
    return record_registration(ctx, calendar, row, org, occurred_at, body.note, target=target,
                               snapshot=snapshot, payload=payload)


def record_registration(ctx: Ctx, calendar: WorkingCalendar, row: Any, org: Organisation,
                        occurred_at: datetime, note: str | None, *, target: str,
                        snapshot: Snapshot, payload: Payload) -> Filing:
    """File the `register` filing of a row just added to the session."""
    return record(ctx, calendar, target_type=target, row=row, action=FilingAction.register,
                  from_status=None, before=None, after=snapshot(row), occurred_at=occurred_at,
                  note=note, event_payload=payload(row, org))


async def file_change(ctx: Ctx, row: Any, new_org: Organisation, body: Any,
                      changes: dict[str, Any], calendar: WorkingCalendar | None, *, target: str,
                      snapshot: Snapshot, payload: Payload) -> Filing:
    """Apply a lifecycle action and the fields it really changes to a row, file it and flush
    (so the row's new version, its ETag, is known)."""
    changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
    if body.action in (FilingAction.change, FilingAction.migrate) and not changes:
        raise ValidationFailed("changes 与当前登记内容相同，无需变更")
    occurred_at = check_occurred_at(ctx, body.occurred_at)
    calendar = calendar or await load_calendar(ctx.session)
    before, scope_before = snapshot(row), row.filing_scope
    action = FilingAction(body.action)
    from_status = transition(ctx, row, action)
    for key, value in changes.items():
        setattr(row, key, value)
    filing = record(ctx, calendar, target_type=target, row=row, action=action,
                    from_status=from_status, before=before, after=snapshot(row),
                    occurred_at=occurred_at, note=body.note, event_payload=payload(row, new_org))
    await carry_scope(ctx, target, row, scope_before)
    await ctx.session.flush()
    return filing


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


async def read(ctx: Ctx, filing: Filing) -> FilingRead:
    """One filing as the API shows it, judged on time or late now."""
    calendar = await load_calendar(ctx.session)
    return to_read(filing, calendar, ctx.settings.filing_limits)


async def filings_of(ctx: Ctx, target_type: str, target_id: uuid.UUID) -> list[FilingRead]:
    """Every filing of one target, oldest first, with its timeliness."""
    rows: Sequence[Filing] = (await ctx.session.execute(
        select(Filing).where(Filing.target_type == target_type, Filing.target_id == target_id)
        .order_by(col(Filing.filed_at)))).scalars().all()
    calendar = await load_calendar(ctx.session)
    return [to_read(f, calendar, ctx.settings.filing_limits) for f in rows]


@dataclass(frozen=True)
class FilingQuery:
    """The filters of the list of filings."""

    target_type: str | None = None
    actions: Sequence[FilingAction] = ()
    filed_from: date | None = None
    filed_to: date | None = None
    late: bool | None = None


def _local_date(ctx: Ctx, instant: Any) -> ColumnElement[Any]:
    """The Asia/Shanghai calendar date of a stored UTC instant, in SQL."""
    if ctx.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Shanghai", instant))
    # SQLite keeps naive UTC text; Shanghai has had no daylight saving since 1991.
    return func.date(instant, "+8 hours")


def _limit(limits: dict[str, int]) -> ColumnElement[Any]:
    """The working-day limit of each filing (settings globs resolved per target and action)."""
    whens = [(and_(col(Filing.target_type) == t, col(Filing.action) == a.value), n)
             for t in TARGET_TYPES for a in FilingAction
             if (n := limit_for(limits, t, a.value)) is not None]
    return case(*whens, else_=None) if whens else null()


async def list_filings(ctx: Ctx, query: FilingQuery, *, limit: int,
                       offset: int) -> tuple[list[FilingRead], int]:
    """One page of the filings in scope, newest first, and how many there are; paged in SQL.

    Filtering by `late` judges timeliness in SQL too: the due date of every (event date, limit)
    the filtered filings have is worked out from the calendar and joined in, so it is still
    computed on read, never stored.
    """
    stmt = (select(Filing)
            .join(Organisation, col(Organisation.id) == col(Filing.organisation_id))
            .where(scope_condition(ctx.principal, Organisation.region_code,
                                   Filing.organisation_id, Filing.operator_id)))
    if query.target_type:
        stmt = stmt.where(Filing.target_type == query.target_type)
    if query.actions:
        stmt = stmt.where(col(Filing.action).in_([a.value for a in query.actions]))
    if query.filed_from:
        stmt = stmt.where(Filing.filed_at >= datetime.combine(query.filed_from, time(), SHANGHAI))
    if query.filed_to:
        end = datetime.combine(query.filed_to, time(23, 59, 59, 999999), SHANGHAI)
        stmt = stmt.where(Filing.filed_at <= end)
    calendar = await load_calendar(ctx.session)
    if query.late is not None:
        limit_col = _limit(ctx.settings.filing_limits)
        occurred_on = _local_date(ctx, Filing.occurred_at)
        pairs = (await ctx.session.execute(
            stmt.with_only_columns(occurred_on, limit_col).distinct())).all()
        dues = []
        for day, n in pairs:
            if n is None:
                continue
            day = day if isinstance(day, date) else date.fromisoformat(day)
            try:
                dues.append((day, n, calendar.add_working_days(day, n)))
            except CalendarYearMissing:
                continue  # not judged (on_time is null): neither late nor on time
        if not dues:
            return [], 0
        due = values(column("day", Date), column("lim", Integer), column("due", Date),
                     name="due_dates").data(dues).cte("due_dates")
        filed_on = _local_date(ctx, Filing.filed_at)
        stmt = stmt.join(due, and_(due.c.day == occurred_on, due.c.lim == limit_col)).where(
            filed_on > due.c.due if query.late else filed_on <= due.c.due)
    total = (await ctx.session.execute(
        select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await ctx.session.execute(
        stmt.order_by(col(Filing.filed_at).desc()).limit(limit).offset(offset)
    )).scalars().all()
    return [to_read(f, calendar, ctx.settings.filing_limits) for f in rows], total
