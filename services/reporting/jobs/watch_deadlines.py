"""Deadline watcher (arq cron): overdue and due-soon events, exactly once per deadline.

Each event is claimed by a conditional UPDATE of the row's `*_sent_for` column to the deadline
it is sent for, in the same transaction as the outbox row: a watcher that crashes sends
nothing, two watchers at once send one event, and a moved deadline may be announced again.
It also asks the checker again for re-checks a checker outage left unrequested.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, exists
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select, update

from services.reporting.config import ReportingSettings
from services.reporting.error_report.models import ErrorReport
from services.reporting.notice import service as notices
from services.reporting.rectification import service as rectification
from services.reporting.rectification.models import RectificationEvent, RectificationItem
from shared.calendar import SHANGHAI, CalendarYearMissing, WorkingCalendar
from shared.clients.checker import CheckerClient
from shared.clock import Clock
from shared.contracts.events import (
    ERROR_REPORT_OVERDUE,
    RECTIFICATION_DUE_SOON,
    RECTIFICATION_OVERDUE,
    ErrorReportOverdue,
    EventPayload,
    RectificationDueSoon,
    RectificationOverdue,
)
from shared.events import Outbox

log = logging.getLogger("govinspect.reporting.watch")

NOTICE_KINDS = {RECTIFICATION_OVERDUE: "overdue", RECTIFICATION_DUE_SOON: "due_soon"}

BATCH = 200
MAX_ROUNDS = 100
RECHECK_BATCH = 50
# A report younger than this may still have its own re-check request in flight (the route
# calls the checker right after committing, with a 10 s timeout): leave it to the route.
RECHECK_GRACE = timedelta(seconds=60)
CHECKER_TIMEOUT_S = 10.0

Payload = Callable[[Any], EventPayload]


class WatchResources(Protocol):
    """What the watcher needs from the worker's resources."""

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def settings(self) -> ReportingSettings: ...

    def checker(self, timeout: float) -> CheckerClient:
        """The checker, asked as reporting itself (no person is behind the watcher's calls)."""
        ...

    @property
    def service_token(self) -> str:
        """Reporting's own signed principal, for calls made on nobody's behalf."""
        ...

    def calendar_loader(self) -> Awaitable[WorkingCalendar]:
        """Return the working calendar (only needed for due-soon)."""
        ...


async def watch_deadlines(ctx: dict[str, Any]) -> dict[str, int]:
    """Send every overdue and due-soon event now due, once; retry pending re-check requests."""
    res: WatchResources = ctx["resources"]
    now = res.clock.now()
    item, report = RectificationItem, ErrorReport
    counts = {
        "rectification_overdue": await _claim_all(
            res, item, "overdue_sent_for", RECTIFICATION_OVERDUE, _item_payload,
            col(item.status) != rectification.CLOSED, col(item.deadline_at) <= now),
        "error_report_overdue": await _claim_all(
            res, report, "overdue_sent_for", ERROR_REPORT_OVERDUE, _report_payload,
            col(report.status) == "open", col(report.deadline_at) <= now),
        "rechecks_abandoned": await _abandon_stale_rechecks(res, now),
        "rechecks_requested": await _retry_rechecks(res, now),
        "rectification_due_soon": await _due_soon(res, now),
    }
    # After the claims committed: the e-mails they queued (and any a crashed watcher left
    # pending, or a failed one whose retry is due).
    counts["notices_mailed"] = await notices.mail_pending(res.sessionmaker, res.settings, now)
    if any(counts.values()):
        log.info("deadline watch: %s", counts)
    return counts


async def _claim_all(res: WatchResources, model: Any, marker: str, name: str, payload: Payload,
                     *conditions: ColumnElement[bool]) -> int:
    """Claim and announce every row matching the conditions whose marker is not its deadline."""
    pending = [*conditions, col(getattr(model, marker)).is_distinct_from(col(model.deadline_at))]
    sent = 0
    for _ in range(MAX_ROUNDS):
        async with res.sessionmaker() as s:
            batch = [(row_id, deadline) for row_id, deadline in (await s.execute(
                select(model.id, model.deadline_at).where(*pending)
                .order_by(col(model.id)).limit(BATCH))).all()]
        sent += await _claim(res, model, marker, name, payload, batch, conditions)
        if len(batch) < BATCH:
            break
    return sent


async def _claim(res: WatchResources, model: Any, marker: str, name: str, payload: Payload,
                 batch: list[tuple[uuid.UUID, datetime]],
                 conditions: tuple[ColumnElement[bool], ...]) -> int:
    """Mark each row sent for its deadline and publish its event, in one transaction."""
    sent = 0
    claimed: list[Any] = []
    async with res.sessionmaker() as s:
        # Ids in order, so two watchers lock rows in the same order and never deadlock.
        for row_id, deadline in sorted(batch):
            done = await s.execute(update(model).where(
                col(model.id) == row_id, col(model.deadline_at) == deadline, *conditions,
                col(getattr(model, marker)).is_distinct_from(deadline),
            ).values({marker: deadline}).execution_options(synchronize_session=False))
            if done.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another watcher sent it, or the row changed since the scan
            row = (await s.execute(select(model).where(col(model.id) == row_id))).scalar_one()
            res.outbox.publish(s, name, payload(row))
            if name in NOTICE_KINDS:  # logged with the event it records, in one transaction
                notices.log_callback(s, NOTICE_KINDS[name], row, res.clock.now())
                claimed.append(row)
            sent += 1
        if name in NOTICE_KINDS:  # the e-mails wait as pending in the same transaction
            notices.queue_mails(s, res.settings, NOTICE_KINDS[name], claimed, res.clock.now())
        await s.commit()
    return sent


async def _due_soon(res: WatchResources, now: datetime) -> int:
    """Announce items whose deadline is within `due_soon_working_days` working days."""
    days = res.settings.due_soon_working_days
    if days <= 0:
        return 0
    item = RectificationItem
    open_ = (col(item.status) != rectification.CLOSED, col(item.deadline_at) > now)
    # A cheap bound before the calendar decides: N working days never span more than this.
    horizon = now + timedelta(days=7 * (days + 2))
    async with res.sessionmaker() as s:
        deadlines = (await s.execute(select(col(item.deadline_at)).distinct().where(
            *open_, col(item.deadline_at) <= horizon,
            col(item.due_soon_sent_for).is_distinct_from(col(item.deadline_at))))).scalars().all()
    if not deadlines:
        return 0
    calendar = await res.calendar_loader()
    sent = 0
    for deadline in sorted(deadlines):
        try:
            start = rectification.due_soon_from(calendar, deadline, days)
        except CalendarYearMissing as exc:
            log.warning("due-soon for deadline %s skipped: %s", deadline.isoformat(), exc.detail)
            continue
        if start is None or now < start:
            continue
        left = _working_days_left(calendar, now, deadline)

        def payload(row: RectificationItem, left: int = left) -> RectificationDueSoon:
            return RectificationDueSoon(**_item_fields(row), working_days_left=left)

        sent += await _claim_all(res, item, "due_soon_sent_for", RECTIFICATION_DUE_SOON, payload,
                                 *open_, col(item.deadline_at) == deadline)
    return sent


async def _retry_rechecks(res: WatchResources, now: datetime) -> int:
    """Request the re-checks of reported items the checker could not take when they were reported."""
    item, event = RectificationItem, RectificationEvent
    recent = exists().where(col(event.item_id) == col(item.id), col(event.at) > now - RECHECK_GRACE)
    # rechecking → reported is the system handing back a re-check that came to nothing.
    retry_after = timedelta(seconds=res.settings.recheck_retry_after_s)
    failed_lately = exists().where(
        col(event.item_id) == col(item.id), col(event.from_status) == "rechecking",
        col(event.to_status) == "reported", col(event.at) > now - retry_after)
    async with res.sessionmaker() as s:
        ids = (await s.execute(select(item.id).where(
            col(item.status) == "reported", col(item.recheck_run_id).is_(None), ~recent,
            ~failed_lately)
            .order_by(col(item.id)).limit(RECHECK_BATCH))).scalars().all()
    if not ids:
        return 0
    started = 0
    # No person is behind this retry: the watcher acts as reporting itself.
    async with res.checker(CHECKER_TIMEOUT_S) as checker:
        for item_id in ids:
            async with res.sessionmaker() as s:
                row = await s.get(RectificationItem, item_id)
                if row is None:
                    continue
                outcome = await rectification.request_recheck(s, row, checker, now)
                await s.commit()
            if outcome == "unavailable":
                break  # the checker is still down: try again next round, not N timeouts now
            started += outcome == "started"
    return started


async def _abandon_stale_rechecks(res: WatchResources, now: datetime) -> int:
    """Hand back re-checks that have said nothing for `recheck_stale_after_s` (cancelled, lost)."""
    item, event = RectificationItem, RectificationEvent
    stale_before = now - timedelta(seconds=res.settings.recheck_stale_after_s)
    recent = exists().where(col(event.item_id) == col(item.id), col(event.at) > stale_before)
    async with res.sessionmaker() as s:
        runs = (await s.execute(select(item.recheck_run_id).distinct().where(
            col(item.status) == "rechecking", col(item.recheck_run_id).is_not(None), ~recent)
            .limit(RECHECK_BATCH))).scalars().all()
        moved = 0
        for run_id in runs:
            if run_id is not None:
                moved += await rectification.abandon_recheck(
                    s, run_id, None, "复核超时未返回结果，稍后将重新请求复核", now)
        await s.commit()
    return moved


def _working_days_left(calendar: WorkingCalendar, now: datetime, deadline: datetime) -> int:
    last = (deadline.astimezone(SHANGHAI) - timedelta(microseconds=1)).date()
    today = now.astimezone(SHANGHAI).date()
    return calendar.working_days_between(today, last) + int(calendar.is_working_day(today))


def _item_fields(row: RectificationItem) -> dict[str, Any]:
    return {"item_id": row.id, "circular_id": row.circular_id, "target_id": row.target_id,
            "target_type": row.target_type, "target_code": row.target_code,
            "target_name": row.target_name, "organisation_id": row.organisation_id,
            "organisation_name": row.organisation_name, "region_code": row.region_code,
            "rule": row.rule, "indicator": row.indicator, "severity": row.severity,
            "status": row.status, "deadline_at": row.deadline_at}


def _item_payload(row: RectificationItem) -> RectificationOverdue:
    return RectificationOverdue(**_item_fields(row))


def _report_payload(row: ErrorReport) -> ErrorReportOverdue:
    return ErrorReportOverdue(
        error_report_id=row.id, website_id=row.website_id, site_code=row.site_code,
        site_name=row.site_name, organisation_id=row.organisation_id,
        organisation_name=row.organisation_name, region_code=row.region_code,
        category=row.category, submitted_at=row.submitted_at, deadline_at=row.deadline_at)
