"""Formula-injection payloads (OWASP CSV Injection) and checks that an export holds them inertly."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

PAYLOADS = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0")


def xlsx_texts(body: bytes) -> list[str]:
    """Every string cell of every sheet; fails if any cell is a formula."""
    book = load_workbook(io.BytesIO(body))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def csv_fields(body: bytes) -> list[str]:
    """Every field of a CSV download; fails if one would start a formula in a spreadsheet."""
    fields = [f for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for f in row]
    for f in fields:
        if re.fullmatch(r"-?\d+(\.\d+)?", f):  # a number is data, not a formula
            continue
        assert not f.startswith(("=", "+", "-", "@", "\t", "\r")), f"live formula in CSV: {f!r}"
    return fields


def assert_payloads_inert(xlsx: bytes | None = None, csv_body: bytes | None = None) -> None:
    """Each payload appears as text: verbatim in XLSX, behind an apostrophe in CSV."""
    if xlsx is not None:
        texts = xlsx_texts(xlsx)
        for p in PAYLOADS:
            assert any(p in t for t in texts), f"{p!r} missing from the XLSX"
    if csv_body is not None:
        fields = csv_fields(csv_body)
        for p in PAYLOADS:
            assert any(f.startswith("'" + p) or (p in f and not f.startswith(p)) for f in fields), p
