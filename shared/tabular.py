"""Spreadsheet downloads: CSV that Excel opens as UTF-8, XLSX with a bold header row.

Every CSV and XLSX the suite hands out is written here, so a name typed as `=HYPERLINK(...)`
can never become a live formula in the reader's spreadsheet (OWASP "CSV Injection"): XLSX text
cells are stored as text, never as formulas, and CSV values that a spreadsheet would read as a
formula are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from fastapi import Response

CSV_MEDIA = "text/csv; charset=utf-8"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Characters XML 1.0 cannot hold (C0 controls but tab, newline and return; U+FFFE, U+FFFF):
# openpyxl and python-docx refuse them, and a name typed with one would break every download.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# OWASP CSV Injection: a cell starting with one of these is read as a formula by Excel,
# LibreOffice or Google Sheets (tab and carriage return hide the sign that follows them).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def xml_safe(value: Any) -> Any:
    """`value` with every string in it (also inside dicts and lists) stripped of non-XML chars."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {k: xml_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(xml_safe(v) for v in value)
    return value


def csv_value(value: Any) -> Any:
    """A CSV field that no spreadsheet evaluates: text opening like a formula gets a `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_unescape(value: str) -> str:
    """Undo `csv_value`: a file exported here imports back unchanged."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV with a header row; the BOM makes Excel read it as UTF-8, not the system code page."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_value(h) for h in headers])
    writer.writerows([csv_value(v) for v in row] for row in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def as_text(cell: Any) -> Any:
    """Mark an openpyxl cell holding a string as text, so a leading `=` stays a character."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def append_row(ws: Any, values: Sequence[Any]) -> None:
    """Append a row to a (normal, not write-only) openpyxl sheet with strings kept as text."""
    ws.append([xml_safe(v) for v in values])
    for cell in ws[ws.max_row]:
        as_text(cell)


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
               widths: Sequence[int] | None = None) -> bytes:
    """One-sheet XLSX with a bold, frozen header row; every string cell is text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    ws = book.create_sheet(title[:31])
    for i, width in enumerate(widths or [max(10, len(h) * 2 + 2) for h in headers], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        c = as_text(WriteOnlyCell(ws, value=xml_safe(h)))
        c.font = bold
        header_cells.append(c)
    ws.append(header_cells)
    for row in rows:
        ws.append([as_text(WriteOnlyCell(ws, value=xml_safe(v))) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(body: bytes, media_type: str, ascii_name: str, name: str,
             headers: dict[str, str] | None = None) -> Response:
    """A file download with an ASCII fallback name and the Chinese name (RFC 6266 / 5987)."""
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": disposition, **(headers or {})})
