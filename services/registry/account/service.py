"""New-media accounts: registration, lifecycle filings, queries and compliance flags."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, func, or_
from sqlalchemy import select as columns  # plain rows of many columns
from sqlmodel import col, select
from sqlmodel.sql.expression import Select

from services.registry.account.models import Account
from services.registry.account.schemas import AccountCreate, AccountFilingCreate
from services.registry.common import target
from services.registry.common.context import Ctx
from services.registry.common.lifecycle import ACTIVE
from services.registry.common.stats import flag_counts
from services.registry.filing import service as filings
from services.registry.filing.models import Filing
from services.registry.organisation.models import Organisation
from services.registry.organisation.service import referenced_organisation
from services.registry.registration import service as registration
from shared.calendar import WorkingCalendar
from shared.contracts.registry import (
    AccountFeed,
    AccountRead,
    ComplianceFlag,
    LifecycleStatus,
    Platform,
    platform_family,
)
from shared.errors import Conflict
from shared.scope import scope_condition

TARGET = "account"
ACTIVE_VALUES = [s.value for s in ACTIVE]


def to_read(acc: Account | Row[Any], sponsor: target.Sponsor) -> AccountRead:
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
    return await target.load_one(ctx, _scoped(ctx).where(Account.id == account_id),
                                 f"账号 {account_id} 不存在")


async def refresh_flags(ctx: Ctx, sponsor_ids: Iterable[uuid.UUID]) -> None:
    """Recompute the flags of every account of these sponsors (one account per unit per platform)."""
    ids = list(set(sponsor_ids))
    if not ids:
        return
    await ctx.session.flush()
    a = Account.__table__.c  # type: ignore[attr-defined]
    # Plain columns, not ORM objects (see the websites' refresh_flags).
    accounts = (await ctx.session.execute(
        columns(a.id, a.sponsor_id, a.platform, a.status, a.compliance_flags)
        .where(a.sponsor_id.in_(ids)))).all()
    active: dict[tuple[uuid.UUID, str], int] = {}
    for acc in accounts:
        if acc.status in ACTIVE_VALUES:
            key = (acc.sponsor_id, platform_family(Platform(acc.platform)))
            active[key] = active.get(key, 0) + 1
    for acc in accounts:
        key = (acc.sponsor_id, platform_family(Platform(acc.platform)))
        flags = ([ComplianceFlag.unit_multiple_accounts_on_platform.value]
                 if acc.status in ACTIVE_VALUES and active.get(key, 0) > 1 else [])
        await target.store_flags(ctx, Account, acc, flags)


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
    await filings.file_registration(ctx, acc, sponsor, body, occurred_at, calendar, target=TARGET,
                                   snapshot=snapshot, payload=event_payload)
    await refresh_flags(ctx, [sponsor.id])
    await registration.close_filed_account(ctx, acc)
    return acc, sponsor


async def file_action(ctx: Ctx, acc: Account, sponsor: Organisation, body: AccountFilingCreate,
                      calendar: WorkingCalendar | None = None) -> tuple[Filing, Organisation]:
    """Apply a lifecycle action to an account and file it."""
    changes = filings.requested_changes(body, ("name", "sponsor_id"))
    if "feed" in changes:
        changes["feed"] = feed_value(changes["feed"])
    new_sponsor = sponsor
    if changes.get("sponsor_id") is not None:
        new_sponsor = await referenced_organisation(ctx, changes["sponsor_id"],
                                                    "changes.sponsor_id")
    if changes.get("operator_id") is not None:
        await referenced_organisation(ctx, changes["operator_id"], "changes.operator_id")
    filing = await filings.file_change(ctx, acc, new_sponsor, body, changes, calendar,
                                      target=TARGET, snapshot=snapshot, payload=event_payload)
    await refresh_flags(ctx, {sponsor.id, new_sponsor.id})
    return filing, new_sponsor


def _filtered(ctx: Ctx, *, region: str | None, organisation_id: uuid.UUID | None,
              status: list[LifecycleStatus] | None, platform: list[Platform] | None,
              flag: ComplianceFlag | None, q: str | None) -> Select[Account, Organisation]:
    stmt = target.common_filters(_scoped(ctx), Account, region=region, status=status, flag=flag)
    if organisation_id:
        stmt = stmt.where(or_(col(Account.sponsor_id) == organisation_id,
                              col(Account.operator_id) == organisation_id))
    if platform:
        stmt = stmt.where(col(Account.platform).in_([p.value for p in platform]))
    if q:
        stmt = stmt.where(or_(col(Account.name).contains(q),
                              col(Account.platform_account_id) == q))
    return stmt


async def list_accounts(ctx: Ctx, *, limit: int, offset: int, **filters: Any
                        ) -> tuple[list[AccountRead], int]:
    """List accounts in scope, filtered, ordered by platform and account id."""
    rows, total = await target.page(ctx, _filtered(ctx, **filters), Account,
                                    [Account.platform, Account.platform_account_id],
                                    limit=limit, offset=offset)
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
