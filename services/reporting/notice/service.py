"""Deadline notices: log each callback, mail each unit and its supervising office the item list.

The watcher (jobs/watch_deadlines.py) claims an item's due-soon or overdue event exactly once
and, in the same transaction, logs a callback notice here and, where a mail relay is
configured, writes the e-mail notice as `pending` (one per unit, kind, deadline and circular of
the claimed batch). `mail_pending` then sends pending e-mails: each is claimed (`sending`, with
a lease) and committed, sent, and marked `sent` or `failed` with the error. So a crash at any
point loses no e-mail: before the claim's commit nothing was claimed; after it the row waits
as pending; a sender that dies holding a row leaves it to the next sender once the lease runs
out, and one that dies after the relay took the message but before marking it sends that
e-mail once more at the most. A failed e-mail is tried again after `mail_retry_after_s`, up to
`mail_max_attempts` tries in all (a relay that is down is recorded, not retried into a flood).
"""

from __future__ import annotations

import asyncio
import smtplib
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select, update

from services.reporting.circular.models import Circular
from services.reporting.common.context import Ctx
from services.reporting.config import ReportingSettings
from services.reporting.notice.models import Notice, NoticeContact
from services.reporting.rectification.models import RectificationItem
from shared.calendar import SHANGHAI
from shared.clients.base import UpstreamProblem
from shared.clients.registry import RegistryClient
from shared.errors import Forbidden, ValidationFailed
from shared.principal import region_prefix
from shared.scope import region_condition, scope_condition

MAIL_BATCH = 200
FOOTER = "本邮件由政府网站与政务新媒体监管系统自动发送，请勿直接回复。"

def log_callback(session: AsyncSession, kind: str, item: RectificationItem, now: datetime) -> None:
    """Log the callback event just claimed for an item (the outbox delivers it)."""
    session.add(Notice(
        kind=kind, channel="callback", organisation_id=item.organisation_id,
        organisation_name=item.organisation_name, region_code=item.region_code,
        circular_id=item.circular_id, deadline_at=item.deadline_at, item_ids=[str(item.id)],
        status="queued", created_at=now, sent_at=now))


def queue_mails(session: AsyncSession, settings: ReportingSettings, kind: str,
                items: list[RectificationItem], now: datetime) -> None:
    """Write the e-mails of the items just claimed as pending, in the claim's transaction: one
    per unit, deadline and circular. Nothing when no relay is configured."""
    if not settings.smtp_host:
        return
    groups: dict[tuple[uuid.UUID, datetime, uuid.UUID], list[RectificationItem]] = defaultdict(list)
    for item in items:
        groups[(item.organisation_id, item.deadline_at, item.circular_id)].append(item)
    for (organisation_id, deadline, circular_id), rows in groups.items():
        first = rows[0]
        session.add(Notice(
            kind=kind, channel="email", organisation_id=organisation_id,
            organisation_name=first.organisation_name, region_code=first.region_code,
            circular_id=circular_id, deadline_at=deadline,
            item_ids=sorted(str(i.id) for i in rows), status="pending", created_at=now))


def _due(settings: ReportingSettings, now: datetime) -> ColumnElement[bool]:
    """E-mails a sender may take now: pending ones, failed ones whose retry is due, and ones a
    sender claimed and never finished (its lease ran out), while tries are left."""
    return or_(col(Notice.status) == "pending",
               and_(col(Notice.status).in_(["failed", "sending"]),
                    col(Notice.attempts) < settings.mail_max_attempts,
                    col(Notice.next_attempt_at) <= now))


async def mail_pending(sessionmaker: async_sessionmaker[AsyncSession], settings: ReportingSettings,
                       now: datetime) -> int:
    """Send every notice e-mail now due (see the module's note); return how many went."""
    if not settings.smtp_host:
        return 0
    async with sessionmaker() as s:
        # A sender died holding an e-mail on its last try: record it as failed, not "sending".
        await s.execute(update(Notice).where(
            col(Notice.channel) == "email", col(Notice.status) == "sending",
            col(Notice.attempts) >= settings.mail_max_attempts, col(Notice.next_attempt_at) <= now)
            .values(status="failed", next_attempt_at=None,
                    error="发送过程中断（发送进程退出），已达最多尝试次数")
            .execution_options(synchronize_session=False))
        await s.commit()
    sent = 0
    while True:
        async with sessionmaker() as s:
            ids = (await s.execute(select(Notice.id).where(
                col(Notice.channel) == "email", _due(settings, now)).order_by(col(Notice.id))
                .limit(MAIL_BATCH))).scalars().all()
        for notice_id in ids:
            sent += await _send_one(sessionmaker, settings, notice_id, now)
        if len(ids) < MAIL_BATCH:
            return sent


async def _send_one(sessionmaker: async_sessionmaker[AsyncSession], settings: ReportingSettings,
                    notice_id: uuid.UUID, now: datetime) -> int:
    """Claim one e-mail (committed before the relay is called), send it, record the outcome."""
    lease = now + timedelta(seconds=settings.mail_lease_s)
    async with sessionmaker() as s:
        done = await s.execute(update(Notice).where(
            col(Notice.id) == notice_id, _due(settings, now))
            .values(status="sending", attempts=col(Notice.attempts) + 1, next_attempt_at=lease)
            .execution_options(synchronize_session=False))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            return 0  # another sender took it
        await s.commit()
        notice = (await s.execute(select(Notice).where(col(Notice.id) == notice_id))).scalar_one()
        items = (await s.execute(select(RectificationItem).where(
            col(RectificationItem.id).in_([uuid.UUID(i) for i in notice.item_ids])).order_by(
            col(RectificationItem.target_code), col(RectificationItem.rule)))).scalars().all()
        circular = await s.get(Circular, notice.circular_id)
        contacts = (await s.execute(select(NoticeContact).where(
            ((col(NoticeContact.role) == "unit")
             & (col(NoticeContact.organisation_id) == notice.organisation_id))
            | ((col(NoticeContact.role) == "supervisor")
               & (col(NoticeContact.region_code) == (circular.region_code if circular else "")))
        ).order_by(col(NoticeContact.role).desc(), col(NoticeContact.email)))).scalars().all()
        attempt = notice.attempts
    subject, body = compose(notice.kind, notice.organisation_name, notice.deadline_at, list(items),
                            circular.title if circular else "", circular.number if circular else None)
    recipients = list(dict.fromkeys(c.email for c in contacts))
    status, error, retry_at = "sent", None, None
    if not recipients:
        status, error = "no_recipients", "未登记该单位及其主管部门的通知邮箱"
    else:
        message = _message(settings, subject, body, [(c.name, c.email) for c in contacts])
        try:
            await asyncio.to_thread(_send, settings, message)
        except (OSError, smtplib.SMTPException) as exc:
            status, error = "failed", f"{type(exc).__name__}: {exc}"[:1000]
            if attempt < settings.mail_max_attempts:
                retry_at = now + timedelta(seconds=settings.mail_retry_after_s)
    async with sessionmaker() as s:
        # Only while this sender still holds the claim (not overtaken after its lease ran out).
        await s.execute(update(Notice).where(
            col(Notice.id) == notice_id, col(Notice.status) == "sending",
            col(Notice.attempts) == attempt)
            .values(status=status, error=error, recipients=recipients, subject=subject,
                    next_attempt_at=retry_at, sent_at=now if status == "sent" else None)
            .execution_options(synchronize_session=False))
        await s.commit()
    return int(status == "sent")


def compose(kind: str, organisation_name: str, deadline: datetime, items: list[RectificationItem],
            circular_title: str, circular_number: str | None) -> tuple[str, str]:
    """The subject and plain-text body of a notice e-mail, in Chinese."""
    local = deadline.astimezone(SHANGHAI)
    when = f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"
    source = f"《{circular_title}》" + (f"（{circular_number}）" if circular_number else "")
    if kind == "overdue":
        subject = f"【整改逾期】{organisation_name}有{len(items)}项问题已超过整改期限"
        lead = (f"{source}通报的以下{len(items)}项问题整改期限已于{when}届满，至今尚未完成整改，"
                "请立即整改并上报整改情况。")
    else:
        subject = f"【整改提醒】{organisation_name}有{len(items)}项问题将于{when}到期"
        lead = (f"{source}通报的以下{len(items)}项问题须于{when}前完成整改，"
                "请抓紧整改并及时上报整改情况。")
    lines = [f"{n}. {i.target_name}（{i.target_code}）：{i.indicator}——{i.message}"
             for n, i in enumerate(items, 1)]
    return subject, "\n".join([f"{organisation_name}：", "", lead, "", *lines, "", FOOTER])


def _message(settings: ReportingSettings, subject: str, body: str,
             to: list[tuple[str, str]]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_sender
    first_names: dict[str, str] = {}
    for name, email in to:
        first_names.setdefault(email, name)
    message["To"] = ", ".join(formataddr((name, email)) for email, name in first_names.items())
    message["Message-ID"] = make_msgid(domain="govinspect")
    message.set_content(body, charset="utf-8")
    return message


def _send(settings: ReportingSettings, message: EmailMessage) -> None:
    assert settings.smtp_host
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_s) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)


# ── the API's side ─────────────────────────────────────────────────────────────────────

async def list_notices(ctx: Ctx, *, kind: str | None, channel: str | None, region: str | None,
                       organisation_id: uuid.UUID | None, limit: int,
                       offset: int) -> tuple[list[Notice], int]:
    """Notices in the caller's scope (its regions, or a unit's own), newest first, and the total."""
    stmt = select(Notice).where(scope_condition(ctx.principal, col(Notice.region_code),
                                                col(Notice.organisation_id)))
    if kind:
        stmt = stmt.where(col(Notice.kind) == kind)
    if channel:
        stmt = stmt.where(col(Notice.channel) == channel)
    if region:
        stmt = stmt.where(col(Notice.region_code).like(f"{region_prefix(region)}%"))
    if organisation_id:
        stmt = stmt.where(col(Notice.organisation_id) == organisation_id)
    total = (await ctx.session.execute(stmt.with_only_columns(func.count()))).scalar_one()
    rows = (await ctx.session.execute(stmt.order_by(
        col(Notice.created_at).desc(), col(Notice.channel), col(Notice.id))
        .limit(limit).offset(offset))).scalars().all()
    return list(rows), int(total)


async def add_contact(ctx: Ctx, role: str, region_code: str, organisation_id: uuid.UUID | None,
                      name: str, email: str, registry: RegistryClient) -> NoticeContact:
    """Register an address: supervisors and administrators, within their regions.

    A unit's organisation is looked up in the registry as the caller: one it does not show the
    caller, or filed under another region, answers 422 naming the field.
    """
    ctx.require_admin_or_supervisor()
    if not ctx.principal.sees_region(region_code):
        raise Forbidden(f"区划 {region_code} 不在当前调用者的管辖范围内")
    if organisation_id is not None:
        await _check_organisation(registry, organisation_id, region_code)
    contact = NoticeContact(role=role, region_code=region_code, organisation_id=organisation_id,
                            name=name, email=email, created_by=ctx.actor, created_at=ctx.clock.now())
    ctx.session.add(contact)
    await ctx.session.flush()
    return contact


async def _check_organisation(registry: RegistryClient, organisation_id: uuid.UUID,
                              region_code: str) -> None:
    try:
        filed = await registry.organisation(organisation_id)
    except UpstreamProblem as exc:
        if exc.status != 404:
            raise
        raise ValidationFailed(
            f"字段 organisation_id 的值 {str(organisation_id)!r}："
            "备案库中没有该单位，或不在调用者的管辖范围内",
            errors=[{"field": "organisation_id", "value": str(organisation_id),
                     "message": "不存在或不在管辖范围内"}]) from exc
    if filed.region_code != region_code:
        raise ValidationFailed(
            f"字段 region_code 的值 {region_code!r} 与备案库中该单位的区划不符（备案为 "
            f"{filed.region_code!r}）",
            errors=[{"field": "region_code", "value": region_code,
                     "message": f"与备案库不符，备案为 {filed.region_code}"}])


async def list_contacts(ctx: Ctx) -> list[NoticeContact]:
    """The addresses in the caller's regions."""
    return list((await ctx.session.execute(select(NoticeContact).where(
        region_condition(ctx.principal, col(NoticeContact.region_code))).order_by(
        col(NoticeContact.region_code), col(NoticeContact.role), col(NoticeContact.email)))).scalars())
