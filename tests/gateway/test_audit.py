"""The audit log: every write through the gateway — who, what, when, from where, request id —
readable, filtered and paged by administrators only."""

from __future__ import annotations

from tests.gateway.conftest import Gateway
from tests.registry.factories import JINAN, region_tree

LIXIA = "370102"


async def test_every_write_is_logged_with_its_request_id(gateway: Gateway) -> None:
    await region_tree(gateway.registry, *JINAN)
    supervisor = await gateway.key(["supervisor"], regions=[LIXIA])
    viewer = await gateway.key(["viewer"], regions=[LIXIA])
    me = await gateway.ok("GET", "/api/v1/me", supervisor)

    r = await gateway.call("POST", "/api/v1/organisations", supervisor, headers={
        "X-Request-ID": "audit-create", "User-Agent": "provincial-sync/1.0"}, json={
        "name": "历下区大数据局", "kind": "county_department", "region_code": LIXIA})
    assert r.status_code == 201
    org = r.json()
    r = await gateway.call("PATCH", f"/api/v1/organisations/{org['id']}", supervisor, headers={
        "X-Request-ID": "audit-patch", "If-Match": r.headers["etag"]}, json={"name": "历下区数据局"})
    assert r.status_code == 200, r.text
    r = await gateway.call("POST", "/api/v1/organisations", viewer, headers={
        "X-Request-ID": "audit-refused"}, json={
        "name": "历下区某局", "kind": "county_department", "region_code": LIXIA})
    assert r.status_code == 403
    await gateway.ok("GET", "/api/v1/organisations", supervisor, headers={"X-Request-ID": "audit-read"})
    r = await gateway.call("DELETE", "/api/v1/keys/not-a-uuid", headers={"X-Request-ID": "audit-bad-id"})
    assert r.status_code == 422

    log = await gateway.ok("GET", "/api/v1/audit", params={"limit": 500})
    by_id = {e["request_id"]: e for e in log["items"]}
    assert "audit-read" not in by_id  # reads are not writes
    created = by_id["audit-create"]
    assert (created["method"], created["path"], created["status"]) == ("POST", "/api/v1/organisations", 201)
    assert created["subject"] == me["subject"] and created["roles"] == ["supervisor"]
    assert created["address"] == "127.0.0.1" and created["user_agent"] == "provincial-sync/1.0"
    assert created["at"].startswith("2026-11-20T02:00:00")
    assert by_id["audit-patch"]["method"] == "PATCH" and by_id["audit-patch"]["status"] == 200
    assert by_id["audit-refused"]["status"] == 403
    assert by_id["audit-bad-id"]["method"] == "DELETE"
    # The key-minting writes of the test itself are in the log as well, without their secrets.
    minted = [e for e in log["items"] if e["path"] == "/api/v1/keys"]
    assert len(minted) == 2 and all(e["status"] == 201 for e in minted)
    assert supervisor not in str(log) and viewer not in str(log)


async def test_the_log_filters_and_pages_for_administrators_only(gateway: Gateway) -> None:
    await region_tree(gateway.registry, *JINAN)
    for i in range(3):
        await gateway.ok("POST", "/api/v1/organisations", headers={
            "X-Request-ID": f"page-{i}", "Idempotency-Key": f"page-{i}"}, json={
            "name": f"历下区第{i}局", "kind": "county_department", "region_code": LIXIA})
    await gateway.ok("POST", "/api/v1/organisations", headers={
        "X-Request-ID": "page-replay", "Idempotency-Key": "page-0"}, json={
        "name": "历下区第0局", "kind": "county_department", "region_code": LIXIA})

    page = await gateway.ok("GET", "/api/v1/audit", params={
        "path": "/api/v1/organisations", "limit": 2})
    assert page["total"] == 4 and [e["request_id"] for e in page["items"]] == ["page-replay", "page-2"]
    rest = await gateway.ok("GET", "/api/v1/audit", params={
        "path": "/api/v1/organisations", "limit": 2, "offset": 2})
    assert [e["request_id"] for e in rest["items"]] == ["page-1", "page-0"]
    replay = await gateway.ok("GET", "/api/v1/audit", params={"request_id": "page-replay"})
    assert replay["total"] == 1
    assert replay["items"][0]["replayed"] is True and replay["items"][0]["idempotency_key"] == "page-0"
    assert (await gateway.ok("GET", "/api/v1/audit", params={"method": "DELETE"}))["total"] == 0
    later = await gateway.ok("GET", "/api/v1/audit", params={"since": "2026-11-20T10:00:01"})
    assert later["total"] == 0  # a time without an offset reads as Shanghai time

    supervisor = await gateway.key(["supervisor"], all_regions=True)
    r = await gateway.call("GET", "/api/v1/audit", supervisor)
    assert r.status_code == 403
    assert r.json()["title"] == "无权执行此操作"
