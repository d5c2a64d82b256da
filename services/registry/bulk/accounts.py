"""Importing new-media accounts: each row registers an account, files what changed, or leaves it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from pydantic import ValidationError

from services.registry.account.models import Account
from services.registry.account.schemas import AccountCreate
from services.registry.account.service import TARGET, event_payload, feed_value, refresh_flags, snapshot
from services.registry.bulk.cells import RowReader
from services.registry.bulk.columns import ACCOUNTS
from services.registry.bulk.flags import presume_account_flags
from services.registry.bulk.loading import accounts_by_key
from services.registry.bulk.parsing import Table
from services.registry.bulk.plan import PLACEHOLDER_ID, Plan, event_time
from services.registry.bulk.refs import OrgIndex, RefColumns
from services.registry.bulk.transitions import file_actions, plan_actions
from services.registry.calendar.service import load_calendar
from services.registry.common.context import Ctx
from services.registry.common.lifecycle import INITIAL
from services.registry.filing.service import record_registration
from services.registry.organisation.models import Organisation
from services.registry.organisation.service import load_by_keys
from services.registry.registration import service as registration
from shared.contracts.registry import FilingAction as A
from shared.contracts.registry import LifecycleStatus as S

SPONSOR = RefColumns("sponsor_id", "sponsor_name", "sponsor_region_code")
OPERATOR = RefColumns("operator_id", "operator_name", "operator_region_code")
RENAME = {"sponsor_id": SPONSOR.name, "operator_id": OPERATOR.name}
Key = tuple[str, str]


@dataclass
class NewAccount:
    number: int
    body: AccountCreate
    sponsor: Organisation
    occurred_at: datetime


@dataclass
class ChangedAccount:
    number: int
    account: Account
    sponsor: Organisation
    new_sponsor: Organisation
    changes: dict[str, Any]
    actions: list[A]
    changed_at: datetime
    note: str | None


@dataclass
class AccountPlan(Plan[NewAccount, ChangedAccount]):
    async def apply(self, ctx: Ctx) -> None:
        """Add the new accounts and file every change, as the single-row API does."""
        calendar = await load_calendar(ctx.session)
        now = ctx.clock.now()
        accounts = [_new_account(c.body, now) for c in self.creates]
        ctx.session.add_all(accounts)
        for acc, new in zip(accounts, self.creates, strict=True):
            record_registration(ctx, calendar, acc, new.sponsor, new.occurred_at,
                                new.body.note, target=TARGET, snapshot=snapshot,
                                payload=event_payload)
        for u in self.updates:
            await file_actions(ctx, calendar, target_type=TARGET, row=u.account, actions=u.actions,
                         changes=u.changes, snapshot=snapshot,
                         payload=partial(event_payload, sponsor=u.new_sponsor),
                         occurred_at=u.changed_at, note=u.note)
        for acc in accounts:  # a registration request this filing answers is closed
            await registration.close_filed_account(ctx, acc)
        await presume_account_flags(ctx, [*accounts, *(u.account for u in self.updates)])
        touched = {c.sponsor.id for c in self.creates}
        touched |= {o.id for u in self.updates for o in (u.sponsor, u.new_sponsor)}
        await refresh_flags(ctx, touched)


def _new_account(body: AccountCreate, now: datetime) -> Account:
    # id and flags given outright: SQLModel's default factories cost ~0.2 ms a row.
    return Account(id=uuid.uuid4(), compliance_flags=[], platform=body.platform.value,
                   platform_account_id=body.platform_account_id, name=body.name, url=body.url,
                   sponsor_id=body.sponsor_id, operator_id=body.operator_id,
                   status=body.status.value, feed=feed_value(body.feed), created_at=now, updated_at=now)


async def plan(ctx: Ctx, table: Table) -> AccountPlan:
    """Check every row of an account file against the registry and work out what to write."""
    result = AccountPlan(errors=list(table.errors))
    orgs = OrgIndex((await load_by_keys(ctx.session)).values(), ctx.principal)
    readers = [RowReader(ACCOUNTS, table, row, result.errors) for row in table.rows]
    keyed: list[tuple[RowReader, Key]] = []
    for reader in readers:
        platform = reader.required("platform")
        account_id = reader.required("platform_account_id")
        if platform is not None and account_id is not None:
            keyed.append((reader, (platform.value, account_id)))
    stored = await accounts_by_key(ctx.session, [k for _, k in keyed])
    rows: dict[Key, int] = {}
    for reader, key in keyed:
        if key in rows:
            reader.error("platform_account_id",
                         f"{reader.get('platform').label} 账号 {key[1]} 与本文件第 {rows[key]} 行重复")
            continue
        rows[key] = reader.number
        if key in stored:
            _plan_stored(ctx, result, reader, orgs, stored[key])
        else:
            _plan_new(ctx, result, reader, orgs)
    result.settle()
    return result


def _operator(reader: RowReader, orgs: OrgIndex, sponsor: Organisation | None,
              keep: uuid.UUID | None) -> uuid.UUID | None:
    """The operator a row names (its region defaults to the sponsor's); blank means none."""
    if not OPERATOR.given(reader):
        return None
    region = sponsor.region_code if sponsor else None
    found = orgs.resolve(reader, OPERATOR, keep=keep, default_region=region)
    return found.id if found else None


def _plan_new(ctx: Ctx, result: AccountPlan, reader: RowReader, orgs: OrgIndex) -> None:
    sponsor = orgs.resolve(reader, SPONSOR)
    if not SPONSOR.given(reader):
        reader.error(SPONSOR.name, "缺少必填项：主办单位（或主办单位ID）", None)
    operator_id = _operator(reader, orgs, sponsor, None)
    status = reader.get("status") or S.planned
    if status not in INITIAL:
        reader.error("status", "新登记的账号只能是 拟开设（planned）或 运行中（running）")
    data = {k: reader.get(k) for k in ("name", "url", "occurred_at", "note", "feed") if reader.filled(k)}
    try:
        body = AccountCreate.model_validate({
            **data, "platform": reader.get("platform"),
            "platform_account_id": reader.get("platform_account_id"),
            "sponsor_id": sponsor.id if sponsor else PLACEHOLDER_ID, "operator_id": operator_id,
            "status": status if status in INITIAL else S.planned})
    except ValidationError as exc:
        reader.pydantic(exc, "name", RENAME)
        return
    occurred_at = event_time(ctx, reader, "occurred_at")
    if sponsor is None or reader.failed or occurred_at is None:
        return
    result.creates.append(NewAccount(reader.number, body, sponsor, occurred_at))


def _plan_stored(ctx: Ctx, result: AccountPlan, reader: RowReader, orgs: OrgIndex,
                 acc: Account) -> None:
    sponsor = orgs.by_id[acc.sponsor_id]
    if not ctx.principal.sees(sponsor.region_code, [acc.sponsor_id, acc.operator_id]):
        reader.error("platform_account_id",
                     f"账号 {acc.platform_account_id} 已被管辖范围外的单位登记")
        return
    new_sponsor = sponsor
    if SPONSOR.given(reader):
        new_sponsor = orgs.resolve(reader, SPONSOR, keep=sponsor.id) or sponsor
    operator_id = acc.operator_id
    if reader.present(OPERATOR.id) or reader.present(OPERATOR.name):
        operator_id = _operator(reader, orgs, new_sponsor, acc.operator_id)
    merged = {"name": reader.get("name") or acc.name,
              "url": reader.get("url") if reader.present("url") else acc.url,
              "feed": reader.get("feed") if reader.present("feed") else acc.feed}
    try:
        body = AccountCreate.model_validate({
            **merged, "platform": acc.platform, "platform_account_id": acc.platform_account_id,
            "sponsor_id": new_sponsor.id, "operator_id": operator_id})
    except ValidationError as exc:
        reader.pydantic(exc, "name", RENAME)
        return
    proposed = {k: getattr(body, k) for k in ("name", "url", "sponsor_id", "operator_id")}
    proposed["feed"] = feed_value(body.feed)
    changes = {k: v for k, v in proposed.items() if v != getattr(acc, k)}
    current = S(acc.status)
    target = reader.get("status") or current
    try:
        actions = plan_actions(current, target, A.change if changes else None)
    except ValueError as exc:
        reader.error("status" if target != current else next(iter(changes)), str(exc))
        return
    changed_at = event_time(ctx, reader, "changed_at")
    if reader.failed or changed_at is None:
        return
    if not actions:
        result.unchanged.append(reader.number)
        return
    result.updates.append(ChangedAccount(reader.number, acc, sponsor, new_sponsor, changes,
                                         actions, changed_at, reader.get("note")))
