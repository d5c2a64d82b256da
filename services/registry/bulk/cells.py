"""Reading one row's cells into typed values, recording each bad cell as a row error."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from enum import Enum
from typing import Any, cast

from pydantic import ValidationError

from services.registry.bulk.columns import Column, Kind, Sheet
from services.registry.bulk.parsing import Row, Table
from services.registry.bulk.schemas import RowError
from shared.calendar import SHANGHAI
from shared.contracts.registry import LabelledEnum
from shared.errors import describe_errors

_DOMAIN_SEPARATORS = re.compile(r"[;；,，、\s]+")
_TRUE = {"是", "true", "yes", "y", "1", "有", "提供"}
_FALSE = {"否", "false", "no", "n", "0", "无", "不提供"}
_DATE_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d")


def text(value: Any) -> str | None:
    """A cell as stripped text; None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    out = str(value).strip()
    return out or None


def boolean(value: Any) -> bool | None:
    """是/否, true/false, 1/0 and the like."""
    if isinstance(value, bool) or value is None:
        return value
    word = (text(value) or "").lower()
    if not word:
        return None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"{word!r} 不是有效的是/否取值（是、否、true、false）")


def domains(value: Any) -> list[str] | None:
    """Domains as a list, from a JSON array or one cell separated by ; ， 、 or spaces."""
    if isinstance(value, list):
        return [t for t in (text(v) for v in value) if t]
    cell = text(value)
    return None if cell is None else [d for d in _DOMAIN_SEPARATORS.split(cell) if d]


def instant(value: Any) -> datetime | None:
    """A time; one without a zone (as spreadsheets write it) is read as Beijing time."""
    if value is None or isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        cell = text(value)
        if cell is None:
            return None
        moment = _parse_time(cell)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def _parse_time(cell: str) -> datetime:
    try:
        return datetime.fromisoformat(cell)
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cell, fmt)
        except ValueError:
            continue
    raise ValueError(f"{cell!r} 不是有效的时间（如 2026-01-05 或 2026-01-05 09:30）")


def json_object(value: Any) -> dict[str, Any] | None:
    """A JSON object, from a JSON file's value or a cell holding its text."""
    if value is None or isinstance(value, dict):
        return value
    cell = text(value)
    if cell is None:
        return None
    try:
        parsed = json.loads(cell)
    except json.JSONDecodeError as exc:
        raise ValueError(f"不是有效的 JSON（第 {exc.colno} 个字符：{exc.msg}），"
                         '应如 {"kind": "rss", "url": "https://…"}') from exc
    if not isinstance(parsed, dict):
        raise ValueError('须是 JSON 对象，如 {"kind": "rss", "url": "https://…"}')
    return parsed


def convert(col: Column, value: Any) -> Any:
    """A cell's value as its column's type; raise ValueError with a Chinese message."""
    if col.kind is Kind.enum:
        cell = text(value)
        return None if cell is None else cast(type[LabelledEnum], col.enum).parse(cell)
    if col.kind is Kind.boolean:
        return boolean(value)
    if col.kind is Kind.domains:
        return domains(value)
    if col.kind is Kind.instant:
        return instant(value)
    if col.kind is Kind.json:
        return json_object(value)
    return text(value)


class RowReader:
    """One row's typed cells; bad cells become row errors naming the file's own header."""

    def __init__(self, sheet: Sheet, table: Table, row: Row, errors: list[RowError]) -> None:
        self.table, self.row, self.errors = table, row, errors
        self.failed = False
        self.bad: set[str] = set()
        self.values: dict[str, Any] = {}
        columns = {c.field: c for c in sheet.columns}
        for name, raw in row.cells.items():
            try:
                self.values[name] = convert(columns[name], raw)
            except ValueError as exc:
                self.error(name, str(exc))

    @property
    def number(self) -> int:
        """The row number as a person sees it."""
        return self.row.number

    def present(self, name: str) -> bool:
        """Whether the row has this column at all (a blank cell counts)."""
        return name in self.row.cells

    def filled(self, name: str) -> bool:
        """Whether the row gives a non-blank value for this column."""
        return self.values.get(name) is not None

    def get(self, name: str) -> Any:
        """The typed value of a cell; None when blank, absent or unreadable."""
        return self.values.get(name)

    def required(self, name: str) -> Any:
        """The typed value of a cell that must be given; a blank one is a row error."""
        value = self.values.get(name)
        if value is None and text(self.row.cells.get(name)) is None:
            self.error(name, "缺少必填项", None)
        return value

    def error(self, name: str, message: str, value: Any = ...) -> None:
        """Record an error on a field of this row."""
        self.failed = True
        self.bad.add(name)
        if value is ...:
            value = self.row.cells.get(name)
        if isinstance(value, Enum):
            value = value.value
        elif value is not None and not isinstance(value, str | int | float | bool):
            value = str(value)
        self.errors.append(RowError(row=self.row.number, field=name,
                                    column=self.table.header(name), value=value,
                                    message=message))

    def pydantic(self, exc: ValidationError, fallback: str, rename: dict[str, str]) -> None:
        """Record a schema's validation errors against the columns they came from."""
        for item in describe_errors(list(exc.errors())):
            name = item["field"].split(".", 1)[0] or fallback
            name = rename.get(name, name)
            if name in self.bad:  # already reported, e.g. an unknown enum label read as blank
                continue
            value = self.row.cells[name] if name in self.row.cells else item["value"]
            self.error(name, item["message"], value)
