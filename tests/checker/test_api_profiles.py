"""Rule profiles, word lists and plans through the API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from services.checker.inspect.pipeline import Inspector
from services.checker.net.fetcher import Fetcher, FetchSettings
from services.checker.net.hostmap import HostMap
from services.checker.run.models import Run, Task
from shared.principal import Role
from tests.integration.conftest import Suite
from tests.registry.factories import JINAN, org, region_tree, site, token

PROBLEM = "https://govinspect.cn/problems/"
LOCAL = "山东省2026"
STALE = "veto.homepage_stale"
VIEWER = token(all_regions=True, roles=[Role.viewer], subject="viewer")
LIXIA_SUPERVISOR = token(regions=["370102"], roles=[Role.supervisor], subject="lixia")


def _body(overrides: dict[str, Any], name: str = LOCAL) -> dict[str, Any]:
    return {"name": name, "description": "首页更新窗口收紧为7天", "overrides": overrides}


async def _put(suite: Suite, overrides: dict[str, Any], name: str = LOCAL,
               headers: dict[str, str] | None = None) -> Any:
    return await suite.client.put(f"/profiles/{name}", json=_body(overrides, name), headers=headers)


async def _stored_profile_names(suite: Suite) -> list[str]:
    r = await suite.client.get("/profiles")
    assert r.status_code == 200
    return [p["name"] for p in r.json()]


async def test_national_profile_is_listed_with_its_rules(suite: Suite) -> None:
    r = await suite.client.get("/profiles", headers=VIEWER)
    assert r.status_code == 200
    national = r.json()[0]
    assert national["name"] == "national_2019" and national["overrides"] == {}
    rules = national["profile"]["rules"]
    assert rules[STALE]["window_days"] == 14
    assert {"veto.homepage_stale", "veto.security", "content.typo"} <= set(rules)
    assert national["profile"]["scoring"]["pass_mark"] == 60
    one = (await suite.client.get("/profiles/national_2019")).json()
    assert one["profile"] == national["profile"]


async def test_local_profile_overrides_a_threshold_and_runs_keep_it(suite: Suite) -> None:
    r = await _put(suite, {"rules": {STALE: {"window_days": 7}}}, headers=LIXIA_SUPERVISOR)
    assert r.status_code == 200, r.text
    merged = r.json()["profile"]["rules"][STALE]
    assert merged["window_days"] == 7
    assert merged["navigation_max_dated_items"] == 2  # the rest of the block is national
    got = (await suite.client.get(f"/profiles/{LOCAL}")).json()
    assert got["overrides"] == {"rules": {STALE: {"window_days": 7}}}
    assert got["profile"]["rules"][STALE]["window_days"] == 7
    assert await _stored_profile_names(suite) == ["national_2019", LOCAL]

    reg = suite.registry
    await region_tree(reg, *JINAN)
    await site(reg, await org(reg, "370102"))
    r = await suite.client.post("/runs", json={"name": "省配置检查", "scope": {"regions": ["370102"]},
                                               "profile": LOCAL})
    assert r.status_code == 201, r.text
    assert r.json()["profile_name"] == LOCAL
    # A run keeps the profile it started with, even when the profile changes afterwards.
    assert (await _put(suite, {"rules": {STALE: {"window_days": 10}}})).status_code == 200
    async with suite.checker.state.sessionmaker() as session:
        run = await session.get(Run, uuid.UUID(r.json()["id"]))
    assert run is not None and run.profile["rules"][STALE]["window_days"] == 7
    assert (await suite.client.get(f"/profiles/{LOCAL}")).json()["profile"]["rules"][STALE][
        "window_days"] == 10


async def test_unknown_profile_is_404(suite: Suite) -> None:
    r = await suite.client.get("/profiles/不存在")
    assert r.status_code == 404 and r.json()["type"] == PROBLEM + "not-found"


async def test_unknown_rule_code_is_422_naming_it(suite: Suite) -> None:
    r = await _put(suite, {"rules": {"veto.nonexistent": {"window_days": 7}}})
    assert r.status_code == 422
    body = r.json()
    assert body["type"] == PROBLEM + "validation-failed" and body["title"] == "请求参数无效"
    assert body["errors"][0]["field"].endswith("rules.veto.nonexistent")
    assert "veto.nonexistent" in body["detail"]
    assert await _stored_profile_names(suite) == ["national_2019"]


async def test_unknown_top_level_key_is_422_naming_it(suite: Suite) -> None:
    r = await _put(suite, {"rulez": {STALE: {"window_days": 7}}})
    assert r.status_code == 422 and "rulez" in r.json()["detail"]
    assert await _stored_profile_names(suite) == ["national_2019"]


async def test_non_integer_threshold_is_422_naming_the_field(suite: Suite) -> None:
    for value in ("七天", 7.5, None):
        r = await _put(suite, {"rules": {STALE: {"window_days": value}}})
        assert r.status_code == 422, (value, r.text)
        fields = [e["field"] for e in r.json()["errors"]]
        assert any(f.endswith(f"rules.{STALE}.window_days") for f in fields), fields
        assert f"rules.{STALE}.window_days" in r.json()["detail"]
    assert await _stored_profile_names(suite) == ["national_2019"]


async def test_misspelt_threshold_is_422_not_silently_ignored(suite: Suite) -> None:
    r = await _put(suite, {"rules": {STALE: {"window_dayz": 7}}})
    assert r.status_code == 422, r.text
    assert any(e["field"].endswith(f"rules.{STALE}.window_dayz") for e in r.json()["errors"])
    assert await _stored_profile_names(suite) == ["national_2019"]


async def test_rule_block_that_is_not_an_object_is_422(suite: Suite) -> None:
    for overrides in ({"rules": {STALE: 7}}, {"rules": ["veto.security"]}, {"rules": 5}):
        r = await _put(suite, overrides)
        assert r.status_code == 422, (overrides, r.status_code, r.text)
    assert await _stored_profile_names(suite) == ["national_2019"]


async def test_scoring_overrides_are_checked(suite: Suite) -> None:
    r = await _put(suite, {"scoring": {"pass_mark": 70, "indicators": {"deduct.links": {"cap": 3}}}})
    assert r.status_code == 200, r.text
    scoring = r.json()["profile"]["scoring"]
    assert scoring["pass_mark"] == 70 and scoring["indicators"]["deduct.links"] == {
        "group": "功能设计", "cap": 3}
    for overrides, field in (({"scoring": {"pass_mark": "及格"}}, "overrides.scoring.pass_mark"),
                             ({"scoring": {"full_marks": 0}}, "overrides.scoring.full_marks"),
                             ({"scoring": {"groups": {"发布解读": "多"}}},
                              "overrides.scoring.groups.发布解读")):
        r = await _put(suite, overrides)
        assert r.status_code == 422, (overrides, r.text)
        assert [e["field"] for e in r.json()["errors"]] == [field]
    r = await _put(suite, {"scoring": 5})
    assert r.status_code == 422 and "scoring" in r.json()["detail"]
    assert (await suite.client.get(f"/profiles/{LOCAL}")).json()["profile"]["scoring"][
        "pass_mark"] == 70


async def test_repost_thresholds_are_checked(suite: Suite) -> None:
    # Read by the repost tasks, not by a rule module: refused when saved, not when a run reads them.
    r = await _put(suite, {"rules": {"repost.task": {"shingle_size": 100}}})
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["overrides.rules.repost.task.shingle_size"]
    r = await _put(suite, {"rules": {"repost.task": {"follow_days": 30}}})
    assert r.status_code == 200, r.text


async def test_the_document_states_the_overrides_the_service_checks(suite: Suite) -> None:
    doc = (await suite.client.get("/openapi.json")).json()
    schema = doc["components"]["schemas"]["ProfileCreate"]["properties"]["overrides"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"rules", "scoring", "name", "source"}
    rules = schema["properties"]["rules"]
    national = (await suite.client.get("/profiles/national_2019")).json()["profile"]
    assert rules["additionalProperties"] is False
    assert set(rules["properties"]) == set(national["rules"])
    for code, block in national["rules"].items():
        described = rules["properties"][code]
        assert described["additionalProperties"] is False and "required" not in described
        # Every parameter of the national block is described by a model, none left open.
        for key in block:
            assert key.startswith("_") or described["properties"][key], (code, key)
    assert rules["properties"][STALE]["properties"]["window_days"] == {"type": "integer"}
    assert rules["properties"]["repost.task"]["properties"]["shingle_size"] == {
        "type": "integer", "minimum": 2, "maximum": 8}
    indicators = schema["properties"]["scoring"]["properties"]["indicators"]
    assert set(indicators["properties"]) == set(national["scoring"]["indicators"])
    assert indicators["additionalProperties"]["required"] == ["group"]


async def test_national_profile_cannot_be_replaced(suite: Suite) -> None:
    r = await _put(suite, {"rules": {STALE: {"window_days": 7}}}, name="national_2019")
    assert r.status_code == 409 and r.json()["type"] == PROBLEM + "conflict"
    national = (await suite.client.get("/profiles/national_2019")).json()
    assert national["profile"]["rules"][STALE]["window_days"] == 14


async def test_viewer_cannot_save_a_profile(suite: Suite) -> None:
    r = await _put(suite, {"rules": {STALE: {"window_days": 7}}}, headers=VIEWER)
    assert r.status_code == 403 and r.json()["type"] == PROBLEM + "forbidden"
    assert await _stored_profile_names(suite) == ["national_2019"]


async def test_word_list_entries_added_listed_and_deleted(suite: Suite) -> None:
    r = await suite.client.post("/wordlists/typo", json={"wrong": "按步就班", "right": "按部就班"})
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["level"] == "general" and entry["list_name"] == "typo"
    assert entry["created_by"].startswith("admin")

    dup = await suite.client.post("/wordlists/typo", json={"wrong": "按步就班", "right": "按部就般"})
    assert dup.status_code == 409 and "按步就班" in dup.json()["detail"]
    listed = (await suite.client.get("/wordlists/typo", headers=VIEWER)).json()
    assert [(e["wrong"], e["right"]) for e in listed] == [("按步就班", "按部就班")]

    r = await suite.client.delete(f"/wordlists/typo/{entry['id']}", headers=VIEWER)
    assert r.status_code == 403
    r = await suite.client.delete(f"/wordlists/expression/{entry['id']}")
    assert r.status_code == 404
    r = await suite.client.delete(f"/wordlists/typo/{entry['id']}")
    assert r.status_code == 204
    assert (await suite.client.get("/wordlists/typo")).json() == []
    assert (await suite.client.delete(f"/wordlists/typo/{entry['id']}")).status_code == 404


async def _applying(suite: Suite, region_code: str) -> set[str]:
    """The added typo entries an inspection of a target in `region_code` uses."""
    app = suite.checker
    inspector = Inspector(app.state.settings, app.state.sessionmaker, app.state.redis,
                          Fetcher(FetchSettings()), None, app.state.evidence, HostMap({}))
    return {e.wrong for e in (await inspector._lists(region_code)).typos}


async def test_word_entries_are_national_only_from_a_national_administrator(suite: Suite) -> None:
    """A county supervisor adds words for its county only; they never reach another county."""
    body = {"wrong": "按步就班", "right": "按部就班"}
    for who in (LIXIA_SUPERVISOR, token(all_regions=True, roles=[Role.supervisor]),
                token(regions=["370102"], roles=[Role.administrator])):
        r = await suite.client.post("/wordlists/typo", headers=who, json=body)
        assert r.status_code == 403, r.text  # national: a national administrator's
    r = await suite.client.post("/wordlists/typo", headers=LIXIA_SUPERVISOR,
                                json={**body, "region_code": "370103"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "region_code", r.text
    lixia = await suite.client.post("/wordlists/typo", headers=LIXIA_SUPERVISOR,
                                    json={**body, "region_code": "370102"})
    assert lixia.status_code == 201 and lixia.json()["region_code"] == "370102", lixia.text
    national = await suite.client.post("/wordlists/typo",
                                       json={"wrong": "再接再励", "right": "再接再厉"})
    assert national.status_code == 201 and national.json()["region_code"] == "100000"

    assert await _applying(suite, "370102") == {"按步就班", "再接再励"}
    assert await _applying(suite, "370103") == {"再接再励"}
    assert await _applying(suite, "370000") == {"再接再励"}
    r = await suite.client.delete(f"/wordlists/typo/{national.json()['id']}",
                                  headers=LIXIA_SUPERVISOR)
    assert r.status_code == 403
    assert await _applying(suite, "370103") == {"再接再励"}


async def test_expression_entry_defaults_to_serious(suite: Suite) -> None:
    r = await suite.client.post("/wordlists/expression",
                                json={"wrong": "中国特色社会注意", "right": "中国特色社会主义"})
    assert r.status_code == 201, r.text
    assert r.json()["level"] == "serious" and r.json()["list_name"] == "expression"
    # the same wrong form may sit in the other list
    r = await suite.client.post("/wordlists/typo",
                                json={"wrong": "中国特色社会注意", "right": "中国特色社会主义"})
    assert r.status_code == 201


async def test_bad_word_entries_are_422(suite: Suite) -> None:
    r = await suite.client.post("/wordlists/typo", json={"wrong": "的", "right": "地"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "wrong" and "'的'" in r.json()["detail"]
    r = await suite.client.post("/wordlists/typo", json={"wrong": "按部就班", "right": "按部就班"})
    assert r.status_code == 422 and "相同" in r.json()["detail"]
    r = await suite.client.post("/wordlists/typo", json={"wrong": "防犯", "right": "防范",
                                                         "exceptions": ["犯罪"]})
    assert r.status_code == 422 and "犯罪" in r.json()["detail"]
    r = await suite.client.post("/wordlists/expression",
                                json={"wrong": "按步就班", "right": "按部就班", "level": "general"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "level"
    r = await suite.client.post("/wordlists/slang", json={"wrong": "按步就班", "right": "按部就班"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "list_name"
    assert (await suite.client.get("/wordlists/slang")).status_code == 422
    r = await suite.client.post("/wordlists/typo", headers=VIEWER,
                                json={"wrong": "按步就班", "right": "按部就班"})
    assert r.status_code == 403
    assert (await suite.client.get("/wordlists/typo")).json() == []
    assert (await suite.client.get("/wordlists/expression")).json() == []


async def test_plan_created_listed_and_run_with_its_scope(suite: Suite) -> None:
    reg = suite.registry
    await region_tree(reg, *JINAN)
    lixia = await site(reg, await org(reg, "370102"))
    await site(reg, await org(reg, "370103"))
    r = await suite.client.post("/plans", headers=LIXIA_SUPERVISOR, json={
        "name": "历下区每周检查", "scope": {"regions": ["370102"]}, "interval_hours": 168})
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["profile"] == "national_2019" and plan["enabled"] is True
    assert plan["next_run_at"] is not None

    assert [p["id"] for p in (await suite.client.get("/plans", headers=LIXIA_SUPERVISOR)).json()] \
        == [plan["id"]]
    assert [p["id"] for p in (await suite.client.get("/plans")).json()] == [plan["id"]]
    other = token(regions=["370103"], roles=[Role.supervisor], subject="shizhong")
    assert (await suite.client.get("/plans", headers=other)).json() == []
    r = await suite.client.post(f"/plans/{plan['id']}/runs", headers=other)
    assert r.status_code == 404

    r = await suite.client.post(f"/plans/{plan['id']}/runs", headers=LIXIA_SUPERVISOR)
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["plan_id"] == plan["id"] and run["name"].startswith("历下区每周检查")
    assert run["scope"]["regions"] == ["370102"]
    async with suite.checker.state.sessionmaker() as session:
        tasks = (await session.execute(select(Task).where(
            Task.run_id == uuid.UUID(run["id"])))).scalars().all()
    assert [str(t.target_id) for t in tasks] == [lixia["id"]]


async def test_plan_with_bad_input_is_refused(suite: Suite) -> None:
    r = await suite.client.post("/plans", json={"name": "空范围", "scope": {}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "scope"
    r = await suite.client.post("/plans", json={"name": "未知配置", "scope": {"regions": ["370102"]},
                                                "profile": "不存在"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "profile"
    r = await suite.client.post("/plans", headers=VIEWER,
                                json={"name": "查看者", "scope": {"regions": ["370102"]}})
    assert r.status_code == 403
    assert (await suite.client.get("/plans")).json() == []


async def test_plan_first_run_without_time_zone_is_422(suite: Suite) -> None:
    r = await suite.client.post("/plans", json={"name": "定时", "scope": {"regions": ["370102"]},
                                                "interval_hours": 24,
                                                "first_run_at": "2026-11-21T02:00:00"})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "first_run_at"
    r = await suite.client.post("/plans", json={"name": "定时", "scope": {"regions": ["370102"]},
                                                "interval_hours": 24,
                                                "first_run_at": "2026-11-21T02:00:00+08:00"})
    assert r.status_code == 201
    assert datetime.fromisoformat(r.json()["next_run_at"]) == datetime(2026, 11, 20, 18, tzinfo=UTC)
