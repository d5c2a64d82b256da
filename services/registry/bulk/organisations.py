"""Importing organisations (单位), keyed by region and name; parents may be in the same file."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import col

from services.registry.bulk.cells import RowReader
from services.registry.bulk.columns import ORGANISATIONS
from services.registry.bulk.loading import among, chunks
from services.registry.bulk.parsing import Table
from services.registry.bulk.plan import Plan, plain
from services.registry.bulk.refs import OrgIndex, RefColumns
from services.registry.bulk.schemas import RowError
from services.registry.common.context import Ctx
from services.registry.organisation.models import Organisation
from services.registry.organisation.schemas import OrganisationCreate
from services.registry.organisation.service import load_by_keys
from services.registry.region.models import Region
from services.registry.website.service import refresh_flags
from shared.principal import region_prefix

PARENT = RefColumns("parent_id", "parent_name", "parent_region_code")
FIELDS = ("kind", "parent_id", "credit_code", "provides_services")


@dataclass
class NewOrg:
    number: int
    org: Organisation


@dataclass
class ChangedOrg:
    number: int
    org: Organisation
    changes: dict[str, Any]


@dataclass
class Pending:
    reader: RowReader
    org: Organisation
    stored: bool
    body: OrganisationCreate


@dataclass
class OrganisationPlan(Plan[NewOrg, ChangedOrg]):
    async def apply(self, ctx: Ctx) -> None:
        """Insert new organisations parents first, then change the stored ones."""
        ctx.session.add_all([c.org for c in _parents_first(self.creates)])
        # Flushed before the updates: a stored unit may now point at a parent made just now.
        await ctx.session.flush()
        now = ctx.clock.now()
        for u in self.updates:
            for key, value in u.changes.items():
                setattr(u.org, key, value)
            u.org.updated_at = now
        await ctx.session.flush()
        # A unit's kind decides a site flag (事业单位使用 .gov.cn 域名).
        await refresh_flags(ctx, [u.org.id for u in self.updates if "kind" in u.changes])


def _parents_first(creates: list[NewOrg]) -> list[NewOrg]:
    new = {c.org.id: c.org for c in creates}

    def depth(org: Organisation) -> int:
        n = 0
        while org.parent_id in new and n <= len(new):
            org, n = new[org.parent_id], n + 1
        return n

    return sorted(creates, key=lambda c: depth(c.org))


async def _known_regions(ctx: Ctx, table: Table) -> set[str]:
    codes = {str(r.cells.get("region_code") or "").strip() for r in table.rows}
    out: set[str] = set()
    for part in chunks(codes - {""}):
        out.update((await ctx.session.execute(
            select(col(Region.code)).where(among(col(Region.code), part)))).scalars())
    return out


async def plan(ctx: Ctx, table: Table) -> OrganisationPlan:
    """Check every row of an organisation file and work out what to write."""
    result = OrganisationPlan(errors=list(table.errors))
    stored = await load_by_keys(ctx.session)
    orgs = OrgIndex(stored.values(), ctx.principal)
    regions = await _known_regions(ctx, table)
    rows: dict[tuple[str, str], int] = {}
    pending: list[Pending] = []
    # First every unit of the file, so a parent may come before or after its children.
    for row in table.rows:
        reader = RowReader(ORGANISATIONS, table, row, result.errors)
        name, region = reader.required("name"), reader.required("region_code")
        if name is None or region is None:
            continue
        if (region, name) in rows:
            reader.error("name", f"单位 {name}（区划 {region}）与本文件第 {rows[region, name]} 行重复")
            continue
        rows[region, name] = row.number
        item = _own_fields(ctx, reader, stored.get((region, name)), regions)
        if item is not None:
            pending.append(item)
            if not item.stored:
                orgs.add(item.org)
    credit = {o.credit_code: o.id for o in stored.values() if o.credit_code}
    for item in pending:
        _plan_links(result, item, orgs, credit)
    _check_cycles(result, orgs, table)
    result.settle()
    return result


def _own_fields(ctx: Ctx, reader: RowReader, org: Organisation | None,
                regions: set[str]) -> Pending | None:
    name, region = reader.get("name"), reader.get("region_code")
    if not ctx.principal.sees_region(region) and (
            org is None or org.id not in ctx.principal.organisations):
        reader.error("region_code", f"区划 {region} 不在管辖范围内")
        return None
    if region not in regions:
        reader.error("region_code", f"区划 {region} 不存在，请先登记区划")
    data: dict[str, Any] = {"name": name, "region_code": region}
    if org is not None:
        data.update(kind=org.kind, credit_code=org.credit_code,
                    provides_services=org.provides_services)
    for key in ("kind", "provides_services"):
        if reader.filled(key):
            data[key] = reader.get(key)
    if reader.present("credit_code"):
        data["credit_code"] = reader.get("credit_code")
    try:
        body = OrganisationCreate.model_validate(data)
    except ValidationError as exc:
        reader.pydantic(exc, "name", {})
        return None
    if org is None:
        now = ctx.clock.now()
        org = Organisation(name=name, kind=body.kind.value, region_code=region,
                           credit_code=body.credit_code, provides_services=body.provides_services,
                           created_at=now, updated_at=now)
        return Pending(reader, org, False, body)
    return Pending(reader, org, True, body)


def _plan_links(result: OrganisationPlan, item: Pending, orgs: OrgIndex,
                credit: dict[str, uuid.UUID]) -> None:
    reader, org, body = item.reader, item.org, item.body
    parent_id = org.parent_id if item.stored else None
    if PARENT.given(reader):
        prefix_of = org.region_code
        parent = orgs.resolve(reader, PARENT, keep=parent_id, default_region=org.region_code,
                              near=lambda o: prefix_of.startswith(region_prefix(o.region_code))
                              and o.id != org.id)
        if parent is not None:
            parent_id = _checked_parent(reader, org, parent)
    elif reader.present(PARENT.id) or reader.present(PARENT.name):
        parent_id = None
    if body.credit_code is not None:
        owner = credit.setdefault(body.credit_code, org.id)
        if owner != org.id:
            other = orgs.by_id[owner]
            reader.error("credit_code", f"统一社会信用代码 {body.credit_code} 已属于单位 "
                                        f"{other.name}（区划 {other.region_code}）")
    if reader.failed:
        return
    if not item.stored:
        org.parent_id = parent_id
        result.creates.append(NewOrg(reader.number, org))
        return
    wanted = {"kind": plain(body.kind), "parent_id": parent_id, "credit_code": body.credit_code,
              "provides_services": body.provides_services}
    changes = {k: v for k, v in wanted.items() if getattr(org, k) != v}
    if changes:
        result.updates.append(ChangedOrg(reader.number, org, changes))
    else:
        result.unchanged.append(reader.number)


def _checked_parent(reader: RowReader, org: Organisation, parent: Organisation) -> uuid.UUID | None:
    if parent.id == org.id:
        reader.error(PARENT.name, "单位不能以自身为上级")
        return None
    if not org.region_code.startswith(region_prefix(parent.region_code)):
        reader.error(PARENT.name, f"上级单位所在区划 {parent.region_code} 不包含本单位区划 "
                                  f"{org.region_code}")
        return None
    return parent.id


def _check_cycles(result: OrganisationPlan, orgs: OrgIndex, table: Table) -> None:
    """Refuse rows whose chain of parents would lead back to themselves."""
    parent_of = {o.id: o.parent_id for o in orgs.by_id.values()}
    parent_of.update({u.org.id: u.changes["parent_id"] for u in result.updates
                      if "parent_id" in u.changes})
    items: list[NewOrg | ChangedOrg] = [*result.creates, *result.updates]
    for item in items:
        seen: set[uuid.UUID] = set()
        cur: uuid.UUID | None = item.org.id
        while cur is not None and cur not in seen:
            seen.add(cur)
            cur = parent_of.get(cur)
        if cur == item.org.id:
            result.errors.append(RowError(
                row=item.number, field=PARENT.name, column=table.header(PARENT.name),
                value=None, message=f"上级单位关系成环：{item.org.name} 经上级单位又回到自身"))
