"""System alerts, computed on read from the runs and plans (never stored).

A run with unfinished tasks in which no task started or finished for `stall_after_s` has
stalled; an enabled plan still not started `plan_grace_s` after its due time is overdue. The
reconciler reports each one once as a `system.stalled` event (for webhooks) and keeps the
`govinspect_system_alerts` gauge current; GET /alerts lists what is open now. This is the
failure that must not go unnoticed: a scanner that silently stopped.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from arq.connections import ArqRedis
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from services.checker.common.metrics import SYSTEM_ALERTS
from services.checker.config import CheckerSettings
from services.checker.plan.models import Plan
from services.checker.run.models import Run, Task
from shared.calendar import SHANGHAI
from shared.contracts.events import SYSTEM_STALLED, SystemStalled
from shared.events import Outbox

log = logging.getLogger("govinspect.checker.watch")
AlertKind = Literal["run.stalled", "plan.overdue"]
KINDS: tuple[AlertKind, ...] = ("run.stalled", "plan.overdue")
# Each alert is announced once: this key (kind, subject, since) is kept for a month.
ANNOUNCED_KEY = "govinspect:checker:alert:{kind}:{subject}:{since}"
ANNOUNCED_TTL_S = 30 * 86400


@dataclass(frozen=True)
class SystemAlert:
    """One open alert: what is stuck, and since when (last progress, or the due time)."""

    kind: AlertKind
    subject_id: uuid.UUID
    name: str
    since: datetime
    message: str

    @property
    def subject_type(self) -> str:
        """`run` or `plan`."""
        return self.kind.split(".", 1)[0]


def _minutes(now: datetime, since: datetime) -> int:
    return int((now - since).total_seconds() // 60)


async def stalled_runs(session: AsyncSession, now: datetime,
                       settings: CheckerSettings) -> list[SystemAlert]:
    """Unfinished runs in which no task started or finished for `stall_after_s`."""
    latest = (select(Task.run_id, func.max(Task.started_at).label("started"),
                     func.max(Task.finished_at).label("finished"))
              .group_by(col(Task.run_id)).subquery())
    rows = (await session.execute(
        select(Run, latest.c.started, latest.c.finished)
        .outerjoin(latest, latest.c.run_id == Run.id)
        .where(col(Run.status).in_(("queued", "running")))
        .order_by(col(Run.created_at)))).all()
    limit = now - timedelta(seconds=settings.stall_after_s)
    out = []
    for run, started, finished in rows:
        moments = [m for m in (run.created_at, run.started_at, started, finished) if m]
        since = max(_utc(m) for m in moments)
        if since < limit:
            out.append(SystemAlert(
                kind="run.stalled", subject_id=run.id, name=run.name, since=since,
                message=f"检查批次“{run.name}”已 {_minutes(now, since)} 分钟没有任何进展"
                        f"（上次进展 {since.astimezone(SHANGHAI):%Y-%m-%d %H:%M}）"))
    return out


async def overdue_plans(session: AsyncSession, now: datetime,
                        settings: CheckerSettings) -> list[SystemAlert]:
    """Enabled plans still not started `plan_grace_s` after their due time."""
    limit = now - timedelta(seconds=settings.plan_grace_s)
    plans = (await session.execute(select(Plan).where(
        col(Plan.enabled).is_(True), col(Plan.next_run_at).is_not(None),
        col(Plan.next_run_at) < limit).order_by(col(Plan.next_run_at)))).scalars().all()
    out = []
    for plan in plans:
        assert plan.next_run_at is not None
        due = _utc(plan.next_run_at)
        out.append(SystemAlert(
            kind="plan.overdue", subject_id=plan.id, name=plan.name, since=due,
            message=f"检查计划“{plan.name}”应于 {due.astimezone(SHANGHAI):%Y-%m-%d %H:%M} "
                    f"执行，已逾期 {_minutes(now, due)} 分钟仍未启动"))
    return out


async def open_alerts(session: AsyncSession, now: datetime,
                      settings: CheckerSettings) -> list[SystemAlert]:
    """Every open alert, stalled runs first."""
    return [*await stalled_runs(session, now, settings),
            *await overdue_plans(session, now, settings)]


async def announce(sessionmaker: async_sessionmaker[AsyncSession], redis: ArqRedis,
                   outbox: Outbox, now: datetime, settings: CheckerSettings) -> int:
    """Publish `system.stalled` once per new alert and set the gauge; return how many went out."""
    async with sessionmaker() as s:
        alerts = await open_alerts(s, now, settings)
    for kind in KINDS:
        SYSTEM_ALERTS.labels(kind).set(sum(a.kind == kind for a in alerts))
    sent = 0
    for alert in alerts:
        key = ANNOUNCED_KEY.format(kind=alert.kind, subject=alert.subject_id,
                                   since=int(alert.since.timestamp()))
        if not await redis.set(key, "1", nx=True, ex=ANNOUNCED_TTL_S):
            continue  # announced in an earlier round
        try:
            async with sessionmaker() as s:
                outbox.publish(s, SYSTEM_STALLED, SystemStalled(
                    kind=alert.kind, subject_type=alert.subject_type,
                    subject_id=alert.subject_id, name=alert.name, since=alert.since,
                    message=alert.message))
                await s.commit()
        except BaseException:
            await redis.delete(key)  # the next round tries again
            raise
        log.warning("system alert %s: %s", alert.kind, alert.message)
        sent += 1
    return sent


def _utc(moment: datetime) -> datetime:
    # Columns come back aware (UTCDateTime); an aggregate over them might not on every driver.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
