"""The circular as a Word document laid out to GB/T 9704-2012 (党政机关公文格式).

A4, margins 37/35/28/26 mm, a 22-line × 28-character grid, body 仿宋_GB2312 3号, title 方正小标宋简体
2号, 一级标题 黑体, 二级标题 楷体_GB2312, page numbers "— 1 —" in 4号宋体 on the outer side.
Fonts are only named (with their English alternative names in the font table): Word uses them
where installed and substitutes elsewhere. Attachments follow on landscape pages.
"""

from __future__ import annotations

import io
from datetime import datetime, time

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from services.reporting.circular.content import CircularDocument
from services.reporting.circular.render import charts
from services.reporting.circular.render.docx_page import (
    AFTER_BORDER,
    BODY_PT,
    PAGE,
    font_table,
    put,
    set_up_page,
    styles,
)
from services.reporting.circular.render.layout import (
    ChartSlot,
    Composition,
    Heading,
    Paragraph,
    Table,
)
from services.reporting.circular.render.text import compose


def render_docx(doc: CircularDocument) -> bytes:
    """Render the circular as a GB/T 9704 DOCX file."""
    comp = compose(doc)
    d = Document()
    lang = "zh-TW" if doc.traditional else "zh-CN"
    styles(d, lang)
    font_table(d)
    set_up_page(d)
    _front(d, comp)
    for block in comp.body:
        if isinstance(block, Heading):
            d.add_paragraph(block.text, style="一级标题")
        elif isinstance(block, Paragraph):
            _paragraph(d, block)
        elif isinstance(block, ChartSlot):
            _chart(d, doc, block)
    _closing(d, comp)
    _attachments(d, comp.attachments)
    props = d.core_properties
    props.title, props.author, props.language = comp.title, comp.signature, lang
    issued = doc.issued_on or doc.data.period_end
    props.created = props.modified = datetime.combine(issued, time(9))
    props.revision = 1
    package = d.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # python-docx's template page, not this document
            package.rels.pop(rid)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


# ── content ─────────────────────────────────────────────────────────────────────────────

def _front(d: DocxDocument, comp: Composition) -> None:
    if comp.number:
        p = d.add_paragraph(comp.number, style="文号")
        _red_rule(p)
        d.add_paragraph(style="主送机关")
    d.add_paragraph(comp.title, style="公文标题")
    if comp.draft_mark:
        d.add_paragraph(comp.draft_mark, style="征求意见稿标识")
    d.add_paragraph(style="主送机关")
    d.add_paragraph(comp.recipients, style="主送机关")


def _red_rule(p: DocxParagraph) -> None:
    """Draw the 版头 separator (GB/T 9704 §7.2.5): a red line under the 发文字号."""
    border = put(p._p.get_or_add_pPr(), "w:pBdr", AFTER_BORDER)
    bottom = OxmlElement("w:bottom")
    for attr, val in (("w:val", "single"), ("w:sz", "12"), ("w:space", "8"), ("w:color", "C00000")):
        bottom.set(qn(attr), val)
    border.append(bottom)


def _paragraph(d: DocxDocument, block: Paragraph) -> None:
    p = d.add_paragraph()
    if block.lead:
        p.add_run(block.lead, style="二级标题")
    p.add_run(block.text)


def _chart(d: DocxDocument, doc: CircularDocument, slot: ChartSlot) -> None:
    draw = charts.pass_rate_chart if slot.kind == "pass_rate" else charts.problem_chart
    png = draw(doc.data, traditional=doc.traditional)
    if png is None:
        return
    d.add_paragraph(style="图片").add_run().add_picture(io.BytesIO(png), width=Mm(150))
    d.add_paragraph(slot.caption, style="图题")


def _closing(d: DocxDocument, comp: Composition) -> None:
    if comp.attachment_note:
        d.add_paragraph()
        for i, item in enumerate(comp.attachment_note):
            p = d.add_paragraph(("附件：" if i == 0 else "") + item, style="主送机关")
            # Numbers line up under the first: 2 characters in, plus 附件： for the later lines.
            p.paragraph_format.left_indent = Pt(BODY_PT * (2 if i == 0 else 5))
    for _ in range(2):  # room for the seal above the 落款
        d.add_paragraph()
    office, day = comp.signature, comp.date
    office_w, date_w = _width(office), _width(day)
    # §7.3.5.1: the date sits 4 characters in from the right and the office is centred above it;
    # a long office name keeps 2 characters from the edge and the date centres under it instead.
    date_right: float = 4 * BODY_PT
    office_right = date_right + (date_w - office_w) / 2
    if office_right < 2 * BODY_PT:
        office_right = 2 * BODY_PT
        date_right = office_right + (office_w - date_w) / 2
    for text, right in ((office, office_right), (day, date_right)):
        p = d.add_paragraph(text, style="落款")
        p.paragraph_format.right_indent = Pt(right)


def _width(text: str) -> float:
    """Return the printed width in points at 3号: CJK characters full width, ASCII half."""
    return sum(BODY_PT / 2 if ch.isascii() else BODY_PT for ch in text)


def _attachments(d: DocxDocument, tables: tuple[Table, ...]) -> None:
    if not tables:
        return
    section = d.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE[1], PAGE[0]
    section.top_margin, section.bottom_margin = Mm(28), Mm(30)
    section.left_margin, section.right_margin = Mm(30), Mm(30)
    section.footer_distance = Mm(16)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:  # tables keep their own line heights, off the body's 22-line grid
        for attr in ("w:type", "w:charSpace"):
            grid.attrib.pop(qn(attr), None)
        grid.set(qn("w:linePitch"), "312")
    width_mm = 297 - 60
    for i, table in enumerate(tables):
        label = d.add_paragraph(table.label, style="附件标识")
        label.paragraph_format.page_break_before = i > 0
        d.add_paragraph(table.title, style="公文标题").paragraph_format.space_after = Pt(12)
        _table(d, table, width_mm)


def _table(d: DocxDocument, table: Table, width_mm: float) -> DocxTable:
    columns = table.printed_columns()
    rows = table.printed_rows()
    scale = width_mm / sum(c.width_mm for c in columns)
    widths = [Mm(c.width_mm * scale) for c in columns]
    t = d.add_table(rows=1 + len(rows), cols=len(columns))
    t.style = d.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for col, width in zip(t.columns, widths, strict=True):
        col.width = width
    # Look styles and rows up once: python-docx's t.rows[r] rescans every row and its style
    # setter scans every style, which made a 12,000-row attachment take minutes.
    style_ids = (d.styles["表头"].style_id, d.styles["表格文字"].style_id)
    for r, (row, cells) in enumerate(zip(t.rows, [[c.header for c in columns], *rows],
                                         strict=True)):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if r == 0:  # the header repeats on every page of a long table
            tr_pr.append(OxmlElement("w:tblHeader"))
        for cell, text, column, width in zip(row.cells, cells, columns, widths, strict=True):
            cell.width = width
            p = cell.paragraphs[0]
            p._p.style = style_ids[0] if r == 0 else style_ids[1]
            if r and column.numeric:
                p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run(text)
    d.add_paragraph(style="表格文字")
    return t
