"""A website's crawl politeness override (a slow county server, an intranet mirror): filed, changed, refused."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.checker.run.service import target_snapshot
from shared.clients.registry import RegistryClient
from shared.principal import PRINCIPAL_HEADER
from tests.registry.factories import ADMIN, JINAN, Registry, org, region_tree, site

SLOW = {"per_host_interval_ms": 2000, "per_host_concurrency": 1, "target_budget_s": 1800}


async def _change(reg: Registry, filed: dict[str, Any], changes: dict[str, Any]) -> httpx.Response:
    etag = (await reg.call("GET", f"/websites/{filed['id']}")).headers["etag"]
    return await reg.call("POST", f"/websites/{filed['id']}/filings", headers={"If-Match": etag},
                          json={"action": "change", "changes": changes})


async def test_override_filed_and_handed_to_the_checker(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    unit = await org(registry)
    slow = await site(registry, unit, politeness=SLOW)
    plain = await site(registry, unit)
    assert plain["politeness"] is None
    assert {k: v for k, v in slow["politeness"].items() if v is not None} == SLOW
    async with RegistryClient("http://registry", ADMIN[PRINCIPAL_HEADER],
                              transport=httpx.ASGITransport(app=registry.app)) as client:
        read = await client.website(uuid.UUID(slow["id"]))
    # What a run keeps for the checker: only the fields the filing set.
    assert target_snapshot(read)["politeness"] == SLOW


async def test_override_changed_and_removed_through_change_filings(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    filed = await site(registry, await org(registry))
    r = await _change(registry, filed, {"politeness": {"per_host_interval_ms": 0, "per_host_concurrency": 16}})
    assert r.status_code == 201, r.text
    assert (r.json()["before"]["politeness"], r.json()["after"]["politeness"]) == (
        None, {"per_host_interval_ms": 0, "per_host_concurrency": 16})
    r = await _change(registry, filed, {"politeness": None})
    assert r.status_code == 201, r.text
    assert (await registry.ok("GET", f"/websites/{filed['id']}"))["politeness"] is None


@pytest.mark.parametrize(("politeness", "field"), [
    ({"per_host_interval_ms": -1}, "politeness.per_host_interval_ms"),
    ({"per_host_interval_ms": 600_000}, "politeness.per_host_interval_ms"),
    ({"per_host_concurrency": 0}, "politeness.per_host_concurrency"),
    ({"max_pages": 1_000_000}, "politeness.max_pages"),
    ({"target_budget_s": 5}, "politeness.target_budget_s"),
    ({"speed": "fast"}, "politeness.speed"),
])
async def test_bad_override_is_refused_naming_field_and_value(registry: Registry, politeness: dict[str, Any],
                                                              field: str) -> None:
    await region_tree(registry, *JINAN)
    unit = await org(registry)
    r = await registry.call("POST", "/websites", json={
        "site_code": "3701020001", "name": "历下区人民政府网站", "organisation_id": unit["id"],
        "kind": "portal", "domains": ["www.lixia.gov.cn"], "home_url": "https://www.lixia.gov.cn/",
        "politeness": politeness})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert [e["field"] for e in problem["errors"]] == [field]
    assert field in problem["detail"] and problem["title"]
    assert any("\u4e00" <= c <= "\u9fff" for c in problem["errors"][0]["message"])
    assert (await registry.ok("GET", "/websites"))["total"] == 0
