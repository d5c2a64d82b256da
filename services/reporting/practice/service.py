"""Practices: units submit and revise write-ups (every version kept); supervisors edit,
shortlist them for a circular or decline them; the circular's 主要做法 is drafted from them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from services.reporting.attachment import service as attachments
from services.reporting.circular import service as circulars
from services.reporting.circular.models import Circular
from services.reporting.common.context import Ctx
from services.reporting.practice import draft
from services.reporting.practice.models import Practice, PracticeVersion
from services.reporting.practice.schemas import (
    STATUS_LABELS,
    DeclineBody,
    PracticeCreate,
    PracticeDetail,
    PracticeRead,
    PracticeUpdate,
    PracticeVersionRead,
    ShortlistBody,
)
from shared.clients.base import UpstreamProblem
from shared.clients.registry import RegistryClient
from shared.errors import InvalidTransition, NotFound, PreconditionFailed, ValidationFailed
from shared.principal import Role, region_prefix
from shared.scope import ScopedLoader


def _editor_role(ctx: Ctx) -> str:
    return "supervisor" if ctx.principal.has_role(Role.administrator, Role.supervisor) else "unit"


def _version(p: Practice, ctx: Ctx, now: datetime, number: int) -> PracticeVersion:
    return PracticeVersion(practice_id=p.id, version=number, title=p.title, text=p.text,
                           links=list(p.links), images=list(p.images), edited_by=ctx.actor[:200],
                           edited_as=_editor_role(ctx), edited_at=now)


async def create(ctx: Ctx, body: PracticeCreate, reg: RegistryClient) -> Practice:
    """Submit a write-up for one of the caller's units (the unit's name comes from the registry)."""
    ctx.require_writer(unit_allowed=True)
    try:
        org = await reg.organisation(body.organisation_id)
    except UpstreamProblem as exc:
        if exc.status != 404:
            raise
        raise ValidationFailed(f"单位 {body.organisation_id} 不存在或不在管辖范围内", errors=[
            {"field": "organisation_id", "value": str(body.organisation_id),
             "message": "单位不存在"}]) from None
    now = ctx.clock.now()
    p = Practice(organisation_id=org.id, organisation_name=org.name[:200],
                 region_code=org.region_code, title=body.title, text=body.text,
                 links=list(body.links), submitted_by=ctx.actor[:200], submitted_at=now,
                 updated_at=now)
    ctx.session.add(p)
    await ctx.session.flush()
    ctx.session.add(_version(p, ctx, now, 1))
    await ctx.session.flush()
    return p


# The write-ups in the caller's scope (region subtrees and own units), and one of them or 404.
PRACTICES = ScopedLoader(Practice, col(Practice.region_code), col(Practice.organisation_id),
                         missing="典型做法 {id} 不存在")


async def get(ctx: Ctx, practice_id: uuid.UUID) -> Practice:
    """Load a write-up in the caller's scope; out of scope answers 404 like a missing one."""
    return await PRACTICES.get(ctx.session, ctx.principal, practice_id)


async def page(ctx: Ctx, *, status: str | None, circular_id: uuid.UUID | None,
               organisation_id: uuid.UUID | None, limit: int, offset: int) -> tuple[list[Practice], int]:
    """One page of write-ups in scope, newest first, and the total."""
    stmt = PRACTICES.select(ctx.principal, organisation_id=organisation_id)
    for column, value in ((Practice.status, status), (Practice.circular_id, circular_id)):
        if value is not None:
            stmt = stmt.where(col(column) == value)
    return await PRACTICES.page(ctx.session, stmt, [col(Practice.submitted_at).desc(), col(Practice.id)],
                                limit=limit, offset=offset)


def check_version(p: Practice, if_match: str | None) -> None:
    """Refuse a stale If-Match (412); a write without one is refused by the route (428)."""
    if if_match is not None and if_match.strip('W/"') != str(p.version):
        raise PreconditionFailed(f"If-Match 为 {if_match}，当前版本为 \"{p.version}\"")


async def _published(ctx: Ctx, p: Practice) -> bool:
    if p.circular_id is None:
        return False
    circular = await ctx.session.get(Circular, p.circular_id)
    return circular is not None and circular.status == "published"


async def update(ctx: Ctx, p: Practice, body: PracticeUpdate) -> None:
    """Revise a write-up, keeping the new version: the unit while it is not shortlisted (a
    declined one goes back to submitted), a supervisor until its circular is published."""
    ctx.require_writer(unit_allowed=True)
    role = _editor_role(ctx)
    if role == "unit" and p.status == "shortlisted":
        raise InvalidTransition("已入选通报的典型做法只能由监管单位修改", allowed_next_states=[])
    if await _published(ctx, p):
        raise InvalidTransition("所入选的通报已发布，典型做法不能再修改", allowed_next_states=[])
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if not changes:
        raise ValidationFailed("请求体没有要修改的字段（title、text、links、images）",
                               errors=[{"field": "body", "value": None, "message": "没有修改"}])
    if "images" in changes:
        changes["images"] = await attachments.claim(ctx, p.id, body.images or [], "images")
    for key, value in changes.items():
        setattr(p, key, value)
    if role == "unit" and p.status == "declined":
        p.status, p.decision_note = "submitted", None
    now = ctx.clock.now()
    p.updated_at = now
    await ctx.session.flush()  # counts the row's version (its ETag) up
    # The text's versions are numbered on their own: shortlisting changes the ETag, not the text.
    kept = (await ctx.session.execute(select(func.count()).select_from(PracticeVersion).where(
        col(PracticeVersion.practice_id) == p.id))).scalar_one()
    ctx.session.add(_version(p, ctx, now, int(kept) + 1))
    await ctx.session.flush()


async def shortlist(ctx: Ctx, p: Practice, body: ShortlistBody) -> None:
    """Place a write-up in a draft circular of a region that contains the unit's."""
    ctx.require_admin_or_supervisor()
    try:
        circular = await circulars.get(ctx, body.circular_id)
    except NotFound:
        raise ValidationFailed(f"通报 {body.circular_id} 不存在", errors=[
            {"field": "circular_id", "value": str(body.circular_id), "message": "通报不存在"}]) from None
    circulars.require_editor(ctx, circular)
    if circular.status != "draft":
        raise InvalidTransition("通报已发布，不能再选入典型做法", allowed_next_states=[])
    if not p.region_code.startswith(region_prefix(circular.region_code)):
        raise ValidationFailed(f"单位所在区划 {p.region_code} 不在通报的区划 {circular.region_code} 内",
                               errors=[{"field": "circular_id", "value": str(circular.id),
                                        "message": "区划不符"}])
    position = body.position
    if position is None:
        last = (await ctx.session.execute(select(func.max(Practice.position)).where(
            col(Practice.circular_id) == circular.id, col(Practice.status) == "shortlisted"))).scalar()
        position = (last or 0) + 1
    p.status, p.circular_id, p.position = "shortlisted", circular.id, position
    p.decision_note, p.updated_at = body.note, ctx.clock.now()
    await ctx.session.flush()


async def unlist(ctx: Ctx, p: Practice, decline: DeclineBody | None) -> None:
    """Take a write-up off its circular (back to submitted), or decline it with a reason."""
    ctx.require_admin_or_supervisor()
    if await _published(ctx, p):
        raise InvalidTransition("所入选的通报已发布，不能撤下", allowed_next_states=[])
    p.status = "declined" if decline else "submitted"
    p.decision_note = decline.note if decline else None
    p.circular_id, p.position, p.updated_at = None, None, ctx.clock.now()
    await ctx.session.flush()


async def chosen(ctx: Ctx, circular_id: uuid.UUID) -> list[Practice]:
    """The write-ups shortlisted for a circular, in their order."""
    return list((await ctx.session.execute(select(Practice).where(
        col(Practice.circular_id) == circular_id, col(Practice.status) == "shortlisted").order_by(
        col(Practice.position), col(Practice.submitted_at), col(Practice.id)))).scalars())


async def draft_section(ctx: Ctx, circular: Circular, opening: str) -> int:
    """Write the circular's 主要做法 from its shortlisted write-ups; return how many it names."""
    circulars.require_editor(ctx, circular)
    if circular.status != "draft":
        raise InvalidTransition("已发布的通报不能修改；如需更正请发更正通报", allowed_next_states=[])
    practices = await chosen(ctx, circular.id)
    circular.narrative = {**circular.narrative, "practices": draft.compose(practices, opening)}
    circular.updated_at = ctx.clock.now()
    await ctx.session.flush()
    return len(practices)


def to_read(p: Practice) -> PracticeRead:
    """Render a write-up."""
    return PracticeRead.model_validate({**p.model_dump(), "status_label": STATUS_LABELS[p.status]})


async def to_detail(ctx: Ctx, p: Practice) -> PracticeDetail:
    """Render a write-up with every version, oldest first."""
    versions = (await ctx.session.execute(select(PracticeVersion).where(
        col(PracticeVersion.practice_id) == p.id).order_by(col(PracticeVersion.version)))).scalars()
    return PracticeDetail(**to_read(p).model_dump(),
                          versions=[PracticeVersionRead.model_validate(v) for v in versions])
