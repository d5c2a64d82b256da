"""Importing websites: each row registers a site, files what changed, or leaves it as it is."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from pydantic import ValidationError

from services.registry.bulk.cells import RowReader, text
from services.registry.bulk.columns import WEBSITES
from services.registry.bulk.flags import presume_site_flags
from services.registry.bulk.loading import active_domain_owners, websites_by_code
from services.registry.bulk.parsing import Table
from services.registry.bulk.plan import PLACEHOLDER_ID, Plan, event_time, plain
from services.registry.bulk.refs import OrgIndex, RefColumns
from services.registry.bulk.schemas import RowError
from services.registry.bulk.transitions import file_actions, plan_actions
from services.registry.calendar.service import load_calendar
from services.registry.common.context import Ctx
from services.registry.common.lifecycle import ACTIVE, INITIAL
from services.registry.filing.service import record_registration
from services.registry.organisation.models import Organisation
from services.registry.organisation.service import in_scope, load_by_keys
from services.registry.registration import service as registration
from services.registry.website.models import Website
from services.registry.website.schemas import WebsiteCreate
from services.registry.website.service import (
    TARGET,
    check_site_code_region,
    event_payload,
    refresh_flags,
    snapshot,
)
from shared.contracts.registry import FilingAction as A
from shared.contracts.registry import LifecycleStatus as S
from shared.errors import ValidationFailed
from shared.principal import region_prefix

ORG = RefColumns("organisation_id", "organisation_name", "organisation_region_code")
REQUIRED = ("name", "kind", "domains", "home_url")
OPTIONAL = ("icp_number", "psb_number")
FIELDS = (*REQUIRED, *OPTIONAL)
# A change of nothing but where the site lives is filed as 迁移 (migrate), otherwise 变更.
LOCATION = {"domains", "main_domain", "home_url"}


@dataclass
class NewSite:
    number: int
    body: WebsiteCreate
    org: Organisation
    occurred_at: datetime


@dataclass
class ChangedSite:
    number: int
    site: Website
    org: Organisation
    new_org: Organisation
    changes: dict[str, Any]
    actions: list[A]
    changed_at: datetime
    note: str | None


@dataclass
class WebsitePlan(Plan[NewSite, ChangedSite]):
    # 网站标识码 → its row, and → (main domain, active) once imported, for rows that passed
    rows: dict[str, int] = field(default_factory=dict)
    final: dict[str, tuple[str, bool]] = field(default_factory=dict)
    # Rows that start using a main domain while active: (row, 网站标识码, domain)
    claims: list[tuple[int, str, str]] = field(default_factory=list)

    async def apply(self, ctx: Ctx) -> None:
        """Add the new sites and file every change, with filings and events as the single-row API."""
        calendar = await load_calendar(ctx.session)
        now = ctx.clock.now()
        sites = [_new_site(c.body, c.org, now) for c in self.creates]
        ctx.session.add_all(sites)
        for site, new in zip(sites, self.creates, strict=True):
            record_registration(ctx, calendar, site, new.org, new.occurred_at,
                                new.body.note, target=TARGET, snapshot=snapshot,
                                payload=event_payload)
        for u in self.updates:
            await file_actions(ctx, calendar, target_type=TARGET, row=u.site, actions=u.actions,
                         changes=u.changes, snapshot=snapshot,
                         payload=partial(event_payload, org=u.new_org),
                         occurred_at=u.changed_at, note=u.note)
        for site in [*sites, *(u.site for u in self.updates)]:  # requests naming its domains
            await registration.close_filed_website(ctx, site)
        orgs = {c.org.id: c.org for c in self.creates} | {u.new_org.id: u.new_org
                                                           for u in self.updates}
        await presume_site_flags(ctx, [*sites, *(u.site for u in self.updates)], orgs)
        await refresh_flags(ctx, {*orgs, *(u.org.id for u in self.updates)})


def _new_site(body: WebsiteCreate, org: Organisation, now: datetime) -> Website:
    # id and flags given outright: SQLModel's default factories cost ~0.2 ms a row.
    return Website(id=uuid.uuid4(), compliance_flags=[], site_code=body.site_code,
                   name=body.name, organisation_id=org.id, kind=body.kind.value,
                   domains=body.domains, main_domain=body.domains[0], home_url=body.home_url,
                   icp_number=body.icp_number, psb_number=body.psb_number,
                   status=body.status.value, created_at=now, updated_at=now)


async def plan(ctx: Ctx, table: Table) -> WebsitePlan:
    """Check every row of a website file against the registry and work out what to write."""
    result = WebsitePlan(errors=list(table.errors))
    orgs = OrgIndex((await load_by_keys(ctx.session)).values(), ctx.principal)
    codes = {code for r in table.rows if (code := text(r.cells.get("site_code")))}
    stored = await websites_by_code(ctx.session, codes)
    for row in table.rows:
        reader = RowReader(WEBSITES, table, row, result.errors)
        code = reader.required("site_code")
        if code is None:
            continue
        if code in result.rows:
            reader.error("site_code", f"网站标识码 {code} 与本文件第 {result.rows[code]} 行重复")
        elif code in stored:
            result.rows[code] = row.number
            _plan_stored(ctx, result, reader, orgs, stored[code])
        else:
            result.rows[code] = row.number
            _plan_new(ctx, result, reader, orgs, code)
    await _check_domains(ctx, result, table)
    result.settle()
    return result


def _near(code: str) -> tuple[str | None, Callable[[Organisation], bool] | None]:
    """The region a 网站标识码 names, and a test for sponsors inside it."""
    if not code[:6].isdigit():
        return None, None
    prefix = region_prefix(code[:6])
    return code[:6], lambda o: o.region_code.startswith(prefix)


def _fits(reader: RowReader, code: str, org: Organisation) -> bool:
    try:
        check_site_code_region(code, org)
    except ValidationFailed as exc:
        reader.error("site_code", exc.detail.split("：", 1)[-1])
        return False
    return True


def _plan_new(ctx: Ctx, result: WebsitePlan, reader: RowReader, orgs: OrgIndex,
              code: str) -> None:
    region, near = _near(code)
    org = orgs.resolve(reader, ORG, default_region=region, near=near)
    if not ORG.given(reader):
        reader.error(ORG.name, "缺少必填项：主办单位（或主办单位ID）", None)
    status = reader.get("status") or S.planned
    if status not in INITIAL:
        reader.error("status", "新登记的网站只能是 拟开设（planned）或 运行中（running）")
    data = {k: reader.get(k) for k in (*FIELDS, "occurred_at", "note") if reader.filled(k)}
    try:
        body = WebsiteCreate.model_validate({
            **data, "site_code": code, "status": status if status in INITIAL else S.planned,
            "organisation_id": org.id if org else PLACEHOLDER_ID})
    except ValidationError as exc:
        reader.pydantic(exc, "home_url", {"organisation_id": ORG.name})
        return
    if org is None or not _fits(reader, code, org):
        return
    occurred_at = event_time(ctx, reader, "occurred_at")
    if reader.failed or occurred_at is None:
        return
    result.creates.append(NewSite(reader.number, body, org, occurred_at))
    result.final[code] = (body.domains[0], True)
    result.claims.append((reader.number, code, body.domains[0]))


def _plan_stored(ctx: Ctx, result: WebsitePlan, reader: RowReader, orgs: OrgIndex,
                 site: Website) -> None:
    org = orgs.by_id[site.organisation_id]
    if not in_scope(ctx.principal, org):
        reader.error("site_code", f"网站标识码 {site.site_code} 已被管辖范围外的网站登记")
        return
    new_org = org
    if ORG.given(reader):
        region, near = _near(site.site_code)
        new_org = orgs.resolve(reader, ORG, keep=org.id, default_region=region,
                               near=near) or org
    merged = {k: getattr(site, k) for k in FIELDS}
    merged.update({k: reader.get(k) for k in REQUIRED if reader.filled(k)})
    merged.update({k: reader.get(k) for k in OPTIONAL if reader.present(k)})
    try:
        body = WebsiteCreate.model_validate(
            {**merged, "site_code": site.site_code, "organisation_id": new_org.id})
    except ValidationError as exc:
        reader.pydantic(exc, "home_url", {"organisation_id": ORG.name})
        return
    changes = {k: plain(getattr(body, k)) for k in FIELDS
               if plain(getattr(body, k)) != getattr(site, k)}
    if new_org.id != org.id:
        if not _fits(reader, site.site_code, new_org):
            return
        changes["organisation_id"] = new_org.id
    if "domains" in changes:
        changes["main_domain"] = body.domains[0]
    current = S(site.status)
    target = reader.get("status") or current
    content = None if not changes else A.migrate if set(changes) <= LOCATION else A.change
    try:
        actions = plan_actions(current, target, content)
    except ValueError as exc:
        reader.error("status" if target != current else next(iter(changes)), str(exc))
        return
    changed_at = event_time(ctx, reader, "changed_at")
    if reader.failed or changed_at is None:
        return
    active = target in ACTIVE
    result.final[site.site_code] = (body.domains[0], active)
    if not actions:
        result.unchanged.append(reader.number)
        return
    if active and (body.domains[0] != site.main_domain or current not in ACTIVE):
        result.claims.append((reader.number, site.site_code, body.domains[0]))
    result.updates.append(ChangedSite(reader.number, site, org, new_org, changes, actions,
                                      changed_at, reader.get("note")))


async def _check_domains(ctx: Ctx, result: WebsitePlan, table: Table) -> None:
    """Refuse a main domain already used by another active site, stored or earlier in the file."""
    if not result.claims:
        return
    owners: dict[str, str] = {}
    for domain, code in await active_domain_owners(ctx.session, {c[2] for c in result.claims}):
        # A stored site the file closes or moves elsewhere gives its domain up.
        if result.final.get(code, (domain, True)) == (domain, True):
            owners[domain] = code
    for number, code, domain in result.claims:
        owner = owners.setdefault(domain, code)
        if owner == code:
            continue
        where = (f"本文件第 {result.rows[owner]} 行的网站 {owner}" if owner in result.final
                 else f"在用网站 {owner}")
        result.errors.append(RowError(row=number, field="domains", column=table.header("domains"),
                                      value=domain, message=f"主域名 {domain} 已被{where}使用"))
