"""Citizens' error reports (我为政府网站找错): routed to the unit, answered within working days.

The answer limit (RULES.md: 3 working days, local) is fixed when the message arrives, from the
working calendar. In the annual assessment an unanswered message costs 3 points and one
answered more than a month late 2 points; `stats` counts both per unit.
"""

from __future__ import annotations

import calendar as month_calendar
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlmodel import col, update

from services.reporting.common.context import Ctx
from services.reporting.error_report.models import ErrorReport
from services.reporting.error_report.schemas import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    AnswerBody,
    ErrorReportCreate,
    ErrorReportRead,
    UnitErrorStats,
    WebsiteRef,
)
from shared.calendar import SHANGHAI, WorkingCalendar
from shared.clients.base import UpstreamProblem
from shared.clients.registry import RegistryClient
from shared.errors import InvalidTransition, ValidationFailed
from shared.principal import region_prefix
from shared.scope import ScopedLoader

# 《监管工作年度考核指标》: not closed −3 each, closed more than a month late −2 each.
UNANSWERED_POINTS = 3.0
MONTH_LATE_POINTS = 2.0


# The fields of the message's website that must agree with the registry's record of it.
FILED_FIELDS = ("site_code", "organisation_id", "region_code")


async def check_filed(registry: RegistryClient, site: WebsiteRef) -> None:
    """Refuse (422) a website the registry does not show the caller, or one described otherwise.

    The registry is asked as the caller, so its scope decides: a county cannot pin a message on
    another county's unit by describing that county's site as its own.
    """
    try:
        filed = await registry.website(site.id)
    except UpstreamProblem as exc:
        if exc.status != 404:
            raise
        raise ValidationFailed(
            f"字段 website.id 的值 {str(site.id)!r}：备案库中没有该网站，或不在调用者的管辖范围内",
            errors=[{"field": "website.id", "value": str(site.id),
                     "message": "不存在或不在管辖范围内"}]) from exc
    for name in FILED_FIELDS:
        given, on_file = str(getattr(site, name)), str(getattr(filed, name))
        if given != on_file:
            raise ValidationFailed(
                f"字段 website.{name} 的值 {given!r} 与备案库不符（备案为 {on_file!r}）",
                errors=[{"field": f"website.{name}", "value": given,
                         "message": f"与备案库不符，备案为 {on_file}"}])


async def submit(ctx: Ctx, calendar: WorkingCalendar, body: ErrorReportCreate,
                 registry: RegistryClient) -> ErrorReport:
    """Record a citizen's message for the site's unit, with its answer deadline."""
    ctx.require_writer()
    site = body.website
    if not ctx.principal.sees(site.region_code, [site.organisation_id]):
        raise ValidationFailed(
            f"字段 website.region_code 的值 {site.region_code!r}：该网站不在调用者的管辖范围内",
            errors=[{"field": "website.region_code", "value": site.region_code,
                     "message": "不在管辖范围内"}])
    await check_filed(registry, site)
    now = ctx.clock.now()
    submitted_at = body.submitted_at or now
    if submitted_at.tzinfo is None or submitted_at > now:
        raise ValidationFailed(f"字段 submitted_at 的值 {submitted_at.isoformat()!r}："
                               "须带时区且不晚于当前时间")
    report = ErrorReport(
        website_id=site.id, site_code=site.site_code, site_name=site.name,
        organisation_id=site.organisation_id, organisation_name=site.organisation_name,
        region_code=site.region_code, page_url=body.page_url, category=body.category,
        content=body.content, reporter_contact=body.reporter_contact, submitted_at=submitted_at,
        deadline_at=calendar.deadline(submitted_at, ctx.settings.error_report_working_days),
        status="open")
    ctx.session.add(report)
    await ctx.session.flush()
    return report


# The reports in the caller's scope (region subtrees and own units), and one of them or 404.
REPORTS = ScopedLoader(ErrorReport, col(ErrorReport.region_code),
                       col(ErrorReport.organisation_id), missing="找错留言 {id} 不存在")


async def get(ctx: Ctx, report_id: uuid.UUID) -> ErrorReport:
    """Load one in the caller's scope; out of scope answers 404 like a missing one."""
    return await REPORTS.get(ctx.session, ctx.principal, report_id)


async def page(ctx: Ctx, *, status: str | None, organisation_id: uuid.UUID | None,
               website_id: uuid.UUID | None, region: str | None, overdue_only: bool,
               limit: int, offset: int) -> tuple[list[ErrorReport], int]:
    """Return one page of reports in scope, soonest deadline first, and the total."""
    stmt = REPORTS.select(ctx.principal, region=region, organisation_id=organisation_id)
    if status:
        stmt = stmt.where(col(ErrorReport.status) == status)
    if website_id:
        stmt = stmt.where(col(ErrorReport.website_id) == website_id)
    if overdue_only:
        stmt = stmt.where(col(ErrorReport.status) == "open",
                          col(ErrorReport.deadline_at) <= ctx.clock.now())
    return await REPORTS.page(ctx.session, stmt, [col(ErrorReport.deadline_at), col(ErrorReport.id)],
                              limit=limit, offset=offset)


async def answer(ctx: Ctx, report: ErrorReport, body: AnswerBody) -> None:
    """Record the unit's answer; a report is answered once."""
    ctx.require_writer(unit_allowed=True)
    now = ctx.clock.now()
    done = await ctx.session.execute(update(ErrorReport).where(
        col(ErrorReport.id) == report.id, col(ErrorReport.status) == "open").values(
        status="answered", answer=body.answer, answered_at=now, answered_by=ctx.actor
    ).execution_options(synchronize_session=False))
    await ctx.session.refresh(report)
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(
            f"找错留言已于 {_local(report.answered_at)} 答复，不能再次答复；允许的操作：无",
            status_now=report.status, allowed_actions=[])


def to_read(report: ErrorReport, now: datetime) -> ErrorReportRead:
    """Render a report with its timeliness judged now."""
    answered = report.answered_at
    return ErrorReportRead.model_validate({
        **report.model_dump(), "category_label": CATEGORY_LABELS.get(report.category, report.category),
        "status_label": STATUS_LABELS.get(report.status, report.status),
        "overdue": answered is None and now >= report.deadline_at,
        "answered_on_time": None if answered is None else answered <= report.deadline_at})


@dataclass
class _Tally:
    organisation_name: str
    region_code: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("total", "open", "overdue", "answered_on_time", "answered_late",
         "answered_over_month_late"), 0))


async def stats(ctx: Ctx, *, region: str | None, submitted_from: date | None,
                submitted_to: date | None) -> list[UnitErrorStats]:
    """Count each unit's reports: open, overdue, answered on time, late and a month late."""
    if submitted_from and submitted_to and submitted_to < submitted_from:
        raise ValidationFailed(f"字段 submitted_to 的值 {submitted_to}：早于 submitted_from {submitted_from}")
    stmt = REPORTS.select(ctx.principal)
    if region:
        stmt = stmt.where(col(ErrorReport.region_code).like(f"{region_prefix(region)}%"))
    if submitted_from:
        stmt = stmt.where(col(ErrorReport.submitted_at) >= datetime.combine(submitted_from, time(), SHANGHAI))
    if submitted_to:
        end = datetime.combine(submitted_to, time(23, 59, 59, 999999), SHANGHAI)
        stmt = stmt.where(col(ErrorReport.submitted_at) <= end)
    now = ctx.clock.now()
    tallies: dict[uuid.UUID, _Tally] = {}
    for r in (await ctx.session.execute(stmt)).scalars().all():
        t = tallies.setdefault(r.organisation_id, _Tally(r.organisation_name, r.region_code))
        t.counts["total"] += 1
        if r.answered_at is None:
            t.counts["overdue" if now >= r.deadline_at else "open"] += 1
        elif r.answered_at <= r.deadline_at:
            t.counts["answered_on_time"] += 1
        else:
            t.counts["answered_late"] += 1
            if r.answered_at > _one_month_after(r.deadline_at):
                t.counts["answered_over_month_late"] += 1
    out = [UnitErrorStats(
        organisation_id=org, organisation_name=t.organisation_name, region_code=t.region_code,
        **t.counts, assessment_deduction=UNANSWERED_POINTS * t.counts["overdue"]
        + MONTH_LATE_POINTS * t.counts["answered_over_month_late"]) for org, t in tallies.items()]
    return sorted(out, key=lambda s: (s.region_code, s.organisation_name, str(s.organisation_id)))


def _one_month_after(at: datetime) -> datetime:
    local = at.astimezone(SHANGHAI)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(local.day, month_calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def _local(at: datetime | None) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if at else "（未知时间）"
