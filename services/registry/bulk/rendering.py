"""Writing export files: CSV and XLSX with Chinese headers and labels, JSON with English keys."""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from typing import Any
from urllib.parse import quote

from fastapi import Response

from services.registry.bulk.columns import Column, Kind, Sheet
from services.registry.bulk.schemas import FileFormat
from services.registry.bulk.upload import XLSX_MEDIA
from shared.calendar import SHANGHAI
from shared.contracts.registry import LabelledEnum
from shared.tabular import csv_bytes, xlsx_bytes

MEDIA_TYPES = {FileFormat.csv: "text/csv; charset=utf-8", FileFormat.xlsx: XLSX_MEDIA,
               FileFormat.json: "application/json"}


def export_response(sheet: Sheet, fmt: FileFormat, rows: list[dict[str, Any]],
                    now: datetime) -> Response:
    """The export file as a download named after the entity and today's date (Beijing time)."""
    body = {FileFormat.csv: _csv, FileFormat.xlsx: _xlsx, FileFormat.json: _json}[fmt](sheet, rows)
    stamp = now.astimezone(SHANGHAI).strftime("%Y%m%d")
    ascii_name = f"{sheet.name}-{stamp}.{fmt.value}"
    # RFC 6266 / 5987: an ASCII fallback for old clients, the Chinese name for the rest.
    chinese = quote(f"{sheet.title}-{stamp}.{fmt.value}")
    return Response(body, media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{chinese}",
        "X-Total-Count": str(len(rows))})


def cell(col: Column, value: Any) -> str:
    """A value as a person reads it in a spreadsheet: labels, 是/否, lists joined."""
    if value is None:
        return ""
    if isinstance(value, LabelledEnum):
        return value.label
    if col.kind is Kind.flags:
        return "；".join(f.label for f in value)
    if col.kind is Kind.domains:
        return "; ".join(value)
    if col.kind is Kind.json:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _csv(sheet: Sheet, rows: list[dict[str, Any]]) -> bytes:
    cols = sheet.exported()
    return csv_bytes([c.header for c in cols],
                     ([cell(c, row.get(c.field)) for c in cols] for row in rows))


def _xlsx(sheet: Sheet, rows: list[dict[str, Any]]) -> bytes:
    cols = sheet.exported()
    # Every cell is text, so Excel keeps 网站标识码 and region codes as typed.
    return xlsx_bytes(sheet.title, [c.header for c in cols],
                      ([cell(c, row.get(c.field)) or None for c in cols] for row in rows),
                      widths=[max(12, 2 * len(c.header) + 4) for c in cols])


def _json(sheet: Sheet, rows: list[dict[str, Any]]) -> bytes:
    cols = sheet.exported()
    items = [{c.field: _plain(row.get(c.field)) for c in cols} for row in rows]
    return json.dumps({"items": items, "total": len(items)}, ensure_ascii=False).encode("utf-8")
