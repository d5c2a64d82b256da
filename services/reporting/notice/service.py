"""Deadline notices: log each callback, mail each unit and its supervising office the item list.

The watcher (jobs/watch_deadlines.py) claims an item's due-soon or overdue event exactly once
and, in the same transaction, logs a callback notice here. Where a mail relay is configured the
callback row waits for its e-mail (`mail_state` pending); `mail_pending` claims such rows, groups
them per unit, kind and deadline, and sends one Chinese e-mail listing the items to the unit's
contacts and to those of the office that issued the circular — logged as an e-mail notice with
its outcome, sent or failed (a relay that is down is recorded, not retried into a flood).
"""

from __future__ import annotations

import asyncio
import smtplib
import uuid
from collections import defaultdict
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select, update

from services.reporting.circular.models import Circular
from services.reporting.common.context import Ctx
from services.reporting.config import ReportingSettings
from services.reporting.notice.models import Notice, NoticeContact
from services.reporting.rectification.models import RectificationItem
from shared.calendar import SHANGHAI
from shared.clients.base import ServiceClient, UpstreamProblem
from shared.errors import Forbidden, ValidationFailed
from shared.principal import region_prefix
from shared.scope import region_condition, scope_condition

MAIL_BATCH = 200
FOOTER = "本邮件由政府网站与政务新媒体监管系统自动发送，请勿直接回复。"

GroupKey = tuple[uuid.UUID, str, datetime, uuid.UUID]  # organisation, kind, deadline, circular


def log_callback(session: AsyncSession, settings: ReportingSettings, kind: str,
                 item: RectificationItem, now: datetime) -> None:
    """Log the callback event just claimed for an item; its e-mail waits if a relay is set."""
    session.add(Notice(
        kind=kind, channel="callback", organisation_id=item.organisation_id,
        organisation_name=item.organisation_name, region_code=item.region_code,
        circular_id=item.circular_id, deadline_at=item.deadline_at, item_ids=[str(item.id)],
        status="queued", mail_state="pending" if settings.smtp_host else "none",
        created_at=now, sent_at=now))


async def mail_pending(sessionmaker: async_sessionmaker[AsyncSession], settings: ReportingSettings,
                       now: datetime) -> int:
    """Send the e-mails of every callback notice still waiting for one; return how many went."""
    if not settings.smtp_host:
        return 0
    sent = 0
    while True:
        async with sessionmaker() as s:
            ids = (await s.execute(select(Notice.id).where(
                col(Notice.mail_state) == "pending").order_by(col(Notice.id))
                .limit(MAIL_BATCH))).scalars().all()
            claimed = []
            for notice_id in ids:  # claimed one by one: a concurrent watcher takes the others
                done = await s.execute(update(Notice).where(
                    col(Notice.id) == notice_id, col(Notice.mail_state) == "pending")
                    .values(mail_state="done").execution_options(synchronize_session=False))
                if done.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(notice_id)
            rows = (await s.execute(select(Notice).where(col(Notice.id).in_(claimed)))).scalars().all()
            await s.commit()
        groups: dict[GroupKey, list[Notice]] = defaultdict(list)
        for row in rows:
            groups[(row.organisation_id, row.kind, row.deadline_at, row.circular_id)].append(row)
        for key, notices in sorted(groups.items(), key=lambda g: (str(g[0][0]), g[0][1], g[0][2])):
            sent += await _mail_group(sessionmaker, settings, key, notices, now)
        if len(ids) < MAIL_BATCH:
            return sent


async def _mail_group(sessionmaker: async_sessionmaker[AsyncSession], settings: ReportingSettings,
                      key: GroupKey, notices: list[Notice], now: datetime) -> int:
    organisation_id, kind, deadline, circular_id = key
    item_ids = sorted({i for n in notices for i in n.item_ids})
    async with sessionmaker() as s:
        items = (await s.execute(select(RectificationItem).where(
            col(RectificationItem.id).in_([uuid.UUID(i) for i in item_ids])).order_by(
            col(RectificationItem.target_code), col(RectificationItem.rule)))).scalars().all()
        circular = await s.get(Circular, circular_id)
        contacts = (await s.execute(select(NoticeContact).where(
            ((col(NoticeContact.role) == "unit") & (col(NoticeContact.organisation_id) == organisation_id))
            | ((col(NoticeContact.role) == "supervisor")
               & (col(NoticeContact.region_code) == (circular.region_code if circular else "")))
        ).order_by(col(NoticeContact.role).desc(), col(NoticeContact.email)))).scalars().all()
    first = notices[0]
    subject, body = compose(kind, first.organisation_name, deadline, list(items),
                            circular.title if circular else "", circular.number if circular else None)
    recipients = list(dict.fromkeys(c.email for c in contacts))
    status, error = "sent", None
    if not recipients:
        status, error = "no_recipients", "未登记该单位及其主管部门的通知邮箱"
    else:
        message = _message(settings, subject, body, [(c.name, c.email) for c in contacts])
        try:
            await asyncio.to_thread(_send, settings, message)
        except (OSError, smtplib.SMTPException) as exc:
            status, error = "failed", f"{type(exc).__name__}: {exc}"[:1000]
    async with sessionmaker() as s:
        s.add(Notice(kind=kind, channel="email", organisation_id=organisation_id,
                     organisation_name=first.organisation_name, region_code=first.region_code,
                     circular_id=circular_id, deadline_at=deadline, item_ids=item_ids,
                     recipients=recipients, subject=subject, status=status, error=error,
                     created_at=now, sent_at=now if status == "sent" else None))
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
                      name: str, email: str, registry: ServiceClient) -> NoticeContact:
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


async def _check_organisation(registry: ServiceClient, organisation_id: uuid.UUID,
                              region_code: str) -> None:
    try:
        filed = (await registry.request("GET", f"/organisations/{organisation_id}")).json()
    except UpstreamProblem as exc:
        if exc.status != 404:
            raise
        raise ValidationFailed(
            f"字段 organisation_id 的值 {str(organisation_id)!r}："
            "备案库中没有该单位，或不在调用者的管辖范围内",
            errors=[{"field": "organisation_id", "value": str(organisation_id),
                     "message": "不存在或不在管辖范围内"}]) from exc
    if filed.get("region_code") != region_code:
        raise ValidationFailed(
            f"字段 region_code 的值 {region_code!r} 与备案库中该单位的区划不符（备案为 "
            f"{filed.get('region_code')!r}）",
            errors=[{"field": "region_code", "value": region_code,
                     "message": f"与备案库不符，备案为 {filed.get('region_code')}"}])


async def list_contacts(ctx: Ctx) -> list[NoticeContact]:
    """The addresses in the caller's regions."""
    return list((await ctx.session.execute(select(NoticeContact).where(
        region_condition(ctx.principal, col(NoticeContact.region_code))).order_by(
        col(NoticeContact.region_code), col(NoticeContact.role), col(NoticeContact.email)))).scalars())
