"""瘦身提质 through the gateway: accounts filed in the registry, their posts pushed to the
checker, the region's consolidation report with its evidence, the supervisor's decisions, and
the unit's confirmation that files the 关停公告 in the registry — only for its own accounts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.calendar import SHANGHAI
from tests.gateway.conftest import Gateway, OpenGateway, gw_settings, open_gateway
from tests.integration.conftest import Suite, checker_settings, suite
from tests.registry.conftest import registry, registry_settings
from tests.reporting.conftest import reporting_settings

pytestmark = pytest.mark.integration
__all__ = ["checker_settings", "gw_settings", "open_gateway", "registry", "registry_settings",
           "reporting_settings", "suite"]

LIXIA = "370102"


@pytest.fixture
async def gw(open_gateway: OpenGateway, suite: Suite, reporting_app: FastAPI) -> AsyncIterator[Gateway]:
    async with open_gateway(transports={"checker": httpx.ASGITransport(app=suite.checker),
                                        "reporting": httpx.ASGITransport(app=reporting_app)}
                            ) as gateway:
        await gateway.app.state.redis.flushdb()
        yield gateway
        await gateway.app.state.redis.flushdb()


async def _account(gw: Gateway, org: dict[str, Any], platform: str, name: str) -> dict[str, Any]:
    return dict(await gw.ok("POST", "/api/v1/accounts", json={
        "platform": platform, "platform_account_id": f"id-{name}", "name": name,
        "sponsor_id": org["id"], "status": "running"}))


async def _posts(gw: Gateway, account: dict[str, Any], days_ago: list[int], reposts: int = 0) -> None:
    now = gw.clock.now()
    posts = [{"platform_post_id": f"{account['name']}-{n}", "title": f"第{n}条",
              "text": ("转发//@济南发布: 通知" if n < reposts else "本单位原创内容"),
              "published_at": (now - timedelta(days=d, hours=1)).isoformat()}
             for n, d in enumerate(days_ago)]
    await gw.ok("POST", f"/api/v1/accounts/{account['id']}/posts", json={"posts": posts})


async def test_the_consolidation_report_decisions_and_the_units_confirmation(gw: Gateway) -> None:
    for code, name, parent in (("370100", "济南市", "370000"), (LIXIA, "历下区", "370100")):
        await gw.ok("POST", "/api/v1/regions", json={"code": code, "name": name, "parent_code": parent})
    bureau = await gw.ok("POST", "/api/v1/organisations", json={
        "name": "历下区教育和体育局", "kind": "county_department", "region_code": LIXIA})
    office = await gw.ok("POST", "/api/v1/organisations", json={
        "name": "历下区人民政府办公室", "kind": "county_government", "region_code": LIXIA})
    main = await _account(gw, bureau, "weibo", "历下教育")
    twin = await _account(gw, bureau, "weibo", "历下教体")
    idle = await _account(gw, office, "wechat_subscription", "历下发布")
    echo = await _account(gw, office, "douyin", "历下政务")
    now = gw.clock.now().astimezone(SHANGHAI)
    quarter = f"{now.year}Q{(now.month - 1) // 3 + 1}"
    start_days = (now.date() - now.date().replace(month=3 * ((now.month - 1) // 3) + 1, day=1)).days
    await _posts(gw, main, [d % max(start_days, 1) for d in range(20)])
    await _posts(gw, twin, [d % max(start_days, 1) for d in range(8)])
    await _posts(gw, idle, [start_days + 100])
    await _posts(gw, echo, [d % max(start_days, 1) for d in range(10)], reposts=9)

    city = await gw.key(["supervisor"], regions=["370100"])
    unit = await gw.key(["unit"], organisations=[bureau["id"]])
    other = await gw.key(["unit"], organisations=[office["id"]])
    report = await gw.ok("GET", "/api/v1/consolidation/report", city,
                         params={"region": LIXIA, "quarter": quarter})
    rows = {r["name"]: r for r in report["items"]}
    assert (rows["历下教体"]["suggested_action"], rows["历下教体"]["merge_into_name"]) == ("merge", "历下教育")
    assert rows["历下教体"]["posts_in_period"] == 8 and rows["历下教体"]["overlaps"][0]["name"] == "历下教育"
    assert rows["历下发布"]["suggested_action"] == "close" and rows["历下发布"]["idle_days"] >= 100
    assert rows["历下政务"]["suggested_action"] == "improve"
    assert (rows["历下政务"]["reposts_in_period"], rows["历下政务"]["repost_share"]) == (9, 0.9)
    assert rows["历下教育"]["suggested_action"] == "keep"
    assert report["counts"] == {"keep": 1, "improve": 1, "merge": 1, "close": 1}
    assert report["thresholds"]["min_posts_per_quarter"] == 6
    r = await gw.call("GET", "/api/v1/consolidation/report", unit, params={"region": LIXIA, "quarter": quarter})
    assert r.status_code == 403, r.text

    # The supervisor decides; the merge waits for the bureau, the closure for the office.
    merge = await gw.ok("POST", "/api/v1/consolidation/decisions", city, json={
        "account_id": twin["id"], "action": "merge", "merge_into_id": main["id"], "note": "两号重叠"})
    close = await gw.ok("POST", "/api/v1/consolidation/decisions", city, json={
        "account_id": idle["id"], "action": "close"})
    r = await gw.call("POST", "/api/v1/consolidation/decisions", city, json={
        "account_id": idle["id"], "action": "merge"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "merge_into_id", r.text
    r = await gw.call("POST", "/api/v1/consolidation/decisions", unit, json={
        "account_id": twin["id"], "action": "close"})
    assert r.status_code == 403, r.text
    assert merge["status"] == "awaiting_unit" and close["status"] == "awaiting_unit"
    decided = (await gw.ok("GET", "/api/v1/consolidation/report", city,
                           params={"region": LIXIA, "quarter": quarter}))["items"]
    assert {r["name"]: r["decided_action"] for r in decided}["历下教体"] == "merge"

    # The bureau sees and confirms only its own; the registry then holds its 关停公告.
    mine = await gw.ok("GET", "/api/v1/consolidation/decisions", unit)
    assert [d["id"] for d in mine["items"]] == [merge["id"]] and mine["total"] == 1
    for key, decision, status in ((other, merge, 404), (unit, close, 404), (city, merge, 403)):
        r = await gw.call("POST", f"/api/v1/consolidation/decisions/{decision['id']}/confirm", key, json={})
        assert r.status_code == status, (status, r.text)
    done = await gw.ok("POST", f"/api/v1/consolidation/decisions/{merge['id']}/confirm", unit,
                       json={"note": "已发布停更公告"})
    assert done["status"] == "filed" and done["filing_id"]
    account = await gw.ok("GET", f"/api/v1/accounts/{twin['id']}", city)
    assert account["status"] == "closing", account
    filings = await gw.ok("GET", f"/api/v1/accounts/{twin['id']}/filings", city)
    filing = next(f for f in filings if f["id"] == done["filing_id"])
    assert filing["action"] == "announce_closure" and "整合至“历下教育”" in filing["note"]
    r = await gw.call("POST", f"/api/v1/consolidation/decisions/{merge['id']}/confirm", unit, json={})
    assert r.status_code == 409, r.text
