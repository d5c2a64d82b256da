"""What websites and accounts (the filing targets) do alike: scoped loading, shared filters,
paging, derived compliance flags, and filing a registration or a lifecycle action.

Each target module keeps what differs: its validation, its compliance rules, its snapshot and
event payload, and its schemas; it passes those in here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from fastapi import Response
from sqlalchemy import Text, cast, func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.sql.expression import Select

from services.registry.calendar.service import load_calendar
from services.registry.common.context import Ctx
from services.registry.common.http import set_etag
from services.registry.filing import service as filings
from services.registry.filing.models import Filing
from services.registry.organisation.models import Organisation
from shared.calendar import WorkingCalendar
from shared.contracts.registry import ComplianceFlag, FilingAction, FilingRead, LifecycleStatus
from shared.errors import NotFound, ValidationFailed
from shared.principal import region_prefix

Snapshot = Callable[[Any], dict[str, Any]]
Payload = Callable[[Any, Organisation], dict[str, Any]]


async def load_one(ctx: Ctx, stmt: Select[Any, Organisation], missing: str) -> tuple[Any, Organisation]:
    """The (row, organisation) a scoped query finds, or 404 with `missing` as if it did not exist."""
    row = (await ctx.session.execute(stmt)).first()
    if row is None:
        raise NotFound(missing)
    return row[0], row[1]


def common_filters(stmt: Select[Any, Organisation], model: Any, *, region: str | None,
                   status: list[LifecycleStatus] | None,
                   flag: ComplianceFlag | None) -> Select[Any, Organisation]:
    """Narrow a scoped query by sponsor region subtree, status and compliance flag."""
    if region:
        stmt = stmt.where(col(Organisation.region_code).like(f"{region_prefix(region)}%"))
    if status:
        stmt = stmt.where(col(model.status).in_([s.value for s in status]))
    if flag:
        # JSON arrays are stored as text on SQLite and as json on PostgreSQL; quoted match works on both.
        stmt = stmt.where(cast(col(model.compliance_flags), Text()).contains(f'"{flag.value}"'))
    return stmt


async def page(ctx: Ctx, stmt: Select[Any, Organisation], order_by: Sequence[Any], *,
               limit: int, offset: int) -> tuple[list[tuple[Any, Organisation]], int]:
    """One page of a filtered query in the given order, and the total it has."""
    total = (await ctx.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await ctx.session.execute(stmt.order_by(*order_by).limit(limit).offset(offset))).all()
    return [(r, o) for r, o in rows], total


async def store_flags(ctx: Ctx, model: Any, row: Any, flags: list[str]) -> None:
    """Save a row's recomputed compliance flags if they changed."""
    if flags != row.compliance_flags:
        # A derived field: updated without a version bump, so editors' ETags stay valid.
        await ctx.session.execute(
            update(model).where(col(model.id) == row.id).values(compliance_flags=flags)
            .execution_options(synchronize_session=False))
        set_committed_value(row, "compliance_flags", flags)


def requested_changes(body: Any, required: Iterable[str]) -> dict[str, Any]:
    """The fields a filing sets in `changes`, refusing null for the `required` ones."""
    changes: dict[str, Any] = {}
    if body.changes is not None:
        changes = {k: getattr(body.changes, k) for k in body.changes.model_fields_set}
    for key in required:
        if key in changes and changes[key] is None:
            raise ValidationFailed(f"字段 changes.{key} 不能为空")
    return changes


async def file_registration(ctx: Ctx, row: Any, org: Organisation, body: Any,
                            occurred_at: datetime, calendar: WorkingCalendar | None, *,
                            target: str, snapshot: Snapshot, payload: Payload) -> None:
    """Add a new row and its `register` filing (occurred_at as checked by the caller)."""
    ctx.session.add(row)
    calendar = calendar or await load_calendar(ctx.session)
    record_registration(ctx, calendar, row, org, occurred_at, body.note, target=target,
                        snapshot=snapshot, payload=payload)


def record_registration(ctx: Ctx, calendar: WorkingCalendar, row: Any, org: Organisation,
                        occurred_at: datetime, note: str | None, *, target: str,
                        snapshot: Snapshot, payload: Payload) -> Filing:
    """File the `register` filing of a row just added to the session."""
    return filings.record(ctx, calendar, target_type=target, row=row,
                          action=FilingAction.register, from_status=None, before=None,
                          after=snapshot(row), occurred_at=occurred_at, note=note,
                          event_payload=payload(row, org))


async def file_change(ctx: Ctx, row: Any, new_org: Organisation, body: Any,
                      changes: dict[str, Any], calendar: WorkingCalendar | None, *, target: str,
                      snapshot: Snapshot, payload: Payload) -> Filing:
    """Apply a lifecycle action and the fields it really changes to a row, and file it."""
    changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
    if body.action in (FilingAction.change, FilingAction.migrate) and not changes:
        raise ValidationFailed("changes 与当前登记内容相同，无需变更")
    occurred_at = filings.check_occurred_at(ctx, body.occurred_at)
    calendar = calendar or await load_calendar(ctx.session)
    before = snapshot(row)
    action = FilingAction(body.action)
    from_status = filings.transition(ctx, row, action)
    for key, value in changes.items():
        setattr(row, key, value)
    return filings.record(ctx, calendar, target_type=target, row=row, action=action,
                          from_status=from_status, before=before, after=snapshot(row),
                          occurred_at=occurred_at, note=body.note,
                          event_payload=payload(row, new_org))



async def filed_reply(ctx: Ctx, row: Any, filing: Filing, response: Response) -> FilingRead:
    """Commit a filing and answer with it, judged on time or late, and the row's new ETag."""
    await ctx.session.commit()
    set_etag(response, row.version)
    calendar = await load_calendar(ctx.session)
    return filings.to_read(filing, calendar, ctx.settings.filing_limits)
