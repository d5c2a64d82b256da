"""Idempotency-Key on POST: the first response replayed, a changed body refused with 422, keys
per principal, concurrent twins answered 409, server failures and expired keys run again."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from gateway.auth.models import ApiKey
from gateway.idempotency.models import IdempotencyRecord
from tests.gateway.conftest import Gateway
from tests.registry.factories import JINAN, region_tree

LIXIA = "370102"
ORG = {"name": "历下区大数据局", "kind": "county_department", "region_code": LIXIA}


async def _org_count(gw: Gateway) -> int:
    return int((await gw.ok("GET", "/api/v1/organisations"))["total"])


async def _count(gw: Gateway, model: type) -> int:
    async with gw.app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_same_key_and_body_replay_the_first_response(gateway: Gateway) -> None:
    await region_tree(gateway.registry, *JINAN)
    key = {"Idempotency-Key": "org-import-0001"}
    first = await gateway.call("POST", "/api/v1/organisations", json=ORG, headers=key)
    assert first.status_code == 201, first.text
    again = await gateway.call("POST", "/api/v1/organisations", json=ORG, headers=key)
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["idempotency-replayed"] == "true"
    assert len(again.headers.get_list("ratelimit-remaining")) == 1
    assert "idempotency-replayed" not in first.headers
    assert await _org_count(gateway) == 1


async def test_the_same_key_with_another_body_answers_422_naming_the_key(gateway: Gateway) -> None:
    await region_tree(gateway.registry, *JINAN)
    key = {"Idempotency-Key": "org-import-0002"}
    assert (await gateway.call("POST", "/api/v1/organisations", json=ORG, headers=key)).status_code == 201
    r = await gateway.call("POST", "/api/v1/organisations", headers=key,
                           json={**ORG, "name": "历下区另一个局"})
    assert r.status_code == 422
    problem = r.json()
    assert problem["type"].endswith("/idempotency-key-mismatch")
    assert "org-import-0002" in problem["detail"] and problem["idempotency_key"] == "org-import-0002"
    assert await _org_count(gateway) == 1


async def test_keys_belong_to_one_principal(gateway: Gateway) -> None:
    await region_tree(gateway.registry, *JINAN)
    other = await gateway.key(["supervisor"], regions=[LIXIA])
    key = {"Idempotency-Key": "shared-name"}
    assert (await gateway.call("POST", "/api/v1/organisations", json=ORG, headers=key)).status_code == 201
    r = await gateway.call("POST", "/api/v1/organisations", other, headers=key,
                           json={**ORG, "name": "历下区另一个局"})
    assert r.status_code == 201 and "idempotency-replayed" not in r.headers
    assert await _org_count(gateway) == 2


async def test_concurrent_twins_run_once(gateway: Gateway) -> None:
    await region_tree(gateway.registry, *JINAN)
    key = {"Idempotency-Key": "twin-0001"}
    answers = await asyncio.gather(*(
        gateway.call("POST", "/api/v1/organisations", json=ORG, headers=key) for _ in range(4)))
    created = [r for r in answers if r.status_code == 201 and "idempotency-replayed" not in r.headers]
    assert len(created) == 1
    for r in answers:
        if r is created[0]:
            continue
        replayed = r.status_code == 201 and r.headers.get("idempotency-replayed") == "true"
        in_flight = r.status_code == 409 and r.headers["retry-after"] == "1"
        assert replayed or in_flight, (r.status_code, r.text)
        if in_flight:
            assert r.json()["type"].endswith("/idempotency-key-in-flight")
    assert await _org_count(gateway) == 1


async def test_a_server_failure_is_not_kept_so_a_retry_runs(gateway: Gateway) -> None:
    key = {"Idempotency-Key": "report-0001"}
    for _ in range(2):
        r = await gateway.call("POST", "/api/v1/error-reports", json={"x": 1}, headers=key)
        assert r.status_code == 503 and "idempotency-replayed" not in r.headers
    assert await _count(gateway, IdempotencyRecord) == 0


async def test_a_response_showing_a_secret_is_never_replayed_nor_kept(gateway: Gateway) -> None:
    key = {"Idempotency-Key": "mint-0001"}
    body = {"name": "省数据对接", "roles": ["integration"], "all_regions": True}
    first = await gateway.call("POST", "/api/v1/keys", json=body, headers=key)
    assert first.status_code == 201
    again = await gateway.call("POST", "/api/v1/keys", json=body, headers=key)
    assert again.status_code == 409
    assert again.json()["type"].endswith("/idempotency-not-replayable")
    assert first.json()["secret"] not in again.text
    async with gateway.app.state.sessionmaker() as session:
        record = await session.scalar(select(IdempotencyRecord))
    assert record is not None and record.body is None and record.status == 201
    assert await _count(gateway, ApiKey) == 2  # the bootstrap key and this one, not a third


async def test_a_key_is_forgotten_after_its_retention(gateway: Gateway) -> None:
    await region_tree(gateway.registry, *JINAN)
    key = {"Idempotency-Key": "daily-0001"}
    assert (await gateway.call("POST", "/api/v1/organisations", json=ORG, headers=key)).status_code == 201
    gateway.clock.advance(timedelta(hours=24, seconds=1))
    r = await gateway.call("POST", "/api/v1/organisations", headers=key,
                           json={**ORG, "name": "历下区次日新建的局"})
    assert r.status_code == 201
    assert await _org_count(gateway) == 2
