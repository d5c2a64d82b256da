"""Finding queries in the caller's scope, verdicts, and rendering."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select

from services.checker.common.context import Ctx
from services.checker.finding.models import Finding, Sighting
from services.checker.finding.schemas import FindingRead
from services.checker.finding.service import FALSE_POSITIVE, SEVERITY_LABELS, VERDICTS
from shared.errors import NotFound
from shared.principal import region_prefix
from shared.scope import scope_condition


def to_read(f: Finding) -> FindingRead:
    """Render a finding; the screenshot becomes a URL under /evidence."""
    return FindingRead(
        id=f.id, fingerprint=f.fingerprint, target_id=f.target_id, target_type=f.target_type,
        target_code=f.target_code, target_name=f.target_name, region_code=f.region_code,
        organisation_id=f.organisation_id, organisation_name=f.organisation_name, rule=f.rule,
        locator=f.locator, indicator=f.indicator, severity=f.severity,
        severity_label=SEVERITY_LABELS.get(f.severity, f.severity), message=f.message,
        url=f.url, parent_url=f.parent_url, position=f.position, excerpt=f.excerpt,
        offending=f.offending, suggestion=f.suggestion, points=f.points,
        screenshot_url=f"/evidence/{f.screenshot}" if f.screenshot else None, detail=f.detail,
        first_seen_at=f.first_seen_at, last_seen_at=f.last_seen_at, resolved_at=f.resolved_at,
        verdict=f.verdict,
        verdict_label=VERDICTS.get(f.verdict) if f.verdict else None, verdict_by=f.verdict_by,
        verdict_at=f.verdict_at, verdict_note=f.verdict_note)


def filtered(ctx: Ctx, *, run_id: uuid.UUID | None = None, target_id: uuid.UUID | None = None,
             rule: str | None = None, severity: str | None = None, verdict: str | None = None,
             region: str | None = None, organisation_id: uuid.UUID | None = None,
             open_only: bool = False, q: str | None = None, locator: str | None = None,
             hide_silenced: bool = False) -> Any:
    """The scoped, filtered select of findings; hide_silenced leaves out false positives."""
    stmt = select(Finding).where(scope_condition(
        ctx.principal, col(Finding.region_code), col(Finding.organisation_id)))
    if run_id:
        stmt = stmt.where(col(Finding.id).in_(
            select(Sighting.finding_id).where(Sighting.run_id == run_id)))
    if target_id:
        stmt = stmt.where(Finding.target_id == target_id)
    if rule:
        stmt = stmt.where(col(Finding.rule).startswith(rule, autoescape=True))
    if severity:
        stmt = stmt.where(Finding.severity == severity)
    if verdict == "none":
        stmt = stmt.where(col(Finding.verdict).is_(None))
    elif verdict:
        stmt = stmt.where(Finding.verdict == verdict)
    elif hide_silenced:
        stmt = stmt.where(or_(col(Finding.verdict).is_(None), col(Finding.verdict) != FALSE_POSITIVE))
    if locator is not None:
        stmt = stmt.where(Finding.locator == locator)
    if region:
        stmt = stmt.where(col(Finding.region_code).like(f"{region_prefix(region)}%"))
    if organisation_id:
        stmt = stmt.where(Finding.organisation_id == organisation_id)
    if open_only:
        stmt = stmt.where(col(Finding.resolved_at).is_(None))
    if q:
        # autoescape: % and _ typed by a user are text, not LIKE wildcards
        stmt = stmt.where(or_(*(c.contains(q, autoescape=True) for c in (
            col(Finding.message), col(Finding.target_name), col(Finding.url)))))
    return stmt


async def page(ctx: Ctx, limit: int, offset: int, **filters: Any) -> tuple[list[FindingRead], int]:
    """One page of findings, most recently seen first; false positives only when asked for."""
    stmt = filtered(ctx, hide_silenced=True, **filters)
    total = (await ctx.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await ctx.session.execute(stmt.order_by(
        col(Finding.last_seen_at).desc(), col(Finding.id)).limit(limit).offset(offset))).scalars()
    return [to_read(f) for f in rows], total


async def all_rows(ctx: Ctx, **filters: Any) -> Sequence[Finding]:
    """Every matching finding, for export; false positives only when asked for."""
    stmt = filtered(ctx, hide_silenced=True, **filters).order_by(col(Finding.target_code), col(Finding.rule))
    return (await ctx.session.execute(stmt)).scalars().all()


async def get(ctx: Ctx, finding_id: uuid.UUID) -> Finding:
    """One finding in scope, or 404."""
    row = (await ctx.session.execute(filtered(ctx).where(Finding.id == finding_id))).scalar()
    if row is None:
        raise NotFound(f"问题 {finding_id} 不存在")
    return row


async def with_screenshot(ctx: Ctx, evidence_id: str) -> Finding | None:
    """A finding in the caller's scope whose screenshot is this one, if any."""
    return (await ctx.session.execute(filtered(ctx).where(
        Finding.screenshot == evidence_id).limit(1))).scalar()
