"""The scope matrix: two counties, their city, the province and a unit, on every resource.

One world is built through the gateway (and, where only a worker would write, the way the worker
writes): four organisations — 历下区政府办 (`lx`), the 历下区 unit (`lxu`), 市中区政府办 (`sz`)
and 济南市政府办公厅 (`city`) — each with a website, an account, a filing, a one-site run with its
task, a finding with evidence, a result, an error report, and (for the counties) a published
circular with its rectification items. Then, for each principal and each resource:

- the list shows exactly the rows whose tag the principal sees (`SEES`);
- every other row answers 404 to a read and to a write (403 where the role may not write at all);
- a reference to such a row in a request body answers 422.

A unit sees and answers only its own findings, rectifications and error reports.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from gateway.webhooks.delivery import WebhookSettings
from services.checker.finding.service import record
from services.checker.run.models import Task
from services.reporting.common.outbox import ProcessedEvent
from services.reporting.result.intake import handle
from shared.clock import SystemClock
from shared.contracts.events import TARGET_INSPECTED, EventEnvelope
from shared.events import consume_once
from shared.principal import region_prefix
from tests.checker.factories import PNG, draft
from tests.gateway.conftest import Gateway, OpenGateway
from tests.integration.conftest import Suite

SH = ZoneInfo("Asia/Shanghai")
LIXIA, SHIZHONG, CITY, PROVINCE = "370102", "370103", "370100", "370000"
TAGS = ("lx", "lxu", "sz", "city")
ORGS = {  # tag: (organisation, region, site code, domain)
    "lx": ("历下区人民政府办公室", LIXIA, "3701020001", "www.lixia.gov.cn"),
    "lxu": ("历下区教育和体育局", LIXIA, "3701020002", "jtj.lixia.gov.cn"),
    "sz": ("市中区人民政府办公室", SHIZHONG, "3701030001", "www.shizhong.gov.cn"),
    "city": ("济南市人民政府办公厅", CITY, "3701000001", "www.jinan.gov.cn"),
}
# Which rows each principal sees, by tag (`prov`, `admin`: the province's and the bootstrap keys).
SEES = {
    "lixia": {"lx", "lxu"},
    "shizhong": {"sz"},
    "city": {"lx", "lxu", "sz", "city"},
    "province": {"lx", "lxu", "sz", "city", "prov"},
    "unit": {"lxu"},
}
# Beyond its own rows a unit reads the published circulars that name it (issue 16): 历下区's
# circular opens an item for the 历下区 unit's site. Reading it does not let the unit write it.
NAMED = {("unit", "circulars"): {"lx"}}
PRINCIPALS = tuple(SEES)


def sees(who: str, resource: str, tag: str) -> bool:
    """Tell whether a principal reads the row of a resource with this tag."""
    return tag in SEES[who] or tag in NAMED.get((who, resource), set())
SUPERVISORS = ("lixia", "shizhong", "city", "province")


@dataclass
class World:
    gw: Gateway
    keys: dict[str, str] = field(default_factory=dict)  # principal (or integration) → secret
    ids: dict[str, dict[str, str]] = field(default_factory=dict)  # resource → tag → id
    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    sites: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, resource: str, tag: str, row_id: Any) -> None:
        self.ids.setdefault(resource, {})[tag] = str(row_id)

    def hidden(self, resource: str, who: str) -> dict[str, str]:
        """The rows of a resource a principal must not see, by tag."""
        return {t: i for t, i in self.ids[resource].items() if not sees(who, resource, t)}

    def visible(self, resource: str, who: str) -> set[str]:
        return {i for t, i in self.ids[resource].items() if sees(who, resource, t)}

    async def listed(self, who: str, url: str, id_key: str = "id", **params: Any) -> set[str]:
        """The ids a list endpoint shows the principal, among this world's rows."""
        r = await self.gw.call("GET", url, self.keys[who], params=params)
        assert r.status_code == 200, (who, url, r.status_code, r.text)
        body = r.json()
        items = body["items"] if isinstance(body, dict) else body
        return {str(item[id_key]) for item in items}


# --- building the world --------------------------------------------------------------------



@pytest.fixture
async def world(open_gateway: OpenGateway, suite: Suite, reporting_app: FastAPI
                ) -> AsyncIterator[World]:
    hooks = WebhookSettings(allowed_private_networks=["127.0.0.0/8"])
    async with open_gateway(transports={"checker": httpx.ASGITransport(app=suite.checker),
                                        "reporting": httpx.ASGITransport(app=reporting_app)},
                            webhooks=hooks) as gw:
        gw.clock.set(datetime(2026, 11, 20, 10, 0, tzinfo=SH))
        w = World(gw)
        await _registry(w)
        await _keys(w)
        await _checker(w, suite)
        await _reporting(w, reporting_app)
        await _webhooks(w)
        yield w


async def _registry(w: World) -> None:
    gw = w.gw
    for code, name, parent in ((CITY, "济南市", PROVINCE), (LIXIA, "历下区", CITY),
                               (SHIZHONG, "市中区", CITY)):
        await gw.ok("POST", "/api/v1/regions", json={"code": code, "name": name, "parent_code": parent})
    for tag, (name, region, code, domain) in ORGS.items():
        kind = "county_department" if tag == "lxu" else "county_government"
        o = await gw.ok("POST", "/api/v1/organisations", json={
            "name": name, "kind": "city_government" if tag == "city" else kind,
            "region_code": region})
        s = await gw.ok("POST", "/api/v1/websites", json={
            "site_code": code, "name": f"{name}网站", "organisation_id": o["id"],
            "kind": "department" if tag == "lxu" else "portal", "domains": [domain],
            "home_url": f"https://{domain}/", "status": "running"})
        a = await gw.ok("POST", "/api/v1/accounts", json={
            "platform": "wechat_subscription", "platform_account_id": f"gh_{tag}_0001", "name": f"{name}发布",
            "sponsor_id": o["id"], "status": "running"})
        r = await gw.call("GET", f"/api/v1/websites/{s['id']}")
        f = await gw.ok("POST", f"/api/v1/websites/{s['id']}/filings",
                        headers={"If-Match": r.headers["etag"]},
                        json={"action": "change", "changes": {"name": f"{name}门户"}})
        w.orgs[tag], w.sites[tag] = o, s
        w.add("organisations", tag, o["id"])
        w.add("websites", tag, s["id"])
        w.add("accounts", tag, a["id"])
        w.add("filings", tag, f["id"])
        q = await gw.ok("POST", "/api/v1/registration-requests", json={
            "kind": "account", "organisation_id": o["id"], "platform": "douyin",
            "name": f"{name}文旅", "seen_on": [f"https://{domain}/"]})
        w.add("registration-requests", tag, q["id"])


async def _keys(w: World) -> None:
    gw = w.gw
    scopes: dict[str, dict[str, Any]] = {
        "lixia": {"roles": ["supervisor"], "regions": [LIXIA]},
        "shizhong": {"roles": ["supervisor"], "regions": [SHIZHONG]},
        "city": {"roles": ["supervisor"], "regions": [CITY]},
        "province": {"roles": ["supervisor"], "regions": [PROVINCE]},
        "unit": {"roles": ["unit"], "organisations": [w.orgs["lxu"]["id"]]},
        # the provincial reporting channel of 我为政府网站找错, and two county integrations
        "channel": {"roles": ["integration"], "regions": [PROVINCE]},
        "lixia_system": {"roles": ["integration"], "regions": [LIXIA]},
        "shizhong_system": {"roles": ["integration"], "regions": [SHIZHONG]},
    }
    tags = {"lixia": "lx", "unit": "lxu", "shizhong": "sz", "city": "city", "province": "prov"}
    for who, scope in scopes.items():
        created = await gw.ok("POST", "/api/v1/keys", json={"name": f"矩阵 {who}", **scope})
        w.keys[who] = created["secret"]
        if who in tags:
            w.add("keys", tags[who], created["id"])
    admin = [k for k in (await gw.ok("GET", "/api/v1/keys"))["items"] if "administrator" in k["roles"]]
    w.add("keys", "admin", admin[0]["id"])


async def _checker(w: World, suite: Suite) -> None:
    """A one-site run per organisation; its task finishes with one finding and a screenshot."""
    gw, now = w.gw, w.gw.clock.now()
    store = suite.checker.state.evidence
    for tag in TAGS:
        run = await gw.ok("POST", "/api/v1/runs", json={
            "name": f"矩阵检查 {tag}", "scope": {"website_ids": [w.sites[tag]["id"]]}})
        w.add("runs", tag, run["id"])
        shot = store.put(PNG + tag.encode())
        async with suite.checker.state.sessionmaker() as session:
            task = (await session.execute(select(Task).where(
                col(Task.run_id) == uuid.UUID(run["id"])))).scalar_one()
            task.findings_count = await record(session, task, [draft(
                "content.typo", message=f"错别字（{tag}）", screenshot=shot)], now)
            task.status, task.finished_at = "done", now
            await session.commit()
            w.add("tasks", tag, task.id)
        w.add("evidence", tag, shot)
    for tag in TAGS:
        finding = (await w.gw.ok("GET", "/api/v1/findings", params={"run_id": w.ids["runs"][tag]}))
        w.add("findings", tag, finding["items"][0]["id"])
    plans = {"lx": "lixia", "sz": "shizhong", "city": "city"}
    for tag, who in plans.items():
        region = ORGS[tag][1]
        plan = await gw.ok("POST", "/api/v1/plans", w.keys[who], json={
            "name": f"矩阵计划 {tag}", "scope": {"regions": [region]}})
        w.add("plans", tag, plan["id"])


async def _reporting(w: World, reporting: FastAPI) -> None:
    """Results as the checker's events bring them; a published circular per county; messages."""
    gw, now = w.gw, w.gw.clock.now()
    for tag in TAGS:
        run_id, task_id, site = w.ids["runs"][tag], w.ids["tasks"][tag], w.sites[tag]
        name, region = ORGS[tag][0], ORGS[tag][1]
        event = EventEnvelope(id=uuid.uuid4(), name=TARGET_INSPECTED, source="checker",
                              occurred_at=now, payload={
            "run_id": run_id, "task_id": task_id, "as_of": now.isoformat(),
            "run_kind": "inspection", "rules": None, "target_type": "website",
            "target": {"id": site["id"], "site_code": site["site_code"], "name": site["name"],
                       "organisation_id": site["organisation_id"], "organisation_name": name,
                       "region_code": region, "kind": site["kind"],
                       "home_url": site["home_url"], "domains": site["domains"],
                       "status": site["status"]},
            "score": 95.0, "passed": True, "vetoes": [], "deductions": {"content.typo": 1.0},
            "findings": [{"rule": "content.typo", "indicator": "错别字", "severity": "deduct",
                          "message": f"错别字（{tag}）", "url": site["home_url"],
                          "fingerprint": f"fp-{tag}"}]})

        async def apply(session: Any, env: EventEnvelope) -> None:
            await handle(session, env, now)

        assert await consume_once(reporting.state.sessionmaker, ProcessedEvent, event, apply,
                                  SystemClock())
        w.add("results", tag, task_id)
    for tag, who, region in (("lx", "lixia", LIXIA), ("sz", "shizhong", SHIZHONG)):
        c = await gw.ok("POST", "/api/v1/circulars", w.keys[who], json={
            "region_code": region, "quarter": "2026Q4", "issuing_office": f"{ORGS[tag][0]}",
            "deadline_working_days": 10})
        await gw.ok("POST", f"/api/v1/circulars/{c['id']}/publish", w.keys[who],
                    json={"number": f"矩阵〔2026〕{region}号"})
        w.add("circulars", tag, c["id"])
    draft_city = await gw.ok("POST", "/api/v1/circulars", w.keys["city"], json={
        "region_code": CITY, "quarter": "2026Q4", "issuing_office": ORGS["city"][0]})
    w.add("circulars", "city", draft_city["id"])
    items = (await gw.ok("GET", "/api/v1/rectifications", params={"limit": 100}))["items"]
    by_site = {i["target_code"]: i["id"] for i in items}
    for tag in ("lx", "lxu", "sz"):
        w.add("rectifications", tag, by_site[ORGS[tag][2]])
    for tag in TAGS:
        site = w.sites[tag]
        m = await gw.ok("POST", "/api/v1/error-reports", w.keys["channel"], json={
            "website": {"id": site["id"], "site_code": site["site_code"], "name": site["name"],
                        "organisation_id": site["organisation_id"], "organisation_name": ORGS[tag][0],
                        "region_code": ORGS[tag][1]},
            "page_url": site["home_url"], "category": "typo", "content": f"首页有错别字（{tag}）"})
        w.add("error-reports", tag, m["id"])


async def _webhooks(w: World) -> None:
    for tag, who in (("lx", "lixia_system"), ("sz", "shizhong_system")):
        sub = await w.gw.ok("POST", "/api/v1/webhooks", w.keys[who], json={
            "url": "http://127.0.0.1:9/hook", "events": ["rectification.overdue"]})
        w.add("webhooks", tag, sub["id"])


# --- the matrix -------------------------------------------------------------------------------

# resource: (list URL, the field naming a row in it, extra list parameters)
LISTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "organisations": ("/api/v1/organisations", "id", {"limit": 200}),
    "websites": ("/api/v1/websites", "id", {"limit": 200}),
    "accounts": ("/api/v1/accounts", "id", {"limit": 200}),
    "filings": ("/api/v1/filings", "id", {"limit": 200}),
    "runs": ("/api/v1/runs", "id", {"limit": 200}),
    "findings": ("/api/v1/findings", "id", {"limit": 200}),
    "plans": ("/api/v1/plans", "id", {}),
    "results": ("/api/v1/results", "task_id", {"limit": 200}),
    "circulars": ("/api/v1/circulars", "id", {}),
    "rectifications": ("/api/v1/rectifications", "id", {"limit": 200}),
    "error-reports": ("/api/v1/error-reports", "id", {"limit": 200}),
    "registration-requests": ("/api/v1/registration-requests", "id", {}),
}
# resource: URL of one row ({id})
GETS: dict[str, str] = {
    "organisations": "/api/v1/organisations/{id}",
    "websites": "/api/v1/websites/{id}",
    "accounts": "/api/v1/accounts/{id}",
    "runs": "/api/v1/runs/{id}",
    "tasks": "/api/v1/runs/{run}/tasks",
    "findings": "/api/v1/findings/{id}",
    "evidence": "/api/v1/evidence/{id}",
    "circulars": "/api/v1/circulars/{id}",
    "rectifications": "/api/v1/rectifications/{id}",
    "error-reports": "/api/v1/error-reports/{id}",
    "website filings": "/api/v1/websites/{site}/filings",
    "account filings": "/api/v1/accounts/{account}/filings",
    "registration-requests": "/api/v1/registration-requests/{id}",
}
# resource: (method, URL, body, principals whose role may not do this at all: 403 before any
# lookup; everyone else gets 404 for a row out of scope)
WRITES: dict[str, tuple[str, str, dict[str, Any], set[str]]] = {
    "organisations": ("PATCH", "/api/v1/organisations/{id}", {"name": "越权改名"}, {"unit"}),
    "websites": ("POST", "/api/v1/websites/{id}/filings", {"action": "announce_closure"}, set()),
    "accounts": ("POST", "/api/v1/accounts/{id}/filings", {"action": "announce_closure"}, set()),
    "runs": ("POST", "/api/v1/runs/{id}/cancel", {}, {"unit"}),
    "findings": ("PUT", "/api/v1/findings/{id}/verdict", {"verdict": "false_positive"}, {"unit"}),
    "plans": ("POST", "/api/v1/plans/{id}/runs", {}, {"unit"}),
    "circulars": ("PATCH", "/api/v1/circulars/{id}", {"title": "越权修改"}, set()),
    "rectifications": ("POST", "/api/v1/rectifications/{id}/report", {"note": "越权上报"}, set()),
    "error-reports": ("POST", "/api/v1/error-reports/{id}/answer", {"answer": "越权答复"}, set()),
    "keys": ("DELETE", "/api/v1/keys/{id}", {}, {"unit"}),
}


def _url(template: str, w: World, tag: str, row_id: str) -> str:
    return template.format(id=row_id, run=w.ids["runs"].get(tag, ""),
                           site=w.ids["websites"].get(tag, ""),
                           account=w.ids["accounts"].get(tag, ""))


async def test_every_list_shows_exactly_the_rows_in_scope(world: World) -> None:
    w = world
    for who in PRINCIPALS:
        for resource, (url, id_key, params) in LISTS.items():
            listed = await w.listed(who, url, id_key, **params) & set(w.ids[resource].values())
            assert listed == w.visible(resource, who), (who, resource)
        for resource in ("tasks",):
            for tag, run_id in w.ids["runs"].items():
                if tag not in SEES[who]:
                    continue
                tasks = await w.listed(who, f"/api/v1/runs/{run_id}/tasks")
                assert tasks == {w.ids[resource][tag]}, (who, resource, tag)


async def test_every_row_out_of_scope_answers_404_to_a_read(world: World) -> None:
    w = world
    for who in PRINCIPALS:
        for resource, template in GETS.items():
            rows = w.ids[{"website filings": "websites", "account filings": "accounts"}.get(
                resource, resource)]
            for tag, row_id in rows.items():
                r = await w.gw.call("GET", _url(template, w, tag, row_id), w.keys[who])
                expected = 200 if sees(who, resource, tag) else 404
                assert r.status_code == expected, (who, resource, tag, r.status_code, r.text)
                if expected == 404:
                    assert r.json()["title"] == "资源不存在", (who, resource, tag)


async def test_every_row_out_of_scope_answers_404_to_a_write(world: World) -> None:
    w = world
    for who in PRINCIPALS:
        for resource, (method, template, body, refused) in WRITES.items():
            for tag, row_id in w.hidden(resource, who).items():
                headers = {"If-Match": '"1"'}
                r = await w.gw.call(method, _url(template, w, tag, row_id), w.keys[who],
                                    headers=headers, json=body if method != "DELETE" else None)
                expected = 403 if who in refused else 404
                assert r.status_code == expected, (who, resource, tag, r.status_code, r.text)
    # Nothing changed: every row still reads as before for the province.
    for resource in ("websites", "accounts"):
        for row_id in w.ids[resource].values():
            row = await w.gw.ok("GET", f"/api/v1/{resource}/{row_id}")
            assert row["status"] == "running", (resource, row_id)
    for row_id in w.ids["rectifications"].values():
        assert (await w.gw.ok("GET", f"/api/v1/rectifications/{row_id}"))["status"] == "open"
    for row_id in w.ids["error-reports"].values():
        assert (await w.gw.ok("GET", f"/api/v1/error-reports/{row_id}"))["status"] == "open"


async def test_a_reference_out_of_scope_in_a_body_answers_422(world: World) -> None:
    w = world
    sz_site, sz_org = w.sites["sz"], w.orgs["sz"]
    bodies: list[tuple[str, str, dict[str, Any], str]] = [
        ("/api/v1/websites", "lixia", {
            "site_code": "3701020099", "name": "越权网站", "organisation_id": sz_org["id"],
            "kind": "department", "domains": ["x.lixia.gov.cn"], "home_url": "https://x.lixia.gov.cn/"},
         "organisation_id"),
        ("/api/v1/accounts", "lixia", {
            "platform": "wechat_subscription", "platform_account_id": "gh_x_0099", "name": "越权账号",
            "sponsor_id": sz_org["id"], "status": "running"}, "sponsor_id"),
        ("/api/v1/runs", "lixia", {"name": "越权检查", "scope": {"website_ids": [sz_site["id"]]}},
         "scope.website_ids"),
        ("/api/v1/plans", "lixia", {"name": "越权计划", "scope": {"website_ids": [sz_site["id"]]}},
         "scope.website_ids"),
        ("/api/v1/plans", "lixia", {"name": "越权计划", "scope": {"regions": [SHIZHONG]}},
         "scope.regions"),
        ("/api/v1/plans", "lixia", {"name": "越权计划", "scope": {"organisation_ids": [sz_org["id"]]}},
         "scope.organisation_ids"),
        ("/api/v1/runs", "unit", {"name": "越权检查", "scope": {"website_ids": [w.sites["lx"]["id"]]}},
         "scope.website_ids"),
        ("/api/v1/keys", "lixia", {"name": "越权密钥", "roles": ["unit"],
                                   "organisations": [sz_org["id"]]}, "organisations"),
        ("/api/v1/error-reports", "lixia_system", {
            "website": {"id": sz_site["id"], "site_code": sz_site["site_code"], "name": sz_site["name"],
                        "organisation_id": sz_org["id"], "organisation_name": ORGS["sz"][0],
                        "region_code": SHIZHONG}, "category": "typo", "content": "越权留言"},
         "website"),
    ]
    for url, who, body, name in bodies:
        r = await w.gw.call("POST", url, w.keys[who], json=body)
        if who == "unit" and url == "/api/v1/runs":
            assert r.status_code == 403, (url, who, r.status_code, r.text)  # units start no runs
            continue
        assert r.status_code == 422, (url, who, r.status_code, r.text)
        assert name in r.json()["detail"], (url, who, r.json())


async def test_exports_hold_only_rows_in_scope(world: World) -> None:
    w = world
    columns = {"websites": ("网站标识码", lambda t: ORGS[t][2]),
               "organisations": ("单位名称", lambda t: ORGS[t][0]),
               "accounts": ("平台账号ID", lambda t: f"gh_{t}_0001"),
               "findings": ("网站标识码", lambda t: ORGS[t][2])}
    for who in PRINCIPALS:
        for resource, (column, value) in columns.items():
            r = await w.gw.call("GET", f"/api/v1/{resource}/export", w.keys[who],
                                params={"format": "csv"})
            assert r.status_code == 200, (who, resource, r.status_code, r.text)
            rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
            assert {row[column] for row in rows} == {value(t) for t in TAGS if t in SEES[who]}, (
                who, resource)


async def test_counts_and_statistics_count_only_rows_in_scope(world: World) -> None:
    w = world
    for who in PRINCIPALS:
        seen = [t for t in TAGS if t in SEES[who]]
        for resource in ("websites", "accounts"):
            stats = await w.gw.ok("GET", f"/api/v1/{resource}/stats", w.keys[who])
            assert stats["total"] == len(seen), (who, resource, stats)
        messages = await w.gw.ok("GET", "/api/v1/error-reports/stats", w.keys[who])
        assert {u["organisation_id"] for u in messages["items"]} == {
            w.orgs[t]["id"] for t in seen}, (who, messages)


async def test_regions_are_reference_data_everyone_reads_but_only_within_scope_writes(
        world: World) -> None:
    w = world
    for who in PRINCIPALS:
        codes = {r["code"] for r in (await w.gw.ok("GET", "/api/v1/regions", w.keys[who]))["items"]}
        assert {CITY, LIXIA, SHIZHONG} <= codes, who
        r = await w.gw.call("POST", "/api/v1/regions", w.keys[who], json={
            "code": "370104", "name": "槐荫区", "parent_code": CITY})
        assert r.status_code == (201 if who in ("city", "province") else 403), (who, r.text)
        if r.status_code == 201:
            await w.gw.ok("GET", "/api/v1/regions/370104", w.keys[who])
            break  # made once; the province would answer 409


async def test_keys_webhooks_and_audit_stay_with_their_managers(world: World) -> None:
    w = world
    for who in SUPERVISORS:
        listed = await w.listed(who, "/api/v1/keys", limit=200) & set(w.ids["keys"].values())
        assert listed == w.visible("keys", who), who
        for tag, key_id in w.hidden("keys", who).items():
            r = await w.gw.call("GET", f"/api/v1/keys/{key_id}", w.keys[who])
            assert r.status_code == 404, (who, tag)
    assert (await w.gw.call("GET", "/api/v1/keys", w.keys["unit"])).status_code == 403

    owners = {"lixia_system": "lx", "shizhong_system": "sz"}
    for who, tag in owners.items():
        listed = {s["id"] for s in (await w.gw.ok("GET", "/api/v1/webhooks", w.keys[who]))["items"]}
        assert listed == {w.ids["webhooks"][tag]}, who
        for other, sub in w.ids["webhooks"].items():
            if other == tag:
                continue
            for method, url, body in (("GET", "/api/v1/webhooks/{id}", None),
                                      ("PATCH", "/api/v1/webhooks/{id}", {"description": "越权"}),
                                      ("GET", "/api/v1/webhooks/{id}/deliveries", None),
                                      ("DELETE", "/api/v1/webhooks/{id}", None)):
                r = await w.gw.call(method, url.format(id=sub), w.keys[who], json=body)
                assert r.status_code == 404, (who, method, url, r.status_code)
    for who in PRINCIPALS:  # webhooks belong to integrations; the audit log to administrators
        assert (await w.gw.call("GET", "/api/v1/webhooks", w.keys[who])).status_code == 403, who
        assert (await w.gw.call("GET", "/api/v1/audit", w.keys[who])).status_code == 403, who
    assert (await w.gw.ok("GET", "/api/v1/audit"))["items"]


async def test_a_unit_answers_only_its_own(world: World) -> None:
    w = world
    unit = w.keys["unit"]
    own_item, own_message = w.ids["rectifications"]["lxu"], w.ids["error-reports"]["lxu"]
    reported = await w.gw.ok("POST", f"/api/v1/rectifications/{own_item}/report", unit,
                             json={"note": "已改正错别字"})
    assert reported["status"] in ("rechecking", "reported"), reported
    answered = await w.gw.ok("POST", f"/api/v1/error-reports/{own_message}/answer", unit,
                             json={"answer": "感谢指正，已更正。"})
    assert answered["status"] == "answered"
    findings = await w.listed("unit", "/api/v1/findings", limit=200)
    assert findings == {w.ids["findings"]["lxu"]}
    for tag in ("lx", "sz"):
        for url, body in ((f"/api/v1/rectifications/{w.ids['rectifications'][tag]}/report",
                           {"note": "越权"}),
                          (f"/api/v1/error-reports/{w.ids['error-reports'][tag]}/answer",
                           {"answer": "越权"})):
            r = await w.gw.call("POST", url, unit, json=body)
            assert r.status_code == 404, (url, r.status_code, r.text)


async def test_shared_configuration_is_changed_only_by_its_maker(world: World) -> None:
    """Local rule profiles and word entries are read by everyone and named by any run: another
    county's supervisor may not replace or delete what 历下区 made."""
    w = world
    body = {"name": "lixia_local", "description": "历下区本地配置", "overrides": {}}
    await w.gw.ok("PUT", "/api/v1/profiles/lixia_local", w.keys["lixia"], json=body)
    entry = await w.gw.ok("POST", "/api/v1/wordlists/typo", w.keys["lixia"],
                          json={"wrong": "按步就班", "right": "按部就班", "region_code": LIXIA})
    for who in PRINCIPALS:
        names = {p["name"] for p in await w.gw.ok("GET", "/api/v1/profiles", w.keys[who])}
        assert "lixia_local" in names, who
        if who == "lixia":
            continue
        r = await w.gw.call("PUT", "/api/v1/profiles/lixia_local", w.keys[who],
                            json={**body, "description": "越权修改"})
        assert r.status_code == 403, (who, r.status_code, r.text)
        r = await w.gw.call("DELETE", f"/api/v1/wordlists/typo/{entry['id']}", w.keys[who])
        assert r.status_code == 403, (who, r.status_code, r.text)
    assert (await w.gw.ok("GET", "/api/v1/profiles/lixia_local"))["description"] == "历下区本地配置"
    r = await w.gw.call("DELETE", f"/api/v1/wordlists/typo/{entry['id']}", w.keys["lixia"])
    assert r.status_code == 204, r.text


async def test_an_error_report_cannot_be_pinned_on_another_countys_unit(world: World) -> None:
    """历下区's integration names 市中区's site but claims it lies in 历下区."""
    w, site = world, world.sites["sz"]
    r = await w.gw.call("POST", "/api/v1/error-reports", w.keys["lixia_system"], json={
        "website": {"id": site["id"], "site_code": site["site_code"], "name": site["name"],
                    "organisation_id": site["organisation_id"], "organisation_name": ORGS["sz"][0],
                    "region_code": LIXIA}, "category": "typo", "content": "冒名留言"})
    assert r.status_code == 422, r.text


# National reference data: (method, URL, body, what the national administrator gets). Every
# other principal — county, city and province supervisors, a unit, an integration, and an
# administrator whose scope is one county — gets 403, and nothing changes.
NATIONAL_WRITES: list[tuple[str, str, dict[str, Any], int]] = [
    ("PUT", "/api/v1/calendar/years/2026", {
        "holidays": ["2026-01-01", "2026-02-16", "2026-02-17"], "workdays": [],
        "note": "越权替换的全年安排"}, 200),
    ("PUT", "/api/v1/calendar/years/2027", {"holidays": ["2027-01-01"], "workdays": []}, 200),
    ("POST", "/api/v1/wordlists/typo", {"wrong": "按步就班", "right": "按部就班"}, 201),
    ("POST", "/api/v1/wordlists/expression", {"wrong": "中国特色社会注意",
                                              "right": "中国特色社会主义"}, 201),
    ("PUT", "/api/v1/profiles/national_2019", {"name": "national_2019", "overrides": {}}, 409),
]


async def test_national_reference_data_is_written_only_by_a_national_administrator(
        world: World) -> None:
    """A county key replaced the 2026 calendar and added typo entries for every region."""
    w = world
    w.keys["lixia_admin"] = await w.gw.key(["administrator"], regions=[LIXIA])
    before = await w.gw.ok("GET", "/api/v1/calendar/years/2026")
    deadline = await w.gw.ok("GET", "/api/v1/calendar/add-working-days",
                             params={"start": "2026-01-30", "days": 3})
    for who in (*PRINCIPALS, "channel", "lixia_system", "lixia_admin"):
        for method, url, body, _ in NATIONAL_WRITES:
            r = await w.gw.call(method, url, w.keys[who], json=body)
            assert r.status_code == 403, (who, method, url, r.status_code, r.text)
    assert await w.gw.ok("GET", "/api/v1/calendar/years/2026") == before
    assert await w.gw.ok("GET", "/api/v1/calendar/add-working-days",
                         params={"start": "2026-01-30", "days": 3}) == deadline
    assert (await w.gw.call("GET", "/api/v1/calendar/years/2027")).status_code == 422
    for name in ("typo", "expression"):
        assert await w.gw.ok("GET", f"/api/v1/wordlists/{name}") == [], name
    for method, url, body, expected in NATIONAL_WRITES[1:]:
        r = await w.gw.call(method, url, json=body)
        assert r.status_code == expected, (method, url, r.status_code, r.text)


async def test_regional_word_entries_are_written_within_scope(world: World) -> None:
    """Each supervisor adds entries for a region it holds (201) and none for one outside (422)."""
    w = world
    regions = {"lixia": LIXIA, "shizhong": SHIZHONG, "city": CITY, "province": PROVINCE}
    for n, (who, own) in enumerate(regions.items()):
        for region in (LIXIA, SHIZHONG, CITY, PROVINCE):
            r = await w.gw.call("POST", "/api/v1/wordlists/typo", w.keys[who], json={
                "wrong": f"按步就班{n}{region}", "right": f"按部就班{n}{region}",
                "region_code": region})
            inside = region.startswith(region_prefix(own))
            assert r.status_code == (201 if inside else 422), (who, region, r.status_code, r.text)
    for who in ("unit", "channel", "lixia_system"):  # roles that keep no word lists
        r = await w.gw.call("POST", "/api/v1/wordlists/typo", w.keys[who], json={
            "wrong": "按步就班", "right": "按部就班", "region_code": LIXIA})
        assert r.status_code == 403, (who, r.status_code, r.text)
