"""Registration requests (补报备案通知): a supervisor asks a unit to file a discovered account or
site; the unit sees it; its filing closes it; the supervisor may withdraw it."""

from __future__ import annotations

import uuid

from shared.principal import Role
from tests.registry.factories import JINAN, Registry, account, org, region_tree, site, token
from tests.registry.test_bulk import csv_bytes

SUPERVISOR = token([Role.supervisor], regions=["370100"], subject="jinan-supervisor")


def _unit(o: dict) -> dict[str, str]:
    return token([Role.unit], organisations=[uuid.UUID(o["id"])], subject="lixia-unit")


async def test_unit_sees_request_and_its_filing_closes_it(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    lixia, other = await org(registry), await org(registry, region_code="370103")
    body = {"kind": "account", "organisation_id": lixia["id"], "platform": "douyin",
            "platform_account_id": "MS4wLjABAAAA_lixia", "name": "历下文旅",
            "url": "https://www.douyin.com/user/MS4wLjABAAAA_lixia",
            "seen_on": ["https://www.lixia.gov.cn/xmt/"]}
    made = await registry.ok("POST", "/registration-requests", json=body, headers=SUPERVISOR)
    assert made["status"] == "open" and made["status_label"] == "待补报"
    assert made["organisation_name"] == lixia["name"] and made["requested_by"].startswith("jinan-supervisor")
    # The same object asked twice of one unit: 409 naming the open request.
    again = await registry.call("POST", "/registration-requests", json=body, headers=SUPERVISOR)
    assert again.status_code == 409 and again.json()["existing_id"] == made["id"]
    # A unit may not make one.
    refused = await registry.call("POST", "/registration-requests", json={
        **body, "name": "别的"}, headers=_unit(lixia))
    assert refused.status_code == 403

    mine = await registry.ok("GET", "/registration-requests", headers=_unit(lixia))
    assert [r["id"] for r in mine] == [made["id"]]
    assert await registry.ok("GET", "/registration-requests", headers=_unit(other)) == []
    hidden = await registry.call("GET", f"/registration-requests/{made['id']}", headers=_unit(other))
    assert hidden.status_code == 404

    filed = await account(registry, lixia, platform="douyin", account_id="MS4wLjABAAAA_lixia")
    closed = await registry.ok("GET", f"/registration-requests/{made['id']}", headers=_unit(lixia))
    assert closed["status"] == "filed" and closed["filed_target_id"] == filed["id"]
    assert await registry.ok("GET", "/registration-requests?status=open", headers=SUPERVISOR) == []
    # Once filed, asking again is refused: the account is in the registry.
    late = await registry.call("POST", "/registration-requests", json=body, headers=SUPERVISOR)
    assert late.status_code == 409 and late.json()["existing_id"] == filed["id"]


async def test_site_request_closed_by_registration_and_dismissal_needs_if_match(
        registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    lixia = await org(registry)
    made = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "website", "organisation_id": lixia["id"], "name": "历下区文化馆",
        "domain": "WHG.Lixia.gov.cn", "seen_on": ["https://www.lixia.gov.cn/"]})
    assert made["domain"] == "whg.lixia.gov.cn"
    s = await site(registry, lixia, domain="whg.lixia.gov.cn")
    done = await registry.ok("GET", f"/registration-requests/{made['id']}", headers=SUPERVISOR)
    assert done["status"] == "filed" and done["filed_target_id"] == s["id"]

    other = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "account", "organisation_id": lixia["id"], "platform": "wechat_subscription",
        "name": "历下区某某", "seen_on": ["https://www.lixia.gov.cn/gzwm.html"]})
    url = f"/registration-requests/{other['id']}/dismissal"
    no_tag = await registry.call("POST", url, json={"note": "经核实非本单位账号"}, headers=SUPERVISOR)
    assert no_tag.status_code == 428
    stale = await registry.call("POST", url, json={"note": "经核实非本单位账号"},
                                headers={**SUPERVISOR, "If-Match": '"9"'})
    assert stale.status_code == 412
    gone = await registry.ok("POST", url, json={"note": "经核实非本单位账号"},
                             headers={**SUPERVISOR, "If-Match": '"1"'})
    assert gone["status"] == "dismissed" and gone["closing_note"] == "经核实非本单位账号"
    twice = await registry.call("POST", url, json={"note": "再次"},
                                headers={**SUPERVISOR, "If-Match": '"2"'})
    assert twice.status_code == 409


async def test_bad_requests_name_the_field(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    lixia = await org(registry)
    for body, field in [
        ({"kind": "website", "organisation_id": lixia["id"], "name": "x"}, "domain"),
        ({"kind": "account", "organisation_id": lixia["id"], "name": "x"}, "platform"),
        ({"kind": "website", "organisation_id": lixia["id"], "name": "x", "domain": "a..b"},
         "domain"),
        ({"kind": "account", "organisation_id": lixia["id"], "name": "x", "platform": "weibo",
          "seen_on": ["javascript:alert(1)"]}, "seen_on"),
        ({"kind": "account", "organisation_id": str(uuid.uuid4()), "name": "x",
          "platform": "weibo"}, "organisation_id"),
    ]:
        r = await registry.call("POST", "/registration-requests", json=body, headers=SUPERVISOR)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in r.text


async def test_an_imported_account_and_a_migrated_site_close_their_requests(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    lixia = await org(registry, name="历下区文旅局")
    ask = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "account", "organisation_id": lixia["id"], "platform": "weibo",
        "platform_account_id": "5800000099", "name": "历下文旅"})
    site_ask = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "website", "organisation_id": lixia["id"], "name": "历下文旅网",
        "domain": "wl.lixia.gov.cn"})
    header = ["平台", "平台账号ID", "账号名称", "主办单位", "主办单位区划", "状态"]
    r = await registry.call("POST", "/accounts/import", files={"file": ("a.csv", csv_bytes(header, [
        ["新浪微博", "5800000099", "历下文旅", "历下区文旅局", "370102", "运行中"]]), "text/csv")})
    assert r.status_code == 200, r.text
    assert (await registry.ok("GET", f"/registration-requests/{ask['id']}"))["status"] == "filed"
    # A filed site that migrates onto the requested domain answers that request too.
    s = await site(registry, lixia, domain="old-wl.lixia.gov.cn")
    etag = (await registry.call("GET", f"/websites/{s['id']}")).headers["etag"]
    await registry.ok("POST", f"/websites/{s['id']}/filings", headers={"If-Match": etag}, json={
        "action": "migrate", "changes": {"domains": ["wl.lixia.gov.cn"],
                                         "home_url": "https://wl.lixia.gov.cn/"}})
    done = await registry.ok("GET", f"/registration-requests/{site_ask['id']}")
    assert (done["status"], done["filed_target_id"]) == ("filed", s["id"])
