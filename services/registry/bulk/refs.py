"""Resolving a row's organisation reference (by id, or by name and region) from memory."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from services.registry.bulk.cells import RowReader
from services.registry.organisation.models import Organisation
from services.registry.organisation.service import in_scope
from shared.principal import Principal

NOT_VISIBLE = "不存在或不在管辖范围内"


@dataclass(frozen=True)
class RefColumns:
    """The columns a reference is read from, e.g. organisation_id / _name / _region_code."""

    id: str
    name: str
    region: str

    def given(self, reader: RowReader) -> bool:
        """Whether the row names an organisation at all."""
        return reader.filled(self.id) or reader.filled(self.name)


class OrgIndex:
    """Every organisation, loaded once, looked up by id, by (region, name) and by name."""

    def __init__(self, orgs: Iterable[Organisation], principal: Principal) -> None:
        self.principal = principal
        self.by_id: dict[uuid.UUID, Organisation] = {}
        self.by_key: dict[tuple[str, str], Organisation] = {}
        self.by_name: dict[str, list[Organisation]] = {}
        for org in orgs:
            self.add(org)

    def add(self, org: Organisation) -> None:
        """Make an organisation (stored, or about to be created) findable."""
        self.by_id[org.id] = org
        self.by_key[(org.region_code, org.name)] = org
        self.by_name.setdefault(org.name, []).append(org)

    def usable(self, org: Organisation, keep: uuid.UUID | None) -> bool:
        """In the caller's scope, or the one the row already refers to (unchanged)."""
        return org.id == keep or in_scope(self.principal, org)

    def resolve(self, reader: RowReader, cols: RefColumns, *, keep: uuid.UUID | None = None,
                default_region: str | None = None,
                near: Callable[[Organisation], bool] | None = None) -> Organisation | None:
        """The organisation a row names, or None (with a row error when it names a bad one).

        Without a region, the organisation is looked up in `default_region`, then among
        same-named ones for which `near` holds; more than one match is an error.
        """
        if reader.filled(cols.id):
            return self._by_id(reader, cols, keep)
        name = reader.get(cols.name)
        if name is None:
            return None
        region = reader.get(cols.region)
        if region is not None:
            org = self.by_key.get((region, name))
            if org is None or not self.usable(org, keep):
                reader.error(cols.name, f"单位 {name}（区划 {region}）{NOT_VISIBLE}")
                return None
            return org
        exact = self.by_key.get((default_region, name)) if default_region else None
        if exact is not None and self.usable(exact, keep):
            return exact
        found = [o for o in self.by_name.get(name, [])
                 if self.usable(o, keep) and (near is None or near(o))]
        if len(found) == 1:
            return found[0]
        if not found:
            reader.error(cols.name, f"单位 {name} {NOT_VISIBLE}")
        else:
            regions = "、".join(sorted(o.region_code for o in found))
            reader.error(cols.name, f"有 {len(found)} 个名为 {name} 的单位（区划 {regions}），"
                                    f"请同时填写 {reader.table.header(cols.region) or cols.region}")
        return None

    def _by_id(self, reader: RowReader, cols: RefColumns,
               keep: uuid.UUID | None) -> Organisation | None:
        raw = reader.get(cols.id)
        try:
            org_id = uuid.UUID(str(raw))
        except ValueError:
            reader.error(cols.id, "不是有效的 UUID")
            return None
        org = self.by_id.get(org_id)
        if org is None or not self.usable(org, keep):
            reader.error(cols.id, f"单位 {org_id} {NOT_VISIBLE}")
            return None
        name = reader.get(cols.name)
        if name is not None and name != org.name:
            reader.error(cols.name, f"与单位 ID {org_id} 的名称 {org.name} 不符")
            return None
        return org
