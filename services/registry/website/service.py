"""Websites: registration, lifecycle filings, queries and compliance flags."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, Text, bindparam, cast, func, or_
from sqlalchemy import select as columns  # plain rows of many columns
from sqlmodel import col, select
from sqlmodel.sql.expression import Select

from services.registry.common import target
from services.registry.common.context import Ctx
from services.registry.common.lifecycle import ACTIVE
from services.registry.common.stats import flag_counts
from services.registry.common.validators import check_home_url
from services.registry.filing import service as filings
from services.registry.filing.models import Filing
from services.registry.organisation.models import Organisation
from services.registry.organisation.service import referenced_organisation
from services.registry.registration import service as registration
from services.registry.website.compliance import site_flags
from services.registry.website.models import Website
from services.registry.website.schemas import WebsiteCreate, WebsiteFilingCreate
from shared.calendar import WorkingCalendar
from shared.contracts.registry import (
    ComplianceFlag,
    CrawlPoliteness,
    LifecycleStatus,
    OrgKind,
    SiteKind,
    WebsiteRead,
)
from shared.errors import Conflict, ValidationFailed
from shared.principal import region_prefix
from shared.scope import scope_condition

TARGET = "website"
ACTIVE_VALUES = [s.value for s in ACTIVE]


def to_read(site: Website | Row[Any], org: target.Sponsor) -> WebsiteRead:
    """Render a website with its sponsor's name and region."""
    kind, status = SiteKind(site.kind), LifecycleStatus(site.status)
    return WebsiteRead(
        id=site.id, site_code=site.site_code, name=site.name, organisation_id=site.organisation_id,
        organisation_name=org.name, region_code=org.region_code, kind=kind, kind_label=kind.label,
        domains=site.domains, home_url=site.home_url, icp_number=site.icp_number,
        psb_number=site.psb_number, status=status, status_label=status.label,
        compliance_flags=[ComplianceFlag(f) for f in site.compliance_flags],
        politeness=CrawlPoliteness.model_validate(site.politeness) if site.politeness else None,
        version=site.version, created_at=site.created_at, updated_at=site.updated_at)


def snapshot(site: Website) -> dict[str, Any]:
    """The filed fields of a site, as kept in a filing's before/after."""
    return {"site_code": site.site_code, "name": site.name,
            "organisation_id": str(site.organisation_id), "kind": site.kind,
            "domains": list(site.domains), "home_url": site.home_url,
            "icp_number": site.icp_number, "psb_number": site.psb_number, "status": site.status,
            "politeness": site.politeness}


def politeness_value(politeness: CrawlPoliteness | None) -> dict[str, Any] | None:
    """A politeness override as stored in the site's JSON column (only the fields set)."""
    if politeness is None:
        return None
    return politeness.model_dump(mode="json", exclude_none=True) or None


def event_payload(site: Website, org: Organisation) -> dict[str, Any]:
    """What subscribers learn about a site from its events."""
    return {"site_code": site.site_code, "name": site.name, "organisation_id": str(org.id),
            "region_code": org.region_code, "domains": list(site.domains),
            "home_url": site.home_url, "status": site.status}


def check_site_code_region(site_code: str, org: Organisation) -> None:
    """Refuse a 网站标识码 whose region prefix is not the sponsor's region or an ancestor of it."""
    if site_code.startswith("bm"):
        if org.kind != OrgKind.state_council_department:
            raise ValidationFailed(
                f"字段 site_code 的值 {site_code!r}：bm 开头的标识码仅用于国务院部门网站，"
                f"主办单位类型为 {OrgKind(org.kind).label}")
        return
    code_region = site_code[:6]
    if not org.region_code.startswith(region_prefix(code_region)):
        raise ValidationFailed(
            f"字段 site_code 的值 {site_code!r}：前六位区划 {code_region} 与主办单位所在区划 "
            f"{org.region_code} 不符", errors=[{"field": "site_code", "value": site_code,
                                               "message": "区划前缀与主办单位不符"}])


def _scoped(ctx: Ctx) -> Select[Website, Organisation]:
    return (select(Website, Organisation)
            .join(Organisation, col(Organisation.id) == col(Website.organisation_id))
            .where(scope_condition(ctx.principal, Organisation.region_code, Organisation.id)))


# The by-id query of each scope, built once (issue 13): building it and its SQL cache key was
# a tenth of a registry read. A scope is what `scope_condition` reads of a principal.
_BY_ID: dict[tuple[object, ...], Select[Website, Organisation]] = {}


def _by_id(ctx: Ctx) -> Select[Website, Organisation]:
    p = ctx.principal
    key = (p.all_regions, tuple(p.regions), tuple(p.organisations))
    stmt = _BY_ID.get(key)
    if stmt is None:
        if len(_BY_ID) >= 1024:  # bounded: emptied when full
            _BY_ID.clear()
        stmt = _BY_ID[key] = _scoped(ctx).where(col(Website.id) == bindparam("site_id"))
    return stmt


async def get_website(ctx: Ctx, site_id: uuid.UUID) -> tuple[Website, Organisation]:
    """Load a website in the caller's scope, or 404 as if it did not exist."""
    return await target.load_one(ctx, _by_id(ctx), f"网站 {site_id} 不存在",
                                 params={"site_id": site_id})


async def refresh_flags(ctx: Ctx, org_ids: Iterable[uuid.UUID]) -> None:
    """Recompute the compliance flags of every site of these organisations.

    Plain columns, not ORM objects: a unit's every site is read again whenever one of them is
    filed, and building objects (three JSON columns each) made a registration's cost grow with
    the unit's sites (issue 13)."""
    ids = list(set(org_ids))
    if not ids:
        return
    await ctx.session.flush()
    w = Website.__table__.c  # type: ignore[attr-defined]
    rows = (await ctx.session.execute(
        columns(w.id, w.organisation_id, w.domains, w.kind, w.status, w.compliance_flags,
                col(Organisation.kind).label("org_kind"))
        .join(Organisation, col(Organisation.id) == w.organisation_id)
        .where(w.organisation_id.in_(ids)))).all()
    active = Counter(r.organisation_id for r in rows if r.status in ACTIVE_VALUES)
    for r in rows:
        flags = site_flags(domains=r.domains, kind=r.kind, org_kind=r.org_kind,
                           active_sites_of_org=active[r.organisation_id],
                           active=r.status in ACTIVE_VALUES)
        await target.store_flags(ctx, Website, r, flags)


async def _check_unique(ctx: Ctx, site_code: str | None, main_domain: str | None,
                        own_id: uuid.UUID | None) -> None:
    if site_code is not None:
        clash = (await ctx.session.execute(
            select(Website.id).where(Website.site_code == site_code))).scalar()
        if clash is not None and clash != own_id:
            raise Conflict(f"网站标识码 {site_code} 已被登记", existing_id=str(clash))
    if main_domain is not None:
        clash = (await ctx.session.execute(select(Website.id).where(
            Website.main_domain == main_domain,
            col(Website.status).in_(ACTIVE_VALUES)))).scalar()
        if clash is not None and clash != own_id:
            raise Conflict(f"主域名 {main_domain} 已被另一个在用网站登记", existing_id=str(clash))


async def register_website(ctx: Ctx, body: WebsiteCreate,
                           calendar: WorkingCalendar | None = None) -> tuple[Website, Organisation]:
    """File a new website (备案登记) as planned or running."""
    org = await referenced_organisation(ctx, body.organisation_id, "organisation_id")
    check_site_code_region(body.site_code, org)
    await _check_unique(ctx, body.site_code, body.domains[0], None)
    occurred_at = filings.check_occurred_at(ctx, body.occurred_at)
    now = ctx.clock.now()
    site = Website(site_code=body.site_code, name=body.name, organisation_id=org.id,
                   kind=body.kind.value, domains=body.domains, main_domain=body.domains[0],
                   home_url=body.home_url, icp_number=body.icp_number,
                   psb_number=body.psb_number, status=body.status.value,
                   politeness=politeness_value(body.politeness), created_at=now, updated_at=now)
    await filings.file_registration(ctx, site, org, body, occurred_at, calendar, target=TARGET,
                                   snapshot=snapshot, payload=event_payload)
    await refresh_flags(ctx, [org.id])
    await registration.close_filed_website(ctx, site)
    return site, org


async def file_action(ctx: Ctx, site: Website, org: Organisation, body: WebsiteFilingCreate,
                      calendar: WorkingCalendar | None = None) -> tuple[Filing, Organisation]:
    """Apply a lifecycle action to a website and file it."""
    changes = filings.requested_changes(
        body, ("name", "organisation_id", "kind", "domains", "home_url"))
    new_org = org
    if changes.get("organisation_id") is not None:
        new_org = await referenced_organisation(ctx, changes["organisation_id"],
                                                "changes.organisation_id")
        check_site_code_region(site.site_code, new_org)
    if "kind" in changes:
        changes["kind"] = changes["kind"].value
    if "politeness" in changes:
        changes["politeness"] = politeness_value(changes["politeness"])
    domains = changes.get("domains", site.domains)
    if "domains" in changes or "home_url" in changes:
        try:
            changes["home_url"] = check_home_url(changes.get("home_url", site.home_url), domains)
        except ValueError as exc:
            raise ValidationFailed(f"字段 changes.home_url：{exc}") from exc
        changes["main_domain"] = domains[0]
        await _check_unique(ctx, None, domains[0], site.id)
    filing = await filings.file_change(ctx, site, new_org, body, changes, calendar, target=TARGET,
                                      snapshot=snapshot, payload=event_payload)
    await refresh_flags(ctx, {org.id, new_org.id})
    if "domains" in changes:  # a site that now names a requested domain answers the request
        await registration.close_filed_website(ctx, site)
    return filing, new_org


def _filtered(ctx: Ctx, *, region: str | None, organisation_id: uuid.UUID | None,
              status: list[LifecycleStatus] | None, kind: SiteKind | None,
              flag: ComplianceFlag | None, q: str | None) -> Select[Website, Organisation]:
    stmt = target.common_filters(_scoped(ctx), Website, region=region, status=status, flag=flag)
    if organisation_id:
        stmt = stmt.where(Website.organisation_id == organisation_id)
    if kind:
        stmt = stmt.where(Website.kind == kind.value)
    if q:
        stmt = stmt.where(or_(col(Website.name).contains(q),
                              cast(col(Website.domains), Text()).contains(q.lower()),
                              col(Website.site_code) == q))
    return stmt


async def list_websites(ctx: Ctx, *, limit: int, offset: int, **filters: Any
                        ) -> tuple[list[WebsiteRead], int]:
    """List websites in scope, filtered, ordered by 网站标识码."""
    rows, total = await target.page(ctx, _filtered(ctx, **filters), Website, [Website.site_code],
                                    limit=limit, offset=offset)
    return [to_read(s, o) for s, o in rows], total


async def stats(ctx: Ctx, **filters: Any) -> dict[str, Any]:
    """Counts of websites in scope by status, kind and compliance flag."""
    sub = _filtered(ctx, **filters).subquery()
    by_status: dict[str, int] = {k: n for k, n in (await ctx.session.execute(
        select(sub.c.status, func.count()).group_by(sub.c.status))).all()}
    by_kind: dict[str, int] = {k: n for k, n in (await ctx.session.execute(
        select(sub.c.kind, func.count()).group_by(sub.c.kind))).all()}
    by_flag = await flag_counts(ctx.session, sub.c.compliance_flags)
    return {"total": sum(by_status.values()), "by_status": by_status, "by_kind": by_kind,
            "by_flag": by_flag}


async def filed_domains(ctx: Ctx) -> list[str]:
    """Every filed domain of every website (not scoped: domains are public)."""
    rows = (await ctx.session.execute(select(Website.domains))).scalars().all()
    return sorted({d for domains in rows for d in domains})


async def all_for_export(ctx: Ctx, **filters: Any) -> Sequence[tuple[Website, Organisation]]:
    """Every website in scope matching the filters, for export."""
    rows = await ctx.session.execute(_filtered(ctx, **filters).order_by(Website.site_code))
    return [(s, o) for s, o in rows.all()]
