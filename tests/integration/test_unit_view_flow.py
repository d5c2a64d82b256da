"""A unit's own view, end to end through the gateway with a unit key: its sites, its findings
with evidence, its rectification items with deadlines, a fix reported with a note and an
attachment, disputes of findings decided by the supervisor (an accepted 误报 marks the finding
false positive), a practice it wrote printed in the circular's 主要做法, the published circular
that names it — and another unit's key that sees none of it."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import docx
import httpx
import pytest
from fastapi import FastAPI

from services.checker.config import CheckerSettings
from services.reporting.config import ReportingSettings
from tests.checker.sitefixture import SiteServer
from tests.gateway.conftest import Gateway, OpenGateway, gw_settings, open_gateway
from tests.integration.conftest import Suite, checker_settings, suite
from tests.integration.flow_helpers import csv_bytes, deliver_checker_events, run_checker
from tests.integration.sites import BAD, GOOD, serve
from tests.registry.conftest import registry, registry_settings
from tests.reporting.conftest import reporting_settings

pytestmark = pytest.mark.integration
__all__ = ["checker_settings", "gw_settings", "open_gateway", "registry", "registry_settings",
           "reporting_settings", "suite"]

LIXIA, SHIZHONG = "370102", "370103"
OTHER = "www.shizhong.gov.cn"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))


@pytest.fixture
def sites() -> Iterator[SiteServer]:
    with SiteServer() as server:
        serve(server)
        yield server


@pytest.fixture
async def gw(open_gateway: OpenGateway, suite: Suite, reporting_app: FastAPI) -> AsyncIterator[Gateway]:
    async with open_gateway(transports={"checker": httpx.ASGITransport(app=suite.checker),
                                        "reporting": httpx.ASGITransport(app=reporting_app)}
                            ) as gateway:
        await gateway.app.state.redis.flushdb()
        yield gateway
        await gateway.app.state.redis.flushdb()


async def _items(gw: Gateway, url: str, key: str, **params: Any) -> list[dict[str, Any]]:
    body = await gw.ok("GET", url, key, params=params)
    return list(body["items"] if isinstance(body, dict) else body)


async def _world(gw: Gateway) -> dict[str, Any]:
    """Regions, three units and their sites, filed through the gateway; the city's keys."""
    for code, name, parent in (("370100", "济南市", "370000"), (LIXIA, "历下区", "370100"),
                               (SHIZHONG, "市中区", "370100")):
        await gw.ok("POST", "/api/v1/regions", json={"code": code, "name": name, "parent_code": parent})
    system = await gw.key(["integration"], regions=["370100"])
    for entity, header, rows in (
        ("organisations", ["单位名称", "单位类型", "所在区划"], [
            ["历下区政府办", "county_government", LIXIA], ["历下区某局", "county_department", LIXIA],
            ["市中区政府办", "county_government", SHIZHONG]]),
        ("websites", ["网站标识码", "网站名称", "主办单位", "主办单位区划", "网站类型", "域名", "首页网址", "状态"], [
            ["3701020001", "济南市历下区人民政府", "历下区政府办", LIXIA, "portal", GOOD, f"http://{GOOD}/", "运行中"],
            ["3701020002", "历下区某局网站", "历下区某局", LIXIA, "department", BAD, f"http://{BAD}/", "运行中"],
            ["3701030001", "济南市市中区人民政府", "市中区政府办", SHIZHONG, "portal", OTHER,
             f"http://{OTHER}/", "运行中"]])):
        r = await gw.call("POST", f"/api/v1/{entity}/import", system,
                          files={"file": (f"{entity}.csv", csv_bytes(header, rows), "text/csv")})
        assert r.status_code == 200 and r.json()["created"] == len(rows), r.text
    city = await gw.key(["supervisor"], regions=["370100"])
    sites = {s["site_code"]: s for s in await _items(gw, "/api/v1/websites", city, limit=100)}
    return {"city": city, "sites": sites,
            "bureau": await gw.key(["unit"], organisations=[sites["3701020002"]["organisation_id"]]),
            "office": await gw.key(["unit"], organisations=[sites["3701020001"]["organisation_id"]]),
            "shizhong": await gw.key(["unit"], organisations=[sites["3701030001"]["organisation_id"]])}


async def test_a_unit_key_does_its_part_end_to_end_and_sees_no_other_unit(
        gw: Gateway, suite: Suite, reporting_app: FastAPI, checker_settings: CheckerSettings,
        reporting_settings: ReportingSettings, sites: SiteServer) -> None:
    clock, registry, checker = gw.clock, suite.registry.app, suite.checker
    inspect = checker_settings.model_copy(update={"host_map": sites.host_map()})
    w = await _world(gw)
    city, bureau, office = w["city"], w["bureau"], w["office"]
    bad = w["sites"]["3701020002"]

    # An inspection of 历下区, its results in reporting, a draft circular.
    await gw.ok("POST", "/api/v1/runs", city, json={"name": "四季度检查", "scope": {"regions": [LIXIA]}})
    await run_checker(inspect, clock, registry)
    await deliver_checker_events(reporting_settings, clock, registry, checker)
    draft = await gw.ok("POST", "/api/v1/circulars", city, json={
        "region_code": LIXIA, "quarter": "2026Q4", "issuing_office": "济南市历下区人民政府办公室",
        "deadline_working_days": 10})

    # 历下区政府办 submits a practice, revises it; the supervisor edits, shortlists, drafts 主要做法.
    p = await gw.ok("POST", "/api/v1/practices", office, json={
        "organisation_id": w["sites"]["3701020001"]["organisation_id"], "title": "建立日巡查制度",
        "text": "每日巡查网站栏目，问题当日整改。", "links": ["https://www.good.gov.cn/zwfw/"]})
    r = await gw.call("PATCH", f"/api/v1/practices/{p['id']}", office, json={"text": "每日巡查"})
    assert r.status_code == 428, r.text
    p = await gw.ok("PATCH", f"/api/v1/practices/{p['id']}", office, headers={"If-Match": '"1"'},
                    json={"text": "每日巡查网站全部栏目，问题当日整改、次日复核。"})
    img = await gw.ok("POST", f"/api/v1/practices/{p['id']}/images", office,
                      files={"file": ("巡查台账.png", PNG, "image/png")})
    p = await gw.ok("PATCH", f"/api/v1/practices/{p['id']}", city, headers={"If-Match": '"2"'},
                    json={"title": "建立“日巡查、日整改”制度", "images": [img["id"]]})
    assert [(v["version"], v["edited_as"]) for v in p["versions"]] == [
        (1, "unit"), (2, "unit"), (3, "supervisor")]
    await gw.ok("POST", f"/api/v1/practices/{p['id']}/shortlist", city, json={"circular_id": draft["id"]})
    drafted = await gw.ok("POST", f"/api/v1/circulars/{draft['id']}/practices/draft", city, json={})
    assert "历下区政府办：每日巡查网站全部栏目" in drafted["narrative"]["practices"]
    await gw.ok("POST", f"/api/v1/circulars/{draft['id']}/publish", city,
                json={"number": "历政办字〔2026〕31号"})

    # The unit's own view: its site, its findings with evidence, its items with deadlines.
    assert [s["site_code"] for s in await _items(gw, "/api/v1/websites", bureau)] == ["3701020002"]
    findings = await _items(gw, "/api/v1/findings", bureau, limit=500)
    assert findings and {f["target_code"] for f in findings} == {"3701020002"}
    typo = next(f for f in findings if f["rule"] == "content.typo")
    assert typo["url"] and "按步就班" in typo["excerpt"]
    shot = next(f["screenshot_url"] for f in findings if f["screenshot_url"])
    r = await gw.call("GET", f"/api/v1{shot}", bureau)
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG"), r.status_code
    items = await _items(gw, "/api/v1/rectifications", bureau)
    assert items and {i["target_code"] for i in items} == {"3701020002"}
    assert all(i["deadline_at"] and not i["overdue"] for i in items)

    # It sees the published circular that names it, and reads it as DOCX with the practice.
    listed = await _items(gw, "/api/v1/circulars", bureau)
    assert [c["id"] for c in listed] == [draft["id"]]
    r = await gw.call("GET", f"/api/v1/circulars/{draft['id']}/document", bureau, params={"format": "docx"})
    assert r.status_code == 200, r.text
    text = "\n".join(par.text for par in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert "主要做法" in text and "建立“日巡查、日整改”制度" in text and "历下区政府办" in text

    # It reports the typo fixed with a note and a screenshot; a disguised file is refused.
    item = next(i for i in items if i["rule"] == "content.typo")
    r = await gw.call("POST", f"/api/v1/rectifications/{item['id']}/attachments", bureau,
                      files={"file": ("fix.png", b"MZ\x90\x00 not an image", "image/png")})
    assert r.status_code == 415 and r.json()["type"].endswith("unsupported-media-type"), r.text
    att = await gw.ok("POST", f"/api/v1/rectifications/{item['id']}/attachments", bureau,
                      files={"file": ("../../整改后.png", PNG, "image/png")})
    assert att["filename"] == "整改后.png" and att["size"] == len(PNG)
    page = sites.resources[(BAD, "/ywdt/1.html")]
    page.body = page.body.replace("按步就班".encode(), "按部就班".encode())
    clock.advance(timedelta(days=1))
    reported = await gw.ok("POST", f"/api/v1/rectifications/{item['id']}/report", bureau, json={
        "note": "已改正错别字", "attachments": [att["id"]]})
    report = next(e for e in reported["events"] if e["to_status"] == "reported")
    assert report["evidence"]["attachments"] == [att["id"]] and report["note"] == "已改正错别字"
    r = await gw.call("GET", f"/api/v1/attachments/{att['id']}", city)
    assert r.status_code == 200 and r.content == PNG

    # It disputes two findings; the supervisor accepts the 误报 and rejects the 存疑.
    dark = next(f for f in findings if f["rule"] == "veto.security")
    other = next(f for f in findings if f["id"] not in (dark["id"], typo["id"]))
    fp = await gw.ok("POST", "/api/v1/disputes", bureau, json={
        "finding_id": dark["id"], "kind": "false_positive", "reason": "该链接为本站下拉菜单"})
    doubt = await gw.ok("POST", "/api/v1/disputes", bureau, json={
        "finding_id": other["id"], "kind": "doubtful", "reason": "页面已于检查前更新"})
    r = await gw.call("POST", "/api/v1/disputes", bureau, json={
        "finding_id": dark["id"], "kind": "doubtful", "reason": "再次申辩"})
    assert r.status_code == 409, r.text
    r = await gw.call("POST", f"/api/v1/disputes/{fp['id']}/accept", bureau, json={"note": "自己采纳"})
    assert r.status_code == 403, r.text
    accepted = await gw.ok("POST", f"/api/v1/disputes/{fp['id']}/accept", city, json={"note": "经核实属误报"})
    assert accepted["status"] == "accepted" and accepted["verdict"] == "false_positive"
    rejected = await gw.ok("POST", f"/api/v1/disputes/{doubt['id']}/reject", city, json={"note": "问题属实"})
    assert rejected["status"] == "rejected"
    marked = await gw.ok("GET", f"/api/v1/findings/{dark['id']}", city)
    assert marked["verdict"] == "false_positive" and "该链接为本站下拉菜单" in marked["verdict_note"]
    assert (await gw.ok("GET", f"/api/v1/findings/{other['id']}", city))["verdict"] is None
    mine = await _items(gw, "/api/v1/disputes", bureau)
    assert {(d["kind"], d["status"]) for d in mine} == {("false_positive", "accepted"),
                                                        ("doubtful", "rejected")}

    # Another unit's key sees none of it; a unit of another county sees no circular at all.
    assert [s["site_code"] for s in await _items(gw, "/api/v1/websites", office)] == ["3701020001"]
    assert not [f for f in await _items(gw, "/api/v1/findings", office, limit=500)
                if f["target_code"] == "3701020002"]
    assert not [i for i in await _items(gw, "/api/v1/rectifications", office)
                if i["target_code"] == "3701020002"]
    assert await _items(gw, "/api/v1/disputes", office) == []
    assert [x["id"] for x in await _items(gw, "/api/v1/practices", bureau)] == []
    for url in (f"/api/v1/rectifications/{item['id']}", f"/api/v1/disputes/{fp['id']}",
                f"/api/v1/attachments/{att['id']}", f"/api/v1/findings/{dark['id']}",
                f"/api/v1/websites/{bad['id']}", f"/api/v1/rectifications/{item['id']}/attachments"):
        r = await gw.call("GET", url, office)
        assert r.status_code == 404, (url, r.status_code, r.text)
    r = await gw.call("POST", "/api/v1/disputes", office, json={
        "finding_id": typo["id"], "kind": "false_positive", "reason": "替别人申辩"})
    assert r.status_code == 422, r.text
    assert await _items(gw, "/api/v1/circulars", w["shizhong"]) == []
    r = await gw.call("GET", f"/api/v1/circulars/{draft['id']}", w["shizhong"])
    assert r.status_code == 404, r.text
