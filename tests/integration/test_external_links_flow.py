"""Inputs only the pipeline can give the rules, end to end (issue 14): what an external link's
site serves now (外链变质) and the portal a department site must sit under (域名名称).

A department site is filed in the registry beside its region's portal; a run over that one site
goes through the real worker with Chromium, against fixture sites served on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.checker.config import CheckerSettings
from shared.principal import Role
from tests.checker.sitefixture import SiteServer
from tests.integration.conftest import Suite
from tests.integration.flow_helpers import run_checker
from tests.integration.sites import _page
from tests.registry.factories import JINAN, org, region_tree, site, token

pytestmark = pytest.mark.integration

DEPARTMENT = "www.lxslj.gov.cn"  # filed outside its portal's domain
PORTAL = "www.lx.gov.cn"
CASINO = "www.old-partner.com"  # once a partner's site, now a casino
LOOK_ALIKE = "www.old-partner.com.cn"  # a partner's site that is still what it was
PARKED = "www.expired-bureau.com"


@pytest.fixture(scope="module")
def sites() -> Iterator[SiteServer]:
    with SiteServer() as server:
        links = (f'<p><a href="http://{CASINO}/">合作单位：历下文旅</a> '
                 f'<a href="http://{LOOK_ALIKE}/">合作单位：历下文旅（新）</a> '
                 f'<a href="http://{PARKED}/">旧版网站</a></p>')
        server.add(DEPARTMENT, "/", _page("历下区水利局", links, code="3701020002", host=DEPARTMENT))
        server.add(PORTAL, "/", _page("历下区人民政府", "<p>门户</p>", host=PORTAL))
        server.add(CASINO, "/", "<html><head><title>真人娱乐城 百家乐</title></head><body>"
                                "<p>注册送彩金 在线投注 澳门金沙</p></body></html>")
        # Mentions gambling once, as news does: not a gambling site.
        server.add(LOOK_ALIKE, "/", "<html><head><title>历下文化旅游</title></head><body>"
                                    "<p>景区介绍 旅游线路 文明旅游，远离赌博</p></body></html>")
        server.add(PARKED, "/", "<html><head><title>expired-bureau.com</title></head><body>"
                                "<p>This domain is for sale! Contact the owner.</p></body></html>")
        yield server


async def _file(suite: Suite) -> dict[str, Any]:
    reg = suite.registry
    await region_tree(reg, *JINAN)
    government = await org(reg, name="济南市历下区人民政府办公室")
    bureau = await org(reg, name="济南市历下区水利局", kind="county_department")
    await site(reg, government, code="3701020001", domain=PORTAL, kind="portal",
               home_url=f"http://{PORTAL}/")
    return await site(reg, bureau, code="3701020002", domain=DEPARTMENT, kind="department",
                      home_url=f"http://{DEPARTMENT}/")


async def test_external_link_gone_bad_and_the_portal_domain_reach_the_rules(
        suite: Suite, checker_settings: CheckerSettings, sites: SiteServer) -> None:
    settings = checker_settings.model_copy(update={"host_map": sites.host_map()})
    department = await _file(suite)
    # Only the department site is inspected: its portal is looked up in the registry, not crawled.
    r = await suite.client.post("/runs", json={"name": "水利局检查",
                                               "scope": {"website_ids": [department["id"]]}})
    assert r.status_code == 201, r.text
    run = r.json()

    await run_checker(settings, suite.registry.clock, suite.registry.app)

    assert (await suite.client.get(f"/runs/{run['id']}")).json()["status"] == "completed"
    found = (await suite.client.get("/findings", params={"run_id": run["id"], "limit": 500})).json()
    external = {f["url"]: f for f in found["items"] if f["rule"] == "content.external_link"}
    assert set(external) == {f"http://{CASINO}/", f"http://{PARKED}/"}, external
    assert external[f"http://{CASINO}/"]["detail"]["category"] == "gambling"
    assert "赌博" in external[f"http://{CASINO}/"]["message"]
    assert external[f"http://{PARKED}/"]["detail"]["category"] == "parking"
    assert {f["severity"] for f in external.values()} == {"warn"}

    under_portal = [f for f in found["items"] if f["rule"] == "deduct.domain"
                    and f["detail"].get("kind") == "department_not_under_portal"]
    assert len(under_portal) == 1 and under_portal[0]["detail"]["portal_domain"] == PORTAL
    assert "lx.gov.cn" in under_portal[0]["message"]
    # The portal was never fetched: its domain came from the registry at run start.
    assert not [host for _, host, _ in sites.requests if host == PORTAL]


async def test_a_unit_rechecking_its_department_site_is_judged_against_the_same_portal(
        suite: Suite, checker_settings: CheckerSettings, sites: SiteServer) -> None:
    # The bureau cannot see the portal in the registry; its re-check must still know the portal,
    # or the finding would pass as fixed when nothing changed.
    settings = checker_settings.model_copy(update={"host_map": sites.host_map()})
    department = await _file(suite)
    unit = token(roles=[Role.unit], organisations=[department["organisation_id"]], subject="unit")
    r = await suite.client.post("/rechecks", headers=unit, json={
        "target_id": department["id"], "rules": ["deduct.domain", "content.external_link"]})
    assert r.status_code == 201, r.text

    await run_checker(settings, suite.registry.clock, suite.registry.app)

    found = (await suite.client.get("/findings", params={"run_id": r.json()["id"]})).json()
    kinds = sorted((f["rule"], f["detail"].get("kind")) for f in found["items"])
    assert ("deduct.domain", "department_not_under_portal") in kinds
    assert [k for k in kinds if k[0] == "content.external_link"] == [
        ("content.external_link", "external_link")] * 2
