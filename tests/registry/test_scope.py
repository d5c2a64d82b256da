"""Scope: a county's principal sees and writes only its own region; a unit only its own rows."""

from __future__ import annotations

from shared.principal import Role
from tests.registry.factories import JINAN, Registry, account, org, region_tree, site, token

LIXIA, SHIZHONG = "370102", "370103"


async def _two_counties(reg: Registry) -> dict:
    await region_tree(reg, *JINAN)
    lx, sz = await org(reg, LIXIA), await org(reg, SHIZHONG)
    return {"lx": lx, "sz": sz,
            "lx_site": await site(reg, lx), "sz_site": await site(reg, sz),
            "lx_acc": await account(reg, lx), "sz_acc": await account(reg, sz)}


async def test_county_supervisor_sees_only_its_county(registry: Registry) -> None:
    w = await _two_counties(registry)
    lixia = token([Role.supervisor], regions=[LIXIA])
    sites = await registry.ok("GET", "/websites", headers=lixia)
    assert [s["id"] for s in sites["items"]] == [w["lx_site"]["id"]]
    assert sites["total"] == 1
    accs = await registry.ok("GET", "/accounts", headers=lixia)
    assert [a["id"] for a in accs["items"]] == [w["lx_acc"]["id"]]
    orgs = await registry.ok("GET", "/organisations", headers=lixia)
    assert [o["id"] for o in orgs["items"]] == [w["lx"]["id"]]
    stats = await registry.ok("GET", "/websites/stats", headers=lixia)
    assert stats["total"] == 1

    for url in (f"/websites/{w['sz_site']['id']}", f"/accounts/{w['sz_acc']['id']}",
                f"/organisations/{w['sz']['id']}", f"/websites/{w['sz_site']['id']}/filings"):
        r = await registry.call("GET", url, headers=lixia)
        assert r.status_code == 404, url
        assert r.json()["title"] == "资源不存在"
    # The by-id query is kept per scope (issue 13): each caller still gets only its own.
    shizhong = token([Role.supervisor], regions=[SHIZHONG])
    for headers, mine, theirs in ((lixia, "lx_site", "sz_site"), (shizhong, "sz_site", "lx_site"),
                                  (lixia, "lx_site", "sz_site")):
        assert (await registry.call("GET", f"/websites/{w[mine]['id']}", headers=headers)
                ).status_code == 200
        assert (await registry.call("GET", f"/websites/{w[theirs]['id']}", headers=headers)
                ).status_code == 404


async def test_city_supervisor_sees_both_counties(registry: Registry) -> None:
    w = await _two_counties(registry)
    city = token([Role.supervisor], regions=["370100"])
    sites = await registry.ok("GET", "/websites", headers=city)
    assert {s["id"] for s in sites["items"]} == {w["lx_site"]["id"], w["sz_site"]["id"]}
    other_province = token([Role.supervisor], regions=["320000"])
    assert (await registry.ok("GET", "/websites", headers=other_province))["total"] == 0


async def test_county_cannot_write_into_another_county(registry: Registry) -> None:
    w = await _two_counties(registry)
    lixia = token([Role.supervisor], regions=[LIXIA])
    r = await registry.call("POST", "/organisations", headers=lixia, json={
        "name": "市中区某局", "kind": "county_department", "region_code": SHIZHONG})
    assert r.status_code == 403
    r = await registry.call("POST", "/websites", headers=lixia, json={
        "site_code": "3701030099", "name": "越权网站", "organisation_id": w["sz"]["id"],
        "kind": "department", "domains": ["x.jinan.gov.cn"], "home_url": "https://x.jinan.gov.cn/"})
    assert r.status_code == 422
    assert "organisation_id" in r.json()["detail"]
    r = await registry.call("POST", f"/websites/{w['sz_site']['id']}/filings", headers={
        **lixia, "If-Match": '"1"'}, json={"action": "close"})
    assert r.status_code == 404
    after = await registry.ok("GET", f"/websites/{w['sz_site']['id']}")
    assert after["status"] == "running"
    assert (await registry.ok("GET", "/organisations", params={"region": SHIZHONG}))["total"] == 1


async def test_unit_sees_and_files_only_its_own(registry: Registry) -> None:
    w = await _two_counties(registry)
    unit = token([Role.unit], organisations=[w["lx"]["id"]])
    sites = await registry.ok("GET", "/websites", headers=unit)
    assert [s["id"] for s in sites["items"]] == [w["lx_site"]["id"]]
    etag = (await registry.call("GET", f"/websites/{w['lx_site']['id']}", headers=unit)).headers["etag"]
    r = await registry.call("POST", f"/websites/{w['lx_site']['id']}/filings",
                            headers={**unit, "If-Match": etag}, json={"action": "announce_closure"})
    assert r.status_code == 201
    r = await registry.call("POST", "/organisations", headers=unit, json={
        "name": "新单位", "kind": "county_department", "region_code": LIXIA})
    assert r.status_code == 403


async def test_viewer_reads_but_cannot_write(registry: Registry) -> None:
    w = await _two_counties(registry)
    viewer = token([Role.viewer], all_regions=True)
    assert (await registry.ok("GET", "/websites", headers=viewer))["total"] == 2
    etag = (await registry.call("GET", f"/websites/{w['lx_site']['id']}")).headers["etag"]
    r = await registry.call("POST", f"/websites/{w['lx_site']['id']}/filings",
                            headers={**viewer, "If-Match": etag}, json={"action": "close"})
    assert r.status_code == 403
    assert r.json()["title"] == "无权执行此操作"


async def test_requests_without_a_valid_principal_are_401(registry: Registry) -> None:
    r = await registry.client.get("/websites")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    forged = token(all_regions=True)
    forged["X-Govinspect-Principal"] = forged["X-Govinspect-Principal"][:-4] + "AAAA"
    r = await registry.client.get("/websites", headers=forged)
    assert r.status_code == 401
    assert r.json()["title"] == "未通过身份认证"
