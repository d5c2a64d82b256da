"""Runs through the API: targets from the registry in the caller's scope, tasks, cancel, bad input."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from services.checker.run.models import Run, Task
from shared.principal import Role
from tests.checker.factories import run_with_tasks, target
from tests.integration.conftest import Suite
from tests.registry.factories import JINAN, org, region_tree, site, token

PROBLEM = "https://govinspect.cn/problems/"
LIXIA, SHIZHONG = "370102", "370103"
SHIZHONG_SUPERVISOR = token(regions=[SHIZHONG], roles=[Role.supervisor], subject="shizhong")
VIEWER = token(all_regions=True, roles=[Role.viewer], subject="viewer")


async def _sites(suite: Suite) -> dict[str, dict[str, Any]]:
    """Two running sites and a planned one in 历下区, one running site in 市中区."""
    reg = suite.registry
    await region_tree(reg, *JINAN)
    lixia, shizhong = await org(reg, LIXIA), await org(reg, SHIZHONG)
    return {"lixia1": await site(reg, lixia), "lixia2": await site(reg, lixia),
            "planned": await site(reg, lixia, status="planned"),
            "shizhong": await site(reg, shizhong)}


async def _tasks(suite: Suite, run_id: str) -> list[Task]:
    async with suite.checker.state.sessionmaker() as session:
        return list((await session.execute(
            select(Task).where(Task.run_id == uuid.UUID(run_id)))).scalars().all())


async def _start(suite: Suite, scope: dict[str, Any], headers: dict[str, str] | None = None,
                 **extra: Any) -> Any:
    return await suite.client.post("/runs", headers=headers,
                                   json={"name": "测试检查", "scope": scope, **extra})


async def test_run_over_region_has_one_task_per_site_except_planned(suite: Suite) -> None:
    sites = await _sites(suite)
    r = await _start(suite, {"regions": [LIXIA]})
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["status"] == "queued" and run["status_label"] == "排队中"
    assert run["progress"]["targets_total"] == 2
    assert datetime.fromisoformat(run["as_of"]) == suite.registry.clock.now()
    tasks = await _tasks(suite, run["id"])
    assert {str(t.target_id) for t in tasks} == {sites["lixia1"]["id"], sites["lixia2"]["id"]}
    assert {t.status for t in tasks} == {"pending"}
    listed = (await suite.client.get(f"/runs/{run['id']}/tasks")).json()
    assert [t["site_code"] for t in listed] == sorted(
        [sites["lixia1"]["site_code"], sites["lixia2"]["site_code"]])


async def test_run_keeps_the_given_monitoring_point(suite: Suite) -> None:
    await _sites(suite)
    as_of = suite.registry.clock.now() - timedelta(days=3)
    r = await _start(suite, {"regions": ["370100"]}, as_of=as_of.isoformat())
    assert r.status_code == 201, r.text
    assert datetime.fromisoformat(r.json()["as_of"]) == as_of
    assert r.json()["progress"]["targets_total"] == 3


async def test_narrow_principal_gets_no_targets_outside_its_region(suite: Suite) -> None:
    await _sites(suite)
    r = await _start(suite, {"regions": [LIXIA]}, headers=SHIZHONG_SUPERVISOR)
    assert r.status_code == 422, r.text
    assert r.json()["type"] == PROBLEM + "validation-failed"
    assert "没有可检查的网站" in r.json()["detail"]
    async with suite.checker.state.sessionmaker() as session:
        assert (await session.execute(select(Run))).first() is None


async def test_narrow_principal_inspects_only_its_own_sites(suite: Suite) -> None:
    sites = await _sites(suite)
    r = await _start(suite, {"regions": ["370100"]}, headers=SHIZHONG_SUPERVISOR)
    assert r.status_code == 201, r.text
    tasks = await _tasks(suite, r.json()["id"])
    assert [str(t.target_id) for t in tasks] == [sites["shizhong"]["id"]]


async def test_run_of_other_county_is_404_and_tasks_are_scoped(suite: Suite) -> None:
    now = suite.registry.clock.now()
    lixia_only, _ = await run_with_tasks(suite, [target(LIXIA)], now)
    mixed, _ = await run_with_tasks(suite, [target(LIXIA), target(SHIZHONG)], now)

    r = await suite.client.get(f"/runs/{lixia_only.id}", headers=SHIZHONG_SUPERVISOR)
    assert r.status_code == 404 and r.json()["type"] == PROBLEM + "not-found"
    r = await suite.client.get(f"/runs/{lixia_only.id}/tasks", headers=SHIZHONG_SUPERVISOR)
    assert r.status_code == 404
    r = await suite.client.get(f"/runs/{uuid.uuid4()}")
    assert r.status_code == 404

    r = await suite.client.get(f"/runs/{mixed.id}", headers=SHIZHONG_SUPERVISOR)
    assert r.status_code == 200 and r.json()["progress"]["targets_total"] == 1
    tasks = (await suite.client.get(f"/runs/{mixed.id}/tasks", headers=SHIZHONG_SUPERVISOR)).json()
    assert [t["region_code"] for t in tasks] == [SHIZHONG]
    assert len((await suite.client.get(f"/runs/{mixed.id}/tasks")).json()) == 2
    listed = (await suite.client.get("/runs", headers=SHIZHONG_SUPERVISOR)).json()
    assert [r["id"] for r in listed["items"]] == [str(mixed.id)] and listed["total"] == 1


async def test_cancel_stops_pending_tasks_and_cannot_repeat(suite: Suite) -> None:
    await _sites(suite)
    run = (await _start(suite, {"regions": [LIXIA]})).json()
    r = await suite.client.post(f"/runs/{run['id']}/cancel")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled" and r.json()["status_label"] == "已取消"
    assert r.json()["finished_at"] is not None
    assert {t.status for t in await _tasks(suite, run["id"])} == {"cancelled"}

    again = await suite.client.post(f"/runs/{run['id']}/cancel")
    assert again.status_code == 409 and again.json()["type"] == PROBLEM + "invalid-transition"
    assert "已取消" in again.json()["detail"]


async def test_cancel_keeps_finished_tasks(suite: Suite) -> None:
    now = suite.registry.clock.now()
    run, tasks = await run_with_tasks(suite, [target(LIXIA), target(LIXIA)], now)
    async with suite.checker.state.sessionmaker() as session:
        done = await session.get(Task, tasks[0].id)
        assert done is not None
        done.status, done.score = "done", 95.0
        await session.commit()
    r = await suite.client.post(f"/runs/{run.id}/cancel")
    assert r.status_code == 200
    by_id = {t.id: t for t in await _tasks(suite, str(run.id))}
    assert by_id[tasks[0].id].status == "done" and by_id[tasks[0].id].score == 95.0
    assert by_id[tasks[1].id].status == "cancelled"


async def test_viewer_can_read_but_not_start_or_cancel(suite: Suite) -> None:
    await _sites(suite)
    r = await _start(suite, {"regions": [LIXIA]}, headers=VIEWER)
    assert r.status_code == 403 and r.json()["type"] == PROBLEM + "forbidden"
    run = (await _start(suite, {"regions": [LIXIA]})).json()
    assert (await suite.client.get(f"/runs/{run['id']}", headers=VIEWER)).status_code == 200
    r = await suite.client.post(f"/runs/{run['id']}/cancel", headers=VIEWER)
    assert r.status_code == 403
    assert (await suite.client.get(f"/runs/{run['id']}")).json()["status"] == "queued"


async def test_empty_scope_is_422_naming_the_scope(suite: Suite) -> None:
    r = await _start(suite, {})
    assert r.status_code == 422
    body = r.json()
    assert body["type"] == PROBLEM + "validation-failed" and body["title"] == "请求参数无效"
    assert body["errors"][0]["field"] == "scope"
    assert "检查范围不能为空" in body["detail"]


async def test_bad_region_code_is_422_naming_the_code(suite: Suite) -> None:
    r = await _start(suite, {"regions": ["37010"]})
    assert r.status_code == 422
    assert r.json()["title"] == "请求参数无效"
    assert "37010" in r.json()["detail"] and "六位数字" in r.json()["detail"]


async def test_unknown_field_in_body_is_422(suite: Suite) -> None:
    r = await _start(suite, {"regions": [LIXIA]}, priority="high")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "priority"


async def test_unknown_profile_is_422_naming_it(suite: Suite) -> None:
    await _sites(suite)
    r = await _start(suite, {"regions": [LIXIA]}, profile="不存在的配置")
    assert r.status_code == 422, r.text
    assert r.json()["title"] == "请求参数无效" and "不存在的配置" in r.json()["detail"]
    assert r.json()["errors"] == [{"field": "profile", "value": "不存在的配置", "message": "规则配置不存在"}]
    async with suite.checker.state.sessionmaker() as session:
        assert (await session.execute(select(Run))).first() is None



async def test_listed_planned_site_is_not_inspected(suite: Suite) -> None:
    sites = await _sites(suite)
    r = await _start(suite, {"website_ids": [sites["planned"]["id"], sites["lixia1"]["id"]]})
    assert r.status_code == 201, r.text
    assert [str(t.target_id) for t in await _tasks(suite, r.json()["id"])] == [sites["lixia1"]["id"]]
    r = await _start(suite, {"website_ids": [sites["planned"]["id"]]})
    assert r.status_code == 422 and "没有可检查的网站" in r.json()["detail"]


async def test_listed_site_out_of_scope_or_unknown_is_422_naming_it(suite: Suite) -> None:
    sites = await _sites(suite)
    for site_id in (sites["lixia1"]["id"], str(uuid.uuid4())):
        r = await _start(suite, {"website_ids": [site_id]}, headers=SHIZHONG_SUPERVISOR)
        assert r.status_code == 422, r.text
        assert r.json()["errors"] == [{"field": "scope.website_ids", "value": site_id,
                                       "message": "不存在"}]
        assert site_id in r.json()["detail"]
    async with suite.checker.state.sessionmaker() as session:
        assert (await session.execute(select(Run))).first() is None


async def test_organisation_out_of_scope_yields_no_targets(suite: Suite) -> None:
    sites = await _sites(suite)
    r = await _start(suite, {"organisation_ids": [sites["lixia1"]["organisation_id"]]},
                     headers=SHIZHONG_SUPERVISOR)
    assert r.status_code == 422 and "没有可检查的网站" in r.json()["detail"]
    r = await _start(suite, {"organisation_ids": [sites["lixia1"]["organisation_id"]]})
    assert r.status_code == 201 and r.json()["progress"]["targets_total"] == 2


async def test_monitoring_point_without_time_zone_is_422(suite: Suite) -> None:
    await _sites(suite)
    r = await _start(suite, {"regions": [LIXIA]}, as_of="2026-11-17T10:00:00")
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "as_of" and "时区" in r.json()["detail"]
    r = await _start(suite, {"regions": [LIXIA]}, as_of="2026-11-17T10:00:00+08:00")
    assert r.status_code == 201
    assert datetime.fromisoformat(r.json()["as_of"]) == datetime.fromisoformat("2026-11-17T02:00:00+00:00")
