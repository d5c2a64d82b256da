"""The GB/T 9704-2012 page of a circular's Word document: A4 with its margins, the 22 × 28 grid,
the fonts and paragraph styles of 公文, the font table and the page numbers "— 1 —"."""

from __future__ import annotations

import math
from typing import cast

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from docx.styles.style import BaseStyle, ParagraphStyle
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

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
AFTER_BORDER = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                 "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                 "w:adjustRightInd", "w:snapToGrid", *_AFTER_SNAP)
_AFTER_SCALE = ("w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                "w:eastAsianLayout", "w:specVanish", "w:oMath")


def put(parent: etree._Element, tag: str, successors: tuple[str, ...], **attrs: str) -> etree._Element:
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
    put(rpr, "w:w", _AFTER_SCALE, val=str(percent))


def _rpr(style: BaseStyle) -> etree._Element:
    return style.element.get_or_add_rPr()


def _exact(style: ParagraphStyle, twips: int | None = None) -> None:
    pf = style.paragraph_format
    pf.line_spacing = Pt((twips or _line_pitch()) / 20)  # a Length means lineRule="exact"
    pf.space_before = pf.space_after = Pt(0)


def _no_grid(style: ParagraphStyle) -> None:
    put(style.element.get_or_add_pPr(), "w:snapToGrid", _AFTER_SNAP, val="0")


def styles(d: DocxDocument, lang: str) -> None:
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


def font_table(d: DocxDocument) -> None:
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


def set_up_page(d: DocxDocument) -> None:
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
