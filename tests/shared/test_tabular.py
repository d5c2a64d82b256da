"""The one CSV/XLSX writer keeps formula payloads as text (OWASP CSV Injection)."""

from __future__ import annotations

from shared.tabular import csv_bytes, csv_value, xlsx_bytes
from tests.shared.spreadsheets import PAYLOADS, assert_payloads_inert, csv_fields, xlsx_texts


def test_formula_payloads_stay_text_in_xlsx_and_csv() -> None:
    rows = [[p, 1.5, None] for p in PAYLOADS]
    assert_payloads_inert(xlsx=xlsx_bytes("名单", ["名称", "分", "空"], rows),
                          csv_body=csv_bytes(["名称", "分", "空"], rows))


def test_plain_values_are_written_unchanged() -> None:
    rows = [["历下区人民政府", "3701020001", -2.5, "a=b"]]
    assert xlsx_texts(xlsx_bytes("名单", ["名称", "代码", "分", "式"], rows))[4:] == [
        "历下区人民政府", "3701020001", "a=b"]
    assert csv_fields(csv_bytes(["名称", "代码", "分", "式"], rows))[4:] == [
        "历下区人民政府", "3701020001", "-2.5", "a=b"]
    assert csv_value("\t=1") == "'\t=1" and csv_value(-1) == -1
