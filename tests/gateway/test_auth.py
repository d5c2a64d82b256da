"""Authentication: API keys shown once and stored hashed, rotation, revocation, scope-bounded
minting, OAuth2 client credentials with short-lived JWTs, and the bootstrap administrator key."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import timedelta

import httpx
import jwt
from asgi_lifespan import LifespanManager
from sqlalchemy import select

from gateway.auth.models import ApiKey
from gateway.bootstrap import bootstrap
from gateway.main import create_app
from gateway.webhooks.delivery import WebhookSettings
from tests.gateway.conftest import Gateway, OpenGateway
from tests.registry.factories import JINAN, org, region_tree, site

LIXIA, SHIZHONG, JINAN_CITY = "370102", "370103", "370100"


async def _key_rows(gw: Gateway) -> list[ApiKey]:
    async with gw.app.state.sessionmaker() as session:
        return list((await session.scalars(select(ApiKey))).all())


async def test_a_key_revoked_through_another_gateway_stops_within_the_cache_ttl(
        open_gateway: OpenGateway) -> None:
    """Two gateway processes on one database: each keeps verified keys for credential_cache_s.
    A key revoked through one stops working in the other once its entry ages out, and not
    later (the cache's clock is stepped, so the bound is exact and needs no waiting)."""
    ttl = 10.0
    async with open_gateway(credential_cache_s=ttl) as gw:
        key = await gw.key(["viewer"], all_regions=True)
        created = (await gw.ok("GET", "/api/v1/me", key))["subject"]
        other = create_app(gw.app.state.settings, gw.clock,
                           {"registry": httpx.ASGITransport(app=gw.registry.app)})
        async with LifespanManager(other), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=other), base_url="http://gateway") as client:
            now = [1000.0]
            other.state.credentials.monotonic = lambda: now[0]
            auth = {"Authorization": f"Bearer {key}"}

            async def status() -> int:
                return (await client.get("/api/v1/me", headers=auth)).status_code

            assert await status() == 200  # verified once: kept for ttl seconds
            key_id = created.removeprefix("apikey:")
            listed = {k["id"].replace("-", ""): k["id"] for k in
                      (await gw.ok("GET", "/api/v1/keys"))["items"]}
            assert (await gw.call("DELETE", f"/api/v1/keys/{listed[key_id]}")).status_code == 204
            assert (await gw.call("GET", "/api/v1/me", key)).status_code == 401  # at once here
            now[0] += ttl - 0.5
            assert await status() == 200  # the other process still trusts it, within the TTL
            now[0] += 0.5
            assert await status() == 401  # and no longer once the TTL has passed
            # Many callers at once with a key the cache does not hold: all answered alike.
            fresh = await gw.key(["viewer"], all_regions=True)
            answers = await asyncio.gather(*(client.get(
                "/api/v1/me", headers={"Authorization": f"Bearer {fresh}"}) for _ in range(20)))
            assert {r.status_code for r in answers} == {200}


async def test_a_key_is_shown_once_and_stored_only_as_a_hash(gateway: Gateway) -> None:
    r = await gateway.call("POST", "/api/v1/keys", json={
        "name": "历下区政务公开办", "roles": ["supervisor"], "regions": [LIXIA]})
    assert r.status_code == 201, r.text
    assert r.headers["cache-control"] == "no-store"
    created = r.json()
    secret = created["secret"]
    assert secret.startswith(f"gik_{created['id'].replace('-', '')}_")
    assert created["status"] == "active" and created["regions"] == [LIXIA]

    shown = await gateway.ok("GET", f"/api/v1/keys/{created['id']}")
    assert "secret" not in shown and secret not in json.dumps(shown)
    assert shown["display"].endswith(secret[-4:])
    listing = await gateway.ok("GET", "/api/v1/keys")
    assert secret not in json.dumps(listing)
    assert created["id"] in {k["id"] for k in listing["items"]}

    random_part = secret.split("_", 2)[2]
    for row in await _key_rows(gateway):
        stored = json.dumps(row.model_dump(mode="json"))
        assert secret not in stored and random_part not in stored

    me = await gateway.ok("GET", "/api/v1/me", secret)
    assert me["roles"] == ["supervisor"] and me["regions"] == [LIXIA]
    assert me["all_regions"] is False
    # X-API-Key works as well as the bearer form.
    r = await gateway.client.get("/api/v1/me", headers={"X-API-Key": secret})
    assert r.status_code == 200


async def test_revoked_and_rotated_secrets_answer_401(gateway: Gateway) -> None:
    created = await gateway.ok("POST", "/api/v1/keys", json={
        "name": "省数据对接", "roles": ["integration"], "all_regions": True})
    old = created["secret"]
    # In use (so the gateway holds it as verified) until the moment it is rotated.
    assert (await gateway.call("GET", "/api/v1/me", old)).status_code == 200
    rotated = await gateway.ok("POST", f"/api/v1/keys/{created['id']}/rotate")
    new = rotated["secret"]
    assert new != old and rotated["rotated_at"] is not None

    r = await gateway.call("GET", "/api/v1/me", old)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["title"] == "未通过身份认证"
    assert (await gateway.call("GET", "/api/v1/me", new)).status_code == 200

    assert (await gateway.call("DELETE", f"/api/v1/keys/{created['id']}")).status_code == 204
    assert (await gateway.call("GET", "/api/v1/me", new)).status_code == 401
    assert created["id"] not in {k["id"] for k in (await gateway.ok("GET", "/api/v1/keys"))["items"]}
    revoked = await gateway.ok("GET", "/api/v1/keys", params={"include_revoked": "true"})
    assert {k["id"]: k["status"] for k in revoked["items"]}[created["id"]] == "revoked"
    r = await gateway.call("POST", f"/api/v1/keys/{created['id']}/rotate")
    assert r.status_code == 409


async def test_requests_without_a_valid_credential_answer_401(gateway: Gateway) -> None:
    r = await gateway.client.get("/api/v1/websites")
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["type"].endswith("/unauthorized")
    for bad in ("gik_0000_nothing", "gik_" + "ab" * 16 + "_forged", "not-a-jwt"):
        assert (await gateway.call("GET", "/api/v1/websites", bad)).status_code == 401, bad
    r = await gateway.client.get("/api/v1/websites", headers={"Authorization": "Basic eDp5"})
    assert r.status_code == 401


async def test_a_city_supervisor_cannot_mint_beyond_its_city(gateway: Gateway) -> None:
    city_key = await gateway.ok("POST", "/api/v1/keys", json={
        "name": "济南市政务公开办", "roles": ["supervisor"], "regions": [JINAN_CITY]})
    city = city_key["secret"]
    for body, why in (({"regions": ["370000"]}, "370000"),
                      ({"all_regions": True}, "全部区划"),
                      ({"regions": ["320100"]}, "320100")):
        r = await gateway.call("POST", "/api/v1/keys", city, json={
            "name": "越权密钥", "roles": ["viewer"], **body})
        assert r.status_code == 403, body
        assert why in r.json()["detail"]
    r = await gateway.call("POST", "/api/v1/keys", city, json={
        "name": "越权管理员", "roles": ["administrator"], "regions": [LIXIA]})
    assert r.status_code == 403
    assert "administrator" in r.json()["detail"]

    county = await gateway.ok("POST", "/api/v1/keys", city, json={
        "name": "历下区查看", "roles": ["viewer"], "regions": [LIXIA]})
    # A viewer cannot manage keys; the city sees the keys inside the city, its own included.
    r = await gateway.call("POST", "/api/v1/keys", county["secret"], json={
        "name": "再发密钥", "roles": ["viewer"], "regions": [LIXIA]})
    assert r.status_code == 403
    listed = await gateway.ok("GET", "/api/v1/keys", city)
    assert {k["id"] for k in listed["items"]} == {county["id"], city_key["id"]}
    lixia_sup = await gateway.key(["supervisor"], regions=[LIXIA])
    for method in ("GET", "DELETE"):
        r = await gateway.call(method, f"/api/v1/keys/{city_key['id']}", lixia_sup)
        assert r.status_code == 404
    assert (await gateway.call("GET", "/api/v1/me", city)).status_code == 200


async def test_an_organisation_key_must_name_an_organisation_in_scope(gateway: Gateway) -> None:
    reg = gateway.registry
    await region_tree(reg, *JINAN)
    lx, sz = await org(reg, LIXIA), await org(reg, SHIZHONG)
    lx_site, _ = await site(reg, lx), await site(reg, sz)
    lixia = await gateway.key(["supervisor"], regions=[LIXIA])
    r = await gateway.call("POST", "/api/v1/keys", lixia, json={
        "name": "市中区某单位", "roles": ["unit"], "organisations": [sz["id"]]})
    assert r.status_code == 422
    assert sz["id"] in r.json()["detail"]
    unit = await gateway.ok("POST", "/api/v1/keys", lixia, json={
        "name": "历下区某单位", "roles": ["unit"], "organisations": [lx["id"]]})
    sites = await gateway.ok("GET", "/api/v1/websites", unit["secret"])
    assert [s["id"] for s in sites["items"]] == [lx_site["id"]]
    # The county supervisor manages the unit key it made (its organisation lies in the county).
    assert unit["id"] in {k["id"] for k in (await gateway.ok("GET", "/api/v1/keys", lixia))["items"]}


async def _client(gw: Gateway, **scope: object) -> dict[str, str]:
    return dict(await gw.ok("POST", "/api/v1/clients", json={
        "name": "省级报送系统", "roles": ["integration"], **scope}))


async def _token(gw: Gateway, client: dict[str, str]) -> str:
    r = await gw.client.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client["client_id"],
        "client_secret": client["client_secret"]})
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600
    return str(body["access_token"])


async def test_client_credentials_issue_a_jwt_carrying_the_principal(gateway: Gateway) -> None:
    reg = gateway.registry
    await region_tree(reg, *JINAN)
    lx_site, _ = await site(reg, await org(reg, LIXIA)), await site(reg, await org(reg, SHIZHONG))
    client = await _client(gateway, regions=[LIXIA])
    assert client["client_id"].startswith("gic_") and client["client_secret"].startswith("gics_")
    token = await _token(gateway, client)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["roles"] == ["integration"] and claims["regions"] == [LIXIA]
    assert claims["exp"] - claims["iat"] == 600

    me = await gateway.ok("GET", "/api/v1/me", token)
    assert me["subject"] == f"client:{client['client_id']}"
    sites = await gateway.ok("GET", "/api/v1/websites", token)
    assert [s["id"] for s in sites["items"]] == [lx_site["id"]]

    basic = base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()
    r = await gateway.client.post("/oauth/token", data={"grant_type": "client_credentials"},
                                  headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 200
    r = await gateway.client.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client["client_id"],
        "client_secret": "gics_wrong"})
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    r = await gateway.client.post("/oauth/token", data={"grant_type": "password"})
    assert r.status_code == 400
    assert r.json()["error"] == "unsupported_grant_type"


async def test_expired_and_tampered_tokens_answer_401(gateway: Gateway) -> None:
    client = await _client(gateway, all_regions=True)
    token = await _token(gateway, client)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["administrator"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    r = await gateway.call("GET", "/api/v1/me", f"{header}.{forged}.{signature}")
    assert r.status_code == 401
    assert "签名" in r.json()["detail"]
    other = jwt.encode(claims, "someone-elses-secret-also-32-bytes-long", algorithm="HS256")
    assert (await gateway.call("GET", "/api/v1/me", other)).status_code == 401

    assert (await gateway.call("GET", "/api/v1/me", token)).status_code == 200
    gateway.clock.advance(timedelta(seconds=601))
    r = await gateway.call("GET", "/api/v1/me", token)
    assert r.status_code == 401
    assert "过期" in r.json()["detail"]


async def test_rotating_or_revoking_a_client_ends_its_tokens(gateway: Gateway) -> None:
    client = await _client(gateway, all_regions=True)
    token = await _token(gateway, client)
    rotated = await gateway.ok("POST", f"/api/v1/clients/{client['client_id']}/rotate")
    assert (await gateway.call("GET", "/api/v1/me", token)).status_code == 401
    fresh = await _token(gateway, {**client, "client_secret": rotated["client_secret"]})
    assert (await gateway.call("GET", "/api/v1/me", fresh)).status_code == 200
    r = await gateway.call("DELETE", f"/api/v1/clients/{client['client_id']}")
    assert r.status_code == 204
    assert (await gateway.call("GET", "/api/v1/me", fresh)).status_code == 401
    r = await gateway.client.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client["client_id"],
        "client_secret": rotated["client_secret"]})
    assert r.status_code == 401


async def test_bootstrap_makes_one_administrator_key_and_keeps_it_private(gateway: Gateway) -> None:
    path = gateway.var / "admin.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text().strip() == gateway.admin
    me = await gateway.ok("GET", "/api/v1/me")
    assert me["roles"] == ["administrator"] and me["all_regions"] is True

    again = await bootstrap(gateway.app.state.settings, gateway.var, gateway.clock)
    assert again.created is False and again.key is None and again.path == path
    assert path.read_text().strip() == gateway.admin
    assert len(await _key_rows(gateway)) == 1


async def test_a_key_stops_working_when_it_expires(gateway: Gateway) -> None:
    # 2026-11-20 18:00 without an offset is Shanghai time: eight hours after the fixed "now".
    key = await gateway.key(["viewer"], all_regions=True, expires_at="2026-11-20T18:00:00")
    assert (await gateway.call("GET", "/api/v1/me", key)).status_code == 200
    gateway.clock.advance(timedelta(hours=8))
    assert (await gateway.call("GET", "/api/v1/me", key)).status_code == 401
    r = await gateway.call("POST", "/api/v1/keys", json={
        "name": "过期密钥", "roles": ["viewer"], "all_regions": True,
        "expires_at": "2026-11-20T17:00:00+08:00"})
    assert r.status_code == 422
    assert "expires_at" in r.json()["detail"]


async def test_revoking_a_key_or_client_pauses_its_webhook_subscriptions(
        open_gateway: OpenGateway) -> None:
    hooks = WebhookSettings(allowed_private_networks=["127.0.0.0/8"])
    async with open_gateway(webhooks=hooks) as gw:
        key = await gw.ok("POST", "/api/v1/keys", json={
            "name": "省督办系统", "roles": ["integration"], "all_regions": True})
        client = await _client(gw, all_regions=True)
        owners = {"key": key["secret"], "client": await _token(gw, client)}
        subs = {name: await gw.ok("POST", "/api/v1/webhooks", secret, json={
            "url": "http://127.0.0.1:9/hook", "events": ["rectification.overdue"]})
            for name, secret in owners.items()}
        assert all(s["active"] for s in subs.values())

        assert (await gw.call("DELETE", f"/api/v1/keys/{key['id']}")).status_code == 204
        active = {s["id"]: s["active"] for s in (await gw.ok("GET", "/api/v1/webhooks"))["items"]}
        assert active == {subs["key"]["id"]: False, subs["client"]["id"]: True}

        r = await gw.call("DELETE", f"/api/v1/clients/{client['client_id']}")
        assert r.status_code == 204
        active = {s["id"]: s["active"] for s in (await gw.ok("GET", "/api/v1/webhooks"))["items"]}
        assert active == {subs["key"]["id"]: False, subs["client"]["id"]: False}
