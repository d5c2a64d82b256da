"""New-media accounts: registration, lifecycle filings, queries and compliance flags."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Text, cast, func, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.sql.expression import Select

from services.registry.account.models import Account
from services.registry.account.schemas import AccountCreate, AccountFilingCreate
from services.registry.calendar.service import load_calendar
from services.registry.common.context import Ctx
from services.registry.common.lifecycle import ACTIVE
from services.registry.common.stats import flag_counts
from services.registry.filing import service as filings
from services.registry.filing.models import Filing
from services.registry.organisation.models import Organisation
from services.registry.organisation.service import referenced_organisation
from shared.calendar import WorkingCalendar
from shared.contracts.registry import (
    AccountFeed,
    AccountRead,
    ComplianceFlag,
    FilingAction,
    LifecycleStatus,
    Platform,
    platform_family,
)
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.principal import region_prefix
from shared.scope import scope_condition

TARGET = "account"
ACTIVE_VALUES = [s.value for s in ACTIVE]


def to_read(acc: Account, sponsor: Organisation) -> AccountRead:
    """Render an account with its sponsor's name and region."""
    platform, status = Platform(acc.platform), LifecycleStatus(acc.status)
    return AccountRead(
        id=acc.id, platform=platform, platform_label=platform.label,
        platform_account_id=acc.platform_account_id, name=acc.name, url=acc.url,
        sponsor_id=acc.sponsor_id, sponsor_name=sponsor.name, operator_id=acc.operator_id,
        region_code=sponsor.region_code, status=status, status_label=status.label,
        compliance_flags=[ComplianceFlag(f) for f in acc.compliance_flags],
        feed=AccountFeed.model_validate(acc.feed) if acc.feed else None,
        version=acc.version, created_at=acc.created_at, updated_at=acc.updated_at)


def snapshot(acc: Account) -> dict[str, Any]:
    """The filed fields of an account, as kept in a filing's before/after."""
    return {"platform": acc.platform, "platform_account_id": acc.platform_account_id,
            "name": acc.name, "url": acc.url, "sponsor_id": str(acc.sponsor_id),
            "operator_id": str(acc.operator_id) if acc.operator_id else None,
            "status": acc.status, "feed": acc.feed}


def feed_value(feed: AccountFeed | None) -> dict[str, Any] | None:
    """A feed as stored in the account's JSON column."""
    return feed.model_dump(mode="json") if feed is not None else None


def event_payload(acc: Account, sponsor: Organisation) -> dict[str, Any]:
    """What subscribers learn about an account from its events."""
    return {"platform": acc.platform, "platform_account_id": acc.platform_account_id,
            "name": acc.name, "sponsor_id": str(sponsor.id), "region_code": sponsor.region_code,
            "status": acc.status}


def _scoped(ctx: Ctx) -> Select[Account, Organisation]:
    return (select(Account, Organisation)
            .join(Organisation, col(Organisation.id) == col(Account.sponsor_id))
            .where(scope_condition(ctx.principal, Organisation.region_code,
                                   Account.sponsor_id, Account.operator_id)))


async def get_account(ctx: Ctx, account_id: uuid.UUID) -> tuple[Account, Organisation]:
    """Load an account in the caller's scope, or 404 as if it did not exist."""
    row = (await ctx.session.execute(_scoped(ctx).where(Account.id == account_id))).first()
    if row is None:
        raise NotFound(f"账号 {account_id} 不存在")
    return row[0], row[1]


async def refresh_flags(ctx: Ctx, sponsor_ids: Iterable[uuid.UUID]) -> None:
    """Recompute the flags of every account of these sponsors (one account per unit per platform)."""
    ids = list(set(sponsor_ids))
    if not ids:
        return
    await ctx.session.flush()
    accounts = (await ctx.session.execute(
        select(Account).where(col(Account.sponsor_id).in_(ids)))).scalars().all()
    active: dict[tuple[uuid.UUID, str], int] = {}
    for acc in accounts:
        if acc.status in ACTIVE_VALUES:
            key = (acc.sponsor_id, platform_family(Platform(acc.platform)))
            active[key] = active.get(key, 0) + 1
    for acc in accounts:
        key = (acc.sponsor_id, platform_family(Platform(acc.platform)))
        flags = ([ComplianceFlag.unit_multiple_accounts_on_platform.value]
                 if acc.status in ACTIVE_VALUES and active.get(key, 0) > 1 else [])
        if flags != acc.compliance_flags:
            # A derived field: updated without a version bump, so editors' ETags stay valid.
            await ctx.session.execute(
                update(Account).where(col(Account.id) == acc.id).values(compliance_flags=flags)
                .execution_options(synchronize_session=False))
            set_committed_value(acc, "compliance_flags", flags)


async def register_account(ctx: Ctx, body: AccountCreate,
                           calendar: WorkingCalendar | None = None) -> tuple[Account, Organisation]:
    """File a new account (备案登记) as planned or running."""
    sponsor = await referenced_organisation(ctx, body.sponsor_id, "sponsor_id")
    operator_id = None
    if body.operator_id is not None:
        operator_id = (await referenced_organisation(ctx, body.operator_id, "operator_id")).id
    clash = (await ctx.session.execute(select(Account.id).where(
        Account.platform == body.platform.value,
        Account.platform_account_id == body.platform_account_id))).scalar()
    if clash is not None:
        raise Conflict(f"{body.platform.label} 账号 {body.platform_account_id} 已被登记",
                       existing_id=str(clash))
    occurred_at = filings.check_occurred_at(ctx, body.occurred_at)
    now = ctx.clock.now()
    acc = Account(platform=body.platform.value, platform_account_id=body.platform_account_id,
                  name=body.name, url=body.url, sponsor_id=sponsor.id, operator_id=operator_id,
                  status=body.status.value, feed=feed_value(body.feed), created_at=now, updated_at=now)
    ctx.session.add(acc)
    calendar = calendar or await load_calendar(ctx.session)
    filings.record(ctx, calendar, target_type=TARGET, row=acc, action=FilingAction.register,
                   from_status=None, before=None, after=snapshot(acc), occurred_at=occurred_at,
                   note=body.note, event_payload=event_payload(acc, sponsor))
    await refresh_flags(ctx, [sponsor.id])
    return acc, sponsor


async def file_action(ctx: Ctx, acc: Account, sponsor: Organisation, body: AccountFilingCreate,
                      calendar: WorkingCalendar | None = None) -> tuple[Filing, Organisation]:
    """Apply a lifecycle action to an account and file it."""
    changes: dict[str, Any] = {}
    if body.changes is not None:
        changes = {k: getattr(body.changes, k) for k in body.changes.model_fields_set}
    if "feed" in changes:
        changes["feed"] = feed_value(changes["feed"])
    for key in ("name", "sponsor_id"):
        if key in changes and changes[key] is None:
            raise ValidationFailed(f"字段 changes.{key} 不能为空")
    new_sponsor = sponsor
    if changes.get("sponsor_id") is not None:
        new_sponsor = await referenced_organisation(ctx, changes["sponsor_id"],
                                                    "changes.sponsor_id")
    if changes.get("operator_id") is not None:
        await referenced_organisation(ctx, changes["operator_id"], "changes.operator_id")
    changes = {k: v for k, v in changes.items() if getattr(acc, k) != v}
    if body.action in (FilingAction.change, FilingAction.migrate) and not changes:
        raise ValidationFailed("changes 与当前登记内容相同，无需变更")
    occurred_at = filings.check_occurred_at(ctx, body.occurred_at)
    calendar = calendar or await load_calendar(ctx.session)
    before = snapshot(acc)
    action = FilingAction(body.action)
    from_status = filings.transition(ctx, acc, action)
    for key, value in changes.items():
        setattr(acc, key, value)
    filing = filings.record(ctx, calendar, target_type=TARGET, row=acc, action=action,
                            from_status=from_status, before=before, after=snapshot(acc),
                            occurred_at=occurred_at, note=body.note,
                            event_payload=event_payload(acc, new_sponsor))
    await refresh_flags(ctx, {sponsor.id, new_sponsor.id})
    return filing, new_sponsor


def _filtered(ctx: Ctx, *, region: str | None, organisation_id: uuid.UUID | None,
              status: list[LifecycleStatus] | None, platform: list[Platform] | None,
              flag: ComplianceFlag | None, q: str | None) -> Select[Account, Organisation]:
    stmt = _scoped(ctx)
    if region:
        stmt = stmt.where(col(Organisation.region_code).like(f"{region_prefix(region)}%"))
    if organisation_id:
        stmt = stmt.where(or_(col(Account.sponsor_id) == organisation_id,
                              col(Account.operator_id) == organisation_id))
    if status:
        stmt = stmt.where(col(Account.status).in_([s.value for s in status]))
    if platform:
        stmt = stmt.where(col(Account.platform).in_([p.value for p in platform]))
    if flag:
        stmt = stmt.where(cast(col(Account.compliance_flags), Text()).contains(f'"{flag.value}"'))
    if q:
        stmt = stmt.where(or_(col(Account.name).contains(q),
                              col(Account.platform_account_id) == q))
    return stmt


async def list_accounts(ctx: Ctx, *, limit: int, offset: int, **filters: Any
                        ) -> tuple[list[AccountRead], int]:
    """List accounts in scope, filtered, ordered by platform and account id."""
    stmt = _filtered(ctx, **filters)
    total = (await ctx.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await ctx.session.execute(stmt.order_by(
        Account.platform, Account.platform_account_id).limit(limit).offset(offset))).all()
    return [to_read(a, o) for a, o in rows], total


async def stats(ctx: Ctx, **filters: Any) -> dict[str, Any]:
    """Counts of accounts in scope by platform, status, both, and compliance flag."""
    sub = _filtered(ctx, **filters).subquery()
    pairs = (await ctx.session.execute(
        select(sub.c.platform, sub.c.status, func.count())
        .group_by(sub.c.platform, sub.c.status))).all()
    by_platform: dict[str, int] = {}
    by_status: dict[str, int] = {}
    matrix: dict[str, dict[str, int]] = {}
    for platform, status, n in pairs:
        by_platform[platform] = by_platform.get(platform, 0) + n
        by_status[status] = by_status.get(status, 0) + n
        matrix.setdefault(platform, {})[status] = n
    by_flag = await flag_counts(ctx.session, sub.c.compliance_flags)
    return {"total": sum(by_status.values()), "by_platform": by_platform,
            "by_status": by_status, "by_platform_status": matrix, "by_flag": by_flag}


async def all_for_export(ctx: Ctx, **filters: Any) -> Sequence[tuple[Account, Organisation]]:
    """Every account in scope matching the filters, for export."""
    rows = await ctx.session.execute(_filtered(ctx, **filters).order_by(
        Account.platform, Account.platform_account_id))
    return [(a, o) for a, o in rows.all()]
