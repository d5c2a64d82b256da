"""Failed authentication is limited per source and per credential, every refusal (401, 403, 429)
is in the audit log, and X-Forwarded-For counts only when a configured proxy sent it."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from gateway.audit.models import AuditEntry
from tests.gateway.conftest import Gateway, OpenGateway

PROXY = {"trusted_proxies": ["127.0.0.0/8", "10.0.0.0/8"]}


def wrong_key(real: str) -> str:
    """The same key id with another secret: a guess at a known key."""
    prefix, key_id, _ = real.split("_", 2)
    return f"{prefix}_{key_id}_{'x' * 43}"


async def _audit(gw: Gateway) -> list[AuditEntry]:
    async with gw.app.state.sessionmaker() as session:
        return list((await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())


async def _from(gw: Gateway, address: str, key: str, url: str = "/api/v1/me",
                method: str = "GET", **kwargs: Any) -> httpx.Response:
    """A request that reached the gateway through the proxy on behalf of `address`."""
    return await gw.call(method, url, key, headers={"X-Forwarded-For": address}, **kwargs)


async def test_a_source_guessing_keys_is_locked_out_and_every_failure_is_audited(
        open_gateway: OpenGateway) -> None:
    async with open_gateway(auth_failures_per_source=3, auth_failures_per_credential=100,
                            **PROXY) as gw:
        victim = await gw.key(["viewer"], all_regions=True)
        for i in range(3):
            r = await _from(gw, "203.0.113.7", f"gik_{i:032x}_guess{i}")
            assert r.status_code == 401, r.text
        # Locked: even a right key from that source is refused, before it is checked.
        r = await _from(gw, "203.0.113.7", victim)
        assert r.status_code == 429, r.text
        assert r.json()["title"] == "认证失败次数过多" and int(r.headers["retry-after"]) > 0
        # Another source is not held back.
        assert (await _from(gw, "198.51.100.9", victim)).status_code == 200

        rows = [e for e in await _audit(gw) if e.address == "203.0.113.7"]
        assert [e.status for e in rows] == [401, 401, 401, 429]
        assert rows[0].subject == f"apikey:{0:032x}" and rows[0].roles == []
        assert all(e.path == "/api/v1/me" and e.method == "GET" for e in rows)
        assert victim not in str([e.model_dump() for e in rows])


async def test_guesses_at_one_key_from_many_sources_lock_that_key(
        open_gateway: OpenGateway) -> None:
    async with open_gateway(auth_failures_per_source=100, auth_failures_per_credential=3,
                            **PROXY) as gw:
        target = await gw.key(["supervisor"], all_regions=True)
        other = await gw.key(["viewer"], all_regions=True)
        for i in range(3):
            r = await _from(gw, f"203.0.113.{i + 1}", wrong_key(target))
            assert r.status_code == 401
        r = await _from(gw, "203.0.113.50", target)
        assert r.status_code == 429 and "凭证" in r.json()["detail"], r.text
        assert (await _from(gw, "203.0.113.50", other)).status_code == 200


async def test_wrong_client_secrets_are_limited_and_audited(open_gateway: OpenGateway) -> None:
    async with open_gateway(auth_failures_per_source=100, auth_failures_per_credential=2,
                            **PROXY) as gw:
        client = await gw.ok("POST", "/api/v1/clients", json={
            "name": "省级报送系统", "roles": ["integration"], "all_regions": True})
        form = {"grant_type": "client_credentials", "client_id": client["client_id"]}
        for _ in range(2):
            r = await gw.client.post("/oauth/token", data={**form, "client_secret": "gics_wrong"},
                                     headers={"X-Forwarded-For": "203.0.113.9"})
            assert r.status_code == 401 and r.json()["error"] == "invalid_client"
        r = await gw.client.post("/oauth/token", data={
            **form, "client_secret": client["client_secret"]})
        assert r.status_code == 429, r.text
        rows = [e for e in await _audit(gw) if e.path == "/oauth/token"]
        assert [e.status for e in rows] == [401, 401, 429]
        assert {e.subject for e in rows} == {f"client:{client['client_id']}"}
        assert [e.address for e in rows] == ["203.0.113.9", "203.0.113.9", "127.0.0.1"]


async def test_refused_reads_are_audited_too(open_gateway: OpenGateway) -> None:
    async with open_gateway(rate_limits={"administrator": 1000, "supervisor": 1000,
                                         "integration": 1000, "unit": 1, "viewer": 1000}) as gw:
        viewer = await gw.key(["viewer"], all_regions=True)
        assert (await gw.call("GET", "/api/v1/audit", viewer)).status_code == 403
        unit = await gw.key(["unit"], all_regions=True)
        await gw.ok("GET", "/api/v1/me", unit)
        assert (await gw.call("GET", "/api/v1/me", unit)).status_code == 429
        assert (await gw.client.get("/api/v1/regions")).status_code == 401  # no credential
        assert (await gw.call("GET", "/api/v1/regions", "gik_nonsense")).status_code == 401
        await gw.ok("GET", "/api/v1/regions", viewer)

        rows = [(e.method, e.path, e.status, e.subject == "anonymous")
                for e in await _audit(gw) if e.method == "GET"]
        assert rows == [("GET", "/api/v1/audit", 403, False), ("GET", "/api/v1/me", 429, False),
                        ("GET", "/api/v1/regions", 401, True),
                        ("GET", "/api/v1/regions", 401, True)]


async def test_forwarded_for_from_any_caller_is_ignored(open_gateway: OpenGateway) -> None:
    async with open_gateway() as gw:  # no proxies configured: the peer is the caller
        await _from(gw, "203.0.113.7", gw.admin, "/api/v1/regions", "POST",
                    json={"code": "370100", "name": "济南市", "parent_code": "370000"})
        assert [e.address for e in await _audit(gw)] == ["127.0.0.1"]
        assert gw.seen[-1].headers["x-forwarded-for"] == "127.0.0.1"


async def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
        open_gateway: OpenGateway) -> None:
    async with open_gateway(**PROXY) as gw:
        cases = [  # what the caller and the proxies put in the header → the audited address
            ("203.0.113.7", "203.0.113.7"),
            # a caller that writes its own header is named by the hop our proxy appended
            ("6.6.6.6, 203.0.113.8", "203.0.113.8"),
            # through two proxies of ours: the right-most address that is not one of them
            ("6.6.6.6, 203.0.113.9, 10.1.2.3", "203.0.113.9"),
        ]
        for n, (forwarded, _) in enumerate(cases):
            await _from(gw, forwarded, gw.admin, "/api/v1/regions", "POST",
                        json={"code": f"37010{n + 2}", "name": f"测试区{n}",
                              "parent_code": "370000"})
            assert gw.seen[-1].headers["x-forwarded-for"] == cases[n][1]
        assert [e.address for e in await _audit(gw)] == [c[1] for c in cases]
