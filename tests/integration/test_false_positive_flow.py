"""A false positive end to end: reported by a real run, marked, silent in the next run without
looking rectified, the target's result re-scored and reporting's copy (and a draft circular)
corrected; taking the mark back restores it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from services.checker.config import CheckerSettings
from services.reporting.config import ReportingSettings
from services.reporting.tables import Result
from tests.checker.sitefixture import SiteServer
from tests.integration.conftest import Suite
from tests.integration.flow_helpers import deliver_checker_events, run_checker
from tests.integration.sites import BAD, GOOD, serve
from tests.registry.factories import JINAN, org, region_tree, site
from tests.reporting.conftest import reporting_settings

pytestmark = pytest.mark.integration
__all__ = ["reporting_settings"]


@pytest.fixture(scope="module")
def sites() -> Iterator[SiteServer]:
    with SiteServer() as server:
        serve(server)
        yield server


async def _inspect_and_report(suite: Suite, checker: CheckerSettings,
                              reporting: ReportingSettings, name: str) -> dict[str, Any]:
    run = (await suite.client.post("/runs", json={"name": name, "scope": {"regions": ["370102"]}})).json()
    await run_checker(checker, suite.registry.clock, suite.registry.app)
    await deliver_checker_events(reporting, suite.registry.clock, suite.registry.app, suite.checker)
    return dict(run)


async def _bad_task(suite: Suite, run_id: str) -> dict[str, Any]:
    tasks = (await suite.client.get(f"/runs/{run_id}/tasks")).json()
    return dict(next(t for t in tasks if t["site_code"] == "3701020002"))


async def _copy(reporting_app: Any, task_id: str) -> Result:
    async with reporting_app.state.sessionmaker() as s:
        row = await s.get(Result, uuid.UUID(task_id))
        assert row is not None, f"reporting has no copy of task {task_id}"
        return row


async def test_false_positive_stays_silent_is_not_resolved_and_corrects_the_result(
        suite: Suite, checker_settings: CheckerSettings, reporting_settings: ReportingSettings,
        reporting_app: Any, sites: SiteServer) -> None:
    checker = checker_settings.model_copy(update={"host_map": sites.host_map()})
    reg = suite.registry
    await region_tree(reg, *JINAN)
    await site(reg, await org(reg, name="历下区政府办"), code="3701020001", domain=GOOD,
               kind="portal", home_url=f"http://{GOOD}/")
    bad = await site(reg, await org(reg, name="历下区某局"), code="3701020002", domain=BAD,
                     home_url=f"http://{BAD}/")
    first = await _inspect_and_report(suite, checker, reporting_settings, "第一轮")
    before = await _bad_task(suite, first["id"])
    assert "veto.security" in before["vetoes"] and "veto.homepage_stale" in before["vetoes"]
    found = (await suite.client.get("/findings", params={
        "run_id": first["id"], "target_id": bad["id"], "limit": 500})).json()["items"]
    security = [f["id"] for f in found if f["rule"] == "veto.security"]
    typo = next(f for f in found if f["rule"] == "content.typo")

    # A supervisor dismisses the security vetoes and the typo of the bad site.
    r = await suite.client.post("/findings/verdicts", json={
        "ids": security, "verdict": "false_positive", "note": "本站下拉菜单，非暗链"})
    assert r.status_code == 200 and r.json() == {"updated": len(security), "rescored": 1}, r.text
    r = await suite.client.put(f"/findings/{typo['id']}/verdict",
                               json={"verdict": "false_positive", "note": "专有名词"})
    assert r.status_code == 200, r.text

    # The first run's result is corrected in the checker and, through the event, in reporting.
    corrected = await _bad_task(suite, first["id"])
    assert "veto.security" not in corrected["vetoes"] and "veto.homepage_stale" in corrected["vetoes"]
    await deliver_checker_events(reporting_settings, reg.clock, reg.app, suite.checker)
    copy = await _copy(reporting_app, before["id"])
    assert copy.vetoes == corrected["vetoes"]
    assert typo["fingerprint"] not in {p["fingerprint"] for p in copy.problems}
    assert not [p for p in copy.problems if p["rule"] == "veto.security"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=reporting_app),
                                 base_url="http://reporting", headers=suite.client.headers) as rep:
        draft = (await rep.post("/circulars", json={
            "region_code": "370100", "quarter": "2026Q4",
            "issuing_office": "济南市人民政府办公厅"})).json()
    vetoed = {g["rule"] for g in draft["data"]["vetoes"]}
    assert "veto.security" not in vetoed and "veto.homepage_stale" in vetoed
    assert "content.typo" not in {g["rule"] for g in draft["data"]["problems"]}

    # The next run sees the same page unchanged: the typo stays silent and is not resolved.
    reg.clock.advance(timedelta(hours=1))
    second = await _inspect_and_report(suite, checker, reporting_settings, "第二轮")
    again = await _bad_task(suite, second["id"])
    assert again["vetoes"] == corrected["vetoes"]
    got = (await suite.client.get(f"/findings/{typo['id']}")).json()
    assert got["resolved_at"] is None and got["verdict"] == "false_positive"
    assert datetime.fromisoformat(got["last_seen_at"]) == reg.clock.now()
    listed = (await suite.client.get("/findings", params={"run_id": second["id"], "limit": 500})).json()
    assert typo["id"] not in {f["id"] for f in listed["items"]}
    silent = (await suite.client.get("/findings", params={
        "run_id": second["id"], "verdict": "false_positive", "limit": 500})).json()["items"]
    assert {f["id"] for f in silent} == {typo["id"], *security}
    assert typo["fingerprint"] not in {p["fingerprint"] for p in (await _copy(reporting_app, again["id"])).problems}

    # Taking the typo's mark back puts it into the latest result again, in reporting too.
    r = await suite.client.put(f"/findings/{typo['id']}/verdict", json={"verdict": None})
    assert r.status_code == 200
    await deliver_checker_events(reporting_settings, reg.clock, reg.app, suite.checker)
    restored = await _copy(reporting_app, again["id"])
    assert typo["fingerprint"] in {p["fingerprint"] for p in restored.problems}
    assert restored.vetoes == corrected["vetoes"]
