"""Repost tasks from the provincial system's XLSX sheet: one task per row, Chinese headers.

The same conventions as the registry's imports: the first non-blank row is the header (columns
in any order, unknown ones ignored), a zip whose parts unpack past the limit is refused before
anything is unpacked, and an error names the row and the column. Nothing is written unless
every row is valid (the caller creates the tasks in one transaction).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from shared.errors import PayloadTooLarge, ValidationFailed

# Header → field of RepostTaskCreate (the scope's three lists are cells of names joined by 、).
COLUMNS = {
    "任务编号": "external_id", "标题": "title", "原文链接": "source_url", "正文": "body",
    "发布日期": "published_on", "下达区划": "region_code", "转载区划": "regions",
    "转载单位ID": "organisation_ids", "转载类型": "kinds", "栏目": "column",
    "转载期限（工作日）": "deadline_working_days",
}
REQUIRED = ("标题", "原文链接", "正文", "发布日期", "下达区划", "转载期限（工作日）")
_LISTS = ("regions", "organisation_ids", "kinds")
_SPLIT = re.compile(r"[、,，;；\s]+")
LABELS = {v: k for k, v in COLUMNS.items()}


def _refuse(row: int, column: str, value: Any, why: str) -> ValidationFailed:
    shown = str(value)[:50] if value is not None else None
    return ValidationFailed(f"第 {row} 行 {column}：{why}", errors=[
        {"row": row, "field": COLUMNS.get(column, column), "column": column, "value": shown, "message": why}])


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return value.strip() or None
    return value


def _grid(data: bytes, max_unpacked: int) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ValidationFailed("不是有效的 XLSX 文件（Excel 2007 及以上格式）") from exc
    if unpacked > max_unpacked:
        raise PayloadTooLarge(f"XLSX 文件解压后超过上限 {max_unpacked // (1024 * 1024)} MB",
                              limit_name="repost_import_unpacked_bytes", limit=max_unpacked)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors alike for a bad file
        raise ValidationFailed("不是有效的 XLSX 文件（Excel 2007 及以上格式）") from exc
    try:
        return [[_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)] \
            if book.worksheets else []
    finally:
        book.close()


def read_sheet(data: bytes, *, max_unpacked: int, max_rows: int) -> list[tuple[int, dict[str, Any]]]:
    """The sheet's rows as (row number, fields of RepostTaskCreate), blank rows skipped."""
    rows = [(n, r) for n, r in enumerate(_grid(data, max_unpacked), start=1) if any(v is not None for v in r)]
    if not rows:
        raise ValidationFailed("文件为空：第 1 行应为表头")
    header_at, header = rows[0]
    positions = {i: COLUMNS[str(h).strip()] for i, h in enumerate(header) if str(h or "").strip() in COLUMNS}
    missing = [c for c in REQUIRED if COLUMNS[c] not in positions.values()]
    if missing:
        raise _refuse(header_at, missing[0], None, f"缺少列 {missing[0]}")
    if len(rows) - 1 > max_rows:
        raise PayloadTooLarge(f"单次至多导入 {max_rows} 个任务", limit_name="max_rows", limit=max_rows)
    out = []
    for number, values in rows[1:]:
        fields: dict[str, Any] = {}
        for i, name in positions.items():
            value = values[i] if i < len(values) else None
            if name in _LISTS:
                value = [v for v in _SPLIT.split(str(value)) if v] if value is not None else []
            elif name in ("region_code", "external_id") and value is not None:
                value = str(value)
            elif name == "published_on" and isinstance(value, date):
                value = value.isoformat()
            if value is not None and value != []:
                fields[name] = value
        out.append((number, {**{k: fields.pop(k) for k in list(fields) if k not in _LISTS},
                             "scope": {k: fields[k] for k in _LISTS if k in fields}}))
    return out


def refuse_row(number: int, exc: ValidationError) -> ValidationFailed:
    """A row's first invalid cell, named by row and column."""
    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"]]
    field = loc[1] if loc[:1] == ["scope"] and len(loc) > 1 else loc[0] if loc else ""
    column = LABELS.get(field, field)
    return _refuse(number, column, first.get("input"), str(first["msg"]))
