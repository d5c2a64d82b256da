"""Rate limits per principal on Redis: 429 with Retry-After past the limit, others unaffected."""

from __future__ import annotations

from datetime import timedelta

from tests.gateway.conftest import OpenGateway, closed_port

LIMITS = {"administrator": 1000, "supervisor": 5, "integration": 1000, "unit": 3, "viewer": 3}


async def test_a_principal_past_its_limit_gets_429_with_retry_after(
        open_gateway: OpenGateway) -> None:
    async with open_gateway(rate_limits=LIMITS) as gw:
        viewer = await gw.key(["viewer"], all_regions=True)
        other = await gw.key(["viewer"], all_regions=True)
        remaining = []
        for _ in range(3):
            r = await gw.call("GET", "/api/v1/regions", viewer)
            assert r.status_code == 200
            assert r.headers["ratelimit-limit"] == "3"
            remaining.append(r.headers["ratelimit-remaining"])
        assert remaining == ["2", "1", "0"]

        r = await gw.call("GET", "/api/v1/regions", viewer)
        assert r.status_code == 429
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["title"] == "请求过于频繁"
        # The fixed clock stands at 10:00:00, the start of a 60-second window.
        assert r.headers["retry-after"] == "60"
        assert len(gw.seen) == 3  # the refused request never reached the registry

        assert (await gw.call("GET", "/api/v1/regions", other)).status_code == 200
        gw.clock.advance(timedelta(seconds=60))
        assert (await gw.call("GET", "/api/v1/regions", viewer)).status_code == 200


async def test_a_principal_gets_its_most_generous_roles_limit(open_gateway: OpenGateway) -> None:
    async with open_gateway(rate_limits=LIMITS) as gw:
        both = await gw.key(["viewer", "supervisor"], all_regions=True)
        r = await gw.call("GET", "/api/v1/regions", both)
        assert r.headers["ratelimit-limit"] == "5"


async def test_without_redis_requests_still_pass_and_readiness_says_why(
        open_gateway: OpenGateway) -> None:
    async with open_gateway(rate_limits=LIMITS, redis_url=f"redis://127.0.0.1:{closed_port()}/0") as gw:
        viewer = await gw.key(["viewer"], all_regions=True)
        for _ in range(5):  # past the viewer's limit of 3: nothing counts while Redis is away
            r = await gw.call("GET", "/api/v1/regions", viewer)
            assert r.status_code == 200
        ready = await gw.client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["redis"].startswith("error")
        assert ready.headers["retry-after"] == "5"
