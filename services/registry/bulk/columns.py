"""The columns of each bulk file: English field names, Chinese headers, and how cells read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from shared.contracts.registry import ComplianceFlag, LifecycleStatus, OrgKind, Platform, SiteKind


class Kind(Enum):
    text = "text"
    enum = "enum"
    boolean = "boolean"
    domains = "domains"
    instant = "instant"
    flags = "flags"
    json = "json"  # a JSON object (a cell holding its text, or the object in a JSON file)


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    kind: Kind = Kind.text
    enum: type[Enum] | None = None
    aliases: tuple[str, ...] = ()
    exported: bool = True
    # Exported for people to read (e.g. compliance flags) but never imported.
    read_only: bool = False


@dataclass(frozen=True)
class Sheet:
    """One entity's file layout."""

    name: str
    title: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...]

    def exported(self) -> list[Column]:
        """The columns an export writes, in order."""
        return [c for c in self.columns if c.exported]


STATUS = Column("status", "状态", Kind.enum, LifecycleStatus)
OCCURRED_AT = Column("occurred_at", "开设时间", Kind.instant, exported=False)
CHANGED_AT = Column("changed_at", "变更时间", Kind.instant, aliases=("事项发生时间",), exported=False)
NOTE = Column("note", "备注", exported=False)
FLAGS = Column("compliance_flags", "合规标记", Kind.flags, ComplianceFlag, read_only=True)

ORGANISATIONS = Sheet("organisations", "单位", (
    Column("name", "单位名称"),
    Column("kind", "单位类型", Kind.enum, OrgKind),
    Column("region_code", "所在区划", aliases=("区划代码",)),
    Column("parent_id", "上级单位ID", exported=False),
    Column("parent_name", "上级单位"),
    Column("parent_region_code", "上级单位区划"),
    Column("credit_code", "统一社会信用代码"),
    Column("provides_services", "提供政务服务", Kind.boolean),
), keys=("region_code", "name"))

WEBSITES = Sheet("websites", "网站", (
    Column("site_code", "网站标识码"),
    Column("name", "网站名称"),
    Column("organisation_id", "主办单位ID", exported=False),
    Column("organisation_name", "主办单位"),
    Column("organisation_region_code", "主办单位区划"),
    Column("kind", "网站类型", Kind.enum, SiteKind),
    Column("domains", "域名", Kind.domains),
    Column("home_url", "首页网址"),
    Column("icp_number", "ICP备案号"),
    Column("psb_number", "公安机关备案号"),
    STATUS, OCCURRED_AT, CHANGED_AT, NOTE, FLAGS,
), keys=("site_code",))

ACCOUNTS = Sheet("accounts", "新媒体账号", (
    Column("platform", "平台", Kind.enum, Platform),
    Column("platform_account_id", "平台账号ID"),
    Column("name", "账号名称"),
    Column("url", "账号网址"),
    Column("sponsor_id", "主办单位ID", exported=False),
    Column("sponsor_name", "主办单位"),
    Column("sponsor_region_code", "主办单位区划"),
    Column("operator_id", "运维单位ID", exported=False),
    Column("operator_name", "运维单位"),
    Column("operator_region_code", "运维单位区划"),
    STATUS, OCCURRED_AT, CHANGED_AT, NOTE, FLAGS,
    Column("feed", "订阅源", Kind.json),
), keys=("platform", "platform_account_id"))

_NOISE = re.compile(r"[\s*＊\ufeff]+")


def normalise_header(text: str) -> str:
    """Fold a header for matching: no spaces, BOM or required-marks (*), case-insensitive."""
    return _NOISE.sub("", text).lower()


def header_index(sheet: Sheet) -> dict[str, Column]:
    """Map every accepted spelling of a header (English or Chinese) to its column."""
    index: dict[str, Column] = {}
    for col in sheet.columns:
        for name in (col.field, col.header, *col.aliases):
            index[normalise_header(name)] = col
    return index
