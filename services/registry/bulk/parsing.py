"""Reading uploaded CSV, XLSX and JSON files into rows keyed by English field name."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from services.registry.bulk.columns import Sheet, header_index, normalise_header
from services.registry.bulk.schemas import FileFormat, RowError
from shared import request_guard
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


@dataclass(frozen=True)
class Limits:
    """What one import may hold (RegistrySettings max_import_*, max_cell_chars, max_json_depth)."""

    rows: int
    cells: int = 2_000_000
    cell_chars: int = 32_767
    unpacked_bytes: int = 100 * 1024 * 1024
    json_depth: int = 32


def read_table(data: bytes, fmt: FileFormat, sheet: Sheet, limits: Limits) -> Table:
    """Parse a file into rows; 422 if it cannot be read, 413 past a limit. Blocking: call it
    from a thread, not the event loop."""
    if fmt is FileFormat.json:
        return _from_objects(_json_items(data, limits.json_depth), sheet, limits.rows)
    grid = _csv_grid(data) if fmt is FileFormat.csv else _xlsx_grid(data, limits)
    return _from_grid(grid, fmt, sheet, limits.rows)


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


def _xlsx_grid(data: bytes, limits: Limits) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    _check_unpacked(data, limits.unpacked_bytes)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors alike for a bad file
        raise ValidationFailed("不是有效的 XLSX 文件（Excel 2007 及以上格式）") from exc
    cells = 0
    try:
        if not book.worksheets:
            return
        # read_only streams the sheet's XML row by row: memory stays flat, the limits stop it.
        for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            cells += max(1, len(values))
            if cells > limits.cells:
                raise PayloadTooLarge(
                    f"工作表的单元格超过单次导入上限 {limits.cells} 个（max_import_cells），"
                    "请删除多余的空行空列或拆分后导入", limit_name="max_import_cells", limit=limits.cells)
            for col, value in enumerate(values, start=1):
                if isinstance(value, str) and len(value) > limits.cell_chars:
                    raise ValidationFailed(
                        f"第 {number} 行第 {col} 列的内容超过 {limits.cell_chars} 个字符（max_cell_chars）",
                        errors=[{"row": number, "field": "", "column": None, "value": value[:50] + "…",
                                 "message": f"单元格内容超过 {limits.cell_chars} 个字符"}])
            yield [_xlsx_value(v) for v in values]
    finally:
        book.close()


def _check_unpacked(data: bytes, limit: int) -> None:
    """Refuse a zip whose parts unpack past `limit` bytes, before anything is unpacked.

    zipfile stops reading each part at its declared size (and fails its CRC past it), so the
    declared sizes bound what openpyxl can ever unpack.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ValidationFailed("不是有效的 XLSX 文件（Excel 2007 及以上格式）") from exc
    if unpacked > limit:
        raise PayloadTooLarge(
            f"XLSX 文件解压后为 {unpacked // (1024 * 1024)} MB，超过上限 {limit // (1024 * 1024)} MB"
            "（max_import_unpacked_bytes）", limit_name="max_import_unpacked_bytes", limit=limit)


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


def _json_items(data: bytes, max_depth: int) -> list[Any]:
    try:
        doc = request_guard.loads(decode_text(data), max_depth)
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
