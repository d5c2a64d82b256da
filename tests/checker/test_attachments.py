"""Attachment text extraction on small files made here: PDF, DOCX, XLSX, TXT, CSV, legacy Office."""

from __future__ import annotations

import io

import docx
from openpyxl import Workbook

from services.checker.crawl.attachments import extract_text, is_attachment_type, is_attachment_url, sniff_kind


def make_pdf(text: str) -> bytes:
    """Return a one-page PDF showing an ASCII line of text in Helvetica."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def make_docx(paragraph: str, cells: list[str]) -> bytes:
    document = docx.Document()
    document.add_paragraph(paragraph)
    table = document.add_table(rows=1, cols=len(cells))
    for cell, value in zip(table.rows[0].cells, cells, strict=True):
        cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def test_pdf_text_is_extracted() -> None:
    text = extract_text(make_pdf("Budget report 2024 contact 13800138000"), "report.pdf")
    assert text is not None and "Budget report 2024" in text and "13800138000" in text


def test_docx_paragraphs_and_table_cells_are_extracted() -> None:
    data = make_docx("关于公布2024年度预算的通知", ["姓名", "张三", "身份证号 110101199003074258"])
    text = extract_text(data, "通知.docx")
    assert text is not None
    assert "关于公布2024年度预算的通知" in text
    assert "张三" in text and "110101199003074258" in text


def test_xlsx_cells_including_numbers_are_text() -> None:
    data = make_xlsx([["姓名", "手机"], ["李四", 13800138000], ["王五", 13900139000.0], ["合计", 2.5]])
    text = extract_text(data, "名单.xlsx")
    assert text is not None
    assert "李四 13800138000" in text
    assert "13900139000" in text and "13900139000.0" not in text
    assert "2.5" in text


def test_plain_text_in_gbk_and_csv() -> None:
    assert extract_text("政务公开工作要点".encode("gbk"), "要点.txt") == "政务公开工作要点"
    assert extract_text("序号,事项\n1,办理".encode(), "list.csv", "text/csv") == "序号,事项\n1,办理"


def test_legacy_office_and_damaged_files_are_not_extractable() -> None:
    assert extract_text(OLE_DOC, "old.doc") is None
    assert extract_text(OLE_DOC, "old.wps") is None
    assert extract_text(b"%PDF-1.4 garbage", "broken.pdf") is None
    assert extract_text(b"not a pdf at all", "mislabelled.pdf") is None


def test_kind_is_sniffed_from_bytes_when_the_url_says_nothing() -> None:
    assert sniff_kind(make_pdf("x"), "download.jsp?id=7") == "pdf"
    assert sniff_kind(make_docx("x", ["a"]), "") == "docx"
    assert sniff_kind(make_xlsx([["a"]]), "") == "xlsx"
    text = extract_text(make_xlsx([["应急预案"]]), "download.jsp?id=8", "application/octet-stream")
    assert text == "应急预案"
    assert is_attachment_url("http://www.example.gov.cn/files/%E9%80%9A%E7%9F%A5.DOCX")
    assert not is_attachment_url("http://www.example.gov.cn/index.html")
    assert is_attachment_type("application/pdf") and not is_attachment_type("text/html")
