"""The checker end to end: sites filed in the registry, a run, a real worker with Chromium on
fixture sites served on loopback, findings with evidence and scores read back through the API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import col, select

from services.checker.config import CheckerSettings
from services.checker.tables import OutboxEvent
from tests.checker.sitefixture import SiteServer
from tests.integration.conftest import Suite
from tests.integration.flow_helpers import run_checker
from tests.integration.sites import BAD, GOOD, LEAKED_ID, UNFILED, serve
from tests.registry.factories import JINAN, org, region_tree, site

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sites() -> Iterator[SiteServer]:
    with SiteServer() as server:
        serve(server)
        yield server


async def _work(settings: CheckerSettings, suite: Suite) -> None:
    await run_checker(settings, suite.registry.clock, suite.registry.app)


async def _file_sites(suite: Suite) -> tuple[dict[str, Any], dict[str, Any]]:
    reg = suite.registry
    await region_tree(reg, *JINAN)
    o1 = await org(reg, name="济南市历下区人民政府办公室")
    o2 = await org(reg, name="济南市历下区某局")
    good = await site(reg, o1, code="3701020001", domain=GOOD, kind="portal",
                      home_url=f"http://{GOOD}/")
    bad = await site(reg, o2, code="3701020002", domain=BAD, home_url=f"http://{BAD}/")
    return good, bad


async def test_run_finds_planted_problems_with_evidence_and_scores(
        suite: Suite, checker_settings: CheckerSettings, sites: SiteServer) -> None:
    settings = checker_settings.model_copy(update={"host_map": sites.host_map()})
    good, bad = await _file_sites(suite)
    r = await suite.client.post("/runs", json={"name": "历下区检查", "scope": {"regions": ["370102"]}})
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["progress"]["targets_total"] == 2 and run["status"] == "queued"

    await _work(settings, suite)

    run = (await suite.client.get(f"/runs/{run['id']}")).json()
    assert run["status"] == "completed", run
    assert run["progress"]["targets_done"] == 2
    assert run["progress"]["pages_fetched"] >= 8
    tasks = {t["site_code"]: t for t in (await suite.client.get(f"/runs/{run['id']}/tasks")).json()}
    assert tasks["3701020002"]["passed"] is False
    assert "veto.security" in tasks["3701020002"]["vetoes"]
    assert "veto.homepage_stale" in tasks["3701020002"]["vetoes"]

    found = (await suite.client.get("/findings", params={"run_id": run["id"], "limit": 500})).json()
    bad_findings = [f for f in found["items"] if f["target_id"] == bad["id"]]
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for f in bad_findings:
        by_rule.setdefault(f["rule"], []).append(f)

    dark = [f for f in by_rule["veto.security"] if f["detail"].get("kind") == "dark_link"]
    assert len(dark) == 1 and "casino.example.com" in dark[0]["url"]
    assert dark[0]["screenshot_url"], "a dark link comes with a screenshot"
    shot = await suite.client.get(dark[0]["screenshot_url"])
    assert shot.status_code == 200 and shot.content.startswith(b"\x89PNG")

    broken = [f for f in by_rule["deduct.links"] if f["url"] and f["url"].endswith("/gone.html")]
    assert broken and broken[0]["parent_url"].rstrip("/") == f"http://{BAD}"
    typo = by_rule["content.typo"][0]
    assert typo["suggestion"] == "按部就班" and "【按步就班】" in typo["excerpt"]
    leak = by_rule["content.personal_info"][0]
    assert LEAKED_ID not in leak["message"] and LEAKED_ID not in (leak["excerpt"] or "")

    unfiled = [f for f in by_rule["registry.compliance"] if UNFILED in (f["url"] or "")]
    assert len(unfiled) == 1 and unfiled[0]["severity"] == "warn"
    assert not [f for f in by_rule["registry.compliance"] if GOOD in (f["url"] or "")]

    good_findings = [f for f in found["items"] if f["target_id"] == good["id"]]
    assert not [f for f in good_findings if f["severity"] == "veto"], [
        (f["rule"], f["message"]) for f in good_findings if f["severity"] == "veto"]
    assert not [f for f in good_findings if f["rule"] == "content.typo"]
    assert tasks["3701020001"]["vetoes"] == []
    assert tasks["3701020001"]["score"] is not None


async def test_second_run_keeps_identity_and_false_positives_stay_silent(
        suite: Suite, checker_settings: CheckerSettings, sites: SiteServer) -> None:
    settings = checker_settings.model_copy(update={"host_map": sites.host_map()})
    await _file_sites(suite)
    first = (await suite.client.post("/runs", json={"name": "第一轮", "scope": {"regions": ["370102"]}})).json()
    await _work(settings, suite)
    findings = (await suite.client.get("/findings", params={"run_id": first["id"], "limit": 500})).json()
    typo = next(f for f in findings["items"] if f["rule"] == "content.typo")
    r = await suite.client.put(f"/findings/{typo['id']}/verdict",
                               json={"verdict": "false_positive", "note": "专有名词"})
    assert r.status_code == 200 and r.json()["verdict_label"] == "误报"

    suite.registry.clock.advance(__import__("datetime").timedelta(hours=1))
    second = (await suite.client.post("/runs", json={"name": "第二轮", "scope": {"regions": ["370102"]}})).json()
    await _work(settings, suite)
    again = (await suite.client.get("/findings", params={"run_id": second["id"], "limit": 500})).json()
    ids_first = {f["fingerprint"]: f for f in findings["items"]}
    ids_second = {f["fingerprint"]: f for f in again["items"]}
    # The same problems are the same findings: first seen in the first run, seen again now.
    common = set(ids_first) & set(ids_second)
    assert len(common) >= len(ids_first) - 1
    for fp in common:
        assert ids_second[fp]["id"] == ids_first[fp]["id"]
        assert ids_second[fp]["first_seen_at"] == ids_first[fp]["first_seen_at"]
    # The false positive is seen again but stays silent: listed only when asked for.
    assert typo["fingerprint"] not in ids_second
    silent = (await suite.client.get("/findings", params={
        "run_id": second["id"], "verdict": "false_positive"})).json()["items"]
    assert [f["id"] for f in silent] == [typo["id"]] and silent[0]["resolved_at"] is None
    total = (await suite.client.get("/findings", params={"limit": 1})).json()["total"]
    assert total + 1 == len(ids_first)  # no duplicates across the two runs


async def test_a_recheck_given_up_after_its_last_attempt_is_announced_to_reporting(
        suite: Suite, checker_settings: CheckerSettings, sites: SiteServer) -> None:
    # An inspection that cannot finish within its budget fails; after the last attempt the
    # checker says so (target.failed), or reporting's item would stay "rechecking" for good.
    settings = checker_settings.model_copy(update={"host_map": sites.host_map(),
                                                   "target_budget_s": 0.01})
    _, bad = await _file_sites(suite)
    r = await suite.client.post("/rechecks", json={"target_id": bad["id"], "rules": ["content.typo"]})
    assert r.status_code == 201, r.text
    run_id = r.json()["id"]

    await _work(settings, suite)

    [task] = (await suite.client.get(f"/runs/{run_id}/tasks")).json()
    assert task["status"] == "failed" and "TimeoutError" in (task["error"] or "")
    async with suite.checker.state.sessionmaker() as s:
        events = (await s.execute(select(OutboxEvent).where(
            col(OutboxEvent.name).in_(("target.failed", "target.inspected"))))).scalars().all()
    assert [e.name for e in events] == ["target.failed"]
    payload = events[0].payload
    assert payload["run_id"] == run_id and payload["run_kind"] == "recheck"
    assert payload["target"]["id"] == bad["id"] and payload["attempts"] == 3
    assert (await suite.client.get(f"/runs/{run_id}")).json()["status"] == "completed"


async def test_a_site_that_could_not_be_fetched_is_never_passed(
        suite: Suite, checker_settings: CheckerSettings, sites: SiteServer) -> None:
    """The guard refuses one site's address and another's name does not resolve: neither is
    scored. The refused one is 未能检查 with its reason; the one filed as running and gone is
    不合格 by the registry rule (RULES.md), its reason kept too."""
    blocked_host, gone_host = "blocked.lixia.gov.cn", "gone.lixia.invalid"
    # Link-local: the guard refuses it whatever allow_private_addresses says.
    settings = checker_settings.model_copy(update={
        "host_map": {**sites.host_map(), blocked_host: "169.254.10.10:80"}})
    reg = suite.registry
    await region_tree(reg, *JINAN)
    unit = await org(reg, name="济南市历下区某局")
    for code, host in (("3701020003", blocked_host), ("3701020004", gone_host)):
        await site(reg, unit, code=code, domain=host, home_url=f"http://{host}/")
    run = (await suite.client.post("/runs", json={"name": "无法访问", "scope": {"regions": ["370102"]}})).json()

    await _work(settings, suite)

    got = (await suite.client.get(f"/runs/{run['id']}")).json()
    assert got["status"] == "completed"
    assert got["progress"]["passed"] == 0 and got["progress"]["targets_uninspected"] == 1
    tasks = {t["site_code"]: t for t in (await suite.client.get(f"/runs/{run['id']}/tasks")).json()}
    blocked, gone = tasks["3701020003"], tasks["3701020004"]
    assert (blocked["passed"], blocked["score"], blocked["verdict_label"]) == (None, None, "未能检查")
    assert "安全策略" in blocked["uninspected_reason"] and "blocked" in blocked["uninspected_reason"]
    assert (gone["passed"], gone["score"], gone["verdict_label"]) == (False, None, "不合格")
    assert gone["vetoes"] == ["registry.compliance"] and "dns" in gone["uninspected_reason"]
    async with suite.checker.state.sessionmaker() as s:
        events = [e.payload for e in (await s.execute(select(OutboxEvent))).scalars()
                  if e.name == "target.inspected"]
    assert {(e["target"]["site_code"], e["passed"], e["uninspected_reason"] is not None)
            for e in events} == {("3701020003", None, True), ("3701020004", False, True)}
