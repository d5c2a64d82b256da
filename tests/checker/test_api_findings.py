"""Findings through the API: filters, scope, verdicts, export, evidence, identity across runs."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import openpyxl
from sqlmodel import col, select

from services.checker.common.outbox import OutboxEvent
from services.checker.finding.models import Finding, Sighting
from services.checker.finding.service import fingerprint, silenced
from services.checker.run.models import Run, Task
from shared.contracts.events import TARGET_RESCORED
from shared.principal import Role
from tests.checker.factories import PNG, draft, record_findings, run_with_tasks, target
from tests.integration.conftest import Suite
from tests.registry.factories import token
from tests.shared.spreadsheets import PAYLOADS, assert_payloads_inert

PROBLEM = "https://govinspect.cn/problems/"
LIXIA, SHIZHONG = "370102", "370103"
LIXIA_SUPERVISOR = token(regions=[LIXIA], roles=[Role.supervisor], subject="lixia")
SHIZHONG_SUPERVISOR = token(regions=[SHIZHONG], roles=[Role.supervisor], subject="shizhong")
VIEWER = token(all_regions=True, roles=[Role.viewer], subject="viewer")
EXPORT_HEADERS = ["网站标识码", "网站名称", "主办单位", "区划", "指标", "规则代码", "性质", "问题描述",
                  "问题页面", "所在页面", "位置", "上下文", "建议修改", "扣分", "首次发现", "最近发现",
                  "已消失", "研判"]


@dataclass
class World:
    run: Run
    lixia: Task  # 历下区 website with a veto, a broken link and a typo (with a screenshot)
    shizhong: Task  # 市中区 website with one typo
    ids: dict[str, str]  # finding id by rule, for the 历下区 site; "shizhong" for the other
    shot: str  # evidence id of the 历下区 typo's screenshot


async def _world(suite: Suite) -> World:
    now = suite.registry.clock.now()
    shot = suite.checker.state.evidence.put(PNG)
    run, (lixia, shizhong) = await run_with_tasks(
        suite, [target(LIXIA, site_code="3701020001"), target(SHIZHONG, site_code="3701030001")], now)
    await record_findings(suite, lixia, [
        draft("veto.security", severity="veto", indicator="安全隐患", message="页面含暗链",
              locator="dark-link"),
        draft("deduct.links", indicator="链接可用性", message="链接无法打开", points=0.1),
        draft("content.typo", indicator="错别字", message="错别字“按步就班”", screenshot=shot,
              excerpt="工作【按步就班】推进", suggestion="按部就班")], now)
    await record_findings(suite, shizhong, [draft("content.typo", indicator="错别字")], now)
    async with suite.checker.state.sessionmaker() as session:
        rows = (await session.execute(select(Finding))).scalars().all()
    ids = {f.rule: str(f.id) for f in rows if f.region_code == LIXIA}
    ids["shizhong"] = next(str(f.id) for f in rows if f.region_code == SHIZHONG)
    return World(run=run, lixia=lixia, shizhong=shizhong, ids=ids, shot=shot)


async def _list(suite: Suite, headers: dict[str, str] | None = None, **params: Any) -> list[Any]:
    r = await suite.client.get("/findings", params=params, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return list(body["items"])


async def _verdicts(suite: Suite) -> dict[str, str | None]:
    async with suite.checker.state.sessionmaker() as session:
        return {str(f.id): f.verdict for f in (await session.execute(select(Finding))).scalars()}


async def test_list_filters_by_run_rule_severity_verdict_and_open(suite: Suite) -> None:
    w = await _world(suite)
    assert len(await _list(suite)) == 4
    assert len(await _list(suite, run_id=str(w.run.id))) == 4
    assert await _list(suite, run_id=str(uuid.uuid4())) == []
    assert [f["id"] for f in await _list(suite, rule="veto.")] == [w.ids["veto.security"]]
    assert {f["rule"] for f in await _list(suite, rule="content")} == {"content.typo"}
    deduct = await _list(suite, severity="deduct")
    assert len(deduct) == 3 and {f["severity_label"] for f in deduct} == {"扣分"}
    assert [f["id"] for f in await _list(suite, region=SHIZHONG)] == [w.ids["shizhong"]]

    r = await suite.client.put(f"/findings/{w.ids['content.typo']}/verdict",
                               json={"verdict": "confirmed"})
    assert r.status_code == 200
    undecided = {f["id"] for f in await _list(suite, verdict="none")}
    assert len(undecided) == 3 and w.ids["content.typo"] not in undecided
    assert [f["id"] for f in await _list(suite, verdict="confirmed")] == [w.ids["content.typo"]]

    # A second run of the 历下区 site no longer sees the broken link: it is no longer open.
    suite.registry.clock.advance(timedelta(days=1))
    run2, (task2,) = await run_with_tasks(suite, [w.lixia.target], suite.registry.clock.now())
    await record_findings(suite, task2, [draft("veto.security", severity="veto", locator="dark-link")],
                          suite.registry.clock.now())
    open_ids = {f["id"] for f in await _list(suite, open_only="true", region=LIXIA)}
    assert open_ids == {w.ids["veto.security"]}
    assert [f["id"] for f in await _list(suite, run_id=str(run2.id))] == [w.ids["veto.security"]]


async def test_bad_filter_values_are_422(suite: Suite) -> None:
    r = await suite.client.get("/findings", params={"severity": "fatal"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "severity"
    r = await suite.client.get("/findings", params={"region": "3701"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "region"


async def test_county_principal_never_sees_another_countys_findings(suite: Suite) -> None:
    w = await _world(suite)
    seen = await _list(suite, headers=SHIZHONG_SUPERVISOR)
    assert [f["id"] for f in seen] == [w.ids["shizhong"]]
    assert await _list(suite, headers=SHIZHONG_SUPERVISOR, region=LIXIA) == []
    r = await suite.client.get(f"/findings/{w.ids['veto.security']}", headers=SHIZHONG_SUPERVISOR)
    assert r.status_code == 404 and r.json()["type"] == PROBLEM + "not-found"
    r = await suite.client.get(f"/findings/{w.ids['shizhong']}", headers=SHIZHONG_SUPERVISOR)
    assert r.status_code == 200 and r.json()["region_code"] == SHIZHONG
    assert (await suite.client.get(f"/findings/{uuid.uuid4()}")).status_code == 404


async def test_unit_sees_only_its_own_organisation(suite: Suite) -> None:
    w = await _world(suite)
    unit = token(roles=[Role.unit], organisations=[w.lixia.organisation_id], subject="unit")
    assert {f["id"] for f in await _list(suite, headers=unit)} == {
        w.ids["veto.security"], w.ids["deduct.links"], w.ids["content.typo"]}


async def test_supervisor_sets_and_withdraws_a_verdict(suite: Suite) -> None:
    w = await _world(suite)
    url = f"/findings/{w.ids['content.typo']}/verdict"
    r = await suite.client.put(url, headers=LIXIA_SUPERVISOR,
                               json={"verdict": "false_positive", "note": "专有名词"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["verdict"] == "false_positive" and got["verdict_label"] == "误报"
    assert got["verdict_by"] == "lixia（测试）" and got["verdict_note"] == "专有名词"
    assert (await _verdicts(suite))[w.ids["content.typo"]] == "false_positive"

    r = await suite.client.put(url, headers=LIXIA_SUPERVISOR, json={"verdict": None})
    assert r.status_code == 200 and r.json()["verdict"] is None and r.json()["verdict_by"] is None
    assert (await _verdicts(suite))[w.ids["content.typo"]] is None


async def test_verdict_refused_to_unit_viewer_and_other_county(suite: Suite) -> None:
    w = await _world(suite)
    url = f"/findings/{w.ids['content.typo']}/verdict"
    unit = token(roles=[Role.unit], organisations=[w.lixia.organisation_id], subject="unit")
    for headers in (unit, VIEWER):
        r = await suite.client.put(url, headers=headers, json={"verdict": "false_positive"})
        assert r.status_code == 403 and r.json()["type"] == PROBLEM + "forbidden"
    r = await suite.client.put(url, headers=SHIZHONG_SUPERVISOR, json={"verdict": "confirmed"})
    assert r.status_code == 404
    r = await suite.client.put(url, json={"verdict": "wrong"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "verdict"
    assert set((await _verdicts(suite)).values()) == {None}


async def test_bulk_verdicts_all_or_nothing(suite: Suite) -> None:
    w = await _world(suite)
    mine = [w.ids["veto.security"], w.ids["content.typo"]]
    r = await suite.client.post("/findings/verdicts", headers=LIXIA_SUPERVISOR, json={
        "ids": [*mine, w.ids["shizhong"]], "verdict": "confirmed"})
    assert r.status_code == 422 and r.json()["type"] == PROBLEM + "validation-failed"
    assert r.json()["errors"] == [{"field": "ids", "value": w.ids["shizhong"], "message": "不存在"}]
    assert set((await _verdicts(suite)).values()) == {None}

    unknown = str(uuid.uuid4())
    r = await suite.client.post("/findings/verdicts", json={"ids": [*mine, unknown],
                                                           "verdict": "doubtful"})
    assert r.status_code == 422 and unknown in r.json()["detail"]
    assert set((await _verdicts(suite)).values()) == {None}

    r = await suite.client.post("/findings/verdicts", headers=LIXIA_SUPERVISOR,
                                json={"ids": [*mine, mine[0]], "verdict": "doubtful"})
    assert r.status_code == 200 and r.json() == {"updated": 2, "rescored": 0}
    verdicts = await _verdicts(suite)
    assert [verdicts[i] for i in mine] == ["doubtful", "doubtful"]
    assert verdicts[w.ids["deduct.links"]] is None and verdicts[w.ids["shizhong"]] is None

    r = await suite.client.post("/findings/verdicts", headers=VIEWER,
                                json={"ids": mine, "verdict": "confirmed"})
    assert r.status_code == 403
    r = await suite.client.post("/findings/verdicts", json={"ids": [], "verdict": "confirmed"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ids"


async def test_export_csv_has_bom_chinese_headers_and_a_row_per_finding(suite: Suite) -> None:
    await _world(suite)
    r = await suite.client.get("/findings/export", params={"format": "csv", "region": LIXIA})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == EXPORT_HEADERS
    assert len(rows) == 4 and r.headers["x-total-count"] == "3"
    by_rule = {row[5]: dict(zip(EXPORT_HEADERS, row, strict=True)) for row in rows[1:]}
    typo = by_rule["content.typo"]
    assert typo["网站标识码"] == "3701020001" and typo["建议修改"] == "按部就班"
    assert typo["上下文"] == "工作【按步就班】推进" and typo["首次发现"] == "2026-11-20 10:00"
    assert by_rule["veto.security"]["性质"] == "单项否决"
    # scope applies to exports too
    r = await suite.client.get("/findings/export", params={"format": "csv"},
                               headers=SHIZHONG_SUPERVISOR)
    assert len(list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))) == 2


async def test_export_xlsx_opens_with_header_and_rows(suite: Suite) -> None:
    await _world(suite)
    r = await suite.client.get("/findings/export", params={"rule": "content."})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    sheet = book.worksheets[0]
    assert sheet.title == "问题清单"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == EXPORT_HEADERS
    assert sorted(str(row[0]) for row in rows[1:]) == ["3701020001", "3701030001"]
    assert {row[5] for row in rows[1:]} == {"content.typo"}


async def test_evidence_served_only_for_findings_in_scope(suite: Suite) -> None:
    w = await _world(suite)
    typo = (await suite.client.get(f"/findings/{w.ids['content.typo']}")).json()
    assert typo["screenshot_url"] == f"/evidence/{w.shot}"
    r = await suite.client.get(typo["screenshot_url"], headers=LIXIA_SUPERVISOR)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content == PNG

    r = await suite.client.get(f"/evidence/{w.shot}", headers=SHIZHONG_SUPERVISOR)
    assert r.status_code == 404 and r.json()["type"] == PROBLEM + "not-found"
    stray = suite.checker.state.evidence.put(PNG + b"stray")  # stored, but no finding owns it
    assert (await suite.client.get(f"/evidence/{stray}")).status_code == 404
    assert (await suite.client.get(f"/evidence/{'0' * 64}")).status_code == 404


async def test_malformed_evidence_id_is_not_a_server_error(suite: Suite) -> None:
    w = await _world(suite)
    for bad in ("not-an-id", w.shot.upper(), w.shot[:-1], "..%2F..%2Fetc%2Fpasswd", f"{w.shot}.png"):
        r = await suite.client.get(f"/evidence/{bad}")
        assert r.status_code in (404, 422), (bad, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json"


async def test_same_drafts_in_a_second_run_keep_identity_and_resolve_the_rest(suite: Suite) -> None:
    t = target(LIXIA)
    first_at = suite.registry.clock.now()
    stays, goes = draft("content.typo", locator="p1|按步就班"), draft("deduct.links", locator="/gone")
    run1, (task1,) = await run_with_tasks(suite, [t], first_at)
    assert await record_findings(suite, task1, [stays, goes], first_at) == 2
    before = {f["rule"]: f for f in await _list(suite, run_id=str(run1.id))}

    second_at = first_at + timedelta(days=7)
    run2, (task2,) = await run_with_tasks(suite, [t], second_at)
    await record_findings(suite, task2, [stays], second_at)
    after = {f["rule"]: f for f in await _list(suite)}
    assert len(after) == 2
    assert after["content.typo"]["id"] == before["content.typo"]["id"]
    assert after["content.typo"]["first_seen_at"] == before["content.typo"]["first_seen_at"]
    assert datetime.fromisoformat(after["content.typo"]["last_seen_at"]) == second_at
    assert after["content.typo"]["resolved_at"] is None
    assert datetime.fromisoformat(after["deduct.links"]["resolved_at"]) == second_at
    assert [f["rule"] for f in await _list(suite, run_id=str(run2.id))] == ["content.typo"]
    async with suite.checker.state.sessionmaker() as session:
        sightings = (await session.execute(select(Sighting.run_id).where(
            Sighting.finding_id == uuid.UUID(before["content.typo"]["id"])))).scalars().all()
    assert set(sightings) == {run1.id, run2.id}

    # Seen again in a third run, the resolved finding reopens under its old identity.
    third_at = second_at + timedelta(days=7)
    _, (task3,) = await run_with_tasks(suite, [t], third_at)
    await record_findings(suite, task3, [stays, goes], third_at)
    links = (await suite.client.get(f"/findings/{before['deduct.links']['id']}")).json()
    assert links["resolved_at"] is None and links["first_seen_at"] == before["deduct.links"]["first_seen_at"]


async def test_recording_a_task_twice_adds_no_duplicate(suite: Suite) -> None:
    now = suite.registry.clock.now()
    run, (task,) = await run_with_tasks(suite, [target(LIXIA)], now)
    drafts = [draft("content.typo", locator="a"), draft("content.typo", locator="a"),
              draft("content.typo", locator="b")]
    assert await record_findings(suite, task, drafts, now) == 2
    assert await record_findings(suite, task, drafts, now) == 2
    assert len(await _list(suite, run_id=str(run.id))) == 2
    async with suite.checker.state.sessionmaker() as session:
        assert len((await session.execute(select(Sighting))).all()) == 2


async def test_false_positive_fingerprints_are_silenced(suite: Suite) -> None:
    w = await _world(suite)
    r = await suite.client.put(f"/findings/{w.ids['content.typo']}/verdict",
                               json={"verdict": "false_positive"})
    assert r.status_code == 200
    r = await suite.client.put(f"/findings/{w.ids['veto.security']}/verdict",
                               json={"verdict": "confirmed"})
    assert r.status_code == 200
    async with suite.checker.state.sessionmaker() as session:
        prints = list((await session.execute(select(Finding.fingerprint).order_by(
            col(Finding.rule)))).scalars())
        typo_print = (await session.get(Finding, uuid.UUID(w.ids["content.typo"]))).fingerprint
        never_seen = fingerprint(w.lixia.target_id, "content.typo", "nowhere")
        assert await silenced(session, [*prints, never_seen]) == {typo_print}
        assert await silenced(session, []) == set()


async def test_evidence_reference_that_is_not_a_content_hash_is_404(suite: Suite) -> None:
    now = suite.registry.clock.now()
    _, (task,) = await run_with_tasks(suite, [target(LIXIA)], now)
    await record_findings(suite, task, [draft("veto.security", screenshot="shot-1.png")], now)
    (finding,) = await _list(suite)
    assert finding["screenshot_url"] == "/evidence/shot-1.png"
    r = await suite.client.get(finding["screenshot_url"])
    assert r.status_code == 404, r.text
    assert r.json()["type"] == PROBLEM + "not-found"


async def test_rule_prefix_and_search_text_are_taken_literally(suite: Suite) -> None:
    now = suite.registry.clock.now()
    _, (task,) = await run_with_tasks(suite, [target(LIXIA)], now)
    await record_findings(suite, task, [
        draft("content.typo", message="完成率100%的表述有误"),
        draft("deduct.links", message="完成率1000的页面链接无法打开")], now)
    assert await _list(suite, rule="content_") == []
    assert await _list(suite, rule="%") == []
    assert [f["rule"] for f in await _list(suite, rule="content.")] == ["content.typo"]
    assert [f["rule"] for f in await _list(suite, q="100%")] == ["content.typo"]
    assert [f["rule"] for f in await _list(suite, q="率1_0")] == []


async def _rescored(suite: Suite) -> list[dict[str, Any]]:
    async with suite.checker.state.sessionmaker() as session:
        rows = (await session.execute(select(OutboxEvent).where(
            OutboxEvent.name == TARGET_RESCORED).order_by(col(OutboxEvent.occurred_at)))).scalars()
        return [dict(e.payload) for e in rows]


async def _task(suite: Suite, task_id: uuid.UUID) -> Task:
    async with suite.checker.state.sessionmaker() as session:
        row = await session.get(Task, task_id)
        assert row is not None
        return row


async def test_false_positive_seen_again_stays_tracked_silent_and_open(suite: Suite) -> None:
    w = await _world(suite)
    typo = (await suite.client.get(f"/findings/{w.ids['content.typo']}")).json()
    r = await suite.client.put(f"/findings/{typo['id']}/verdict", headers=LIXIA_SUPERVISOR,
                               json={"verdict": "false_positive", "note": "专有名词"})
    assert r.status_code == 200, r.text
    assert w.ids["content.typo"] not in {f["id"] for f in await _list(suite)}

    # The next run sees the same typo on the unchanged page: tracked, silent, not resolved.
    later = suite.registry.clock.now() + timedelta(days=7)
    run2, (task2,) = await run_with_tasks(suite, [w.lixia.target], later)
    counted = await record_findings(suite, task2, [
        draft("content.typo", locator=typo["locator"]),
        draft("veto.security", severity="veto", locator="dark-link")], later)
    assert counted == 1  # the veto; the false positive does not count
    got = (await suite.client.get(f"/findings/{typo['id']}")).json()
    assert got["resolved_at"] is None and got["verdict"] == "false_positive"
    assert datetime.fromisoformat(got["last_seen_at"]) == later
    assert [f["rule"] for f in await _list(suite, run_id=str(run2.id))] == ["veto.security"]
    silent = await _list(suite, run_id=str(run2.id), verdict="false_positive")
    assert [f["id"] for f in silent] == [typo["id"]]

    # A run that no longer sees it (the page was really corrected) resolves it.
    last = later + timedelta(days=7)
    _, (task3,) = await run_with_tasks(suite, [w.lixia.target], last)
    await record_findings(suite, task3, [], last)
    got = (await suite.client.get(f"/findings/{typo['id']}")).json()
    assert datetime.fromisoformat(got["resolved_at"]) == last


async def test_verdict_rescores_the_latest_result_and_tells_reporting(suite: Suite) -> None:
    w = await _world(suite)  # 历下区: a veto, a 0.1-point broken link, a typo
    async with suite.checker.state.sessionmaker() as session:
        row = await session.get(Task, w.lixia.id)
        assert row is not None
        row.score, row.passed, row.vetoes = None, False, ["veto.security"]
        await session.commit()
    url = f"/findings/{w.ids['veto.security']}/verdict"
    r = await suite.client.put(url, json={"verdict": "false_positive", "note": "本站下拉菜单"})
    assert r.status_code == 200, r.text
    task = await _task(suite, w.lixia.id)
    assert (task.score, task.passed, task.vetoes) == (99.9, True, [])
    (event,) = await _rescored(suite)
    assert event["task_id"] == str(w.lixia.id) and event["run_id"] == str(w.run.id)
    assert (event["score"], event["passed"], event["vetoes"]) == (99.9, True, [])
    assert event["reason"] == "verdict"
    assert sorted(f["rule"] for f in event["findings"]) == ["content.typo", "deduct.links"]

    # A verdict that does not touch "false positive" changes no score and sends nothing.
    r = await suite.client.put(f"/findings/{w.ids['deduct.links']}/verdict",
                               json={"verdict": "confirmed"})
    assert r.status_code == 200 and len(await _rescored(suite)) == 1

    # Taking the false positive back restores the veto.
    r = await suite.client.put(url, json={"verdict": None})
    assert r.status_code == 200
    task = await _task(suite, w.lixia.id)
    assert (task.score, task.passed, task.vetoes) == (None, False, ["veto.security"])
    assert [(e["passed"], e["revision"]) for e in await _rescored(suite)] == [(True, 1), (False, 2)]


async def test_verdict_on_a_finding_the_latest_run_did_not_see_rescores_nothing(suite: Suite) -> None:
    w = await _world(suite)
    later = suite.registry.clock.now() + timedelta(days=7)
    _, (task2,) = await run_with_tasks(suite, [w.lixia.target], later)
    await record_findings(suite, task2, [draft("veto.security", severity="veto",
                                               locator="dark-link")], later)
    r = await suite.client.put(f"/findings/{w.ids['content.typo']}/verdict",
                               json={"verdict": "false_positive"})
    assert r.status_code == 200 and await _rescored(suite) == []


async def test_bulk_mark_by_rule_and_locator_on_every_site_in_scope(suite: Suite) -> None:
    now = suite.registry.clock.now()
    national = "https://www.gov.cn/"
    _, tasks = await run_with_tasks(suite, [target(LIXIA), target(LIXIA), target(SHIZHONG)], now)
    for t in tasks:
        await record_findings(suite, t, [
            draft("veto.security", severity="veto", locator=national, url=national),
            draft("content.typo", locator="p1|按步就班")], now)
    body = {"rule": "veto.security", "locator": national, "verdict": "false_positive",
            "note": "链向中国政府网，非暗链"}
    r = await suite.client.post("/findings/verdicts", headers=LIXIA_SUPERVISOR, json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"updated": 2, "rescored": 2}
    marked = await _list(suite, verdict="false_positive")
    assert sorted(f["region_code"] for f in marked) == [LIXIA, LIXIA]
    assert {f["verdict_note"] for f in marked} == {"链向中国政府网，非暗链"}
    assert {e["task_id"] for e in await _rescored(suite)} == {str(t.id) for t in tasks[:2]}
    assert [f["region_code"] for f in await _list(suite, rule="veto.")] == [SHIZHONG]
    assert [(await _task(suite, t.id)).passed for t in tasks] == [True, True, None]

    # Nothing in the caller's scope with that rule and locator: 422, nothing written.
    r = await suite.client.post("/findings/verdicts", headers=LIXIA_SUPERVISOR,
                                json={**body, "locator": "https://elsewhere.example/"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "locator"
    r = await suite.client.post("/findings/verdicts", headers=LIXIA_SUPERVISOR,
                                json={"rule": "veto.security", "verdict": "false_positive"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "locator"
    r = await suite.client.post("/findings/verdicts", json={**body, "ids": [str(uuid.uuid4())]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ids"
    r = await suite.client.post("/findings/verdicts", json={"verdict": "false_positive"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ids"
    r = await suite.client.post("/findings/verdicts", headers=VIEWER, json=body)
    assert r.status_code == 403
    assert [f["region_code"] for f in await _list(suite, rule="veto.")] == [SHIZHONG]


async def test_export_keeps_formula_texts_as_text(suite: Suite) -> None:
    """Page text and site names that look like formulas are exported as text (OWASP)."""
    now = suite.registry.clock.now()
    _, tasks = await run_with_tasks(suite, [target(LIXIA, name=p) for p in PAYLOADS], now)
    for task, payload in zip(tasks, PAYLOADS, strict=True):
        await record_findings(suite, task, [draft("content.typo", indicator="错别字",
                                                  excerpt=payload, suggestion=payload)], now)
    xlsx = await suite.client.get("/findings/export", params={"format": "xlsx"})
    csv_body = await suite.client.get("/findings/export", params={"format": "csv"})
    assert xlsx.status_code == csv_body.status_code == 200
    assert_payloads_inert(xlsx=xlsx.content, csv_body=csv_body.content)
