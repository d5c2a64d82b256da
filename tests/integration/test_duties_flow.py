"""Issue 15, through the gateway only: the annual report on the home page (on time, missing, late)
and an account that announced it moved while still filed as running — findings with evidence,
scores, the circular and its DOCX, and the filing the unit makes that settles the account."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import docx
import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from services.checker.config import CheckerSettings
from services.checker.feeds.limits import FeedPollSettings
from services.checker.tables import OutboxEvent
from services.reporting.config import ReportingSettings
from shared.contracts.events import TARGET_INSPECTED
from tests.checker.emblemfixture import emblem
from tests.checker.feedfixture import post, serve_account
from tests.checker.ocrfixture import notice, scanned_pdf
from tests.checker.sitefixture import SiteServer
from tests.gateway.conftest import Gateway, OpenGateway, gw_settings, open_gateway
from tests.integration.conftest import Suite, checker_settings, suite
from tests.integration.flow_helpers import csv_bytes, deliver_checker_events, run_checker
from tests.integration.sites import GOOD, REPORT, serve
from tests.registry.conftest import registry, registry_settings
from tests.reporting.conftest import reporting_settings

pytestmark = pytest.mark.integration
__all__ = ["checker_settings", "gw_settings", "open_gateway", "registry", "registry_settings",
           "reporting_settings", "suite"]

LIXIA = "370102"
MISSING, LATE = "www.ndbb-missing.gov.cn", "www.ndbb-late.gov.cn"
SITES = {GOOD: "3701020001", MISSING: "3701020003", LATE: "3701020004"}
ORG_HEADER = ["单位名称", "单位类型", "所在区划"]
SITE_HEADER = ["网站标识码", "网站名称", "主办单位", "主办单位区划", "网站类型", "域名", "首页网址", "状态"]
ACCOUNT_HEADER = ["平台", "平台账号ID", "账号名称", "主办单位", "主办单位区划", "状态", "订阅源"]
EMBLEM = '<img src="/images/gh.png" alt="国徽" width="48" height="48">'
MOBILE = "13912345678"
DOUYIN, UNFILED = "www.douyin.com", "/user/MS4wLjABAAAAlixiajiaoti"
UNFILED_SITE = "qsn.ndbb-missing.gov.cn"  # in MISSING's own domain family, filed nowhere
MOVED = "因机构职能调整，本账号已迁移至“历下发布”公众号，敬请关注。"


def _copy(server: SiteServer, host: str, *, report: str | None) -> None:
    """Serve the clean site again under `host` (its own code), its report `report` or none."""
    for (served, path), res in list(server.resources.items()):
        if served != GOOD:
            continue
        if not res.content_type.startswith("text/"):
            server.add(host, path, res.body, content_type=res.content_type)
            continue
        body = res.body.decode().replace(GOOD, host).replace(SITES[GOOD], SITES[host])
        if path == "/" and report is None:
            body = body.replace("2025年度工作报表", "2025年工作总结")
        if path == REPORT:
            if report is None:
                continue
            body = body.replace("2026-01-20", report)
        server.add(host, path, body, content_type=res.content_type)


@pytest.fixture
def sites() -> Iterator[SiteServer]:
    with SiteServer() as server:
        serve(server)
        # The emblem in the header: the current artwork here, the superseded one on MISSING.
        home = server.resources[(GOOD, "/")]
        home.body = home.body.replace(b'<div class="nav">', f'<div class="header">{EMBLEM}</div><div class="nav">'.encode())
        server.add(GOOD, "/images/gh.png", emblem("current", 64), content_type="image/png")
        _copy(server, MISSING, report=None)
        _copy(server, LATE, report="2026-02-16")
        server.add(MISSING, "/images/gh.png", emblem("superseded", 72, "JPEG"), content_type="image/jpeg")
        # MISSING's 关注我们 links a Douyin account nobody filed.
        home = server.resources[(MISSING, "/")]
        home.body = home.body.replace(b'<div class="footer">', (
            f'<p>关注我们：<a href="https://{DOUYIN}{UNFILED}">历下教体（抖音）</a></p>'
            '<div class="ewm"><img src="/images/wx_ewm.png" alt="二维码" width="88" height="88">'
            '<p>微信公众号：历下教体发布</p></div>'
            f'<p><a href="http://{UNFILED_SITE}/">历下区青少年活动中心</a></p><div class="footer">').encode(), 1)
        server.add(MISSING, "/images/wx_ewm.png", emblem("current", 88), content_type="image/png")
        server.add(UNFILED_SITE, "/", "<html><title>历下区青少年活动中心</title></html>")
        server.add(DOUYIN, UNFILED, "<html><title>历下教体的抖音</title></html>")
        # On LATE, a 公示 posted as a picture and a scanned attachment, both with a mobile number.
        article = server.resources[(LATE, "/ywdt/1.html")]
        article.body = article.body.replace(b'<div class="footer">', (
            '<p><img src="/images/gs.png" alt="公示"></p><p><a href="/fj/scan.pdf">扫描件</a></p>'
            '<div class="footer">').encode(), 1)
        server.add(LATE, "/images/gs.png", notice(["救助资金发放公示", f"联系电话：{MOBILE}"]),
                   content_type="image/png")
        server.add(LATE, "/fj/scan.pdf", scanned_pdf([["工作方案"], [f"联系人电话 {MOBILE}"]]),
                   content_type="application/pdf")
        yield server


@pytest.fixture
async def gw(open_gateway: OpenGateway, suite: Suite, reporting_app: FastAPI) -> AsyncIterator[Gateway]:
    async with open_gateway(transports={"checker": httpx.ASGITransport(app=suite.checker),
                                        "reporting": httpx.ASGITransport(app=reporting_app)}) as gateway:
        await gateway.app.state.redis.flushdb()
        yield gateway
        await gateway.app.state.redis.flushdb()


async def _import(gw: Gateway, key: str, entity: str, header: list[str], rows: list[list[Any]]) -> None:
    r = await gw.call("POST", f"/api/v1/{entity}/import", key,
                      files={"file": (f"{entity}.csv", csv_bytes(header, rows), "text/csv")})
    assert r.status_code == 200, r.text


async def _items(gw: Gateway, url: str, key: str, **params: Any) -> list[dict[str, Any]]:
    body = await gw.ok("GET", url, key, params=params)
    return list(body["items"] if isinstance(body, dict) else body)


async def _inspect(gw: Gateway, key: str, settings: CheckerSettings, suite: Suite, name: str) -> dict[str, Any]:
    run = await gw.ok("POST", "/api/v1/runs", key, json={"name": name, "scope": {
        "regions": [LIXIA], "target_types": ["website", "account"]}})
    for _ in range(3):
        await run_checker(settings, gw.clock, suite.registry.app)
        state = await gw.ok("GET", f"/api/v1/runs/{run['id']}", key)
        if state["status"] == "completed":
            return dict(state)
    raise AssertionError(state)


async def _file(gw: Gateway, feed: dict[str, Any]) -> str:
    """File the county, its units, the three sites and the account; return the city's key."""
    city = await gw.key(["supervisor"], regions=["370100"])
    system = await gw.key(["integration"], regions=["370100"])
    for code, name, parent in (("370100", "济南市", "370000"), (LIXIA, "历下区", "370100")):
        await gw.ok("POST", "/api/v1/regions", json={"code": code, "name": name, "parent_code": parent})
    await _import(gw, system, "organisations", ORG_HEADER, [
        ["历下区政府办", "county_government", LIXIA], ["历下区教体局", "county_department", LIXIA],
        ["历下区卫健局", "county_department", LIXIA], ["历下区司法局", "county_department", LIXIA]])
    await _import(gw, system, "websites", SITE_HEADER, [
        [SITES[GOOD], "济南市历下区人民政府", "历下区政府办", LIXIA, "portal", GOOD, f"http://{GOOD}/", "运行中"],
        [SITES[MISSING], "历下区教体局网站", "历下区教体局", LIXIA, "department", MISSING, f"http://{MISSING}/", "运行中"],
        [SITES[LATE], "历下区卫健局网站", "历下区卫健局", LIXIA, "department", LATE, f"http://{LATE}/", "运行中"]])
    await _import(gw, system, "accounts", ACCOUNT_HEADER, [
        ["微信公众号（订阅号）", "gh_lixia_sifa", "历下司法", "历下区司法局", LIXIA, "运行中",
         json.dumps(feed, ensure_ascii=False)]])
    return city


async def _registration_requests(gw: Gateway, city: str, linked: dict[str, Any],
                                  named: dict[str, Any]) -> None:
    """The unit's discovered-not-filed list; the supervisor turns each into a registration
    request; filing the 公众号 and the site closes theirs, the supervisor withdraws the other."""
    [unit_org] = [o for o in await _items(gw, "/api/v1/organisations", city, q="历下区教体局")
                  if o["name"] == "历下区教体局"]
    unit = await gw.key(["unit"], organisations=[unit_org["id"]])
    found = {d["finding_id"]: d for d in await gw.ok("GET", "/api/v1/discoveries", unit)}
    assert await gw.ok("GET", "/api/v1/discoveries", city, params={"organisation_id": unit_org["id"]}) == list(
        found.values())
    assert {(d["kind"], d["name"], tuple(d["seen_on"])) for d in found.values()} == {
        ("account", "历下教体（抖音）", (f"http://{MISSING}/",)),
        ("account", "历下教体发布", (f"http://{MISSING}/",)),
        ("website", UNFILED_SITE, (f"http://{MISSING}/",))}
    assert found[linked["id"]]["platform_account_id"] == UNFILED.rsplit("/", 1)[1]
    assert found[named["id"]]["platform"] == "wechat_subscription"
    made = {}
    for d in found.values():
        made[d["name"]] = await gw.ok("POST", "/api/v1/registration-requests", city,
                                      json=d["registration_request"])
    listed = await gw.ok("GET", "/api/v1/registration-requests", unit, params={"status": "open"})
    assert {(r["name"], r["status_label"]) for r in listed} == {
        ("历下教体（抖音）", "待补报"), ("历下教体发布", "待补报"), ("历下区青少年活动中心", "待补报")}
    # The unit files the 公众号 and the site: their requests are closed by the filings.
    acc = await gw.ok("POST", "/api/v1/accounts", unit, json={
        "platform": "wechat_subscription", "platform_account_id": "gh_lixia_jiaoti",
        "name": "历下教体发布", "sponsor_id": unit_org["id"], "status": "running"})
    done = await gw.ok("GET", f"/api/v1/registration-requests/{made['历下教体发布']['id']}", unit)
    assert (done["status"], done["filed_target_id"]) == ("filed", acc["id"])
    site = await gw.ok("POST", "/api/v1/websites", unit, json={
        "site_code": "3701020009", "name": "历下区青少年活动中心网站", "organisation_id": unit_org["id"],
        "kind": "department", "domains": [UNFILED_SITE], "home_url": f"http://{UNFILED_SITE}/",
        "status": "running"})
    done = await gw.ok("GET", f"/api/v1/registration-requests/{made[UNFILED_SITE]['id']}", unit)
    assert (done["status"], done["filed_target_id"]) == ("filed", site["id"])
    # The Douyin account is not the unit's: the supervisor withdraws the request (If-Match).
    other = made["历下教体（抖音）"]
    r = await gw.call("GET", f"/api/v1/registration-requests/{other['id']}", city)
    gone = await gw.ok("POST", f"/api/v1/registration-requests/{other['id']}/dismissal", city,
                       headers={"If-Match": r.headers["etag"]}, json={"note": "经核实为个人账号"})
    assert gone["status"] == "dismissed"
    assert await gw.ok("GET", "/api/v1/registration-requests", unit, params={"status": "open"}) == []


async def test_annual_reports_and_announced_ends_through_the_gateway(
        gw: Gateway, suite: Suite, reporting_app: FastAPI, checker_settings: CheckerSettings,
        reporting_settings: ReportingSettings, sites: SiteServer) -> None:
    now = gw.clock.now()
    feed = serve_account(sites, "rss", [post("m1", now=now, days_ago=2, title="迁移公告", text=MOVED),
                                        post("m2", now=now, days_ago=6)], name="历下司法")
    settings = checker_settings.model_copy(update={
        "host_map": sites.host_map(), "use_browser": False,
        "feed_polling": FeedPollSettings(default_rate=0, retries=1, backoff_s=0.05)})
    city = await _file(gw, feed)

    # 1. The inspection: the report is judged on every site, the account by its posts.
    run = await _inspect(gw, city, settings, suite, "四季度检查")
    findings = await _items(gw, "/api/v1/findings", city, run_id=run["id"], limit=500)
    tasks = {t["site_code"]: t for t in await _items(gw, f"/api/v1/runs/{run['id']}/tasks", city)}
    report = {t: [f for f in findings if f["rule"] == "deduct.annual_report" and f["target_id"] == tasks[c]["target_id"]]
              for t, c in SITES.items()}
    assert report[GOOD] == [], report[GOOD]
    [missing] = report[MISSING]
    assert missing["indicator"] == "年度报表" and missing["severity"] == "deduct"
    assert "首页未发布2025年度《政府网站工作年度报表》" in missing["message"]
    assert missing["url"] == f"http://{MISSING}/"
    [late] = report[LATE]
    assert "发布于2026年02月16日" in late["message"] and late["url"] == f"http://{LATE}{REPORT}"
    # Scores: 2 points for a missing report, 1 for a late one (profile duties.json).
    deducted = {t: tasks[c]["deductions"].get("deduct.annual_report") for t, c in SITES.items()}
    assert deducted == {GOOD: None, MISSING: 2.0, LATE: 1.0}, deducted
    [ended] = [f for f in findings if f["rule"] == "account.announced_end"]
    assert ended["indicator"] == "宣布停更未报备" and "备案仍为运行中" in ended["message"]
    assert "【因机构职能调整，本账号已迁移至“历下发布”公众号，敬请关注】" in ended["excerpt"]

    # The accounts MISSING shows and nobody filed, listed for its unit with where it was seen.
    [unfiled] = [f for f in findings if f["rule"] == "registry.unfiled_account"
                 and f["detail"]["kind"] == "unfiled_account"]
    assert unfiled["target_id"] == tasks[SITES[MISSING]]["target_id"] and unfiled["severity"] == "warn"
    assert unfiled["url"] == f"https://{DOUYIN}{UNFILED}" and "历下教体（抖音）" in unfiled["message"]
    assert unfiled["detail"]["seen_on"] == [f"http://{MISSING}/"]
    # The 公众号 its QR code's caption names, filed under no name.
    [named] = [f for f in findings if f["rule"] == "registry.unfiled_account"
               and f["detail"]["kind"] == "unfiled_account_named"]
    assert named["target_id"] == unfiled["target_id"] and "历下教体发布" in named["message"]
    assert named["detail"]["platform"] == "wechat_subscription"
    assert named["detail"]["seen_on"] == [f"http://{MISSING}/"]
    # The 公众号 the account says it moved to is filed nowhere either: named from the post.
    [mention] = [f for f in findings if f["rule"] == "account.unfiled_mention"]
    assert (mention["detail"]["platform"], mention["detail"]["shown_name"]) == ("wechat_subscription", "历下发布")
    assert mention["target_id"] == ended["target_id"] and mention["detail"]["seen_on"] == [ended["url"]]

    # Text inside the picture and the scanned PDF: the ID number, masked, with the crop as evidence.
    read = sorted((f["url"], f["offending"]) for f in findings if (f["detail"] or {}).get("ocr"))
    assert read == [(f"http://{LATE}/fj/scan.pdf#page=2", "139****5678"),
                    (f"http://{LATE}/images/gs.png", "139****5678")], read
    for f in findings:
        if (f["detail"] or {}).get("ocr"):
            assert MOBILE not in f["message"] and f["screenshot_url"], f
            crop = await gw.call("GET", f["screenshot_url"].replace("/evidence", "/api/v1/evidence"), city)
            assert crop.status_code == 200 and crop.content.startswith(b"\x89PNG")

    # 2. The circular names both problems and the units, in its data and its DOCX.
    await deliver_checker_events(reporting_settings, gw.clock, suite.registry.app, suite.checker)
    draft = await gw.ok("POST", "/api/v1/circulars", city, json={
        "region_code": LIXIA, "quarter": "2026Q4", "issuing_office": "济南市历下区人民政府办公室",
        "deadline_working_days": 10})
    groups = {g["rule"]: g for g in draft["data"]["problems"] + draft["data"]["vetoes"]}
    assert {u["target_code"] for u in groups["deduct.annual_report"]["units"]} == {SITES[MISSING], SITES[LATE]}
    assert [u["target_code"] for u in groups["account.announced_end"]["units"]] == ["gh_lixia_sifa"]
    r = await gw.call("GET", f"/api/v1/circulars/{draft['id']}/document", city, params={"format": "docx"})
    assert r.status_code == 200, r.text
    document = docx.Document(io.BytesIO(r.content))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for row in t.rows for c in row.cells])
    for words in ("年度报表", "宣布停更未报备", "历下区教体局网站", "历下区卫健局网站", "历下司法"):
        assert words in text, words

    # The city's own 《政府网站监管年度报表》 for the year, drafted from the same data.
    report = await gw.ok("GET", "/api/v1/annual-reports/370100/2026", city, params={"format": "json"})
    figures = {line["item"]: line["value"] for line in report["lines"]}
    assert report["title"] == "济南市2026年政府网站监管年度报表", report["title"]
    assert (figures["检查网站次数"], figures["检查网站数"], figures["运行中的网站"]) == (3, 3, 3), figures
    assert figures["合格次数"] + figures["不合格次数"] + figures["未能检查次数"] == 3
    for fmt, media in (("docx", "wordprocessingml"), ("xlsx", "spreadsheetml")):
        r = await gw.call("GET", "/api/v1/annual-reports/370100/2026", city, params={"format": fmt})
        assert r.status_code == 200 and media in r.headers["content-type"], r.text
    shown = docx.Document(io.BytesIO((await gw.call(
        "GET", "/api/v1/annual-reports/370100/2026", city, params={"format": "docx"})).content))
    assert "济南市2026年政府网站监管年度报表" in shown.paragraphs[0].text
    r = await gw.call("GET", "/api/v1/annual-reports/370102/2026", city)
    assert r.status_code == 422 and "region_code" in r.json()["detail"], r.text
    r = await gw.call("GET", "/api/v1/annual-reports/370200/2026", city)
    assert r.status_code == 404, r.text

    # 3. The unit is offered the filing the finding names and makes it in one call; the
    # supervisor sees the offer pending until then; the next inspection finds nothing more.
    [task] = [t for t in tasks.values() if t["target_type"] == "account"]
    account = await gw.ok("GET", f"/api/v1/accounts/{task['target_id']}", city)
    unit = await gw.key(["unit"], organisations=[task["organisation_id"]])
    other_unit = await gw.key(["unit"], organisations=[unfiled["organisation_id"]])
    assert await gw.ok("GET", "/api/v1/filing-offers", other_unit) == []
    [pending] = await gw.ok("GET", "/api/v1/filing-offers", city, params={"region": LIXIA})
    [offer] = await gw.ok("GET", "/api/v1/filing-offers", unit)
    assert offer == pending and offer["finding_id"] == ended["id"]
    assert (offer["account_id"], offer["account_name"], offer["suggested_filing"], offer["pending"]) == (
        account["id"], "历下司法", "announce_closure", True)
    assert offer["account_status"] == "running" and offer["suggested_filing_label"] == "关停公告（拟关停）"
    await gw.ok("POST", f"/api/v1/accounts/{offer['account_id']}/filings", unit,
                json={"action": offer["suggested_filing"]}, headers={"If-Match": offer["if_match"]})
    assert await gw.ok("GET", "/api/v1/filing-offers", city) == []
    [made] = await gw.ok("GET", "/api/v1/filing-offers", city, params={"pending_only": "false"})
    assert (made["pending"], made["account_status"], made["if_match"]) == (False, "closing", None)
    again = await _inspect(gw, city, settings, suite, "四季度复查")
    rules = {f["rule"] for f in await _items(gw, "/api/v1/findings", city, run_id=again["id"], limit=500)}
    assert "account.announced_end" not in rules and "deduct.annual_report" in rules

    # 4. What MISSING shows that nobody filed, per unit; registration requests from it.
    await _registration_requests(gw, city, unfiled, named)


async def test_the_national_emblem_through_the_gateway(
        gw: Gateway, suite: Suite, checker_settings: CheckerSettings, sites: SiteServer) -> None:
    feed = serve_account(sites, "rss", [post("m2", now=gw.clock.now(), days_ago=6)], name="历下司法")
    settings = checker_settings.model_copy(update={
        "host_map": sites.host_map(),
        "feed_polling": FeedPollSettings(default_rate=0, retries=1, backoff_s=0.05)})
    city = await _file(gw, feed)

    # 1. No reference loaded: nothing is flagged, and each site's result says emblems were not judged.
    run = await _inspect(gw, city, settings, suite, "国徽检查（无参考图）")
    rules = {f["rule"] for f in await _items(gw, "/api/v1/findings", city, run_id=run["id"], limit=500)}
    assert "deduct.emblem" not in rules
    async with suite.checker.state.sessionmaker() as s:
        events = (await s.execute(select(OutboxEvent).where(
            col(OutboxEvent.name) == TARGET_INSPECTED))).scalars().all()
    notes = {e.payload["target"]["site_code"]: [n["kind"] for n in e.payload["notes"]]
             for e in events if e.payload["target_type"] == "website"}
    assert notes and all("emblem_unjudged" in kinds for kinds in notes.values()), notes

    # 2. The administrator loads both references; a supervisor may not.
    for name, version in (("国徽（现行版）", "current"), ("国徽（已废止版）", "superseded")):
        body = {"name": name, "status": version, "image": base64.b64encode(emblem(version)).decode()}
        r = await gw.call("POST", "/api/v1/emblems", city, json=body)
        assert r.status_code == 403, r.text
        await gw.ok("POST", "/api/v1/emblems", json=body)
    assert len(await gw.ok("GET", "/api/v1/emblems", city)) == 2

    # 3. The next inspection names the site with the superseded emblem, with the element outlined.
    run = await _inspect(gw, city, settings, suite, "国徽检查")
    found = [f for f in await _items(gw, "/api/v1/findings", city, run_id=run["id"], limit=500)
             if f["rule"] == "deduct.emblem"]
    assert [f["url"] for f in found] == [f"http://{MISSING}/images/gh.png"], found
    [old] = found
    assert old["indicator"] == "国徽图案" and "国徽（已废止版）" in old["message"]
    assert old["screenshot_url"], old
    shot = await gw.call("GET", old["screenshot_url"].replace("/evidence", "/api/v1/evidence"), city)
    assert shot.status_code == 200 and shot.content.startswith(b"\x89PNG")
    tasks = {t["site_code"]: t for t in await _items(gw, f"/api/v1/runs/{run['id']}/tasks", city)}
    assert tasks[SITES[MISSING]]["deductions"].get("deduct.emblem") == 1.0
    assert "deduct.emblem" not in tasks[SITES[GOOD]]["deductions"]
