"""Reading uploaded CSV, XLSX and JSON files into rows keyed by English field name."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from services.registry.bulk.columns import Sheet, header_index, normalise_header
from services.registry.bulk.schemas import FileFormat, RowError
from shared.errors import PayloadTooLarge, ValidationFailed
from shared.tabular import csv_unescape


@dataclass
class Row:
    """One data row: its number as a person sees it, and the cells of recognised columns."""

    number: int
    cells: dict[str, Any]


@dataclass
class Table:
    format: FileFormat
    rows: list[Row]
    # field → the header exactly as written in the file, for error messages
    headers: dict[str, str]
    ignored: list[str]
    errors: list[RowError] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """The file's own header of a field, if the file has that column."""
        return self.headers.get(name)


def read_table(data: bytes, fmt: FileFormat, sheet: Sheet, max_rows: int) -> Table:
    """Parse a file into rows; 422 if it cannot be read, 413 past `max_rows` data rows."""
    if fmt is FileFormat.json:
        return _from_objects(_json_items(data), sheet, max_rows)
    grid = _csv_grid(data) if fmt is FileFormat.csv else _xlsx_grid(data)
    return _from_grid(grid, fmt, sheet, max_rows)


def _too_many(max_rows: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"文件的数据行超过单次导入上限 {max_rows} 行（max_import_rows），请拆分后分批导入",
        limit_name="max_import_rows", limit=max_rows)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), falling back to GB18030 as Excel writes on Chinese Windows."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("文件编码无法识别：请以 UTF-8 或 GBK（GB18030）编码保存") from exc


def _csv_grid(data: bytes) -> Iterator[list[Any]]:
    text = decode_text(data)
    first = text.split("\n", 1)[0]
    # Excel writes commas; some tools write tabs or semicolons. The header line decides.
    delimiter = max((",", "\t", ";"), key=first.count)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield [csv_unescape(v) for v in row]
    except csv.Error as exc:
        raise ValidationFailed(f"CSV 文件格式有误：{exc}") from exc


def _xlsx_grid(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors alike for a bad file
        raise ValidationFailed("不是有效的 XLSX 文件（Excel 2007 及以上格式）") from exc
    try:
        if not book.worksheets:
            return
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [_xlsx_value(v) for v in values]
    finally:
        book.close()


def _xlsx_value(value: Any) -> Any:
    # Excel keeps every number as a float: 3701020001 comes back as 3701020001.0.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _from_grid(grid: Iterable[list[Any]], fmt: FileFormat, sheet: Sheet, max_rows: int) -> Table:
    rows_iter = enumerate(grid, start=1)
    header_at, header_row = next(((n, r) for n, r in rows_iter if not all(_blank(v) for v in r)),
                                 (0, None))
    if header_row is None:
        raise ValidationFailed("文件为空：第 1 行应为表头")
    index = header_index(sheet)
    positions: dict[int, str] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for pos, raw in enumerate(header_row):
        if _blank(raw):
            continue
        col = index.get(normalise_header(str(raw)))
        if col is None:
            ignored.append(str(raw).strip())
            continue
        if col.read_only:
            continue
        if col.field in headers:
            raise ValidationFailed(
                f"表头中 {headers[col.field]!r} 与 {str(raw).strip()!r} 是同一列（{col.field}），请删去其一",
                errors=[_header_error(header_at, col.field, str(raw), "列重复")])
        positions[pos] = col.field
        headers[col.field] = str(raw).strip()
    missing = [k for k in sheet.keys if k not in headers]
    if missing:
        names = "、".join(f"{_label(sheet, k)}（{k}）" for k in missing)
        raise ValidationFailed(f"表头缺少必需的列：{names}",
                               errors=[_header_error(header_at, k, None, f"缺少列 {_label(sheet, k)}")
                                       for k in missing])
    rows: list[Row] = []
    # Row numbers are the spreadsheet's own: the header is row 1, the first data row row 2.
    for number, values in rows_iter:
        if all(_blank(v) for v in values):
            continue
        if len(rows) >= max_rows:
            raise _too_many(max_rows)
        cells = {name: (values[pos] if pos < len(values) else None)
                 for pos, name in positions.items()}
        rows.append(Row(number, cells))
    return Table(fmt, rows, headers, ignored)


def _label(sheet: Sheet, name: str) -> str:
    return next(c.header for c in sheet.columns if c.field == name)


def _header_error(row: int, name: str, value: str | None, message: str) -> dict[str, Any]:
    return {"row": row, "field": name, "column": value, "value": value, "message": message}


def _json_items(data: bytes) -> list[Any]:
    try:
        doc = json.loads(decode_text(data))
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}") from exc
    if isinstance(doc, dict) and isinstance(doc.get("items"), list):
        return list(doc["items"])
    if isinstance(doc, list):
        return doc
    raise ValidationFailed('JSON 应为对象数组，或形如 {"items": [...]} 的对象')


def _from_objects(items: list[Any], sheet: Sheet, max_rows: int) -> Table:
    if len(items) > max_rows:
        raise _too_many(max_rows)
    index = header_index(sheet)
    headers: dict[str, str] = {}
    ignored: list[str] = []
    rows: list[Row] = []
    errors: list[RowError] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(RowError(row=number, field="", value=None, message="应为对象"))
            continue
        cells: dict[str, Any] = {}
        for key, value in item.items():
            col = index.get(normalise_header(str(key)))
            if col is None:
                if key not in ignored:
                    ignored.append(key)
            elif not col.read_only:
                cells[col.field] = value
                headers.setdefault(col.field, key)
        if cells or item:
            rows.append(Row(number, cells))
    return Table(FileFormat.json, rows, headers, ignored, errors)
