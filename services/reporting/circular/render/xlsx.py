"""The circular's tables as one Excel workbook: 检查情况表, 问题名单, 单项否决 and 通报数据.

One sheet per table from `text.compose`, with a frozen bold header row, a filter, column widths
fitted to the content, numbers stored as numbers and text as text (never a formula).
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.reporting.circular.content import CircularDocument
from services.reporting.circular.render.layout import SHANGHAI, Cell, Table
from services.reporting.circular.render.text import compose
from shared.tabular import as_text, xml_safe

HEADER_FONT = Font(name="黑体", bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
THIN = Side(style="thin", color="999999")
MAX_WIDTH = 60  # characters: longer texts wrap
CENTRED = Alignment(horizontal="center", vertical="center")
WRAPPED = Alignment(wrap_text=True, vertical="top")


def render_xlsx(doc: CircularDocument) -> bytes:
    """Render the circular's tables as an XLSX workbook, streamed row by row to the file.

    Written in openpyxl's write-only mode: a national attachment (164,000 rows, two million
    cells) is never held as cell objects; column widths are measured from the rows first.
    """
    comp = compose(doc)
    wb = Workbook(write_only=True)
    for table in comp.sheets:
        _sheet(wb.create_sheet(_sheet_name(table.sheet)), table)
    wb.properties.title = comp.title
    wb.properties.creator = comp.signature
    stamp = datetime.combine(doc.issued_on or doc.data.period_end, datetime.min.time())
    wb.properties.created = wb.properties.modified = stamp
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_name(name: str) -> str:
    # Excel's limits: 31 characters, none of []:*?/\
    return "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"


def _value(cell: Cell) -> Cell:
    if isinstance(cell, datetime):  # Excel has no time zones: the wall clock in Shanghai
        return cell.astimezone(SHANGHAI).replace(tzinfo=None) if cell.tzinfo else cell
    return cell


def _widths(table: Table) -> list[int]:
    widths = [_width(c.header) for c in table.columns]
    for row in table.rows:
        for i, value in enumerate(row):
            if isinstance(value, datetime):
                widths[i] = max(widths[i], 16)
            widths[i] = max(widths[i], _width("" if value is None else str(value)))
    return widths


def _sheet(ws: Any, table: Table) -> None:
    border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
    for i, width in enumerate(_widths(table), 1):
        ws.column_dimensions[get_column_letter(i)].width = min(width, MAX_WIDTH) + 2
    ws.freeze_panes = "A2"
    if table.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    header = []
    for c in table.columns:
        cell = as_text(WriteOnlyCell(ws, value=xml_safe(c.header)))
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, border
        cell.alignment = CENTRED
        header.append(cell)
    ws.append(header)
    for values in table.rows:
        ws.append([_cell(ws, value, border) for value in values])


def _cell(ws: Any, value: Cell, border: Border) -> Any:
    cell = as_text(WriteOnlyCell(ws, value=xml_safe(_value(value))))
    cell.border = border
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, float):
        cell.number_format = "0.0#"
    if _width("" if value is None else str(value)) > MAX_WIDTH:
        cell.alignment = WRAPPED
    return cell


def _width(text: str) -> int:
    """Return the display width in Excel's character units: Chinese characters count double."""
    return sum(1 if ch.isascii() else 2 for ch in text)
