"""Spreadsheet downloads: CSV that Excel opens as UTF-8, XLSX with a bold header row."""

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


def xml_safe(value: Any) -> Any:
    """`value` with every string in it (also inside dicts and lists) stripped of non-XML chars."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {k: xml_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(xml_safe(v) for v in value)
    return value


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV with a header row; the BOM makes Excel read it as UTF-8, not the system code page."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
               widths: Sequence[int] | None = None) -> bytes:
    """One-sheet XLSX with a bold, frozen header row."""
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
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        header_cells.append(c)
    ws.append(header_cells)
    for row in rows:
        ws.append([xml_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(body: bytes, media_type: str, ascii_name: str, name: str,
             headers: dict[str, str] | None = None) -> Response:
    """A file download with an ASCII fallback name and the Chinese name (RFC 6266 / 5987)."""
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": disposition, **(headers or {})})
