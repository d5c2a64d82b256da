"""Bad input gets problem+json naming the field and the value, never a 500, and writes nothing."""

from __future__ import annotations

import uuid

import pytest

from tests.registry.factories import JINAN, Registry, account, org, region_tree, site


def _is_problem(r, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["title"])
    return dict(body)


@pytest.mark.parametrize(("field", "value", "expect"), [
    ("site_code", "37010200", "site_code"),
    ("site_code", "bm0100000a", "site_code"),
    ("domains", ["not a domain"], "not a domain"),
    ("home_url", "ftp://www.lixia.gov.cn/", "ftp://"),
    ("home_url", "https://elsewhere.gov.cn/", "elsewhere.gov.cn"),
    ("kind", "blog", "blog"),
    ("icp_number", "ICP 123", "icp_number"),
    ("status", "closed", "status"),
    ("occurred_at", "yesterday", "occurred_at"),
])
async def test_bad_website_fields_are_named(registry: Registry, field: str, value: object,
                                            expect: str) -> None:
    await region_tree(registry, *JINAN)
    o = await org(registry)
    body = {"site_code": "3701020001", "name": "历下区政府", "organisation_id": o["id"],
            "kind": "portal", "domains": ["www.lixia.gov.cn"],
            "home_url": "https://www.lixia.gov.cn/", field: value}
    problem = _is_problem(await registry.call("POST", "/websites", json=body), 422)
    assert expect in problem["detail"]
    assert (await registry.ok("GET", "/websites"))["total"] == 0


async def test_site_code_of_another_region_is_refused_naming_both(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    o = await org(registry, "370102")
    r = await registry.call("POST", "/websites", json={
        "site_code": "3701030001", "name": "历下区政府", "organisation_id": o["id"],
        "kind": "portal", "domains": ["www.lixia.gov.cn"], "home_url": "https://www.lixia.gov.cn/"})
    problem = _is_problem(r, 422)
    assert "370103" in problem["detail"] and "370102" in problem["detail"]
    # A city-level code for a county unit is fine: the city is an ancestor region.
    s = await site(registry, o, code="3701000007")
    assert s["site_code"] == "3701000007"


async def test_future_event_time_is_refused(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    s = await site(registry, await org(registry))
    r = await registry.call("POST", f"/websites/{s['id']}/filings", headers={"If-Match": '"1"'},
                            json={"action": "close", "occurred_at": "2030-01-01T00:00:00+08:00"})
    assert "occurred_at" in _is_problem(r, 422)["detail"]


async def test_malformed_json_unknown_fields_and_bad_ids(registry: Registry) -> None:
    r = await registry.call("POST", "/organisations", content=b"{not json",
                            headers={"content-type": "application/json"})
    _is_problem(r, 422)
    r = await registry.call("POST", "/organisations", json={
        "name": "某单位", "kind": "county_government", "region_code": "370102", "colour": "red"})
    assert "colour" in _is_problem(r, 422)["detail"]
    r = await registry.call("GET", "/websites/not-a-uuid")
    assert "not-a-uuid" in _is_problem(r, 422)["detail"]
    _is_problem(await registry.call("GET", f"/websites/{uuid.uuid4()}"), 404)
    _is_problem(await registry.call("GET", f"/accounts/{uuid.uuid4()}"), 404)
    _is_problem(await registry.call("GET", "/regions/999999"), 404)
    r = await registry.call("GET", "/websites", params={"limit": 0})
    assert "limit" in _is_problem(r, 422)["detail"]
    r = await registry.call("GET", "/accounts", params={"platform": "myspace"})
    problem = _is_problem(r, 422)
    assert "myspace" in problem["detail"] and "weibo" in problem["detail"]


async def test_organisation_in_unknown_region_and_duplicate_name(registry: Registry) -> None:
    r = await registry.call("POST", "/organisations", json={
        "name": "某单位", "kind": "county_government", "region_code": "370199"})
    assert "370199" in _is_problem(r, 422)["detail"]
    await region_tree(registry, *JINAN)
    await org(registry, name="历下区政府办")
    r = await registry.call("POST", "/organisations", json={
        "name": "历下区政府办", "kind": "county_government", "region_code": "370102"})
    _is_problem(r, 409)


async def test_region_parent_must_be_an_ancestor(registry: Registry) -> None:
    r = await registry.call("POST", "/regions", json={"code": "370102", "name": "历下区",
                                                      "parent_code": "320100"})
    assert "320100" in _is_problem(r, 422)["detail"]
    r = await registry.call("POST", "/regions", json={"code": "370100", "name": "济南市",
                                                      "parent_code": "370000"})
    assert r.status_code == 201
    _is_problem(await registry.call("POST", "/regions", json={
        "code": "370100", "name": "济南市", "parent_code": "370000"}), 409)


async def test_duplicate_site_code_and_account_key_are_409(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    o = await org(registry)
    await site(registry, o, code="3701020001")
    r = await registry.call("POST", "/websites", json={
        "site_code": "3701020001", "name": "重复网站", "organisation_id": o["id"],
        "kind": "department", "domains": ["dup.jinan.gov.cn"], "home_url": "https://dup.jinan.gov.cn/"})
    assert "3701020001" in _is_problem(r, 409)["detail"]
    body = {"platform": "douyin", "platform_account_id": "dy001", "name": "历下发布",
            "sponsor_id": o["id"]}
    await registry.ok("POST", "/accounts", json=body)
    assert "dy001" in _is_problem(await registry.call("POST", "/accounts", json=body), 409)["detail"]


async def test_openapi_documents_problem_responses_and_security(registry: Registry) -> None:
    doc = (await registry.client.get("/openapi.json")).json()
    op = doc["paths"]["/websites"]["post"]
    assert op["operationId"] == "registerWebsite"
    assert "application/problem+json" in op["responses"]["422"]["content"]
    assert "principal" in doc["components"]["securitySchemes"]


# Fields a change may leave out but not clear, per body schema: the document offers no null.
NOT_NULL = {"ChangedWebsiteFields": ("name", "organisation_id", "kind", "domains", "home_url"),
            "MovedWebsiteFields": ("name", "organisation_id", "kind", "domains", "home_url"),
            "ChangedAccountFields": ("name", "sponsor_id"),
            "OrganisationUpdate": ("name", "kind", "region_code", "provides_services")}


async def test_fields_that_cannot_be_cleared_are_not_nullable_and_null_is_refused(
        registry: Registry) -> None:
    doc = (await registry.client.get("/openapi.json")).json()
    schemas = doc["components"]["schemas"]
    for model, fields in NOT_NULL.items():
        for field in fields:
            prop = schemas[model]["properties"][field]
            assert "null" not in str(prop) and field not in schemas[model].get("required", []), (
                model, field, prop)
    # What can be cleared still says so.
    assert {"type": "null"} in schemas["ChangedWebsiteFields"]["properties"]["icp_number"]["anyOf"]
    assert {"type": "null"} in schemas["ChangedAccountFields"]["properties"]["feed"]["anyOf"]

    await region_tree(registry, *JINAN)
    o = await org(registry)
    s, a = await site(registry, o), await account(registry, o)
    for kind, row, field in (("websites", s, "kind"), ("websites", s, "name"),
                             ("accounts", a, "sponsor_id")):
        etag = (await registry.call("GET", f"/{kind}/{row['id']}")).headers["etag"]
        r = await registry.call("POST", f"/{kind}/{row['id']}/filings", headers={"If-Match": etag},
                                json={"action": "change", "changes": {field: None}})
        problem = _is_problem(r, 422)
        assert f"changes.{field}" in problem["detail"] and "null" in problem["detail"]
    for field in NOT_NULL["OrganisationUpdate"]:
        r = await registry.call("PATCH", f"/organisations/{o['id']}", json={field: None},
                                headers={"If-Match": '"1"'})
        problem = _is_problem(r, 422)  # a constrained name was a TypeError, answered 500
        assert field in problem["detail"] and "null" in problem["detail"]
