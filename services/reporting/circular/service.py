"""Circulars: drafts computed fresh from results, published ones frozen with their numbers."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.reporting.circular.accumulate import ProblemIndex
from services.reporting.circular.compute import ComputeInput, compute
from services.reporting.circular.content import CircularData, CircularDocument, Narrative, TargetRow
from services.reporting.circular.models import Circular
from services.reporting.circular.schemas import CircularCreate, CircularRead, CircularUpdate
from services.reporting.circular.sources import (
    region_names,
    result_pages,
    results_in,
    running_targets,
)
from services.reporting.common.calendar import load_calendar
from services.reporting.common.context import Ctx
from services.reporting.rectification.models import RectificationItem
from services.reporting.rectification.service import OpenItem, open_items
from services.reporting.repost import service as reposts
from services.reporting.result.models import Result
from services.reporting.unit.circulars import naming
from shared.calendar import SHANGHAI
from shared.clients.registry import RegistryClient
from shared.contracts.events import CIRCULAR_PUBLISHED, CircularPublished
from shared.errors import Conflict, Forbidden, InvalidTransition, NotFound, PreconditionFailed
from shared.principal import region_prefix
from shared.tabular import xml_safe

STATUS_LABELS = {"draft": "草稿", "published": "已发布"}
QUARTER_WORDS = {1: "一", 2: "二", 3: "三", 4: "四"}


def quarter_period(quarter: str) -> tuple[date, date]:
    """The first and last day of a quarter written 2026Q4."""
    year, q = int(quarter[:4]), int(quarter[-1])
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return start, end


def previous_quarter(today: date) -> str:
    """The quarter before the one containing today, as 2026Q3."""
    q = (today.month - 1) // 3 + 1
    return f"{today.year - 1}Q4" if q == 1 else f"{today.year}Q{q - 1}"


def default_title(start: date, end: date, region_name: str) -> str:
    """A title in the usual form, e.g. 关于2026年第四季度济南市政府网站和政务新媒体检查情况的通报."""
    q = (start.month - 1) // 3 + 1
    if start == quarter_period(f"{start.year}Q{q}")[0] and end == quarter_period(f"{start.year}Q{q}")[1]:
        period = f"{start.year}年第{QUARTER_WORDS[q]}季度"
    else:
        period = f"{start:%Y年%m月%d日}至{end:%Y年%m月%d日}"
    return f"关于{period}{region_name}政府网站和政务新媒体检查情况的通报"


async def _previous_circular(ctx: Ctx, circular: Circular) -> tuple[Circular | None, int, int]:
    prev = (await ctx.session.execute(select(Circular).where(
        Circular.region_code == circular.region_code, Circular.status == "published",
        col(Circular.period_end) < circular.period_start).order_by(
        col(Circular.period_end).desc()).limit(1))).scalar()
    if prev is None:
        return None, 0, 0
    total, closed = (await ctx.session.execute(select(
        func.count(), func.count().filter(col(RectificationItem.status) == "closed")).where(
        RectificationItem.circular_id == prev.id))).one()
    return prev, int(total), int(closed)


def deadline_text(deadline: datetime | None, days: int | None) -> str:
    """The deadline sentence of section 三."""
    if deadline is not None:
        local = deadline.astimezone(SHANGHAI)
        return f"务必于{local:%Y年%-m月%-d日%H:%M}前完成整改及复核"
    if days:
        return f"务必于通报印发之日起{days}个工作日内完成整改及复核"
    return ""


async def build(ctx: Ctx, circular: Circular,
                registry: RegistryClient) -> tuple[CircularData, dict[str, list[str]]]:
    """Compute a circular's content now (drafts) or return what was frozen (published)."""
    if circular.content is not None:
        return CircularData.model_validate(circular.content["data"]), circular.content["rows"]
    names = await region_names(registry, circular.region_code)
    length = circular.period_end - circular.period_start
    prev_end = circular.period_start - timedelta(days=1)
    prev_start = prev_end - length
    prev, items, closed = await _previous_circular(ctx, circular)
    index = ProblemIndex()
    data, rows = compute(ComputeInput(
        title=circular.title, period_start=circular.period_start, period_end=circular.period_end,
        region_code=circular.region_code, region_name=names.get(circular.region_code, circular.region_code),
        issuing_office=circular.issuing_office,
        results=await results_in(ctx, circular.region_code, circular.period_start,
                                  circular.period_end, index=index),
        index=index,
        previous=await results_in(ctx, circular.region_code, prev_start, prev_end,
                                  with_problems=False) or None,
        period_word="季度" if 85 <= length.days <= 92 else "期",
        previous_circular_title=prev.title if prev else None, previous_items=items or None,
        previous_closed=closed, region_names=names,
        deadline_text=deadline_text(circular.deadline_at, circular.deadline_working_days),
        running=await running_targets(registry, circular.region_code)))
    data.reposts = await reposts.paragraph(ctx.session, circular.region_code, circular.period_start,
                                           circular.period_end, ctx.clock.now().astimezone(SHANGHAI).date())
    return data, rows


def visible(ctx: Ctx, circular: Circular) -> bool:
    """Drafts: the region's own supervisors; published: anyone whose scope overlaps it."""
    if ctx.principal.sees_region(circular.region_code):
        return True
    if circular.status != "published":
        return False
    prefix = region_prefix(circular.region_code)
    return any(code.startswith(prefix) for code in ctx.principal.regions)


async def names_caller(ctx: Ctx, circular: Circular) -> bool:
    """Tell whether a published circular names one of the caller's units (units see those)."""
    return circular.status == "published" and circular.id in await naming(ctx, circular.id)


async def list_visible(ctx: Ctx, status: str | None) -> list[Circular]:
    """Circulars the caller may see, newest period first (a unit: the published ones naming it)."""
    stmt = select(Circular).order_by(col(Circular.period_end).desc(), col(Circular.created_at).desc())
    if status:
        stmt = stmt.where(Circular.status == status)
    named = await naming(ctx)
    return [c for c in (await ctx.session.execute(stmt)).scalars()
            if visible(ctx, c) or (c.status == "published" and c.id in named)]


async def update(ctx: Ctx, circular: Circular, body: CircularUpdate, if_match: str | None) -> None:
    """Edit a draft's narrative, title, office or deadline; a published circular never changes."""
    require_editor(ctx, circular)
    if circular.status != "draft":
        raise InvalidTransition("已发布的通报不能修改；如需更正请发更正通报", allowed_next_states=[])
    if if_match is not None and if_match.strip('W/"') != str(circular.version):
        raise PreconditionFailed(f"If-Match 为 {if_match}，当前版本为 \"{circular.version}\"")
    changes = body.model_dump(exclude_unset=True)
    if "narrative" in changes and body.narrative is not None:
        changes["narrative"] = body.narrative.model_dump()
    for key, value in changes.items():
        if value is not None or key in ("deadline_at", "deadline_working_days"):
            setattr(circular, key, value)
    circular.updated_at = ctx.clock.now()
    await ctx.session.flush()


async def get(ctx: Ctx, circular_id: uuid.UUID) -> Circular:
    """Load a circular the caller may see, or 404."""
    circular = await ctx.session.get(Circular, circular_id)
    if circular is None or not (visible(ctx, circular) or await names_caller(ctx, circular)):
        raise NotFound(f"通报 {circular_id} 不存在")
    return circular


def require_editor(ctx: Ctx, circular: Circular) -> None:
    """Only supervisors of the circular's region write it."""
    ctx.require_admin_or_supervisor()
    if not ctx.principal.sees_region(circular.region_code):
        raise Forbidden(f"区划 {circular.region_code} 不在当前调用者的管辖范围内")


async def create(ctx: Ctx, body: CircularCreate, registry: RegistryClient,
                 corrects: Circular | None = None) -> Circular:
    """Create a draft for a period and a region."""
    ctx.require_admin_or_supervisor()
    if not ctx.principal.sees_region(body.region_code):
        raise Forbidden(f"区划 {body.region_code} 不在当前调用者的管辖范围内")
    now = ctx.clock.now()
    if body.period_start and body.period_end:
        start, end = body.period_start, body.period_end
    else:
        start, end = quarter_period(body.quarter or previous_quarter(now.astimezone(SHANGHAI).date()))
    names = await region_names(registry, body.region_code)
    circular = Circular(
        title=body.title or default_title(start, end, names.get(body.region_code, "")),
        region_code=body.region_code, period_start=start, period_end=end,
        issuing_office=body.issuing_office, narrative=body.narrative.model_dump(),
        deadline_at=body.deadline_at,
        deadline_working_days=body.deadline_working_days or (
            None if body.deadline_at else ctx.settings.default_deadline_working_days),
        corrects_id=corrects.id if corrects else None, created_by=ctx.actor,
        created_at=now, updated_at=now)
    ctx.session.add(circular)
    await ctx.session.flush()
    return circular


async def publish(ctx: Ctx, circular: Circular, number: str, issued_on: date | None,
                  registry: RegistryClient) -> int:
    """Number, date and freeze a draft; open one rectification item per problem."""
    require_editor(ctx, circular)
    if circular.status != "draft":
        raise InvalidTransition("通报已发布，不能再次发布；如需更正请另发更正通报",
                                allowed_next_states=[])
    clash = (await ctx.session.execute(select(Circular.id).where(
        Circular.number == number))).scalar()
    if clash is not None:
        raise Conflict(f"文号 {number} 已被使用", existing_id=str(clash))
    now = ctx.clock.now()
    deadline = circular.deadline_at
    if deadline is None:
        calendar = await load_calendar(registry)
        deadline = calendar.deadline(now, circular.deadline_working_days
                                     or ctx.settings.default_deadline_working_days)
    circular.deadline_at = deadline
    data, rows = await build(ctx, circular, registry)
    data.deadline_text = deadline_text(deadline, None)
    circular.content = {"data": data.model_dump(mode="json"), "rows": rows}
    circular.status, circular.number = "published", number
    circular.issued_on = issued_on or now.astimezone(SHANGHAI).date()
    circular.published_at, circular.published_by = now, ctx.actor
    problems = await _open_problems(ctx, circular, {row.target_id: row for row in data.rows})
    opened = await open_items(ctx.session, circular, problems, deadline, now, ctx.actor)
    ctx.outbox.publish(ctx.session, CIRCULAR_PUBLISHED, CircularPublished(
        circular_id=circular.id, title=circular.title, number=number,
        region_code=circular.region_code, period_start=circular.period_start,
        period_end=circular.period_end, deadline_at=deadline, rectification_items=opened))
    try:
        await ctx.session.flush()
    except IntegrityError as exc:
        raise Conflict(f"文号 {number} 已被使用") from exc
    return opened


async def _open_problems(ctx: Ctx, circular: Circular, rows: dict[str, TargetRow]) -> list[OpenItem]:
    """One item per (target, rule) problem that is not a mere warning, read a page at a time."""
    problems: dict[tuple[str, str], OpenItem] = {}
    async for page in result_pages(ctx, circular.region_code, circular.period_start,
                                   circular.period_end):
        for r in page:
            row = rows.get(r.target_id)
            if row is None:
                continue
            for p in r.problems:
                if p["severity"] == "warn":
                    continue
                item = problems.setdefault((row.target_id, p["rule"]), OpenItem(
                    target_id=uuid.UUID(row.target_id), target_type=row.target_type,
                    target_code=row.target_code, target_name=row.target_name,
                    organisation_id=uuid.UUID(r.organisation_id),
                    organisation_name=row.organisation_name, region_code=row.region_code,
                    rule=p["rule"], indicator=p["indicator"], severity=p["severity"],
                    message=p["message"], fingerprints=[]))
                if p.get("fingerprint") and p["fingerprint"] not in item.fingerprints:
                    item.fingerprints.append(p["fingerprint"])
    order = {target_id: n for n, target_id in enumerate(rows)}  # the circular's row order
    return sorted(problems.values(), key=lambda i: order[str(i.target_id)])


async def to_read(ctx: Ctx, circular: Circular, registry: RegistryClient) -> CircularRead:
    """Render a circular with its (computed or frozen) content."""
    data, _ = await build(ctx, circular, registry)
    return CircularRead(
        id=circular.id, title=circular.title, region_code=circular.region_code,
        period_start=circular.period_start, period_end=circular.period_end,
        status=circular.status, status_label=STATUS_LABELS[circular.status],
        issuing_office=circular.issuing_office, number=circular.number,
        issued_on=circular.issued_on, deadline_at=circular.deadline_at,
        deadline_working_days=circular.deadline_working_days,
        narrative=Narrative.model_validate(circular.narrative), corrects_id=circular.corrects_id,
        version=circular.version, created_by=circular.created_by, created_at=circular.created_at,
        published_at=circular.published_at, data=data)


async def document(ctx: Ctx, circular: Circular, traditional: bool,
                   registry: RegistryClient) -> CircularDocument:
    """What the renderers receive."""
    data, _ = await build(ctx, circular, registry)
    doc = CircularDocument(data=data, narrative=Narrative.model_validate(circular.narrative),
                           number=circular.number, issued_on=circular.issued_on,
                           draft=circular.status != "published", traditional=traditional)
    return CircularDocument.model_validate(xml_safe(doc.model_dump()))


async def figure_rows(ctx: Ctx, circular: Circular, key: str,
                      registry: RegistryClient) -> tuple[Any, list[dict[str, Any]]]:
    """A figure and the result rows it counts."""
    data, rows = await build(ctx, circular, registry)
    if key not in data.figures:
        raise NotFound(f"通报中没有数字 {key!r}")
    ids = rows.get(key, [])
    by_task = {r.task_id: r for r in (await ctx.session.execute(select(Result).where(
        col(Result.task_id).in_([uuid.UUID(i) for i in ids])))).scalars()} if ids else {}
    out = [{"task_id": str(t.task_id), "target_id": str(t.target_id),
            "target_code": t.target_code, "target_name": t.target_name,
            "organisation_name": t.organisation_name, "region_code": t.region_code,
            "kind": t.kind, "passed": t.passed, "score": t.score, "vetoes": t.vetoes,
            "uninspected_reason": t.uninspected_reason,
            "as_of": t.as_of.isoformat()} for i in ids if (t := by_task.get(uuid.UUID(i)))]
    return data.figures[key], out
