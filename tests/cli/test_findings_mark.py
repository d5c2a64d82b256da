"""`govinspect findings mark`: a verdict on one finding, on many, and on the same problem on every
site in the caller's scope, through the real gateway; a county key cannot mark another county's."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from cli.main import run
from services.checker.run.models import Task
from tests.checker.factories import draft, record_findings, run_with_tasks, target
from tests.gateway.conftest import Gateway, OpenGateway
from tests.integration.conftest import Suite

NATIONAL = "https://www.gov.cn/"
LIXIA, SHIZHONG = "370102", "370103"


@pytest.fixture
async def gw(open_gateway: OpenGateway, suite: Suite) -> AsyncIterator[Gateway]:
    async with open_gateway(transports={"checker": httpx.ASGITransport(app=suite.checker)}) as g:
        yield g


async def cli(gw: Gateway, *argv: str, key: str | None = None) -> tuple[int, str, str]:
    """Run `govinspect ARGV…` against the in-process gateway (the administrator's key unless given)."""
    out, err = io.StringIO(), io.StringIO()
    code = await run([*argv, "--url", "http://gateway", "--key", key or gw.admin],
                     transport=httpx.ASGITransport(app=gw.app), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


async def _sites(suite: Suite) -> list[Task]:
    """Three sites (two in 历下区, one in 市中区), each linking to the national portal."""
    now = suite.registry.clock.now()
    _, tasks = await run_with_tasks(suite, [target(LIXIA), target(LIXIA), target(SHIZHONG)], now)
    for t in tasks:
        await record_findings(suite, t, [
            draft("veto.security", severity="veto", locator=NATIONAL, url=NATIONAL,
                  message="页面含暗链"),
            draft("content.typo", message="错别字“按步就班”")], now)
    return tasks


async def _findings(gw: Gateway, **params: Any) -> list[dict[str, Any]]:
    return list((await gw.ok("GET", "/api/v1/findings", params={"limit": 100, **params}))["items"])


async def test_mark_one_then_take_it_back(gw: Gateway, suite: Suite) -> None:
    tasks = await _sites(suite)
    typo = next(f for f in await _findings(gw, rule="content.typo", target_id=str(tasks[0].target_id)))
    code, out, _ = await cli(gw, "findings", "mark", typo["id"], "--verdict", "false_positive",
                             "--note", "专有名词", "--json")
    assert code == 0
    marked = json.loads(out)
    assert marked["verdict"] == "false_positive" and marked["verdict_note"] == "专有名词"
    assert typo["id"] not in {f["id"] for f in await _findings(gw)}

    code, out, _ = await cli(gw, "findings", "mark", typo["id"], "--verdict", "none")
    assert code == 0 and "研判为未研判" in out
    assert typo["id"] in {f["id"] for f in await _findings(gw)}


async def test_mark_the_same_link_on_every_site_in_scope(gw: Gateway, suite: Suite) -> None:
    tasks = await _sites(suite)
    lixia = await gw.key(["supervisor"], regions=[LIXIA])
    example = next(f for f in await _findings(gw, rule="veto.", target_id=str(tasks[0].target_id)))
    code, out, err = await cli(gw, "findings", "mark", example["id"], "--all-sites", "--verdict",
                               "false_positive", "--note", "链向中国政府网", "--json", key=lixia)
    assert code == 0, err
    assert json.loads(out) == {"updated": 2, "rescored": 2}
    assert [f["region_code"] for f in await _findings(gw, rule="veto.")] == [SHIZHONG]

    # The 市中区 finding is out of the 历下区 key's scope: not found, nothing written.
    other = next(f for f in await _findings(gw, rule="veto."))
    code, _, err = await cli(gw, "findings", "mark", other["id"], "--verdict", "false_positive",
                             key=lixia)
    assert code == 1 and err.startswith("错误：")
    code, _, err = await cli(gw, "findings", "mark", "--rule", "veto.security", "--locator",
                             "https://elsewhere.example/", "--verdict", "false_positive", key=lixia)
    assert code == 1 and "没有" in err
    assert [f["region_code"] for f in await _findings(gw, rule="veto.")] == [SHIZHONG]

    # The administrator marks by ids in bulk; a human line says how many.
    typos = [f["id"] for f in await _findings(gw, rule="content.typo")]
    code, out, _ = await cli(gw, "findings", "mark", *typos, "--verdict", "confirmed")
    assert code == 0 and "已将 3 个问题研判为已确认" in out, out
