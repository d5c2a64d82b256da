"""The annual report as DOCX (title, one table per section) and XLSX (one row per item)."""

from __future__ import annotations

import io

from services.reporting.annual.compute import AnnualReport
from shared.calendar import SHANGHAI
from shared.tabular import xlsx_bytes


def _shown(value: float | int | str) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def render_docx(report: AnnualReport) -> bytes:
    """A DOCX: the title, the drafting date, then a two-column table per section."""
    import docx

    document = docx.Document()
    document.add_heading(report.title, level=1)
    drafted = report.drafted_at.astimezone(SHANGHAI)
    document.add_paragraph(f"统计区间：{report.year}年1月1日至{report.year}年12月31日　"
                           f"生成日期：{drafted:%Y年%m月%d日}")
    sections: dict[str, list[tuple[str, str]]] = {}
    for line in report.lines:
        sections.setdefault(line.section, []).append((line.item, f"{_shown(line.value)}{line.unit}"))
    for section, rows in sections.items():
        document.add_heading(section, level=2)
        table = document.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "项目", "数值"
        for item, value in rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = item, value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_xlsx(report: AnnualReport) -> bytes:
    """An XLSX: section, item, value, unit — one row per figure."""
    return xlsx_bytes(f"{report.year}年度报表", ["类别", "项目", "数值", "单位"],
                      ([line.section, line.item, line.value, line.unit] for line in report.lines),
                      widths=[18, 36, 12, 8])
