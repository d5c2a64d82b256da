"""Lifecycles of websites and accounts: every action filed, illegal ones refused with 409."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.registry.tables import OutboxEvent
from tests.registry.factories import JINAN, Registry, account, org, region_tree, site


async def _file(reg: Registry, kind: str, row_id: str, body: dict) -> dict:
    reg.clock.advance(timedelta(minutes=1))
    etag = (await reg.call("GET", f"/{kind}/{row_id}")).headers["etag"]
    return dict(await reg.ok("POST", f"/{kind}/{row_id}/filings", json=body,
                             headers={"If-Match": etag}))


async def _events(reg: Registry) -> list[str]:
    async with reg.app.state.sessionmaker() as s:
        rows = (await s.execute(select(OutboxEvent).order_by(OutboxEvent.occurred_at))).scalars()
        return [e.name for e in rows]


async def test_website_goes_through_every_stage_and_each_is_filed(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    o = await org(registry)
    s = await site(registry, o, status="planned", domain="old.lixia.gov.cn")
    sid = s["id"]
    await _file(registry, "websites", sid, {"action": "open"})
    await _file(registry, "websites", sid, {"action": "change", "changes": {"name": "历下区政府网"}})
    await _file(registry, "websites", sid, {"action": "migrate", "changes": {
        "domains": ["www.lixia.gov.cn"], "home_url": "https://www.lixia.gov.cn/"}})
    await _file(registry, "websites", sid, {"action": "announce_closure", "note": "拟整合"})
    await _file(registry, "websites", sid, {"action": "close"})
    await _file(registry, "websites", sid, {"action": "deregister"})

    final = await registry.ok("GET", f"/websites/{sid}")
    assert final["status"] == "deregistered"
    assert final["name"] == "历下区政府网"
    assert final["domains"] == ["www.lixia.gov.cn"]

    filings = await registry.ok("GET", f"/websites/{sid}/filings")
    assert [(f["action"], f["from_status"], f["to_status"]) for f in filings] == [
        ("register", None, "planned"), ("open", "planned", "running"),
        ("change", "running", "running"), ("migrate", "running", "running"),
        ("announce_closure", "running", "closing"), ("close", "closing", "closed"),
        ("deregister", "closed", "deregistered")]
    migrate = filings[3]
    assert migrate["before"]["domains"] == ["old.lixia.gov.cn"]
    assert migrate["after"]["domains"] == ["www.lixia.gov.cn"]
    assert all(f["filed_by"].startswith("admin") for f in filings)

    assert await _events(registry) == [
        "website.registered", "website.opened", "website.changed", "website.migrated",
        "website.closure_announced", "website.closed", "website.deregistered"]


async def test_closing_a_deregistered_site_is_409_naming_allowed_states(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    s = await site(registry, await org(registry), status="planned")
    await _file(registry, "websites", s["id"], {"action": "deregister"})
    etag = (await registry.call("GET", f"/websites/{s['id']}")).headers["etag"]
    r = await registry.call("POST", f"/websites/{s['id']}/filings", json={"action": "close"},
                            headers={"If-Match": etag})
    assert r.status_code == 409
    problem = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert problem["title"] == "当前状态不允许此操作"
    assert problem["allowed_next_states"] == []
    assert "已注销" in problem["detail"]
    filings = await registry.ok("GET", f"/websites/{s['id']}/filings")
    assert [f["action"] for f in filings] == ["register", "deregister"]


async def test_running_site_cannot_be_deregistered_without_closing(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    s = await site(registry, await org(registry))
    etag = (await registry.call("GET", f"/websites/{s['id']}")).headers["etag"]
    r = await registry.call("POST", f"/websites/{s['id']}/filings",
                            json={"action": "deregister"}, headers={"If-Match": etag})
    assert r.status_code == 409
    assert r.json()["allowed_next_states"] == ["closed", "closing", "running"]


async def test_closure_can_be_withdrawn_and_closed_site_reopened(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    s = await site(registry, await org(registry))
    await _file(registry, "websites", s["id"], {"action": "announce_closure"})
    await _file(registry, "websites", s["id"], {"action": "open", "note": "撤销关停"})
    await _file(registry, "websites", s["id"], {"action": "close"})
    await _file(registry, "websites", s["id"], {"action": "open", "note": "重新开通"})
    assert (await registry.ok("GET", f"/websites/{s['id']}"))["status"] == "running"


async def test_account_lifecycle_and_events(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    o = await org(registry)
    a = await account(registry, o, platform="wechat_subscription", status="planned")
    await _file(registry, "accounts", a["id"], {"action": "open"})
    await _file(registry, "accounts", a["id"], {"action": "change", "changes": {"name": "历下发布"}})
    await _file(registry, "accounts", a["id"], {"action": "close"})
    await _file(registry, "accounts", a["id"], {"action": "deregister"})
    got = await registry.ok("GET", f"/accounts/{a['id']}")
    assert got["status"] == "deregistered" and got["name"] == "历下发布"
    assert got["platform_label"] == "微信公众号（订阅号）"
    filings = await registry.ok("GET", f"/accounts/{a['id']}/filings")
    assert [f["action"] for f in filings] == ["register", "open", "change", "close", "deregister"]
    assert filings[2]["before"]["name"] != "历下发布" and filings[2]["after"]["name"] == "历下发布"
    assert await _events(registry) == ["account.registered", "account.opened", "account.changed",
                                       "account.closed", "account.deregistered"]


async def test_change_without_changes_and_close_with_changes_are_refused(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    s = await site(registry, await org(registry))
    etag = (await registry.call("GET", f"/websites/{s['id']}")).headers["etag"]
    for body in ({"action": "change"}, {"action": "close", "changes": {"name": "新名称"}},
                 {"action": "change", "changes": {"name": s["name"]}},
                 {"action": "register"}):
        r = await registry.call("POST", f"/websites/{s['id']}/filings", json=body,
                                headers={"If-Match": etag})
        assert r.status_code == 422, body
        assert r.json()["title"] == "请求参数无效"
    assert len(await registry.ok("GET", f"/websites/{s['id']}/filings")) == 1
