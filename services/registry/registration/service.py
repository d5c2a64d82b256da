"""Registration requests: made by a supervisor, listed to the unit, closed by its filing; each
opening and closing published in the same transaction (registration.requested, .closed)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import String, cast, or_
from sqlmodel import col, select

from services.registry.account.models import Account
from services.registry.common.context import Ctx
from services.registry.organisation.models import Organisation
from services.registry.organisation.service import referenced_organisation
from services.registry.registration.models import RegistrationRequest
from services.registry.registration.schemas import (
    STATUS_LABELS,
    RegistrationDismissal,
    RegistrationRequestCreate,
    RegistrationRequestRead,
    RequestKind,
    RequestStatus,
)
from services.registry.website.models import Website
from shared.contracts.events import (
    REGISTRATION_CLOSED,
    REGISTRATION_REQUESTED,
    RegistrationClosed,
    RegistrationRequested,
)
from shared.contracts.registry import Platform
from shared.errors import Conflict, InvalidTransition
from shared.scope import ScopedLoader

LOADER = ScopedLoader(RegistrationRequest, RegistrationRequest.region_code,
                      RegistrationRequest.organisation_id, missing="补报备案通知 {id} 不存在")
OPEN = RequestStatus.open.value


def to_read(req: RegistrationRequest, org_name: str) -> RegistrationRequestRead:
    """Render a request with its unit's name and the labels people read."""
    platform = Platform(req.platform) if req.platform else None
    return RegistrationRequestRead(
        id=req.id, kind=RequestKind(req.kind), organisation_id=req.organisation_id,
        organisation_name=org_name, region_code=req.region_code, name=req.name,
        platform=platform, platform_label=platform.label if platform else None,
        platform_account_id=req.platform_account_id, domain=req.domain, url=req.url,
        seen_on=req.seen_on, finding_id=req.finding_id, note=req.note,
        status=RequestStatus(req.status), status_label=STATUS_LABELS[req.status],
        requested_by=req.requested_by, closed_by=req.closed_by, closing_note=req.closing_note,
        filed_target_id=req.filed_target_id, version=req.version, created_at=req.created_at,
        closed_at=req.closed_at)


def _identity(req: RegistrationRequest, org_name: str) -> dict[str, object]:
    """What both events say of a request: itself, its unit and the account or site it names."""
    platform = Platform(req.platform) if req.platform else None
    return {"registration_request_id": req.id, "kind": req.kind,
            "organisation_id": req.organisation_id, "organisation_name": org_name,
            "region_code": req.region_code, "name": req.name,
            "platform": platform.value if platform else None,
            "platform_label": platform.label if platform else None,
            "platform_account_id": req.platform_account_id, "domain": req.domain}


def requested_event(req: RegistrationRequest, org_name: str) -> RegistrationRequested:
    """The `registration.requested` payload of a request just made."""
    return RegistrationRequested.model_validate({
        **_identity(req, org_name), "url": req.url, "seen_on": list(req.seen_on),
        "finding_id": req.finding_id, "note": req.note, "created_at": req.created_at})


def closed_event(req: RegistrationRequest, org_name: str) -> RegistrationClosed:
    """The `registration.closed` payload of a request just filed or dismissed."""
    return RegistrationClosed.model_validate({
        **_identity(req, org_name), "outcome": req.status,
        "outcome_label": STATUS_LABELS[req.status], "filed_target_id": req.filed_target_id,
        "note": req.closing_note, "closed_at": req.closed_at})


async def _already_filed(ctx: Ctx, body: RegistrationRequestCreate) -> uuid.UUID | None:
    if body.kind is RequestKind.account:
        assert body.platform is not None  # the schema requires it for accounts
        if body.platform_account_id is None:
            return None
        return (await ctx.session.execute(select(Account.id).where(
            Account.platform == body.platform.value,
            Account.platform_account_id == body.platform_account_id))).scalar()
    return (await ctx.session.execute(select(Website.id).where(or_(
        col(Website.main_domain) == body.domain,
        cast(Website.domains, String).contains(f'"{body.domain}"'))))).scalar()


async def create(ctx: Ctx, body: RegistrationRequestCreate) -> tuple[RegistrationRequest, str]:
    """Ask a unit in scope to file a discovered account or site; refuse one already filed."""
    org = await referenced_organisation(ctx, body.organisation_id, "organisation_id")
    filed = await _already_filed(ctx, body)
    if filed is not None:
        raise Conflict(f"该{'账号' if body.kind is RequestKind.account else '网站'}已备案，"
                       "无需补报", existing_id=str(filed))
    same = select(RegistrationRequest.id).where(
        RegistrationRequest.organisation_id == org.id, RegistrationRequest.status == OPEN,
        RegistrationRequest.kind == body.kind.value)
    same = (same.where(RegistrationRequest.domain == body.domain) if body.kind is RequestKind.website
            else same.where(RegistrationRequest.platform == body.platform,
                            RegistrationRequest.name == body.name))
    clash = (await ctx.session.execute(same)).scalar()
    if clash is not None:
        raise Conflict("该单位已有此对象的待补报通知", existing_id=str(clash))
    req = RegistrationRequest(
        kind=body.kind.value, organisation_id=org.id, region_code=org.region_code,
        platform=body.platform.value if body.platform else None,
        platform_account_id=body.platform_account_id, name=body.name, domain=body.domain,
        url=body.url, seen_on=body.seen_on, finding_id=body.finding_id, note=body.note,
        status=OPEN, requested_by=ctx.actor, created_at=ctx.clock.now())
    ctx.session.add(req)
    await ctx.session.flush()
    ctx.outbox.publish(ctx.session, REGISTRATION_REQUESTED, requested_event(req, org.name))
    return req, org.name


async def _org_names(ctx: Ctx, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await ctx.session.execute(select(Organisation.id, Organisation.name)
                                     .where(col(Organisation.id).in_(ids)))
    return {row_id: name for row_id, name in rows}


async def list_requests(ctx: Ctx, *, status: Sequence[RequestStatus] | None,
                        region: str | None, organisation_id: uuid.UUID | None
                        ) -> list[RegistrationRequestRead]:
    """Requests in the caller's scope (a unit sees its own), newest first."""
    stmt = LOADER.select(ctx.principal, region=region, organisation_id=organisation_id)
    if status:
        stmt = stmt.where(col(RegistrationRequest.status).in_([s.value for s in status]))
    rows = (await ctx.session.execute(
        stmt.order_by(col(RegistrationRequest.created_at).desc()))).scalars().all()
    names = await _org_names(ctx, {r.organisation_id for r in rows})
    return [to_read(r, names.get(r.organisation_id, "")) for r in rows]


async def get(ctx: Ctx, request_id: uuid.UUID) -> tuple[RegistrationRequest, str]:
    """One request in scope, or 404 as if it did not exist."""
    req = await LOADER.get(ctx.session, ctx.principal, request_id)
    return req, (await _org_names(ctx, {req.organisation_id})).get(req.organisation_id, "")


def dismiss(ctx: Ctx, req: RegistrationRequest, org_name: str, body: RegistrationDismissal) -> None:
    """Withdraw an open request (e.g. the account is not the unit's) and say so in the outbox."""
    if req.status != OPEN:
        raise InvalidTransition(
            f"补报备案通知当前状态为“{STATUS_LABELS[req.status]}”，只有待补报的通知可以撤销",
            allowed_next_states=[])
    req.status, req.closed_by, req.closing_note = RequestStatus.dismissed.value, ctx.actor, body.note
    req.closed_at = ctx.clock.now()
    ctx.outbox.publish(ctx.session, REGISTRATION_CLOSED, closed_event(req, org_name))


async def close_filed_account(ctx: Ctx, acc: Account) -> None:
    """Close the open requests an account's registration answers: same platform and id, or
    the same platform and name for the same sponsor (a request may know only the name)."""
    rows = (await ctx.session.execute(select(RegistrationRequest).where(
        RegistrationRequest.status == OPEN, RegistrationRequest.kind == RequestKind.account.value,
        RegistrationRequest.platform == acc.platform,
        or_(col(RegistrationRequest.platform_account_id) == acc.platform_account_id,
            (col(RegistrationRequest.organisation_id) == acc.sponsor_id)
            & (RegistrationRequest.name == acc.name))))).scalars().all()
    await _close(ctx, rows, acc.id)


async def close_filed_website(ctx: Ctx, site: Website) -> None:
    """Close the open requests whose domain a website's registration names."""
    rows = (await ctx.session.execute(select(RegistrationRequest).where(
        RegistrationRequest.status == OPEN, RegistrationRequest.kind == RequestKind.website.value,
        col(RegistrationRequest.domain).in_(site.domains)))).scalars().all()
    await _close(ctx, rows, site.id)


async def _close(ctx: Ctx, rows: Sequence[RegistrationRequest], target_id: uuid.UUID) -> None:
    """Mark requests filed by a target's registration, one `registration.closed` each."""
    names = await _org_names(ctx, {req.organisation_id for req in rows})
    for req in rows:
        req.status, req.filed_target_id = RequestStatus.filed.value, target_id
        req.closed_by, req.closed_at = ctx.actor, ctx.clock.now()
        ctx.outbox.publish(ctx.session, REGISTRATION_CLOSED,
                           closed_event(req, names.get(req.organisation_id, "")))
