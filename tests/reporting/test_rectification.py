"""Rectification: items opened on publication, units report, the checker re-checks, scope holds."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select

from services.reporting.config import ReportingSettings
from services.reporting.rectification import service
from services.reporting.rectification.models import RectificationEvent, RectificationItem
from services.reporting.result import intake
from shared.clock import FixedClock
from shared.contracts.events import TARGET_FAILED, EventEnvelope, TargetFailed, WebsiteTarget
from shared.principal import PRINCIPAL_HEADER
from tests.reporting.factories_rect import (
    ADMIN,
    COUNTY_SHIZHONG,
    ORG_A,
    ORG_B,
    SUPERVISOR,
    UNIT_A,
    UNIT_B,
    Env,
    closed_port_url,
    local,
    problem,
    publish_items,
    rect_app,
    reporting_settings,
)

PUBLISHED = local(2026, 9, 30, 10, 0)
DEADLINE = local(2026, 10, 30, 0, 0)
TYPO_FIXED = {"note": "已更正首页错别字", "evidence": {
    "url": "https://jyj.lixia.gov.cn/art/2026/10/9/art_1_1.html", "description": "更正后的页面"}}


@pytest.fixture(scope="module")
def settings(database_url: str) -> ReportingSettings:
    return reporting_settings(database_url)


@pytest.fixture
async def env(settings: ReportingSettings) -> AsyncIterator[Env]:
    async with rect_app(settings, FixedClock(PUBLISHED)) as env:
        yield env


async def test_publishing_opens_one_item_per_target_and_rule_once(env: Env) -> None:
    site = problem(ORG_A, fingerprints=["fp-typo-1"])
    same_again = site.model_copy(update={"fingerprints": ["fp-typo-2"], "message": "另一处错别字"})
    problems = [site, same_again, problem(ORG_A, rule="deduct.links", target_id=site.target_id),
                problem(ORG_B)]
    circular, items = await publish_items(env, problems, DEADLINE)

    assert len(items) == 3
    typo = next(i for i in items if i.target_id == site.target_id and i.rule == "content.typo")
    assert typo.fingerprints == ["fp-typo-1", "fp-typo-2"]
    assert {i.status for i in items} == {"open"} and {i.deadline_at for i in items} == {DEADLINE}

    # Publishing again (a retried publish transaction) opens nothing new.
    async with env.sessionmaker() as s:
        assert await service.open_items(s, circular, problems, DEADLINE, env.clock.now(), "x") == 0
        await s.commit()
        assert len((await s.execute(select(RectificationItem))).scalars().all()) == 3
        assert len((await s.execute(select(RectificationEvent))).scalars().all()) == 3

    page = await env.ok("GET", f"/rectifications?circular_id={circular.id}", SUPERVISOR)
    assert page["total"] == 3
    detail = await env.ok("GET", f"/rectifications/{typo.id}", UNIT_A)
    assert detail["status_label"] == "待整改" and detail["allowed_actions"] == ["report", "close"]
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in detail["events"]] == [
        (None, "open", "济南市政务公开办")]


async def test_unit_report_asks_checker_to_recheck_exactly_that_target_and_rule(env: Env) -> None:
    site = problem(ORG_A)
    _, items = await publish_items(env, [site, problem(ORG_A, rule="deduct.links",
                                                       target_id=site.target_id)], DEADLINE)
    typo = next(i for i in items if i.rule == "content.typo")
    env.clock.advance(timedelta(days=9))

    body = await env.ok("POST", f"/rectifications/{typo.id}/report", UNIT_A, json=TYPO_FIXED)

    assert len(env.checker.calls) == 1
    call = env.checker.calls[0]
    assert call["body"]["target_id"] == str(site.target_id)
    assert call["body"]["rules"] == ["content.typo"]
    assert call["principal"] == UNIT_A[PRINCIPAL_HEADER]  # on the unit's behalf, in its scope
    assert body["status"] == "rechecking" and body["recheck_run_id"] == str(call["run_id"])
    assert [(e["from_status"], e["to_status"]) for e in body["events"]] == [
        (None, "open"), ("open", "reported"), ("reported", "rechecking")]
    reported, rechecking = body["events"][1], body["events"][2]
    assert reported["actor"] == "unit-a（历下区教体局）" and reported["note"] == "已更正首页错别字"
    assert reported["evidence"] == TYPO_FIXED["evidence"]
    assert rechecking["actor"] == "复核" and rechecking["evidence"]["run_id"] == str(call["run_id"])
    assert (await env.item(next(i.id for i in items if i.rule == "deduct.links"))).status == "open"

    again = await env.call("POST", f"/rectifications/{typo.id}/report", UNIT_A, json=TYPO_FIXED)
    assert again.status_code == 409
    assert again.json()["allowed_actions"] == ["close", "reopen"]
    assert "上报整改完成" in again.json()["detail"] and len(env.checker.calls) == 1


async def test_recheck_closes_a_fixed_item_and_reopens_a_failing_one_with_evidence(env: Env) -> None:
    site = problem(ORG_A)
    _, items = await publish_items(env, [site, problem(ORG_A, rule="deduct.links",
                                                       target_id=site.target_id)], DEADLINE)
    for item in items:
        await env.ok("POST", f"/rectifications/{item.id}/report", UNIT_A,
                     json={"note": "已整改"})
    runs = {c["body"]["rules"][0]: c["run_id"] for c in env.checker.calls}
    typo = next(i for i in items if i.rule == "content.typo")
    links = next(i for i in items if i.rule == "deduct.links")
    env.clock.advance(timedelta(hours=2))
    still = [{"rule": "deduct.links", "indicator": "链接不可用", "severity": "deduct",
              "message": "链接无法访问（404）", "url": "https://jyj.lixia.gov.cn/old.html",
              "fingerprint": "fp-link"}]

    async with env.sessionmaker() as s:
        # A run that re-checked nothing of these items changes nothing.
        assert await service.apply_recheck(s, uuid.uuid4(), site.target_id, ["content.typo"],
                                           set(), {"findings": []}, env.clock.now()) == 0
        assert await service.apply_recheck(s, runs["content.typo"], site.target_id, ["content.typo"],
                                           set(), {"findings": []}, env.clock.now()) == 1
        assert await service.apply_recheck(s, runs["deduct.links"], site.target_id, ["deduct.links"],
                                           {"deduct.links"}, {"findings": still}, env.clock.now()) == 1
        await s.commit()

    closed = await env.ok("GET", f"/rectifications/{typo.id}", UNIT_A)
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    assert closed["events"][-1]["actor"] == "复核" and closed["events"][-1]["to_status_label"] == "已整改"
    reopened = await env.ok("GET", f"/rectifications/{links.id}", UNIT_A)
    assert reopened["status"] == "open" and reopened["recheck_run_id"] is None
    last = reopened["events"][-1]
    assert (last["from_status"], last["to_status"], last["actor"]) == ("rechecking", "open", "复核")
    assert last["evidence"]["findings"][0]["url"] == "https://jyj.lixia.gov.cn/old.html"
    # The unit can report again; a second re-check goes out.
    again = await env.ok("POST", f"/rectifications/{links.id}/report", UNIT_A, json={"note": "再次整改"})
    assert again["status"] == "rechecking" and len(env.checker.calls) == 3


async def test_units_and_counties_see_and_act_only_within_their_scope(env: Env) -> None:
    _, items = await publish_items(env, [problem(ORG_A), problem(ORG_B)], DEADLINE)
    mine = next(i for i in items if i.organisation_id == ORG_B)
    theirs = next(i for i in items if i.organisation_id == ORG_A)

    page = await env.ok("GET", "/rectifications", UNIT_B)
    assert [i["id"] for i in page["items"]] == [str(mine.id)] and page["total"] == 1
    assert (await env.call("GET", f"/rectifications/{theirs.id}", UNIT_B)).status_code == 404
    r = await env.call("POST", f"/rectifications/{theirs.id}/report", UNIT_B, json={"note": "代报"})
    assert r.status_code == 404 and r.json()["type"].endswith("/not-found")
    # 市中区 (370103) sees its own region only, not 历下区 (370102).
    assert (await env.call("GET", f"/rectifications/{theirs.id}", COUNTY_SHIZHONG)).status_code == 404
    county = await env.ok("GET", "/rectifications", COUNTY_SHIZHONG)
    assert [i["id"] for i in county["items"]] == [str(mine.id)]
    assert (await env.ok("GET", "/rectifications?region=370102", SUPERVISOR))["total"] == 1
    assert (await env.ok("GET", "/rectifications", SUPERVISOR))["total"] == 2
    assert env.checker.calls == [] and (await env.item(theirs.id)).status == "open"


async def test_supervisor_closes_and_reopens_by_hand_with_a_note(env: Env) -> None:
    _, [item] = await publish_items(env, [problem(ORG_A)], DEADLINE)

    r = await env.call("POST", f"/rectifications/{item.id}/close", UNIT_A, json={"note": "自行关闭"})
    assert r.status_code == 403
    r = await env.call("POST", f"/rectifications/{item.id}/close", SUPERVISOR, json={})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note"

    closed = await env.ok("POST", f"/rectifications/{item.id}/close", SUPERVISOR,
                          json={"note": "经人工核实已整改到位"})
    assert closed["status"] == "closed" and closed["allowed_actions"] == ["reopen"]
    r = await env.call("POST", f"/rectifications/{item.id}/report", UNIT_A, json={"note": "已整改"})
    assert r.status_code == 409 and r.json()["type"].endswith("/invalid-transition")
    assert r.json()["allowed_actions"] == ["reopen"] and "reopen" in r.json()["detail"]
    r = await env.call("POST", f"/rectifications/{item.id}/close", SUPERVISOR, json={"note": "再关"})
    assert r.status_code == 409

    reopened = await env.ok("POST", f"/rectifications/{item.id}/reopen", ADMIN,
                            json={"note": "网民反映问题仍在"})
    assert reopened["status"] == "open" and reopened["closed_at"] is None
    assert [(e["to_status"], e["actor"], e["note"]) for e in reopened["events"][1:]] == [
        ("closed", "jn-gkb（济南市政务公开办）", "经人工核实已整改到位"),
        ("open", "admin（管理员）", "网民反映问题仍在")]


async def test_report_stands_when_the_checker_is_down_and_the_watcher_retries(env: Env) -> None:
    _, [item] = await publish_items(env, [problem(ORG_A)], DEADLINE)
    env.checker.down = True

    body = await env.ok("POST", f"/rectifications/{item.id}/report", UNIT_A, json=TYPO_FIXED)
    assert body["status"] == "reported" and body["recheck_run_id"] is None
    assert (await env.item(item.id)).status == "reported"

    # Still down, then too soon after the report: nothing is lost and nothing is sent twice.
    env.clock.advance(timedelta(minutes=5))
    assert (await env.watch())["rechecks_requested"] == 0
    env.checker.down = False
    assert (await env.watch())["rechecks_requested"] == 1
    assert [c["body"]["rules"] for c in env.checker.calls] == [["content.typo"]]
    stored = await env.item(item.id)
    assert stored.status == "rechecking" and stored.recheck_run_id == env.checker.calls[0]["run_id"]
    assert (await env.watch())["rechecks_requested"] == 0 and len(env.checker.calls) == 1


async def test_report_stands_when_the_checker_cannot_be_reached(settings: ReportingSettings) -> None:
    down = settings.model_copy(update={"checker_url": closed_port_url()})
    async with rect_app(down, FixedClock(PUBLISHED), checker_transport=None) as env:
        _, [item] = await publish_items(env, [problem(ORG_A)], DEADLINE)
        body = await env.ok("POST", f"/rectifications/{item.id}/report", UNIT_A, json=TYPO_FIXED)
        assert body["status"] == "reported"
        assert [e["to_status"] for e in body["events"]] == ["open", "reported"]


async def test_list_filters_by_status_and_overdue(env: Env) -> None:
    _, items = await publish_items(env, [problem(ORG_A), problem(ORG_B)], DEADLINE)
    await env.ok("POST", f"/rectifications/{items[0].id}/close", SUPERVISOR, json={"note": "已核实"})
    assert (await env.ok("GET", "/rectifications?overdue_only=true", SUPERVISOR))["total"] == 0
    env.clock.set(DEADLINE + timedelta(seconds=1))
    overdue = await env.ok("GET", "/rectifications?overdue_only=true", SUPERVISOR)
    assert [i["id"] for i in overdue["items"]] == [str(items[1].id)] and overdue["items"][0]["overdue"]
    assert (await env.ok("GET", "/rectifications?status=closed", SUPERVISOR))["total"] == 1
    r = await env.call("GET", "/rectifications?status=done", SUPERVISOR)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"


async def test_a_recheck_the_checker_gave_up_on_goes_back_to_reported_and_is_asked_again_later(
        env: Env) -> None:
    _, [item] = await publish_items(env, [problem(ORG_A)], DEADLINE)
    body = await env.ok("POST", f"/rectifications/{item.id}/report", UNIT_A, json=TYPO_FIXED)
    assert body["status"] == "rechecking"
    first_run = env.checker.calls[0]["run_id"]
    env.clock.advance(timedelta(minutes=10))
    failed = EventEnvelope(id=uuid.uuid4(), name=TARGET_FAILED, source="checker",
                           occurred_at=env.clock.now(), payload=TargetFailed(
                               run_id=first_run, task_id=uuid.uuid4(), as_of=env.clock.now(),
                               run_kind="recheck", rules=["content.typo"],
                               target_type="website", target=WebsiteTarget(
                                   id=item.target_id, site_code=item.target_code,
                                   name=item.target_name, kind="portal",
                                   organisation_id=item.organisation_id,
                                   organisation_name=item.organisation_name,
                                   region_code=item.region_code,
                                   home_url="http://www.example.gov.cn/",
                                   domains=["www.example.gov.cn"], status="running"),
                               error="网站无法访问（连接超时）", attempts=3,
                           ).model_dump(mode="json"))
    async with env.sessionmaker() as s:
        await intake.handle(s, failed, env.clock.now())
        await s.commit()

    back = await env.ok("GET", f"/rectifications/{item.id}", UNIT_A)
    assert back["status"] == "reported" and back["recheck_run_id"] is None
    assert "连接超时" in back["events"][-1]["note"]
    # Not again at once (the site just failed to answer) ...
    env.clock.advance(timedelta(minutes=30))
    assert (await env.watch())["rechecks_requested"] == 0 and len(env.checker.calls) == 1
    # ... but after the retry interval.
    env.clock.advance(timedelta(minutes=31))
    assert (await env.watch())["rechecks_requested"] == 1
    again = await env.item(item.id)
    assert again.status == "rechecking" and again.recheck_run_id == env.checker.calls[1]["run_id"]
    assert again.recheck_run_id != first_run


async def test_a_recheck_that_never_reports_back_is_handed_back_after_a_day(env: Env) -> None:
    _, [item] = await publish_items(env, [problem(ORG_A)], DEADLINE)
    await env.ok("POST", f"/rectifications/{item.id}/report", UNIT_A, json=TYPO_FIXED)
    env.clock.advance(timedelta(hours=23))
    assert (await env.watch())["rechecks_abandoned"] == 0
    assert (await env.item(item.id)).status == "rechecking"
    env.clock.advance(timedelta(hours=2))
    counts = await env.watch()
    assert counts["rechecks_abandoned"] == 1 and counts["rechecks_requested"] == 0
    stored = await env.item(item.id)
    assert stored.status == "reported" and stored.recheck_run_id is None
    env.clock.advance(timedelta(hours=1, minutes=1))
    assert (await env.watch())["rechecks_requested"] == 1 and len(env.checker.calls) == 2
