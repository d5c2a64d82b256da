"""From inspection to rectification: checker events feed reporting, a circular is published,
a unit reports a fix, the checker re-checks exactly that target and rule, the item closes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import select

from services.checker.config import CheckerSettings
from services.reporting.config import ReportingSettings
from services.reporting.tables import RectificationItem, Result
from shared.principal import Role
from tests.checker.sitefixture import SiteServer
from tests.integration.conftest import Suite
from tests.integration.flow_helpers import relay_checker, run_checker, run_reporting
from tests.integration.sites import BAD, GOOD, serve
from tests.registry.factories import JINAN, org, region_tree, site, token
from tests.reporting.conftest import reporting_settings

pytestmark = pytest.mark.integration
__all__ = ["reporting_settings"]


@pytest.fixture(scope="module")
def sites() -> Iterator[SiteServer]:
    with SiteServer() as server:
        serve(server)
        yield server



async def _inspect(suite: Suite, settings: CheckerSettings) -> None:
    await run_checker(settings, suite.registry.clock, suite.registry.app)


async def _relay_and_report(suite: Suite, reporting_app: Any, settings: ReportingSettings) -> None:
    """Hand the checker's events to reporting's queue and let a reporting worker apply them."""
    await relay_checker(suite.checker, suite.registry.clock)
    await run_reporting(settings, suite.registry.clock, suite.registry.app, suite.checker)


async def test_inspection_to_circular_to_recheck(
        suite: Suite, checker_settings: CheckerSettings, reporting_settings: ReportingSettings,
        reporting_app: Any, sites: SiteServer) -> None:
    settings = checker_settings.model_copy(update={"host_map": sites.host_map()})
    reg = suite.registry
    await region_tree(reg, *JINAN)
    bad_org = await org(reg, name="历下区某局")
    await site(reg, await org(reg, name="历下区政府办"), code="3701020001", domain=GOOD,
               kind="portal", home_url=f"http://{GOOD}/")
    bad = await site(reg, bad_org, code="3701020002", domain=BAD, home_url=f"http://{BAD}/")
    run = (await suite.client.post("/runs", json={"name": "四季度检查", "scope": {"regions": ["370102"]}})).json()
    await _inspect(suite, settings)
    await _relay_and_report(suite, reporting_app, reporting_settings)

    async with reporting_app.state.sessionmaker() as s:
        results = (await s.execute(select(Result))).scalars().all()
    assert sorted(r.target_code for r in results) == ["3701020001", "3701020002"]
    assert {str(r.run_id) for r in results} == {run["id"]}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=reporting_app),
                                 base_url="http://reporting", headers=suite.client.headers) as rep:
        draft = (await rep.post("/circulars", json={
            "region_code": "370100", "quarter": "2026Q4", "issuing_office": "济南市人民政府办公厅",
            "deadline_working_days": 10})).json()
        assert draft["data"]["websites_total"]["checked"]["value"] == 2
        assert "首页不更新" in [g["indicator"] for g in draft["data"]["vetoes"]]
        # Both running sites were inspected: 检查比例 100 %, nobody in the gap list.
        coverage = draft["data"]["coverage"]["kinds"]
        assert [(k["kind"], k["running"]["value"], k["ratio"]["value"]) for k in coverage] == [
            ("website", 2, 100.0)]
        assert draft["data"]["gaps"] == []
        published = await rep.post(f"/circulars/{draft['id']}/publish",
                                   json={"number": "济政办字〔2026〕30号"})
        assert published.status_code == 200, published.text
        items = (await rep.get("/rectifications", params={"circular_id": draft["id"],
                                                          "limit": 200})).json()["items"]
        typo = next(i for i in items if i["rule"] == "content.typo")
        assert typo["target_code"] == "3701020002" and typo["status"] == "open"

        # The unit fixes the typo on its site and reports it; the checker re-checks it.
        page = sites.resources[(BAD, "/ywdt/1.html")]
        page.body = page.body.replace("按步就班".encode(), "按部就班".encode())
        reg.clock.advance(timedelta(days=2))
        unit = token([Role.unit], organisations=[bad_org["id"]], subject="unit-bad")
        r = await rep.post(f"/rectifications/{typo['id']}/report", headers=unit,
                           json={"note": "已改正错别字"})
        assert r.status_code in (200, 201, 202), r.text
        assert r.json()["status"] == "rechecking"
        runs = (await suite.client.get("/runs", params={"limit": 5})).json()["items"]
        recheck = next(x for x in runs if x["kind"] == "recheck")
        assert recheck["rules"] == ["content.typo"]
        assert recheck["progress"]["targets_total"] == 1

        await _inspect(suite, settings)
        await _relay_and_report(suite, reporting_app, reporting_settings)
        closed = (await rep.get(f"/rectifications/{typo['id']}")).json()
        assert closed["status"] == "closed", closed
        others = (await rep.get("/rectifications", params={"circular_id": draft["id"],
                                                           "status": "open", "limit": 200})).json()
        assert typo["id"] not in [i["id"] for i in others["items"]]
        assert any(i["rule"] == "veto.homepage_stale" for i in others["items"])
    async with reporting_app.state.sessionmaker() as s:
        stored = (await s.execute(select(RectificationItem))).scalars().all()
    assert all(i.target_id != bad["id"] or i.rule != "content.typo" or i.status == "closed"
               for i in stored)
