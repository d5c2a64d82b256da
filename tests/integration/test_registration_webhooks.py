"""Registration requests (补报备案通知) reach the provincial systems through the gateway: the
registry writes `registration.requested` / `registration.closed` into its outbox, its default
routes send them to the gateway's queue, and the gateway calls back, signed, the subscriptions
whose owner's scope covers the unit — never another county's."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from gateway.webhooks.delivery import WebhookSettings
from gateway.webhooks.signing import EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, verify
from services.registry.config import RegistrySettings, default_event_routes
from services.registry.main import create_app as create_registry
from shared.contracts.events import RegistrationClosed, RegistrationRequested, parse_payload
from shared.queue import connect
from tests.gateway.conftest import Gateway, OpenGateway, gw_settings, open_gateway, receiver
from tests.gateway.webhook_fixtures import Receiver
from tests.integration.flow_helpers import deliver_registry_webhooks
from tests.registry.conftest import registry, registry_settings
from tests.registry.factories import JINAN, Registry

pytestmark = pytest.mark.integration
__all__ = ["gw_settings", "open_gateway", "receiver", "registry", "registry_settings"]

LIXIA, SHIZHONG = "370102", "370103"
EVENTS = ["registration.requested", "registration.closed"]


@pytest.fixture
async def routed(registry: Registry, registry_settings: RegistrySettings) -> AsyncIterator[FastAPI]:
    """The registry with its default event routes (registration.* → the gateway's queue), on
    the registry fixture's database and clock (which empties the tables afterwards)."""
    settings = registry_settings.model_copy(update={"event_routes": default_event_routes()})
    app = create_registry(settings, registry.clock)
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def gw(open_gateway: OpenGateway, routed: FastAPI, redis_url: str) -> AsyncIterator[Gateway]:
    """The gateway in front of the routed registry, calling back loopback receivers; the
    integration tier's Redis database (the queues) emptied before and after."""
    redis = await connect(redis_url)
    await redis.flushdb()
    hooks = WebhookSettings(allowed_private_networks=["127.0.0.0/8"], timeout_s=5.0)
    try:
        async with open_gateway(transports={"registry": httpx.ASGITransport(app=routed)},
                                webhooks=hooks) as gateway:
            yield gateway
    finally:
        await redis.flushdb()
        await redis.aclose()


async def _request(gw: Gateway, key: str, body: dict[str, Any]) -> dict[str, Any]:
    return dict(await gw.ok("POST", "/api/v1/registration-requests", key, json=body))


async def test_registration_events_reach_the_webhooks_of_the_units_region_only(
        gw: Gateway, routed: FastAPI, receiver: Receiver, redis_url: str) -> None:
    clock = gw.clock
    for code, name, parent in JINAN:
        await gw.ok("POST", "/api/v1/regions", json={"code": code, "name": name,
                                                     "parent_code": parent})
    lixia = await gw.ok("POST", "/api/v1/organisations", json={
        "name": "历下区文化和旅游局", "kind": "county_department", "region_code": LIXIA})
    shizhong = await gw.ok("POST", "/api/v1/organisations", json={
        "name": "市中区教育和体育局", "kind": "county_department", "region_code": SHIZHONG})
    city = await gw.key(["supervisor"], regions=["370100"])
    lixia_sys = await gw.key(["integration"], regions=[LIXIA])
    shizhong_sys = await gw.key(["integration"], regions=[SHIZHONG])
    base = f"http://127.0.0.1:{receiver.port}"

    # Each county's system subscribes to both registration events.
    a = await gw.ok("POST", "/api/v1/webhooks", lixia_sys, json={
        "url": f"{base}/lixia", "events": EVENTS, "description": "历下区补报备案通知"})
    b = await gw.ok("POST", "/api/v1/webhooks", shizhong_sys, json={
        "url": f"{base}/shizhong", "events": EVENTS, "description": "市中区补报备案通知"})
    labels = {t["name"]: t["label"] for t in await gw.ok("GET", "/api/v1/webhooks/event-types",
                                                         lixia_sys)}
    assert all(labels[e] for e in EVENTS)

    # The city asks 历下 to file an account and a site, 市中 to file a site; it withdraws the
    # site asked of 历下, and 历下 files the account.
    account_ask = await _request(gw, city, {
        "kind": "account", "organisation_id": lixia["id"], "platform": "douyin",
        "platform_account_id": "MS4wLjABAAAA_lixia", "name": "历下文旅",
        "seen_on": ["https://www.lixia.gov.cn/xmt/"]})
    withdrawn = await _request(gw, city, {
        "kind": "website", "organisation_id": lixia["id"], "name": "历下区文化馆",
        "domain": "whg.lixia.gov.cn"})
    other = await _request(gw, city, {
        "kind": "website", "organisation_id": shizhong["id"], "name": "市中区某学校",
        "domain": "xx.shizhong.gov.cn", "note": "区政府门户网站友情链接中发现"})
    etag = (await gw.call("GET", f"/api/v1/registration-requests/{withdrawn['id']}",
                          city)).headers["etag"]
    await gw.ok("POST", f"/api/v1/registration-requests/{withdrawn['id']}/dismissal", city,
                headers={"If-Match": etag}, json={"note": "经核实为事业单位自建网站，另行处理"})
    filed = await gw.ok("POST", "/api/v1/accounts", json={
        "platform": "douyin", "platform_account_id": "MS4wLjABAAAA_lixia", "name": "历下文旅",
        "sponsor_id": lixia["id"], "status": "running"})

    worker_settings = gw.app.state.settings.model_copy(update={"redis_url": redis_url})
    redis = await connect(redis_url)
    try:
        await deliver_registry_webhooks(worker_settings, clock, gw.app, routed, redis)
    finally:
        await redis.aclose()

    got: dict[str, list[tuple[str, dict[str, Any]]]] = {"/lixia": [], "/shizhong": []}
    secrets = {"/lixia": a["secret"], "/shizhong": b["secret"]}
    for call in receiver.requests:
        assert verify(secrets[call.path], call.headers[SIGNATURE_HEADER], call.body, clock.now())
        assert not verify(secrets["/shizhong" if call.path == "/lixia" else "/lixia"],
                          call.headers[SIGNATURE_HEADER], call.body, clock.now())
        body = json.loads(call.body)
        assert body["event"] == call.headers[EVENT_HEADER]
        assert body["id"] == call.headers[EVENT_ID_HEADER]
        got[call.path].append((body["event"], body["data"]))

    # 历下's system: its three requests, each event once; none of 市中's.
    seen = sorted((e, d["registration_request_id"], d.get("outcome")) for e, d in got["/lixia"])
    assert seen == sorted([("registration.requested", account_ask["id"], None),
                           ("registration.requested", withdrawn["id"], None),
                           ("registration.closed", withdrawn["id"], "dismissed"),
                           ("registration.closed", account_ask["id"], "filed")])
    # 市中's system: its one request, none of 历下's.
    assert [(e, d["registration_request_id"]) for e, d in got["/shizhong"]] == [
        ("registration.requested", other["id"])]

    # The bodies are the contract's models, as the gateway's OpenAPI document shows them.
    data = {(e, d["registration_request_id"]): d for e, d in got["/lixia"]}
    asked = parse_payload("registration.requested",
                          data[("registration.requested", account_ask["id"])])
    assert isinstance(asked, RegistrationRequested)
    assert (asked.kind, asked.platform, asked.platform_label, asked.platform_account_id,
            asked.organisation_name, asked.region_code, asked.seen_on) == (
        "account", "douyin", "抖音", "MS4wLjABAAAA_lixia", "历下区文化和旅游局", LIXIA,
        ["https://www.lixia.gov.cn/xmt/"])
    done = parse_payload("registration.closed", data[("registration.closed", account_ask["id"])])
    assert isinstance(done, RegistrationClosed)
    assert (done.outcome, str(done.filed_target_id), done.note) == ("filed", filed["id"], None)
    dropped = parse_payload("registration.closed", data[("registration.closed", withdrawn["id"])])
    assert isinstance(dropped, RegistrationClosed)
    assert (dropped.outcome, dropped.outcome_label, dropped.filed_target_id, dropped.note) == (
        "dismissed", "已撤销", None, "经核实为事业单位自建网站，另行处理")
    shizhong_data = got["/shizhong"][0][1]
    assert (shizhong_data["domain"], shizhong_data["note"], shizhong_data["region_code"]) == (
        "xx.shizhong.gov.cn", "区政府门户网站友情链接中发现", SHIZHONG)

    # Each subscription's delivery log names the events it got.
    for hook, key, count in ((a, lixia_sys, 4), (b, shizhong_sys, 1)):
        log = await gw.ok("GET", f"/api/v1/webhooks/{hook['id']}/deliveries", key)
        assert log["total"] == count
        assert {d["status"] for d in log["items"]} == {"delivered"}
