"""Routing: /api/v1 reaches the owning service as exactly the key's principal, never a smuggled
one; upstream answers pass through unchanged; a service that is down answers 503."""

from __future__ import annotations

from typing import Any

from gateway.config import default_routes
from gateway.proxy.upstream import RouteTable, owner_of
from shared.principal import PRINCIPAL_HEADER, Principal, Role, sign_principal, verify_principal
from tests.gateway.conftest import Gateway, OpenGateway
from tests.registry.factories import ADMIN, JINAN, SECRET, org, region_tree, site

LIXIA, SHIZHONG = "370102", "370103"


async def _two_counties(gw: Gateway) -> dict[str, Any]:
    reg = gw.registry
    await region_tree(reg, *JINAN)
    lx, sz = await org(reg, LIXIA), await org(reg, SHIZHONG)
    return {"lx": lx, "sz": sz, "lx_site": await site(reg, lx), "sz_site": await site(reg, sz)}


async def test_a_county_key_sees_only_its_county(gateway: Gateway) -> None:
    w = await _two_counties(gateway)
    lixia = await gateway.key(["supervisor"], regions=[LIXIA])
    sites = await gateway.ok("GET", "/api/v1/websites", lixia)
    assert [s["id"] for s in sites["items"]] == [w["lx_site"]["id"]]
    assert (await gateway.ok("GET", f"/api/v1/websites/{w['lx_site']['id']}", lixia))["name"]
    r = await gateway.call("GET", f"/api/v1/websites/{w['sz_site']['id']}", lixia)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["title"] == "资源不存在"
    # The same id exists: the administrator sees it.
    assert (await gateway.call("GET", f"/api/v1/websites/{w['sz_site']['id']}")).status_code == 200


async def test_the_upstream_gets_exactly_the_keys_principal_and_no_credentials(
        gateway: Gateway) -> None:
    lixia = await gateway.key(["viewer"], regions=[LIXIA])
    r = await gateway.call("GET", "/api/v1/regions", lixia, params={"parent": "370000"}, headers={
        "X-Request-ID": "req-gw-0001", "Connection": "x-hop-secret", "X-Hop-Secret": "1",
        "Keep-Alive": "timeout=5", "Proxy-Authorization": "Basic eDp5", "X-Custom": "kept"})
    assert r.status_code == 200, r.text
    assert r.headers.get_list("x-request-id") == ["req-gw-0001"]
    sent = gateway.seen[-1]
    assert sent.url.path == "/regions" and sent.url.params["parent"] == "370000"
    assert sent.headers["x-request-id"] == "req-gw-0001"
    assert sent.headers["x-custom"] == "kept"
    for gone in ("authorization", "x-api-key", "x-hop-secret", "keep-alive", "proxy-authorization"):
        assert gone not in sent.headers, gone
    now = gateway.clock.now().timestamp()
    principal = verify_principal(sent.headers[PRINCIPAL_HEADER], SECRET, now)
    assert principal.roles == [Role.viewer] and principal.regions == [LIXIA]
    assert principal.all_regions is False and principal.organisations == []
    assert principal.expires_at is not None and now < principal.expires_at <= now + 300


async def test_a_smuggled_principal_header_is_ignored(gateway: Gateway) -> None:
    w = await _two_counties(gateway)
    viewer = await gateway.key(["viewer"], regions=[LIXIA])
    forged = sign_principal(Principal(subject="evil", roles=[Role.administrator],
                                      all_regions=True), SECRET)
    smuggle = {PRINCIPAL_HEADER: forged}
    sites = await gateway.ok("GET", "/api/v1/websites", viewer, headers=smuggle)
    assert [s["id"] for s in sites["items"]] == [w["lx_site"]["id"]]
    r = await gateway.call("POST", "/api/v1/organisations", viewer, headers=smuggle, json={
        "name": "冒名单位", "kind": "county_department", "region_code": LIXIA})
    assert r.status_code == 403
    assert gateway.seen[-1].headers[PRINCIPAL_HEADER] != forged
    # Without a key, the header alone gets nobody in.
    r = await gateway.client.get("/api/v1/websites", headers=smuggle)
    assert r.status_code == 401


async def test_a_viewer_cannot_write_and_the_services_403_passes_through(gateway: Gateway) -> None:
    await region_tree(gateway.registry, *JINAN)
    viewer = await gateway.key(["viewer"], all_regions=True)
    r = await gateway.call("POST", "/api/v1/organisations", viewer, json={
        "name": "历下区某局", "kind": "county_department", "region_code": LIXIA})
    assert r.status_code == 403
    assert r.json()["title"] == "无权执行此操作"
    assert "viewer" in r.json()["detail"]
    assert (await gateway.ok("GET", "/api/v1/organisations", viewer))["total"] == 0


async def test_an_upstream_problem_arrives_unchanged(gateway: Gateway) -> None:
    bad = {"site_code": "37010", "name": "", "kind": "portal", "domains": [], "home_url": "ftp://x"}
    via = await gateway.call("POST", "/api/v1/websites", json=bad)
    direct = await gateway.registry.client.post("/websites", json=bad, headers=ADMIN)
    assert via.status_code == direct.status_code == 422
    assert via.content == direct.content
    for name in ("content-type", "content-length"):
        assert via.headers[name] == direct.headers[name]
    assert via.json()["title"] == "请求参数无效"


async def test_a_download_passes_through_with_its_headers(gateway: Gateway) -> None:
    await _two_counties(gateway)
    via = await gateway.call("GET", "/api/v1/websites/export", params={"format": "csv"})
    direct = await gateway.registry.client.get("/websites/export", params={"format": "csv"},
                                               headers=ADMIN)
    assert via.status_code == 200
    assert via.content.startswith("\ufeff".encode())
    assert len(via.content) == len(direct.content)
    assert via.headers["content-disposition"] == direct.headers["content-disposition"]


async def test_a_service_that_is_down_answers_503_with_retry_after(gateway: Gateway) -> None:
    r = await gateway.call("GET", "/api/v1/circulars")
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5"
    body = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert body["title"] == "服务暂不可用" and body["service"] == "reporting"
    assert "reporting" in body["detail"]
    ready = await gateway.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["upstreams"]["registry"] == "ok"
    assert ready.json()["upstreams"]["reporting"].startswith("error")
    assert (await gateway.client.get("/healthz")).json()["status"] == "ok"


async def test_each_resource_reaches_its_owner(full_gateway: Gateway) -> None:
    gw = full_gateway
    assert (await gw.ok("GET", "/api/v1/regions", params={"parent": "370000"})) is not None
    profiles = await gw.ok("GET", "/api/v1/profiles")
    assert isinstance(profiles, list) and profiles
    assert await gw.ok("GET", "/api/v1/circulars") == []
    assert (await gw.ok("GET", "/api/v1/findings"))["total"] == 0
    assert {r.url.host for r in gw.seen} == {"registry"}  # the others went to their own apps
    ready = (await gw.client.get("/readyz")).json()
    assert ready["status"] == "ready" and set(ready["upstreams"].values()) == {"ok"}
    r = await gw.call("GET", "/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["title"] == "资源不存在"


async def test_a_body_over_the_limit_answers_413(open_gateway: OpenGateway) -> None:
    async with open_gateway(max_body_bytes=1024) as gw:
        body = {"name": "历下区" + "某" * 1000, "kind": "county_department", "region_code": LIXIA}
        r = await gw.call("POST", "/api/v1/organisations", json=body)
        assert r.status_code == 413
        assert r.json()["title"] == "请求内容过大"
        r = await gw.call("POST", "/api/v1/organisations", json=body,
                          headers={"Idempotency-Key": "big-1"})
        assert r.status_code == 413


async def test_routes_mounted_in_the_gateway_see_the_authenticated_caller(gateway: Gateway) -> None:
    integration = await gateway.key(["integration"], regions=[LIXIA])
    r = await gateway.call("GET", "/api/v1/webhooks", integration)
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 0
    forged = sign_principal(Principal(subject="evil", roles=[Role.integration], regions=[LIXIA]),
                            SECRET)
    r = await gateway.client.get("/api/v1/webhooks", headers={PRINCIPAL_HEADER: forged})
    assert r.status_code == 401


def test_the_longest_route_wins_so_pushed_posts_reach_the_checker() -> None:
    routes = default_routes()
    assert owner_of("accounts", routes) == "registry"
    assert owner_of("accounts/6f1c9e0a-6f7e-4a45-9a0c-4b8f1d2e3a11", routes) == "registry"
    assert owner_of("accounts/6f1c9e0a-6f7e-4a45-9a0c-4b8f1d2e3a11/filings", routes) == "registry"
    assert owner_of("accounts/6f1c9e0a-6f7e-4a45-9a0c-4b8f1d2e3a11/posts", routes) == "checker"
    assert owner_of("posts:bulk", routes) == "checker"
    assert owner_of("runs/1/tasks", routes) == "checker"
    assert owner_of("nothing-here", routes) is None


def test_the_proxys_route_table_picks_the_owner_owner_of_picks() -> None:
    routes = {"*/export": "reporting", **default_routes()}
    table = RouteTable(routes)
    for path in ("accounts", "accounts/1", "accounts/1/posts", "accounts/1/export", "posts:bulk",
                 "runs/1/tasks", "websites/export", "nothing-here", "nothing-here/export", ""):
        assert table.owner(path) == owner_of(path, routes), path
