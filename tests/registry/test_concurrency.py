"""Concurrent edits: a version check makes the second writer fail instead of overwriting."""

from __future__ import annotations

import asyncio

from tests.registry.factories import JINAN, Registry, org, region_tree, site


async def test_stale_if_match_is_412_and_missing_if_match_is_428(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    s = await site(registry, await org(registry))
    url = f"/websites/{s['id']}/filings"
    first = await registry.call("POST", url, headers={"If-Match": '"1"'},
                                json={"action": "change", "changes": {"name": "甲的修改"}})
    assert first.status_code == 201 and first.headers["etag"] == '"2"'
    second = await registry.call("POST", url, headers={"If-Match": '"1"'},
                                 json={"action": "change", "changes": {"name": "乙的修改"}})
    assert second.status_code == 412
    assert second.json()["current_etag"] == '"2"'
    missing = await registry.call("POST", url, json={"action": "close"})
    assert missing.status_code == 428
    got = await registry.ok("GET", f"/websites/{s['id']}")
    assert got["name"] == "甲的修改" and got["status"] == "running" and got["version"] == 2


async def test_simultaneous_writers_one_wins_the_other_is_told(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    s = await site(registry, await org(registry))
    url = f"/websites/{s['id']}/filings"

    async def write(name: str) -> int:
        r = await registry.call("POST", url, headers={"If-Match": '"1"'},
                                json={"action": "change", "changes": {"name": name}})
        return r.status_code

    codes = await asyncio.gather(*(write(f"并发修改{i}") for i in range(6)))
    assert sorted(codes).count(201) == 1
    assert all(c in (409, 412) for c in codes if c != 201)
    got = await registry.ok("GET", f"/websites/{s['id']}")
    assert got["version"] == 2
    filings = await registry.ok("GET", f"/websites/{s['id']}/filings")
    assert [f["action"] for f in filings] == ["register", "change"]
    assert filings[1]["after"]["name"] == got["name"]


async def test_organisation_patch_needs_the_current_version(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    o = await org(registry)
    r = await registry.call("PATCH", f"/organisations/{o['id']}", json={"name": "新名称单位"})
    assert r.status_code == 428
    r = await registry.call("PATCH", f"/organisations/{o['id']}", json={"name": "新名称单位"},
                            headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["version"] == 2
    r = await registry.call("PATCH", f"/organisations/{o['id']}", json={"name": "又一个名称"},
                            headers={"If-Match": '"1"'})
    assert r.status_code == 412
    assert (await registry.ok("GET", f"/organisations/{o['id']}"))["name"] == "新名称单位"
