"""Bulk import and export of organisations, websites and accounts (CSV, XLSX, JSON)."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select, text

from services.registry.common.outbox import OutboxEvent
from shared.principal import Role
from tests.registry.factories import JINAN, Registry, account, org, region_tree, site, token
from tests.shared.spreadsheets import PAYLOADS, assert_payloads_inert

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SITE_HEADER = ["网站标识码", "网站名称", "主办单位", "主办单位区划", "网站类型", "域名", "首页网址",
               "ICP备案号", "状态"]
LIXIA = "历下区人民政府"


def csv_bytes(header: list[str], rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def site_row(n: int, *, status: str = "运行中", org_name: str = LIXIA, region: str = "370102",
             name: str | None = None, domain: str | None = None) -> list[Any]:
    domain = domain or f"s{n}.lixia.gov.cn"
    return [f"{region}{n:04d}", name or f"历下区网站{n}", org_name, region, "部门网站",
            domain, f"https://{domain}/", "", status]


async def upload(reg: Registry, entity: str, data: bytes, filename: str = "file.csv",
                 headers: dict[str, str] | None = None, **params: Any) -> httpx.Response:
    """POST a file as the multipart field `file`."""
    media = {"csv": "text/csv", "xlsx": XLSX, "json": "application/json"}.get(
        filename.rsplit(".", 1)[-1], "application/octet-stream")
    return await reg.call("POST", f"/{entity}/import", headers=headers, params=params,
                          files={"file": (filename, data, media)})


async def imported(reg: Registry, entity: str, data: bytes, filename: str = "file.csv",
                   **params: Any) -> dict[str, Any]:
    r = await upload(reg, entity, data, filename, **params)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def jinan(reg: Registry) -> dict[str, Any]:
    """The Jinan regions and 历下区人民政府 in 370102."""
    await region_tree(reg, *JINAN)
    return await org(reg, "370102", LIXIA)


async def websites(reg: Registry, **params: Any) -> dict[str, Any]:
    return dict(await reg.ok("GET", "/websites", params={"limit": 1000, **params}))


async def filings(reg: Registry, **params: Any) -> list[dict[str, Any]]:
    return list((await reg.ok("GET", "/filings", params={"limit": 1000, **params}))["items"])


async def test_csv_with_chinese_headers_registers_sites_with_filings(registry: Registry) -> None:
    await jinan(registry)
    data = csv_bytes(SITE_HEADER, [site_row(n) for n in range(1, 4)])

    report = await imported(registry, "websites", data)

    assert report == {"dry_run": False, "format": "csv", "total": 3, "created": 3, "updated": 0,
                      "unchanged": 0, "errors": [], "ignored_columns": []}
    page = await websites(registry)
    assert page["total"] == 3
    first = page["items"][0]
    assert (first["site_code"], first["organisation_name"], first["kind"], first["status"]) == (
        "3701020001", LIXIA, "department", "running")
    history = await registry.ok("GET", f"/websites/{first['id']}/filings")
    assert [(f["action"], f["to_status"]) for f in history] == [("register", "running")]
    async with registry.app.state.sessionmaker() as session:
        events = (await session.execute(select(func.count()).select_from(OutboxEvent))).scalar()
    assert events == 3


async def test_importing_the_same_file_twice_changes_nothing(registry: Registry) -> None:
    await jinan(registry)
    data = csv_bytes(SITE_HEADER, [site_row(n) for n in range(1, 6)])
    await imported(registry, "websites", data)
    before = await filings(registry)

    again = await imported(registry, "websites", data)

    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 5)
    assert len(await filings(registry)) == len(before) == 5
    assert {s["version"] for s in (await websites(registry))["items"]} == {1}


async def test_bad_rows_are_all_listed_and_nothing_is_written(registry: Registry) -> None:
    await jinan(registry)
    rows = [site_row(n) for n in range(1, 8)]
    rows[1][0] = "37010"                 # spreadsheet row 3: 网站标识码 too short
    rows[3][5] = "not a domain"          # row 5
    rows[5][2] = "不存在的单位"           # row 7
    r = await upload(registry, "websites", csv_bytes(SITE_HEADER, rows))

    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["title"] == "请求参数无效"
    assert "3 行" in body["detail"]
    assert sorted((e["row"], e["field"]) for e in body["errors"]) == [
        (3, "site_code"), (5, "domains"), (7, "organisation_name")]
    assert next(e for e in body["errors"] if e["row"] == 7)["column"] == "主办单位"
    assert (await websites(registry))["total"] == 0


async def test_dry_run_reports_and_writes_nothing(registry: Registry) -> None:
    await jinan(registry)
    rows = [site_row(1), site_row(2), site_row(3, status="已注销")]

    report = await imported(registry, "websites", csv_bytes(SITE_HEADER, rows), dry_run="true")

    assert report["dry_run"] is True
    assert (report["total"], report["created"]) == (3, 2)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(4, "status")]
    clean = await imported(registry, "websites", csv_bytes(SITE_HEADER, rows[:2]), dry_run=True)
    assert (clean["created"], clean["errors"]) == (2, [])
    assert (await websites(registry))["total"] == 0
    assert await filings(registry) == []


async def test_changed_rows_are_filed_as_change_migrate_and_close(registry: Registry) -> None:
    await jinan(registry)
    rows = [site_row(n) for n in range(1, 5)]
    await imported(registry, "websites", csv_bytes(SITE_HEADER, rows))
    rows[0][1] = "历下区新名称"                                # content → change
    rows[1][5:7] = ["new2.lixia.gov.cn", "https://new2.lixia.gov.cn/"]  # only where → migrate
    rows[2][8] = "已关停"                                      # running → closed → close

    report = await imported(registry, "websites", csv_bytes(SITE_HEADER, rows))

    assert (report["created"], report["updated"], report["unchanged"]) == (0, 3, 1)
    by_code = {s["site_code"]: s for s in (await websites(registry))["items"]}
    expected = {"3701020001": "change", "3701020002": "migrate", "3701020003": "close"}
    for code, action in expected.items():
        history = await registry.ok("GET", f"/websites/{by_code[code]['id']}/filings")
        assert [f["action"] for f in history] == ["register", action]
        assert by_code[code]["version"] == 2
    assert by_code["3701020001"]["name"] == "历下区新名称"
    assert by_code["3701020002"]["domains"] == ["new2.lixia.gov.cn"]
    assert (by_code["3701020003"]["status"], by_code["3701020004"]["version"]) == ("closed", 1)


async def test_a_status_no_single_action_reaches_is_a_row_error(registry: Registry) -> None:
    await jinan(registry)
    await imported(registry, "websites", csv_bytes(SITE_HEADER, [site_row(1)]))

    r = await upload(registry, "websites", csv_bytes(SITE_HEADER, [site_row(1, status="已注销")]))

    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert (error["row"], error["field"], error["value"]) == (2, "status", "已注销")


async def test_status_only_file_closes_sites_and_keeps_the_rest(registry: Registry) -> None:
    await jinan(registry)
    await imported(registry, "websites", csv_bytes(SITE_HEADER, [site_row(1), site_row(2)]))
    data = csv_bytes(["网站标识码", "状态", "变更时间"], [["3701020001", "已关停", "2026-11-18"]])

    report = await imported(registry, "websites", data)

    assert (report["updated"], report["unchanged"]) == (1, 0)
    [closed] = (await websites(registry, status="closed"))["items"]
    assert closed["name"] == "历下区网站1"
    [close] = await filings(registry, action="close")
    assert close["occurred_at"].startswith("2026-11-17T16:00")  # 2026-11-18 00:00 Beijing time


async def test_xlsx_with_numeric_cells_imports(registry: Registry) -> None:
    await jinan(registry)
    rows = [site_row(n) for n in range(1, 4)]
    for row in rows:
        row[0], row[3] = int(row[0]), int(row[3])  # as Excel stores typed-in numbers

    report = await imported(registry, "websites", xlsx_bytes(SITE_HEADER, rows), "网站.xlsx")

    assert (report["format"], report["created"]) == ("xlsx", 3)
    codes = [s["site_code"] for s in (await websites(registry))["items"]]
    assert codes == ["3701020001", "3701020002", "3701020003"]


async def test_json_with_english_keys_and_row_numbers(registry: Registry) -> None:
    await jinan(registry)
    items = [{"site_code": f"370102000{n}", "name": f"网站{n}", "organisation_name": LIXIA,
              "kind": "department", "domains": [f"j{n}.lixia.gov.cn"],
              "home_url": f"https://j{n}.lixia.gov.cn/", "status": "running"} for n in (1, 2, 3)]
    items[2]["kind"] = "blog"

    bad = await upload(registry, "websites", json.dumps({"items": items}).encode(), "s.json")

    assert bad.status_code == 422
    assert [(e["row"], e["field"]) for e in bad.json()["errors"]] == [(3, "kind")]
    report = await imported(registry, "websites", json.dumps(items[:2]).encode(), "s.json")
    assert (report["format"], report["created"]) == ("json", 2)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
async def test_export_then_import_changes_nothing(registry: Registry, fmt: str) -> None:
    lixia = await jinan(registry)
    dept = await org(registry, "370102", "历下区教育局", kind="county_department",
                     parent_id=lixia["id"], credit_code="11370102004190123K",
                     provides_services=False)
    await site(registry, lixia, domain="www.lixia.gov.cn", kind="portal",
               icp_number="鲁ICP备05001234号")
    await site(registry, dept, domain="edu.lixia.example.com", status="planned")
    await site(registry, dept, domain="old.lixia.gov.cn")
    await account(registry, lixia, platform="wechat_subscription", url="https://mp.weixin.qq.com/x")
    await account(registry, lixia, platform="weibo", operator_id=dept["id"])
    closed = await account(registry, dept, platform="douyin")
    await registry.ok("POST", f"/accounts/{closed['id']}/filings", json={"action": "close"},
                      headers={"If-Match": '"1"'})
    before = len(await filings(registry))

    for entity, count in (("organisations", 2), ("websites", 3), ("accounts", 3)):
        r = await registry.call("GET", f"/{entity}/export", params={"format": fmt})
        assert r.status_code == 200, r.text
        assert "filename*=UTF-8''" in r.headers["content-disposition"]
        report = await imported(registry, entity, r.content, f"export.{fmt}")
        assert (report["total"], report["unchanged"], report["updated"]) == (count, count, 0), entity
    assert len(await filings(registry)) == before


async def test_csv_export_reads_as_excel_does(registry: Registry) -> None:
    lixia = await jinan(registry)
    await site(registry, lixia, domain="www.lixia.example.com", kind="portal")

    r = await registry.call("GET", "/websites/export", params={"format": "csv"})

    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["网站标识码", "网站名称", "主办单位"]
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["网站类型"], record["状态"]) == ("门户网站", "运行中")
    assert "域名不以 .gov.cn" in record["合规标记"]
    xlsx = await registry.call("GET", "/websites/export", params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet.cell(2, 1).value == record["网站标识码"]


async def test_narrow_scope_cannot_import_for_units_outside_it(registry: Registry) -> None:
    await jinan(registry)
    await org(registry, "370103", "市中区人民政府")
    narrow = token(regions=["370103"], roles=[Role.supervisor], subject="shizhong")
    rows = [site_row(1, org_name="市中区人民政府", region="370103"), site_row(2)]

    r = await upload(registry, "websites", csv_bytes(SITE_HEADER, rows), headers=narrow)

    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["row"] == 3 and "不存在或不在管辖范围内" in error["message"]
    assert (await websites(registry))["total"] == 0


async def test_only_writers_may_import(registry: Registry) -> None:
    await jinan(registry)
    viewer = token(all_regions=True, roles=[Role.viewer])

    r = await upload(registry, "websites", csv_bytes(SITE_HEADER, [site_row(1)]), headers=viewer)

    assert r.status_code == 403


async def test_duplicate_keys_and_taken_domains_are_row_errors(registry: Registry) -> None:
    lixia = await jinan(registry)
    await site(registry, lixia, domain="taken.lixia.gov.cn", code="3701029999")
    rows = [site_row(1), site_row(2), site_row(1, name="重复"), site_row(4, domain="taken.lixia.gov.cn"),
            site_row(5, domain="s2.lixia.gov.cn")]

    r = await upload(registry, "websites", csv_bytes(SITE_HEADER, rows))

    errors = {(e["row"], e["field"]): e["message"] for e in r.json()["errors"]}
    assert set(errors) == {(4, "site_code"), (5, "domains"), (6, "domains")}
    assert "第 2 行" in errors[4, "site_code"]
    assert "3701029999" in errors[5, "domains"] and "第 3 行" in errors[6, "domains"]


async def test_format_detection_encodings_and_limits(registry: Registry,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    await jinan(registry)
    gbk = csv_bytes(SITE_HEADER, [site_row(1)], encoding="gb18030")
    raw = await registry.call("POST", "/websites/import", content=gbk,
                              headers={"Content-Type": "text/csv"})
    assert (raw.status_code, raw.json()["created"]) == (200, 1)

    unknown = await upload(registry, "websites", b"site_code\n1", "sites.txt")
    assert unknown.status_code == 415
    assert unknown.json()["type"].endswith("unsupported-media-type")

    monkeypatch.setattr(registry.app.state.settings, "max_import_rows", 2)
    many = await upload(registry, "websites", csv_bytes(SITE_HEADER, [site_row(n) for n in (5, 6, 7)]))
    assert many.status_code == 413 and many.json()["limit"] == 2
    monkeypatch.setattr(registry.app.state.settings, "max_import_bytes", 100)
    big = await upload(registry, "websites", csv_bytes(SITE_HEADER, [site_row(8)]))
    assert big.status_code == 413 and "max_import_bytes" in big.json()["detail"]


ORG_HEADER = ["单位名称", "单位类型", "所在区划", "上级单位", "上级单位区划", "统一社会信用代码",
              "提供政务服务"]


async def test_organisations_with_parents_later_in_the_file(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    rows = [["历下区教育局", "区县部门", "370102", LIXIA, "", "", "否"],
            [LIXIA, "区县政府", "370102", "济南市人民政府", "", "11370102004190123K", "是"],
            ["济南市人民政府", "市级政府", "370100", "", "", "", "是"]]

    report = await imported(registry, "organisations", csv_bytes(ORG_HEADER, rows))

    assert (report["created"], report["errors"]) == (3, [])
    orgs = {o["name"]: o for o in (await registry.ok("GET", "/organisations"))["items"]}
    assert orgs["历下区教育局"]["parent_id"] == orgs[LIXIA]["id"]
    assert orgs[LIXIA]["parent_id"] == orgs["济南市人民政府"]["id"]
    assert orgs["历下区教育局"]["provides_services"] is False
    rows[0][6] = "是"
    again = await imported(registry, "organisations", csv_bytes(ORG_HEADER, rows))
    assert (again["updated"], again["unchanged"]) == (1, 2)


async def test_organisation_rows_outside_scope_or_in_a_cycle_are_refused(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    rows = [["甲单位", "其他", "370102", "乙单位", "370102", "", ""],
            ["乙单位", "其他", "370102", "甲单位", "370102", "", ""],
            ["丙单位", "其他", "370103", "", "", "", ""]]
    narrow = token(regions=["370102"], roles=[Role.supervisor])

    r = await upload(registry, "organisations", csv_bytes(ORG_HEADER, rows), headers=narrow)

    assert sorted((e["row"], e["field"]) for e in r.json()["errors"]) == [
        (2, "parent_name"), (3, "parent_name"), (4, "region_code")]


async def test_a_parent_outside_scope_may_stay_but_not_be_newly_chosen(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    city = await org(registry, "370100", "济南市人民政府", kind="city_government")
    await org(registry, "370102", LIXIA, parent_id=city["id"])
    await org(registry, "370102", "历下区教育局", kind="county_department")
    narrow = token(regions=["370102"], roles=[Role.supervisor])
    exported = await registry.call("GET", "/organisations/export", headers=narrow)

    same = await upload(registry, "organisations", exported.content, "单位.csv", headers=narrow)
    assert (same.status_code, same.json()["unchanged"]) == (200, 2)

    rows = [["历下区教育局", "区县部门", "370102", "济南市人民政府", "370100", "", "是"]]
    r = await upload(registry, "organisations", csv_bytes(ORG_HEADER, rows), headers=narrow)
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(2, "parent_name")]


ACCOUNT_HEADER = ["平台", "平台账号ID", "账号名称", "主办单位", "主办单位区划", "运维单位", "状态"]


async def test_accounts_import_with_labels_and_status_changes(registry: Registry) -> None:
    await jinan(registry)
    await org(registry, "370102", "历下区融媒体中心", kind="public_institution")
    rows = [["微信公众号（订阅号）", "gh_0001", "历下发布", LIXIA, "370102", "历下区融媒体中心", "运行中"],
            ["新浪微博", "1234567890", "历下微博", LIXIA, "370102", "", "运行中"],
            ["微信公众号（服务号）", "gh_0002", "历下服务", LIXIA, "370102", "", "拟开设"]]

    report = await imported(registry, "accounts", csv_bytes(ACCOUNT_HEADER, rows))

    assert report["created"] == 3
    items = (await registry.ok("GET", "/accounts"))["items"]
    wechat = next(a for a in items if a["platform_account_id"] == "gh_0001")
    assert wechat["operator_id"] is not None
    # 订阅号 and 服务号 are one platform family: the unit now has two wechat accounts.
    assert wechat["compliance_flags"] == ["unit_multiple_accounts_on_platform"]
    rows[1][6] = "已关停"
    again = await imported(registry, "accounts", csv_bytes(ACCOUNT_HEADER, rows))
    assert (again["updated"], again["unchanged"]) == (1, 2)
    assert [f["action"] for f in await filings(registry, action="close")] == ["close"]


async def test_ten_thousand_websites_in_one_request(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    units = [[f"历下区单位{u:03d}", "区县部门", "370102", "", "", "", "是"] for u in range(100)]
    await imported(registry, "organisations", csv_bytes(ORG_HEADER, units))
    rows = [[f"370102{n:04d}", f"网站{n}", f"历下区单位{n % 100:03d}", "", "部门网站",
             f"s{n}.lixia.gov.cn; m{n}.lixia.gov.cn", f"https://s{n}.lixia.gov.cn/", "", "运行中"]
            for n in range(10_000)]
    data = csv_bytes(SITE_HEADER, rows)

    started = time.perf_counter()
    report = await imported(registry, "websites", data)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = await imported(registry, "websites", data)
    second = time.perf_counter() - started

    assert report["created"] == 10_000 and again["unchanged"] == 10_000
    backend = registry.app.state.engine.dialect.name
    print(f"\n[{backend}] 10,000 websites: import {first:.1f} s ({10_000 / first:,.0f} rows/s), "
          f"re-import unchanged {second:.1f} s ({10_000 / second:,.0f} rows/s)")
    page = await websites(registry, flag="unit_multiple_sites", limit=1)
    assert page["total"] == 10_000


async def test_exports_keep_formula_names_as_text(registry: Registry) -> None:
    """A name typed as a spreadsheet formula is exported as text in XLSX and CSV (OWASP)."""
    await region_tree(registry, *JINAN)
    for n, payload in enumerate(PAYLOADS):
        unit = await org(registry, "370102", payload)
        await site(registry, unit, name=payload)
        await account(registry, unit, name=payload, account_id=f"formula{n}")
    for entity in ("organisations", "websites", "accounts"):
        xlsx = await registry.call("GET", f"/{entity}/export", params={"format": "xlsx"})
        csv_body = await registry.call("GET", f"/{entity}/export", params={"format": "csv"})
        assert xlsx.status_code == csv_body.status_code == 200, entity
        assert_payloads_inert(xlsx=xlsx.content, csv_body=csv_body.content)
        # The apostrophe a CSV export adds is taken off again on import: nothing changes.
        report = await imported(registry, entity, csv_body.content, "export.csv")
        assert report["unchanged"] == report["total"] == len(PAYLOADS), (entity, report)


async def test_every_page_reports_the_filtered_total_even_past_the_end(registry: Registry) -> None:
    # The total rides on the page's rows (issue 13: one query per page); a page past the end,
    # with no row to carry it, must still say how many there are.
    await jinan(registry)
    await imported(registry, "websites", csv_bytes(SITE_HEADER, [site_row(n) for n in range(1, 6)]))
    pages = [await websites(registry, limit=2, offset=offset) for offset in (0, 2, 4, 5, 50)]
    assert [(p["total"], len(p["items"])) for p in pages] == [(5, 2), (5, 2), (5, 1), (5, 0), (5, 0)]
    codes = [item["site_code"] for p in pages for item in p["items"]]
    assert codes == sorted(codes) and len(set(codes)) == 5
    empty = await websites(registry, region="370103")
    assert (empty["total"], empty["items"]) == (0, [])
    assert (await registry.ok("GET", "/accounts", params={"limit": 1, "offset": 3}))["total"] == 0


async def test_a_large_import_leaves_the_planner_statistics_current(registry: Registry) -> None:
    # Until it is analyzed, PostgreSQL plans a freshly filled table as if it were empty
    # (reltuples -1): list pages after a national import sorted every row (issue 13).
    async with registry.app.state.sessionmaker() as session:
        if session.bind.dialect.name != "postgresql":
            pytest.skip("planner statistics are PostgreSQL's; SQLite plans without them")
    await jinan(registry)
    rows = [site_row(n) for n in range(1, 251)]
    assert (await imported(registry, "websites", csv_bytes(SITE_HEADER, rows)))["created"] == 250
    async with registry.app.state.sessionmaker() as session:
        tuples = (await session.execute(text(
            "SELECT reltuples FROM pg_class WHERE relname = 'website' "
            "AND relnamespace = current_schema()::regnamespace"))).scalar_one()
    assert tuples == 250
