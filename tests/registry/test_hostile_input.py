"""Hostile input answers 422/413 problem+json naming what was wrong, never 500 or a stall
(issue 13): deep JSON, lone surrogates, control characters, unknown query parameters, and
XLSX files that unpack far beyond their size."""

from __future__ import annotations

import io
import json
import zipfile

from openpyxl import Workbook

from tests.registry.factories import JINAN, Registry, org, region_tree
from tests.registry.test_bad_input import _is_problem
from tests.registry.test_bulk import SITE_HEADER, csv_bytes, imported, site_row, upload, xlsx_bytes

ORG = {"kind": "county_government", "region_code": "370102"}


async def test_deeply_nested_json_is_refused_not_recursed(registry: Registry) -> None:
    body = '{"name": "某单位", "x": '.encode() + b"[" * 50_000 + b"]" * 50_000 + b"}"
    r = await registry.call("POST", "/organisations", content=body,
                            headers={"content-type": "application/json"})
    assert "嵌套层数" in _is_problem(r, 422)["detail"]
    # A JSON import file is read with the same bound.
    await region_tree(registry, *JINAN)
    r = await upload(registry, "organisations", b"[" * 50_000 + b"]" * 50_000, "单位.json")
    assert "嵌套层数" in _is_problem(r, 422)["detail"]


async def test_a_lone_surrogate_is_refused_naming_the_field(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    body = json.dumps({**ORG, "name": "历下区\ud800人民政府"}).encode()  # ensure_ascii: \\ud800
    problem = _is_problem(await registry.call(
        "POST", "/organisations", content=body, headers={"content-type": "application/json"}), 422)
    assert "name" in problem["detail"] and "U+D800" in problem["detail"]
    r = await upload(registry, "organisations",
                     json.dumps([{"名称": "某\udc00局", "区划代码": "370102"}]).encode(), "单位.json")
    assert "U+DC00" in _is_problem(r, 422)["detail"]


async def test_control_characters_are_refused_and_whitespace_normalised(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    for bad in ("历下区\x00政府", "历下区\x1b[31m政府", "历下区\x7f政府"):
        problem = _is_problem(await registry.call("POST", "/organisations",
                                                  json={**ORG, "name": bad}), 422)
        assert problem["errors"][0]["field"] == "name" and "控制字符" in problem["detail"]
    created = await org(registry, name="  历下区\t教育局\u3000 ")
    assert created["name"] == "历下区 教育局"
    # The same rule holds for a file: the row is refused naming its column.
    lixia = await org(registry, name="历下区人民政府")
    r = await upload(registry, "websites", csv_bytes(SITE_HEADER, [
        site_row(1, org_name=lixia["name"], name="历下区\x08网站")]), "网站.csv")
    problem = _is_problem(r, 422)
    assert problem["errors"][0]["row"] == 2 and "控制字符" in problem["errors"][0]["message"]
    # And the region's export still opens.
    assert (await registry.call("GET", "/organisations/export", params={"format": "xlsx"})).status_code == 200


async def test_unknown_query_parameters_are_named(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    await org(registry, name="历下区人民政府")
    problem = _is_problem(await registry.call("GET", "/organisations", params={"regoin": "370103"}), 422)
    assert "regoin" in problem["detail"] and "region" in problem["detail"]
    assert problem["errors"][0]["field"] == "regoin"
    ok = await registry.call("GET", "/organisations", params={"region": "370102", "limit": 10})
    assert ok.status_code == 200 and ok.json()["total"] == 1
    r = await registry.call("GET", "/websites/export", params={"format": "csv", "regoin": "1"})
    assert "regoin" in _is_problem(r, 422)["detail"]


def _bomb(unpacked_mb: int) -> bytes:
    """A valid XLSX whose one cell holds `unpacked_mb` MB of one letter: tiny when zipped."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["单位名称", "单位类型", "所在区划"])
    out = io.BytesIO()
    book.save(out)
    src = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                cell = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"A" * (unpacked_mb << 20) + b"</t></is></c></row>"
                data = data.replace(b"</row>", b"</row>" + cell, 1).replace(b"A1:C1", b"A1:C2")
            dst.writestr(item, data)
    return bomb.getvalue()


async def test_xlsx_that_unpacks_too_far_is_refused_before_reading(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    settings = registry.app.state.settings
    registry.app.state.settings = settings.model_copy(update={"max_import_unpacked_bytes": 8 << 20})
    try:
        bomb = _bomb(20)
        assert len(bomb) < 100_000
        problem = _is_problem(await upload(registry, "organisations", bomb, "单位.xlsx"), 413)
        assert "max_import_unpacked_bytes" in problem["detail"]
        # Under the unpacked limit, a cell past Excel's 32,767 characters is still refused.
        problem = _is_problem(await upload(registry, "organisations", _bomb(1), "单位.xlsx"), 422)
        assert "max_cell_chars" in problem["detail"]
    finally:
        registry.app.state.settings = settings


async def test_xlsx_with_too_many_cells_is_refused(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    settings = registry.app.state.settings
    registry.app.state.settings = settings.model_copy(update={"max_import_cells": 100})
    try:
        rows = [site_row(n) for n in range(1, 30)]
        problem = _is_problem(await upload(registry, "websites", xlsx_bytes(SITE_HEADER, rows),
                                           "网站.xlsx"), 413)
        assert "max_import_cells" in problem["detail"]
        report = await imported(registry, "websites", xlsx_bytes(SITE_HEADER, rows[:3]), "网站.xlsx",
                                dry_run="true")
        assert report["total"] == 3
    finally:
        registry.app.state.settings = settings
