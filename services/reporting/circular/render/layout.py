"""The layout every circular format renders: headings, paragraphs, chart slots and tables, in
reading order (a `Composition`), and how figures, dates and cells are printed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Heading:
    """一级标题 such as 一、总体情况."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph; `lead` is a run-in 二级标题 such as （一）首页不更新。"""

    text: str
    lead: str = ""


@dataclass(frozen=True)
class ChartSlot:
    """Where a chart goes: `kind` is "pass_rate" or "problems"."""

    kind: str
    caption: str


Block = Heading | Paragraph | ChartSlot
Cell = str | int | float | datetime | None


@dataclass(frozen=True)
class Column:
    """A table column; `printed` is False for columns only the spreadsheet carries."""

    header: str
    width_mm: float = 20
    numeric: bool = False
    printed: bool = True


@dataclass(frozen=True)
class Table:
    """An attachment table (label 附件N) or a spreadsheet-only sheet (empty label)."""

    label: str
    title: str
    sheet: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def printed_columns(self) -> tuple[Column, ...]:
        """Return the columns shown in the DOCX, HTML and Markdown attachments."""
        return tuple(c for c in self.columns if c.printed)

    def printed_rows(self) -> list[list[str]]:
        """Return the printed cells as text, row by row."""
        keep = [i for i, c in enumerate(self.columns) if c.printed]
        return [[cell_text(row[i]) for i in keep] for row in self.rows]


@dataclass(frozen=True)
class Composition:
    """The whole circular in reading order, already in the output script."""

    lang: str
    title: str
    number: str | None
    draft_mark: str | None
    recipients: str
    body: tuple[Block, ...]
    attachment_note: tuple[str, ...]  # "1.检查情况表", "2.问题网站名单"
    signature: str
    date: str
    attachments: tuple[Table, ...]
    sheets: tuple[Table, ...]  # the workbook: attachments plus the spreadsheet-only tables


def num(value: float) -> str:
    """Format a figure the way circulars print it: 12, 96.5, 100."""
    if abs(value - round(value)) < 1e-9:
        return str(round(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def cn_date(day: date) -> str:
    """Format a date as 2026年12月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def cell_text(value: Cell) -> str:
    """Format one table cell for print."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return num(value)
    return str(value)
