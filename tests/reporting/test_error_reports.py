"""Citizens' error reports (我为政府网站找错): deadlines in working days, scope, answers, counts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from typing import Any

import pytest

from services.reporting.config import ReportingSettings
from shared.clock import FixedClock
from tests.reporting.factories_rect import (
    COUNTY_SHIZHONG,
    ORG_A,
    ORG_B,
    PUBLIC_CHANNEL,
    SUPERVISOR,
    UNIT_A,
    UNIT_B,
    Env,
    local,
    rect_app,
    reporting_settings,
)

FRIDAY = local(2026, 11, 13, 10, 0)
# Mon 11-16, Tue 11-17, Wed 11-18: answered by the end of Wednesday, Asia/Shanghai.
DUE = local(2026, 11, 19, 0, 0)
SITE_A = {"id": str(uuid.uuid4()), "site_code": "3701020001", "name": "历下区教育和体育局网站",
          "organisation_id": str(ORG_A), "organisation_name": "历下区教育和体育局",
          "region_code": "370102"}
SITE_B = {"id": str(uuid.uuid4()), "site_code": "3701030007", "name": "市中区民政局网站",
          "organisation_id": str(ORG_B), "organisation_name": "市中区民政局", "region_code": "370103"}


@pytest.fixture(scope="module")
def settings(database_url: str) -> ReportingSettings:
    return reporting_settings(database_url)


@pytest.fixture
async def env(settings: ReportingSettings) -> AsyncIterator[Env]:
    async with rect_app(settings, FixedClock(FRIDAY)) as env:
        env.registry.file(SITE_A, SITE_B)
        yield env


def message(site: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"website": site, "page_url": "https://jyj.lixia.gov.cn/art/2026/11/12/art_1_9.html",
            "category": "typo", "content": "第二段“付责”应为“负责”。", "reporter_contact": "138****1234",
            **extra}


async def submit(env: Env, site: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return dict(await env.ok("POST", "/error-reports", PUBLIC_CHANNEL, json=message(site, **extra)))


async def test_a_message_is_due_three_working_days_later_across_the_weekend(env: Env) -> None:
    r = await env.call("POST", "/error-reports", PUBLIC_CHANNEL, json=message(SITE_A))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["deadline_at"] == "2026-11-18T16:00:00Z"  # 2026-11-19 00:00 in Shanghai
    assert (body["status"], body["status_label"], body["category_label"]) == ("open", "待答复", "错别字")
    assert body["overdue"] is False and body["answered_on_time"] is None

    env.clock.set(DUE - timedelta(seconds=1))
    assert (await env.ok("GET", f"/error-reports/{body['id']}", UNIT_A))["overdue"] is False
    env.clock.set(DUE)
    assert (await env.ok("GET", f"/error-reports/{body['id']}", UNIT_A))["overdue"] is True


async def test_units_see_and_answer_only_their_own_messages(env: Env) -> None:
    mine, theirs = await submit(env, SITE_A), await submit(env, SITE_B)

    page = await env.ok("GET", "/error-reports", UNIT_A)
    assert [m["id"] for m in page["items"]] == [mine["id"]]
    assert (await env.call("GET", f"/error-reports/{theirs['id']}", UNIT_A)).status_code == 404
    r = await env.call("POST", f"/error-reports/{theirs['id']}/answer", UNIT_A, json={"answer": "已改"})
    assert r.status_code == 404
    assert [m["id"] for m in (await env.ok("GET", "/error-reports", COUNTY_SHIZHONG))["items"]] == [
        theirs["id"]]
    assert (await env.ok("GET", "/error-reports", SUPERVISOR))["total"] == 2
    # The total rides on the page's rows (issue 13); pages short of rows still carry it.
    for query, rows in (("limit=1", 1), ("limit=1&offset=1", 1), ("offset=2", 0), ("offset=9", 0)):
        page = await env.ok("GET", f"/error-reports?{query}", SUPERVISOR)
        assert (page["total"], len(page["items"])) == (2, rows), query

    env.clock.set(local(2026, 11, 16, 15, 0))
    answered = await env.ok("POST", f"/error-reports/{mine['id']}/answer", UNIT_A,
                            json={"answer": "感谢您的留言，错别字已更正。"})
    assert answered["status"] == "answered" and answered["answered_on_time"] is True
    assert answered["answered_by"] == "unit-a（历下区教体局）"
    again = await env.call("POST", f"/error-reports/{mine['id']}/answer", UNIT_A, json={"answer": "再答"})
    assert again.status_code == 409 and again.json()["type"].endswith("/invalid-transition")
    assert again.json()["allowed_actions"] == []
    assert (await env.ok("GET", "/error-reports?status=open", SUPERVISOR))["total"] == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"website": {**SITE_A, "site_code": "37010"}}, "website.site_code"),
    ({"website": {**SITE_A, "region_code": "3701"}}, "website.region_code"),
    ({"category": "错别字"}, "category"),
    ({"page_url": "javascript:alert(1)"}, "page_url"),
    ({"content": ""}, "content"),
    ({"submitted_at": "2026-11-14T10:00:00+08:00"}, "submitted_at"),
])
async def test_bad_input_answers_422_naming_the_field(env: Env, change: dict[str, Any], field: str) -> None:
    r = await env.call("POST", "/error-reports", PUBLIC_CHANNEL, json={**message(SITE_A), **change})
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"]
    assert (await env.ok("GET", "/error-reports", SUPERVISOR))["total"] == 0


async def test_only_the_public_channel_in_scope_may_submit(env: Env) -> None:
    r = await env.call("POST", "/error-reports", UNIT_A, json=message(SITE_A))
    assert r.status_code == 403
    qingdao = {**SITE_A, "site_code": "3702000001", "region_code": "370200"}
    r = await env.call("POST", "/error-reports", PUBLIC_CHANNEL, json=message(qingdao))
    assert r.status_code == 422 and "website.region_code" in r.json()["detail"]


async def test_a_year_without_a_loaded_calendar_is_refused_naming_the_year(env: Env) -> None:
    env.clock.set(local(2026, 12, 30, 9, 0))  # Wed: the third working day falls in 2027
    r = await env.call("POST", "/error-reports", PUBLIC_CHANNEL, json=message(SITE_A))
    assert r.status_code == 422
    problem = r.json()
    assert problem["type"].endswith("/calendar-year-missing") and problem["year"] == 2027
    assert "2027" in problem["detail"]
    assert (await env.ok("GET", "/error-reports", SUPERVISOR))["total"] == 0


async def test_stats_count_each_units_messages_for_the_assessment(env: Env) -> None:
    on_time, late, ignored = [await submit(env, SITE_A) for _ in range(3)]
    env.clock.set(local(2026, 11, 16, 9, 0))
    await env.ok("POST", f"/error-reports/{on_time['id']}/answer", UNIT_A, json={"answer": "已更正"})
    env.clock.set(local(2026, 12, 25, 9, 0))  # more than a month after the 11-19 00:00 deadline
    answered = await env.ok("POST", f"/error-reports/{late['id']}/answer", UNIT_A, json={"answer": "已更正"})
    assert answered["answered_on_time"] is False
    fresh = await submit(env, SITE_B)
    assert fresh["deadline_at"] == "2026-12-30T16:00:00Z"

    stats = await env.ok("GET", "/error-reports/stats", SUPERVISOR)
    by_org = {s["organisation_id"]: s for s in stats["items"]}
    a, b = by_org[str(ORG_A)], by_org[str(ORG_B)]
    assert (a["total"], a["open"], a["overdue"], a["answered_on_time"], a["answered_late"],
            a["answered_over_month_late"], a["assessment_deduction"]) == (3, 0, 1, 1, 1, 1, 5.0)
    assert (b["total"], b["open"], b["overdue"], b["assessment_deduction"]) == (1, 1, 0, 0.0)

    only_b = await env.ok("GET", "/error-reports/stats?region=370103", SUPERVISOR)
    assert [s["organisation_id"] for s in only_b["items"]] == [str(ORG_B)]
    assert [s["organisation_id"] for s in (await env.ok("GET", "/error-reports/stats", UNIT_B))["items"]] == [
        str(ORG_B)]
    december = await env.ok("GET", "/error-reports/stats?submitted_from=2026-12-01", SUPERVISOR)
    assert [(s["organisation_id"], s["total"]) for s in december["items"]] == [(str(ORG_B), 1)]
    assert ignored["id"] in [m["id"] for m in (await env.ok(
        "GET", "/error-reports?overdue_only=true", SUPERVISOR))["items"]]


async def test_an_unanswered_message_is_announced_overdue_once(env: Env) -> None:
    waiting, answered = await submit(env, SITE_A), await submit(env, SITE_B)
    await env.ok("POST", f"/error-reports/{answered['id']}/answer", UNIT_B, json={"answer": "已处理"})

    env.clock.set(DUE - timedelta(seconds=1))
    assert (await env.watch())["error_report_overdue"] == 0
    env.clock.set(DUE + timedelta(seconds=1))
    assert (await env.watch())["error_report_overdue"] == 1
    assert (await env.watch(env.resources()))["error_report_overdue"] == 0
    [event] = await env.events("error_report.overdue")
    assert event["error_report_id"] == waiting["id"] and event["site_code"] == "3701020001"
    assert event["organisation_id"] == str(ORG_A)
    assert event["deadline_at"] == DUE.astimezone(UTC).isoformat()


async def test_a_message_about_a_site_the_registry_does_not_show_or_describes_otherwise_is_refused(
        env: Env) -> None:
    unfiled = {**SITE_A, "id": str(uuid.uuid4())}
    r = await env.call("POST", "/error-reports", PUBLIC_CHANNEL, json=message(unfiled))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "website.id"
    # 市中区's site described as lying in 历下区, to pin the message on another county's unit.
    pinned = {**SITE_B, "region_code": "370102"}
    r = await env.call("POST", "/error-reports", PUBLIC_CHANNEL, json=message(pinned))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] in ("website.region_code", "website.id")
    assert (await env.ok("GET", "/error-reports", SUPERVISOR))["total"] == 0
