"""The whole flow as a provincial system drives it, through the gateway only: bulk import, an
inspection of websites and of an account's feed served on loopback, the circular and its DOCX,
a unit's fix closed by the re-check, a signed overdue callback — and a second county's key that
never sees the first county's data."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import docx
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete

from gateway.webhooks import models as webhook_models
from gateway.webhooks.delivery import WebhookSettings
from gateway.webhooks.signing import EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, verify
from services.checker.config import CheckerSettings, FeedPollSettings
from services.reporting.config import ReportingSettings
from tests.checker.feedfixture import post, serve_account
from tests.checker.sitefixture import SiteServer
from tests.gateway.conftest import Gateway, OpenGateway, gw_settings, open_gateway, receiver
from tests.gateway.webhook_fixtures import Receiver
from tests.integration.conftest import Suite, checker_settings, suite
from tests.integration.flow_helpers import (
    csv_bytes,
    deliver_checker_events,
    deliver_webhooks,
    run_checker,
    run_reporting,
)
from tests.integration.sites import BAD, GOOD, serve
from tests.registry.conftest import registry, registry_settings
from tests.reporting.conftest import reporting_settings

pytestmark = pytest.mark.integration
__all__ = ["checker_settings", "gw_settings", "open_gateway", "receiver", "registry",
           "registry_settings", "reporting_settings", "suite"]

LIXIA, SHIZHONG = "370102", "370103"
OTHER = "www.shizhong.gov.cn"  # 370103's site; never inspected here
ORG_HEADER = ["单位名称", "单位类型", "所在区划"]
SITE_HEADER = ["网站标识码", "网站名称", "主办单位", "主办单位区划", "网站类型", "域名", "首页网址", "状态"]
ACCOUNT_HEADER = ["平台", "平台账号ID", "账号名称", "主办单位", "主办单位区划", "状态", "订阅源"]
LIXIA_ACCOUNT = "gh_lixia_fabu"  # reporting names an account by its platform account ID


@pytest.fixture
def sites() -> Iterator[SiteServer]:
    with SiteServer() as server:
        serve(server)
        yield server


@pytest.fixture
async def gw(open_gateway: OpenGateway, suite: Suite, reporting_app: FastAPI) -> AsyncIterator[Gateway]:
    """The gateway in front of all three services, sending webhooks to loopback receivers."""
    hooks = WebhookSettings(allowed_private_networks=["127.0.0.0/8"], timeout_s=5.0)
    async with open_gateway(transports={"checker": httpx.ASGITransport(app=suite.checker),
                                        "reporting": httpx.ASGITransport(app=reporting_app)},
                            webhooks=hooks) as gateway:
        await gateway.app.state.redis.flushdb()
        try:
            yield gateway
        finally:
            async with gateway.app.state.sessionmaker() as s:
                for model in (webhook_models.WebhookAttempt, webhook_models.WebhookDelivery,
                              webhook_models.WebhookSubscription,
                              webhook_models.WebhookProcessedEvent):
                    await s.execute(delete(model))
                await s.commit()
            await gateway.app.state.redis.flushdb()


async def _import(gw: Gateway, key: str, entity: str, header: list[str], rows: list[list[Any]]) -> None:
    r = await gw.call("POST", f"/api/v1/{entity}/import", key,
                      files={"file": (f"{entity}.csv", csv_bytes(header, rows), "text/csv")})
    assert r.status_code == 200, r.text
    assert r.json()["created"] == len(rows), r.json()


async def _items(gw: Gateway, url: str, key: str, **params: Any) -> list[dict[str, Any]]:
    body = await gw.ok("GET", url, key, params=params)  # only parameters the list declares
    return list(body["items"] if isinstance(body, dict) else body)


async def test_whole_flow_through_the_gateway(
        gw: Gateway, suite: Suite, reporting_app: FastAPI, checker_settings: CheckerSettings,
        reporting_settings: ReportingSettings, sites: SiteServer, receiver: Receiver,
        redis_url: str) -> None:
    clock = gw.clock
    registry, checker = suite.registry.app, suite.checker
    # 历下发布 last posted 15 days ago (僵尸: nothing within two weeks); 市中发布 yesterday.
    now = clock.now()
    lixia_feed = serve_account(sites, "atom", [post("z1", now=now, days_ago=15),
                                               post("z2", now=now, days_ago=40)], name="历下发布")
    shizhong_feed = serve_account(sites, "rss", [post("s1", now=now, days_ago=1)], name="市中发布")
    inspect_settings = checker_settings.model_copy(update={
        "host_map": sites.host_map(),
        "feed_polling": FeedPollSettings(default_rate=0, retries=1, backoff_s=0.05)})

    # 1. Keys: the city's supervisor, the provincial system, a second county.
    city = await gw.key(["supervisor"], regions=["370100"])
    system = await gw.key(["integration"], regions=["370100"])
    shizhong = await gw.key(["supervisor"], regions=[SHIZHONG])

    # 2. Regions, then organisations and websites of two counties, as CSV files.
    for code, name, parent in (("370100", "济南市", "370000"), (LIXIA, "历下区", "370100"),
                               (SHIZHONG, "市中区", "370100")):
        await gw.ok("POST", "/api/v1/regions", json={"code": code, "name": name, "parent_code": parent})
    await _import(gw, system, "organisations", ORG_HEADER, [
        ["历下区政府办", "county_government", LIXIA], ["历下区某局", "county_department", LIXIA],
        ["市中区政府办", "county_government", SHIZHONG]])
    await _import(gw, system, "websites", SITE_HEADER, [
        ["3701020001", "济南市历下区人民政府", "历下区政府办", LIXIA, "portal", GOOD, f"http://{GOOD}/", "运行中"],
        ["3701020002", "历下区某局网站", "历下区某局", LIXIA, "department", BAD, f"http://{BAD}/", "运行中"],
        ["3701030001", "济南市市中区人民政府", "市中区政府办", SHIZHONG, "portal", OTHER,
         f"http://{OTHER}/", "运行中"]])
    await _import(gw, system, "accounts", ACCOUNT_HEADER, [
        ["微信公众号（订阅号）", "gh_lixia_fabu", "历下发布", "历下区政府办", LIXIA, "运行中",
         json.dumps(lixia_feed, ensure_ascii=False)],
        ["新浪微博", "5800000001", "市中发布", "市中区政府办", SHIZHONG, "运行中",
         json.dumps(shizhong_feed, ensure_ascii=False)]])
    lixia_sites = await _items(gw, "/api/v1/websites", city, region=LIXIA)
    bad_site = next(s for s in lixia_sites if s["site_code"] == "3701020002")
    unit = await gw.key(["unit"], organisations=[bad_site["organisation_id"]])
    assert [s["site_code"] for s in await _items(gw, "/api/v1/websites", shizhong)] == ["3701030001"]

    # 3. The provincial system subscribes to overdue rectifications.
    sub = await gw.ok("POST", "/api/v1/webhooks", system, json={
        "url": receiver.url, "events": ["rectification.overdue"], "description": "省级督办系统"})
    assert sub["secret"].startswith("whsec_")

    # 4. An inspection of 历下区's websites and accounts, waited for through the API.
    run = await gw.ok("POST", "/api/v1/runs", city, json={"name": "四季度检查", "scope": {
        "regions": [LIXIA], "target_types": ["website", "account"]}})
    await run_checker(inspect_settings, clock, registry)
    for _ in range(3):
        state = await gw.ok("GET", f"/api/v1/runs/{run['id']}", city)
        if state["status"] == "completed":
            break
        await run_checker(inspect_settings, clock, registry)
    assert state["status"] == "completed", state
    assert state["progress"]["targets_total"] == 3
    findings = await _items(gw, "/api/v1/findings", city, run_id=run["id"], limit=500)
    assert {f["rule"] for f in findings} >= {"content.typo", "veto.homepage_stale",
                                             "veto.account_stale"}

    # 5. Results reach reporting; the circular is drafted, published and fetched as DOCX.
    await deliver_checker_events(reporting_settings, clock, registry, checker)
    results = await _items(gw, "/api/v1/results", city, run_id=run["id"], limit=500)
    assert sorted(r["target_code"] for r in results) == ["3701020001", "3701020002", LIXIA_ACCOUNT]
    draft = await gw.ok("POST", "/api/v1/circulars", city, json={
        "region_code": LIXIA, "quarter": "2026Q4", "issuing_office": "济南市历下区人民政府办公室",
        "deadline_working_days": 10})
    counted = {kind: (draft["data"][f"{kind}_total"]["checked"]["value"],
                      draft["data"][f"{kind}_total"]["passed"]["value"]) for kind in ("websites", "accounts")}
    assert counted == {"websites": (2, 1), "accounts": (1, 0)}, counted
    await gw.ok("POST", f"/api/v1/circulars/{draft['id']}/publish", city,
                json={"number": "历政办字〔2026〕30号"})
    r = await gw.call("GET", f"/api/v1/circulars/{draft['id']}/document", city,
                      params={"format": "docx"})
    assert r.status_code == 200, r.text
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert "历政办字〔2026〕30号" in text and "历下区某局网站" in text and "历下发布" in text

    # 6. The unit fixes the typo and reports it; the re-check closes the item.
    items = await _items(gw, "/api/v1/rectifications", city, circular_id=draft["id"])
    typo = next(i for i in items if i["rule"] == "content.typo")
    stale = next(i for i in items if i["rule"] == "veto.homepage_stale")
    zombie = next(i for i in items if i["rule"] == "veto.account_stale")
    assert zombie["target_code"] == LIXIA_ACCOUNT, zombie
    assert typo["status"] == "open" and typo["target_code"] == "3701020002"
    page = sites.resources[(BAD, "/ywdt/1.html")]
    page.body = page.body.replace("按步就班".encode(), "按部就班".encode())
    clock.advance(timedelta(days=2))
    reported = await gw.ok("POST", f"/api/v1/rectifications/{typo['id']}/report", unit,
                           json={"note": "已改正错别字"})
    assert reported["status"] == "rechecking"
    await run_checker(inspect_settings, clock, registry)
    await deliver_checker_events(reporting_settings, clock, registry, checker)
    item = await gw.ok("GET", f"/api/v1/rectifications/{typo['id']}", unit)
    assert item["status"] == "closed", item

    # 7. The deadline passes: the watcher announces it, the gateway calls the receiver back.
    clock.advance(timedelta(days=40))
    await run_reporting(reporting_settings, clock, registry, checker)
    worker_settings = gw.app.state.settings.model_copy(update={"redis_url": redis_url})
    await deliver_webhooks(worker_settings, clock, gw.app, reporting_app, checker)
    overdue = [q for q in receiver.requests if q.headers.get(EVENT_HEADER) == "rectification.overdue"]
    assert overdue, receiver.requests
    for request in overdue:
        assert verify(sub["secret"], request.headers[SIGNATURE_HEADER], request.body, clock.now())
        assert not verify(sub["secret"].upper(), request.headers[SIGNATURE_HEADER], request.body,
                          clock.now())
    bodies = [json.loads(q.body) for q in overdue]
    announced = {json.dumps(b, ensure_ascii=False) for b in bodies}
    for item in (stale, zombie):
        assert any(item["id"] in b for b in announced), (item, announced)
    assert not any(typo["id"] in b for b in announced)  # closed before its deadline
    assert len({q.headers[EVENT_ID_HEADER] for q in overdue}) == len(overdue)

    # 8. The other county's key sees none of 历下区's data.
    own = await _items(gw, "/api/v1/websites", shizhong)
    assert [s["site_code"] for s in own] == ["3701030001"]
    assert [a["platform_account_id"] for a in await _items(gw, "/api/v1/accounts", shizhong)] == [
        "5800000001"]
    for url in ("/api/v1/runs", "/api/v1/findings", "/api/v1/results", "/api/v1/circulars"):
        assert await _items(gw, url, shizhong) == [], url
    for url in (f"/api/v1/websites/{bad_site['id']}", f"/api/v1/runs/{run['id']}",
                f"/api/v1/findings/{findings[0]['id']}", f"/api/v1/circulars/{draft['id']}",
                f"/api/v1/rectifications/{stale['id']}"):
        r = await gw.call("GET", url, shizhong)
        assert r.status_code == 404, (url, r.status_code, r.text)
    assert await _items(gw, "/api/v1/rectifications", shizhong) == []
