"""The circular as a Word document laid out to GB/T 9704-2012 (党政机关公文格式).

A4, margins 37/35/28/26 mm, a 22-line × 28-character grid, body 仿宋_GB2312 3号, title 方正小标宋简体
2号, 一级标题 黑体, 二级标题 楷体_GB2312, page numbers "— 1 —" in 4号宋体 on the outer side.
Fonts are only named (with their English alternative names in the font table): Word uses them
where installed and substitutes elsewhere. Attachments follow on landscape pages.
"""

from __future__ import annotations

import io
import math
from datetime import datetime, time
from typing import cast

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from docx.styles.style import BaseStyle, ParagraphStyle
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from services.reporting.circular.model import CircularDocument
from services.reporting.circular.render import charts
from services.reporting.circular.render.text import (
    ChartSlot,
    Composition,
    Heading,
    Paragraph,
    Table,
    compose,
)

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LEAD_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# English names Word and LibreOffice match when the Chinese name is not installed.
ALT_NAMES = {TITLE_FONT: "FZXiaoBiaoSong-B05S", BODY_FONT: "FangSong_GB2312", LEAD_FONT: "KaiTi_GB2312",
             HEADING_FONT: "SimHei", PAGE_NUMBER_FONT: "SimSun"}

# GB/T 9704-2012 §5.2.1, §5.2.2, §7.1: 3号 = 16 pt, 2号 = 22 pt, 4号 = 14 pt.
BODY_PT = 16
TITLE_PT = 22
PAGE_NUMBER_PT = 14
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
PAGE = (Mm(210), Mm(297))
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TABLE_PT = 10.5  # 五号: attachment tables


def render_docx(doc: CircularDocument) -> bytes:
    """Render the circular as a GB/T 9704 DOCX file."""
    comp = compose(doc)
    d = Document()
    lang = "zh-TW" if doc.traditional else "zh-CN"
    _styles(d, lang)
    _font_table(d)
    _page(d)
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


# ── styles and page ─────────────────────────────────────────────────────────────────────

def _line_pitch() -> int:
    """Return the grid's line pitch in twips: the text height divided into 22 lines."""
    height = PAGE[1] - MARGINS["top"] - MARGINS["bottom"]
    return math.floor(Emu(height).pt * 20 / LINES_PER_PAGE)


def _char_space() -> int:
    """Return w:charSpace: the grid's extra width per character in 1/4096 pt over 3号."""
    width = PAGE[0] - MARGINS["left"] - MARGINS["right"]
    # Rounded down: a pitch a hair too wide would let Word fit only 27 characters.
    return math.floor((Emu(width).pt / CHARS_PER_LINE - BODY_PT) * 4096)


# Children that must follow the ones we add (CT_PPr / CT_RPr sequences): Word rejects a file whose
# property elements are out of schema order.
_AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
               "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
               "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_AFTER_BORDER = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                 "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                 "w:adjustRightInd", "w:snapToGrid", *_AFTER_SNAP)
_AFTER_SCALE = ("w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                "w:eastAsianLayout", "w:specVanish", "w:oMath")


def _put(parent: etree._Element, tag: str, successors: tuple[str, ...], **attrs: str) -> etree._Element:
    """Replace `tag` in `parent` by a new element placed before any of `successors`."""
    old = parent.find(qn(tag))
    if old is not None:
        parent.remove(old)
    el = OxmlElement(tag)
    for name, val in attrs.items():
        el.set(qn(f"w:{name}"), val)
    parent.insert_element_before(el, *successors)
    return el


def _set_fonts(rpr: etree._Element, east_asia: str, latin: str = LATIN_FONT) -> None:
    rfonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)
    for attr, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east_asia)):
        rfonts.set(qn(attr), name)


def _scale(rpr: etree._Element, percent: int) -> None:
    _put(rpr, "w:w", _AFTER_SCALE, val=str(percent))


def _rpr(style: BaseStyle) -> etree._Element:
    return style.element.get_or_add_rPr()


def _exact(style: ParagraphStyle, twips: int | None = None) -> None:
    pf = style.paragraph_format
    pf.line_spacing = Pt((twips or _line_pitch()) / 20)  # a Length means lineRule="exact"
    pf.space_before = pf.space_after = Pt(0)


def _no_grid(style: ParagraphStyle) -> None:
    _put(style.element.get_or_add_pPr(), "w:snapToGrid", _AFTER_SNAP, val="0")


def _styles(d: DocxDocument, lang: str) -> None:
    defaults = d.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _set_fonts(rpr, BODY_FONT)
            for tag in ("w:sz", "w:szCs"):
                el = rpr.find(qn(tag))
                if el is not None:
                    el.set(qn("w:val"), str(BODY_PT * 2))
            lang_el = rpr.find(qn("w:lang"))
            if lang_el is not None:
                lang_el.set(qn("w:eastAsia"), lang)
    normal = cast(ParagraphStyle, d.styles["Normal"])
    _set_fonts(_rpr(normal), BODY_FONT)
    # LibreOffice puts a 16 pt glyph into two 15.79 pt grid cells (14 characters a line); at 98 %
    # width it takes one. Word compresses every character to the grid pitch anyway, so there the
    # page looks the same: 28 characters a line in both.
    _scale(_rpr(normal), 98)
    normal.font.size = Pt(BODY_PT)
    _exact(normal)
    pf = normal.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.first_line_indent = Pt(2 * BODY_PT)
    ind = normal.element.get_or_add_pPr().find(qn("w:ind"))
    if ind is not None:  # in characters too, so the indent follows the grid's pitch
        ind.set(qn("w:firstLineChars"), "200")
    pf.widow_control = True

    title = _paragraph_style(d, "公文标题", TITLE_FONT, TITLE_PT, indent=False)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _exact(title, 700)  # 35 pt: two-line titles need more air than the 28.95 pt body grid
    _no_grid(title)
    _scale(_rpr(title), 100)  # off the grid, the title keeps its full width
    _outline(title, 0)
    heading = _paragraph_style(d, "一级标题", HEADING_FONT, BODY_PT, indent=True)
    heading.paragraph_format.keep_with_next = True
    _outline(heading, 1)
    lead = d.styles.add_style("二级标题", WD_STYLE_TYPE.CHARACTER)
    _set_fonts(_rpr(lead), LEAD_FONT)
    _paragraph_style(d, "文号", BODY_FONT, BODY_PT, indent=False).paragraph_format.alignment = (
        WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(d, "征求意见稿标识", LEAD_FONT, BODY_PT, indent=False).paragraph_format.alignment = (
        WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(d, "主送机关", BODY_FONT, BODY_PT, indent=False)
    _paragraph_style(d, "落款", BODY_FONT, BODY_PT, indent=False).paragraph_format.alignment = (
        WD_ALIGN_PARAGRAPH.RIGHT)
    caption = _paragraph_style(d, "图题", LEAD_FONT, 14, indent=False)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    figure = _paragraph_style(d, "图片", BODY_FONT, BODY_PT, indent=False)
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    figure.paragraph_format.line_spacing = 1.0  # an exact line height would crop the picture
    figure.paragraph_format.keep_with_next = True
    _no_grid(figure)
    _paragraph_style(d, "附件标识", HEADING_FONT, BODY_PT, indent=False)
    cell = _paragraph_style(d, "表格文字", BODY_FONT, TABLE_PT, indent=False)
    cell.paragraph_format.line_spacing = 1.0
    cell.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _no_grid(cell)
    _scale(_rpr(cell), 100)
    header = _paragraph_style(d, "表头", HEADING_FONT, TABLE_PT, indent=False, base="表格文字")
    header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _paragraph_style(d: DocxDocument, name: str, east_asia: str, size: float, *, indent: bool,
                     base: str = "Normal") -> ParagraphStyle:
    style = cast(ParagraphStyle, d.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH))
    style.base_style = d.styles[base]
    style.quick_style = True
    _set_fonts(_rpr(style), east_asia)
    style.font.size = Pt(size)
    if not indent:
        style.paragraph_format.first_line_indent = Pt(0)
        ind = style.element.get_or_add_pPr().find(qn("w:ind"))
        if ind is not None:
            ind.set(qn("w:firstLineChars"), "0")
    return style


def _outline(style: ParagraphStyle, level: int) -> None:
    style.element.get_or_add_pPr().get_or_add_outlineLvl().set(qn("w:val"), str(level))


def _font_table(d: DocxDocument) -> None:
    """Name the Chinese fonts with their English alternatives in word/fontTable.xml."""
    for part in d.part.package.iter_parts():
        if str(part.partname) != "/word/fontTable.xml":
            continue
        root = etree.fromstring(part.blob)
        for name, alt in ALT_NAMES.items():
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            for tag, val in (("w:altName", alt), ("w:charset", "86"), ("w:family", "auto"),
                             ("w:pitch", "variable")):
                etree.SubElement(font, qn(tag)).set(qn("w:val"), val)
        # python-docx keeps parts it does not model as plain bytes.
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page(d: DocxDocument) -> None:
    section = d.sections[0]
    section.page_width, section.page_height = PAGE
    for side, value in MARGINS.items():
        setattr(section, f"{side}_margin", value)
    section.header_distance = Mm(15)
    # GB/T 9704 §7.5: the page number's dash sits 7 mm below the text area (35 mm from the foot).
    section.footer_distance = Mm(22)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(_line_pitch()))
    grid.set(qn("w:charSpace"), str(_char_space()))
    # §7.5: odd pages' numbers on the right, even pages' on the left, one character in.
    d.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(p: DocxParagraph, align: WD_ALIGN_PARAGRAPH) -> None:
    pf = p.paragraph_format
    pf.alignment = align
    pf.first_line_indent = Pt(0)
    pf.line_spacing = 1.0
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        pf.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        pf.left_indent = Pt(PAGE_NUMBER_PT)

    def run(text: str = "") -> etree._Element:
        r = p.add_run(text)
        r.font.size = Pt(PAGE_NUMBER_PT)
        _set_fonts(r._r.get_or_add_rPr(), PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)
        _scale(r._r.get_or_add_rPr(), 100)
        return r._r

    run("— ")
    for kind in ("begin", "instr", "separate", "1", "end"):
        r = run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        elif kind == "1":
            el = OxmlElement("w:t")
            el.text = "1"
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        r.append(el)
    run(" —")


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
    border = _put(p._p.get_or_add_pPr(), "w:pBdr", _AFTER_BORDER)
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
