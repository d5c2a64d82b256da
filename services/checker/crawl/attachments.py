"""Text of attachments (附件) so content rules can read them: PDF, DOCX, XLSX, TXT and CSV.

Legacy binary Office formats — .doc, .xls, .wps, .et (OLE compound files) — are recognised
but not extractable here: `extract_text` returns None for them, as for scanned PDFs without a
text layer and for damaged files. The kind is sniffed from the bytes first (download links
such as download.jsp?id=12 carry no extension), then from the name and the content type.
"""

from __future__ import annotations

import io
import logging
import zipfile
from urllib.parse import unquote, urlsplit

from services.checker.crawl.parse import decode_html

log = logging.getLogger(__name__)

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".txt", ".csv")
ATTACHMENT_TYPES = {
    "application/pdf": "pdf",
    "application/msword": "legacy",
    "application/vnd.ms-excel": "legacy",
    "application/vnd.ms-works": "legacy",
    "application/kswps": "legacy",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/plain": "text",
    "text/csv": "text",
}
_BY_EXTENSION = {".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx", ".txt": "text", ".csv": "text",
                 ".doc": "legacy", ".xls": "legacy", ".wps": "legacy", ".et": "legacy"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def extension(url: str) -> str:
    """Return the lower-case extension of the URL's path ("" when none)."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]).lower()
    return name[name.rfind("."):] if "." in name else ""


def is_attachment_url(url: str) -> bool:
    """Return whether the URL names an attachment by its extension."""
    return extension(url) in ATTACHMENT_EXTENSIONS


def is_attachment_type(content_type: str | None) -> bool:
    """Return whether a media type (without parameters) is an attachment type."""
    return (content_type or "").lower() in ATTACHMENT_TYPES


def sniff_kind(data: bytes, name: str = "", content_type: str | None = None) -> str | None:
    """Return pdf, docx, xlsx, text or legacy (None when the kind is not known)."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(_OLE_MAGIC):
        return "legacy"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return None
    kind = _BY_EXTENSION.get(extension(name)) or ATTACHMENT_TYPES.get((content_type or "").lower())
    # A name saying .pdf or .docx over bytes that are not one is a broken or mislabelled file.
    return kind if kind in ("text", "legacy") else None


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join((page.extract_text() or "") for page in reader.pages)


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _xlsx(data: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        lines = []
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell_text(v) for v in row if v is not None]
                if cells:
                    lines.append(" ".join(cells))
        return "\n".join(lines)
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    # An ID or phone number typed into a numeric cell arrives as int or float: 1.3800138e10 must
    # read as 13800138000 for the personal-information rule.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def extract_text(data: bytes, name: str = "", content_type: str | None = None) -> str | None:
    """Return the text of an attachment, or None when it cannot be extracted."""
    kind = sniff_kind(data, name, content_type)
    try:
        if kind == "pdf":
            return _pdf(data)
        if kind == "docx":
            return _docx(data)
        if kind == "xlsx":
            return _xlsx(data)
        if kind == "text":
            return decode_html(data)[0]
    except Exception as exc:  # any parser error means "not extractable", never a failed crawl
        log.info("attachment %s not extractable: %s", name, exc)
    return None
