"""Rendering a circular: what a reader sees in the DOCX, XLSX, HTML and Markdown files."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length
from openpyxl import load_workbook
from pypdf import PdfReader

from services.reporting.circular.content import CircularDocument
from services.reporting.circular.render import charts, render_docx, render_html, render_markdown, render_xlsx
from tests.reporting.fixtures import circular_data, circular_document, target_rows

MALICIOUS = "<script>alert(1)</script>局"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _docx(*, draft: bool = False, practices: bool = True) -> DocxDocument:
    return Document(io.BytesIO(render_docx(circular_document(draft=draft, practices=practices))))


def _docx_text(d: DocxDocument) -> str:
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def _east_asia(style: Any) -> str | None:
    rfonts = style.element.rPr.find(qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


# ── DOCX: GB/T 9704 layout ──────────────────────────────────────────────────────────────

def test_docx_page_is_a4_with_gbt9704_margins() -> None:
    section = _docx().sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin.mm, section.bottom_margin.mm, section.left_margin.mm,
               section.right_margin.mm]
    assert margins == pytest.approx([37, 35, 28, 26], abs=0.05)


def test_docx_title_is_xiaobiaosong_2hao_centred() -> None:
    d = _docx()
    title = next(p for p in d.paragraphs if p.text == circular_data().title)
    assert _east_asia(title.style) == "方正小标宋简体"
    assert title.style.font.size.pt == 22
    assert title.style.paragraph_format.alignment == 1  # centre
    # The English alternative name is declared for machines without the Chinese font name.
    font_table = next(p for p in d.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    assert "FZXiaoBiaoSong-B05S" in font_table.blob.decode()


def test_docx_body_is_fangsong_3hao_on_exact_lines_with_two_character_indent() -> None:
    d = _docx()
    body = next(p for p in d.paragraphs if p.text.startswith("为进一步加强"))
    assert body.style.name == "Normal"
    assert _east_asia(body.style) == "仿宋_GB2312"
    assert body.style.font.size.pt == 16
    fmt = body.style.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert fmt.line_spacing.pt == pytest.approx(28.95, abs=0.05)
    assert fmt.first_line_indent.pt == 32
    headings = [p for p in d.paragraphs if p.style.name == "一级标题"]
    assert _east_asia(headings[0].style) == "黑体"
    lead = next(r for p in d.paragraphs for r in p.runs if r.text == "（一）政府网站。")
    assert _east_asia(lead.style) == "楷体_GB2312"


def test_docx_grid_gives_22_lines_of_28_characters() -> None:
    section = _docx().sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    text_height_pt = Length(section.page_height - section.top_margin - section.bottom_margin).pt
    text_width_pt = Length(section.page_width - section.left_margin - section.right_margin).pt
    line_pitch_pt = int(grid.get(qn("w:linePitch"))) / 20
    char_pitch_pt = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert int(text_height_pt // line_pitch_pt) == 22
    assert int(text_width_pt // char_pitch_pt) == 28


def test_docx_footers_carry_a_page_field_between_dashes_on_the_outer_side() -> None:
    d = _docx()
    section = d.sections[0]
    assert d.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, 2), (section.even_page_footer, 0)):  # right / left
        p = footer.paragraphs[0]
        assert p.alignment == align
        instructions = [el.text for el in p._p.iter(qn("w:instrText"))]
        assert [i.strip() for i in instructions] == ["PAGE"]
        assert p.text.startswith("— ") and p.text.endswith(" —")
        fonts = p.runs[0]._r.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == "宋体" and p.runs[0].font.size.pt == 14


def test_published_circular_shows_its_number_and_a_draft_is_marked() -> None:
    published = _docx_text(_docx())
    assert "济政公开办〔2026〕19号" in published
    assert "征求意见稿" not in published
    assert "2026年12月20日" in published
    draft = _docx_text(_docx(draft=True))
    assert "征求意见稿" in draft
    assert "济政公开办" not in draft


def test_docx_sections_come_in_order_and_the_signature_is_right_aligned() -> None:
    d = _docx(practices=False)
    headings = [p.text for p in d.paragraphs if p.style.name == "一级标题"]
    assert headings == ["一、总体情况", "二、存在的问题", "三、整改要求"]
    texts = [p.text for p in d.paragraphs]
    intro = next(i for i, t in enumerate(texts) if t.startswith("为进一步加强"))
    assert texts[intro - 1] == "各区县人民政府，市政府各部门："
    assert texts[intro + 1] == "一、总体情况"
    signature = next(p for p in d.paragraphs if p.text == "济南市人民政府办公厅")
    assert signature.style.paragraph_format.alignment == 2  # right
    assert "务必于2026年12月31日18:00前完成整改及复核" in "".join(texts[texts.index("三、整改要求"):])


def test_overview_states_counts_rates_comparison_and_rectification() -> None:
    text = _docx_text(_docx())
    # The comparison belongs to the overall rate of websites and accounts together (all.pass_rate).
    assert "本次共检查全市政府网站48个、政务新媒体4个，总体合格率为90.38%，比上季度提升4个多百分点。" in text
    assert "（一）政府网站。门户网站8个、部门网站40个，合格44个，合格率为91.67%。" in text
    assert "（二）政务新媒体。微信公众号3个、新浪微博1个，合格3个，合格率为75%。" in text
    assert "整改率为94.59%" in text
    assert "（四）主要做法。" in text and "1.健全工作机制。" in text
    # Without accounts the website rate is the overall one and carries the comparison.
    websites_only = circular_data(rows=[r for r in target_rows() if r.target_type == "website"])
    md = render_markdown(circular_document(data=websites_only))
    assert ("**（一）政府网站**。共检查全市政府网站48个，其中门户网站8个、部门网站40个，合格44个，"
            "总体合格率为91.67%，比上季度提升4个多百分点。") in md
    assert "（二）政务新媒体。" not in md and "**（二）政务新媒体**" not in md


def test_units_are_named_under_their_problem_type_vetoes_first() -> None:
    d = _docx()
    groups = [p.text for p in d.paragraphs if re.match(r"（[一二三四五六七八九十]+）", p.text)
              and "涉及" in p.text]
    assert groups[0].startswith("（一）首页不更新（单项否决）。")
    assert "历下区教育和体育局网站（3701020002）" in groups[0]
    assert "历城区卫生健康局网站（3701120004）" in groups[0]
    assert groups[0].index("历下区") < groups[0].index("历城区")  # units in the data's order
    typo = next(g for g in groups if "错别字。" in g)
    assert "“部署”误为“布署”" in typo
    assert not any("（单项否决）" in g for g in groups[groups.index(typo):])
    # Addresses of broken links stay in the attachment; the body counts them.
    links = next(g for g in groups if "链接不可用。" in g)
    assert "天桥区民政局网站（3701050003），共5处" in links and "http" not in links


def test_docx_embeds_the_two_charts_when_there_is_data_and_none_without() -> None:
    d = _docx()
    assert len(d.inline_shapes) == 2
    captions = [p.text for p in d.paragraphs if p.style.name == "图题"]
    assert captions == ["图1 各区县检查合格率", "图2 问题类型分布"]
    bare = circular_document(data=circular_data(with_problems=False, with_regions=False))
    empty = Document(io.BytesIO(render_docx(bare)))
    assert len(empty.inline_shapes) == 0
    assert "本次检查未发现单项否决问题和其他突出问题。" in _docx_text(empty)


def test_docx_attachment_tables_have_one_row_per_target() -> None:
    data = circular_data()
    d = _docx()
    checked, problems = d.tables
    header = [c.text for c in checked.rows[0].cells]
    assert header == ["序号", "区划", "网站/账号名称", "标识码", "主办单位", "得分", "结论", "主要问题"]
    assert len(checked.rows) == 1 + len(data.rows)
    assert len(problems.rows) == 1 + len(data.problem_rows)
    second = [c.text for c in checked.rows[2].cells]
    assert second[:3] == ["2", "历下区", "历下区教育和体育局网站"]
    assert second[5:] == ["—", "不合格", "单项否决：首页不更新"]
    # Attachments start on a new, landscape page.
    attachments = d.sections[1]
    assert attachments.page_width > attachments.page_height
    texts = [p.text for p in d.paragraphs]
    assert "附件：1.政府网站和政务新媒体检查情况表" in texts and "2.问题网站和政务新媒体名单" in texts


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_the_docx_on_a4_with_page_numbers(tmp_path: Path) -> None:
    source = tmp_path / "circular.docx"
    source.write_bytes(render_docx(circular_document()))
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    pdf = PdfReader(tmp_path / "circular.pdf")
    first = pdf.pages[0]
    assert (round(float(first.mediabox.width) / 72 * 25.4), round(float(first.mediabox.height) / 72 * 25.4)) \
        == (210, 297)
    text = first.extract_text()
    assert "济政公开办" in text and "— 1 —" in text
    assert "各区县人民政府" in text


def test_recipients_and_scope_follow_the_issuing_region() -> None:
    ningxia = circular_data().model_copy(update={"region_code": "640000", "region_name": "宁夏回族自治区",
                                                 "title": "关于2026年第四季度全区政府网站和政务新媒体检查情况的通报"})
    md = render_markdown(circular_document(data=ningxia))
    assert "\n\n各市、县（区）人民政府，自治区政府各部门、各直属机构：\n\n" in md
    assert "本次共检查全区政府网站48个" in md
    assert "图1 各市检查合格率" in render_html(circular_document(data=ningxia))


# ── XLSX ────────────────────────────────────────────────────────────────────────────────

def test_xlsx_sheets_hold_one_row_per_target_with_numbers_as_numbers() -> None:
    data = circular_data()
    wb = load_workbook(io.BytesIO(render_xlsx(circular_document())))
    assert wb.sheetnames[:3] == ["检查情况表", "问题名单", "单项否决"]
    checked = wb["检查情况表"]
    assert checked.max_row - 1 == len(data.rows)
    assert checked.freeze_panes == "A2"
    assert all(c.font.bold for c in checked[1])
    header = [c.value for c in checked[1]]
    score = checked.cell(row=2, column=header.index("得分") + 1)
    assert score.data_type == "n" and score.value == pytest.approx(data.rows[0].score)
    assert checked.cell(row=2, column=1).value == 1
    assert checked.column_dimensions["E"].width > checked.column_dimensions["A"].width
    assert wb["问题名单"].max_row - 1 == len(data.problem_rows)
    vetoes = wb["单项否决"]
    assert vetoes.max_row - 1 == sum(len(g.units) for g in data.vetoes)
    assert [c.value for c in vetoes[2]][1:3] == ["首页不更新", "历下区"]


# ── HTML ────────────────────────────────────────────────────────────────────────────────

def _malicious_document() -> CircularDocument:
    return circular_document(data=circular_data(rows=target_rows(malicious_name=MALICIOUS)))


def test_html_escapes_a_unit_name_and_shows_the_same_figures_as_the_docx() -> None:
    html = render_html(_malicious_document())
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in html
    docx_text = _docx_text(Document(io.BytesIO(render_docx(_malicious_document()))))
    assert MALICIOUS in docx_text  # shown as text, not lost
    for figure in ("48个", "90.38%", "91.67%", "比上季度提升4个多百分点", "94.59%", "合格3个，合格率为75%"):
        assert figure in html and figure in docx_text


def test_html_is_printable_and_self_contained() -> None:
    html = render_html(circular_document())
    assert "size: A4; margin: 37mm 26mm 35mm 28mm" in html
    assert "break-before: page" in html and "A4 landscape" in html
    assert 'font: 16pt/28.95pt "仿宋_GB2312", "FangSong_GB2312"' in html
    assert html.count('src="data:image/png;base64,') == 2
    assert "http://" not in html.split("<body>")[0]  # no external stylesheet or font
    assert html.count("<tr>") == 2 + len(circular_data().rows) + len(circular_data().problem_rows)


# ── Markdown ────────────────────────────────────────────────────────────────────────────

def test_markdown_has_headings_and_the_attachment_table() -> None:
    data = circular_data()
    md = render_markdown(circular_document())
    assert md.startswith("济政公开办〔2026〕19号\n\n# 关于2026年第四季度")
    assert "\n## 一、总体情况\n" in md and "\n## 二、存在的问题\n" in md and "\n## 三、整改要求\n" in md
    assert "**（一）首页不更新（单项否决）**。涉及2个网站：历下区教育和体育局网站" in md
    table = md.split("## 附件1　政府网站和政务新媒体检查情况表\n\n")[1].split("\n\n")[0].splitlines()
    assert table[0] == "| 序号 | 区划 | 网站/账号名称 | 标识码 | 主办单位 | 得分 | 结论 | 主要问题 |"
    assert len(table) == 2 + len(data.rows)
    assert table[2] == "| 1 | 历下区 | 济南市历下区人民政府网站 | 3701020001 | 历下区人民政府 | 91.5 | 合格 |  |"


def test_markdown_escapes_a_unit_name() -> None:
    md = render_markdown(_malicious_document())
    assert "<script>" not in md
    assert r"\<script\>alert(1)\</script\>局" in md


# ── Traditional Chinese ─────────────────────────────────────────────────────────────────

def test_traditional_output_in_every_format() -> None:
    doc = circular_document(traditional=True, draft=True)
    docx_text = _docx_text(Document(io.BytesIO(render_docx(doc))))
    wb = load_workbook(io.BytesIO(render_xlsx(doc)))
    xlsx_text = "\n".join([*wb.sheetnames, *(str(c.value) for ws in wb for row in ws.iter_rows()
                                              for c in row if c.value is not None)])
    html = render_html(doc)
    md = render_markdown(doc)
    for text in (docx_text, xlsx_text, html, md):
        assert "網站" in text and "网站" not in text
        assert "檢查情況" in text
    assert "（徵求意見稿）" in docx_text
    assert '<html lang="zh-Hant">' in html
    assert "檢查情況表" in wb.sheetnames


# ── charts ──────────────────────────────────────────────────────────────────────────────

def test_charts_are_png_when_there_is_data_and_none_otherwise() -> None:
    data = circular_data()
    assert (charts.pass_rate_chart(data) or b"").startswith(PNG_MAGIC)
    assert (charts.problem_chart(data, traditional=True) or b"").startswith(PNG_MAGIC)
    bare = circular_data(with_problems=False, with_regions=False)
    assert charts.pass_rate_chart(bare) is None
    assert charts.problem_chart(bare) is None


def test_a_circular_without_targets_still_renders() -> None:
    bare = circular_data(rows=[], with_problems=False, with_regions=False)
    doc = circular_document(data=bare)
    assert "共检查全市政府网站0个，合格0个" in render_markdown(doc)
    assert Document(io.BytesIO(render_docx(doc))).tables == []
    assert load_workbook(io.BytesIO(render_xlsx(doc)))["单项否决"].max_row == 1
    assert "<table>" not in render_html(doc)
