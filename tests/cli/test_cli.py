"""`govinspect` against a real gateway with the services mounted in-process: import, inspect
with --follow while a real checker worker (Chromium) works, list findings, build, publish and
download a circular; --json output parses; a bad file answers in Chinese with a non-zero exit;
`govinspect demo` files, inspects and reports the demo site that `make run` serves; `status`
says when the checker runs without a browser. Identifiers are read from --json output only."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from cli.client import Gateway as GatewayClient
from cli.demo import ACCOUNT_ID, SITE_CODE, file_demo
from cli.main import run
from deploy.demo import DemoSite
from services.checker.config import CheckerSettings
from services.checker.main import create_app as create_checker
from services.reporting.config import ReportingSettings
from tests.checker.sitefixture import SiteServer
from tests.gateway.conftest import Gateway, OpenGateway
from tests.integration.conftest import Suite
from tests.integration.flow_helpers import relay_checker, run_checker, run_reporting
from tests.integration.sites import BAD, GOOD, serve
from tests.registry.factories import JINAN, region_tree

pytestmark = pytest.mark.integration
PATIENCE = 300.0  # a ceiling on waiting for state, against a hang; never a timing

ORGS = """name,kind,region_code
济南市历下区人民政府办公室,county_government,370102
济南市历下区某局,county_department,370102
"""
SITES = f"""site_code,name,organisation_name,organisation_region_code,kind,domains,home_url,status
3701020001,济南市历下区人民政府门户网站,济南市历下区人民政府办公室,370102,portal,{GOOD},http://{GOOD}/,running
3701020002,历下区某局网站,济南市历下区某局,370102,department,{BAD},http://{BAD}/,running
"""


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture(scope="module")
def sites() -> Iterator[SiteServer]:
    with SiteServer() as server:
        serve(server)
        yield server



@pytest.fixture
async def gw(open_gateway: OpenGateway, suite: Suite, reporting_app: Any) -> AsyncIterator[Gateway]:
    async with open_gateway(transports={"checker": httpx.ASGITransport(app=suite.checker),
                                        "reporting": httpx.ASGITransport(app=reporting_app)}) as g:
        yield g


async def cli(gw: Gateway, *argv: str) -> Result:
    """Run `govinspect ARGV…` against the in-process gateway with its administrator key."""
    out, err = io.StringIO(), io.StringIO()
    code = await run([*argv, "--url", "http://gateway", "--key", gw.admin],
                     transport=httpx.ASGITransport(app=gw.app), stdout=out, stderr=err)
    return Result(code, out.getvalue(), err.getvalue())


async def _check(settings: CheckerSettings, suite: Suite) -> None:
    await run_checker(settings, suite.registry.clock, suite.registry.app)


async def _relay_and_report(suite: Suite, reporting_app: Any, settings: ReportingSettings) -> None:
    """Hand the checker's events to reporting's queue and let a reporting worker apply them."""
    await relay_checker(suite.checker, suite.registry.clock)
    await run_reporting(settings, suite.registry.clock, suite.registry.app, suite.checker)


async def test_import_inspect_follow_findings_and_circular(
        gw: Gateway, suite: Suite, checker_settings: CheckerSettings,
        reporting_settings: ReportingSettings, reporting_app: Any, sites: SiteServer,
        tmp_path: Path) -> None:
    await region_tree(suite.registry, *JINAN)
    (tmp_path / "orgs.csv").write_text(ORGS, encoding="utf-8")
    (tmp_path / "sites.csv").write_text(SITES, encoding="utf-8")

    r = await cli(gw, "import", str(tmp_path / "orgs.csv"), "--kind", "organisations")
    assert r.code == 0, r.err
    assert "新增 2" in r.out
    r = await cli(gw, "import", str(tmp_path / "sites.csv"), "--kind", "websites", "--dry-run")
    assert r.code == 0 and "试导入" in r.out, r.err
    assert (await gw.ok("GET", "/api/v1/websites"))["total"] == 0, "a dry run writes nothing"
    r = await cli(gw, "--json", "import", str(tmp_path / "sites.csv"), "--kind", "websites")
    assert r.code == 0, r.err
    assert r.json()["created"] == 2

    # Identifiers come from --json output only: a table for people is cut to the terminal's width.
    r = await cli(gw, "--json", "inspect", "start", "--name", "历下区检查", "--region", "370102")
    assert r.code == 0, r.err
    run_id = r.json()["id"]
    # Follow the run (as a person would, without --json) while a real checker worker works.
    follow = asyncio.create_task(cli(gw, "inspect", "show", run_id, "--follow", "--interval", "0.2"))
    await _check(checker_settings.model_copy(update={"host_map": sites.host_map()}), suite)
    r = await asyncio.wait_for(follow, PATIENCE)
    assert r.code == 0, r.err
    assert "历下区检查：检查中" in r.err, "progress lines go to stderr when it is not a terminal"
    assert "历下区检查：已完成，网站 2/2" in r.out
    r = await cli(gw, "--json", "inspect", "show", run_id)
    run_ = r.json()
    assert run_["status"] == "completed" and run_["progress"]["targets_done"] == 2

    r = await cli(gw, "findings", "list", "--run", run_["id"], "--severity", "veto", "--json")
    assert r.code == 0, r.err
    vetoes = r.json()["items"]
    assert vetoes and {f["target_code"] for f in vetoes} == {"3701020002"}
    r = await cli(gw, "findings", "list", "--run", run_["id"], "--severity", "veto", "--limit", "5")
    assert r.code == 0 and f"问题清单（共 {len(vetoes)} 条" in r.out, r.out

    await _relay_and_report(suite, reporting_app, reporting_settings)
    r = await cli(gw, "--json", "circular", "build", "--region", "370100", "--quarter", "2026Q4",
                  "--office", "济南市人民政府办公厅", "--deadline-days", "10")
    assert r.code == 0, r.err
    circular = r.json()
    assert circular["data"]["websites_total"]["checked"]["value"] == 2
    r = await cli(gw, "circular", "publish", circular["id"], "--number", "济政办字〔2026〕31号")
    assert r.code == 0 and "已发布" in r.out, r.err
    for fmt in ("docx", "md"):
        target = tmp_path / f"c.{fmt}"
        r = await cli(gw, "circular", "download", circular["id"], "--format", fmt, "-o", str(target))
        assert r.code == 0, r.err
    assert (tmp_path / "c.docx").read_bytes()[:2] == b"PK"
    assert "济政办字〔2026〕31号" in (tmp_path / "c.md").read_text(encoding="utf-8")

    r = await cli(gw, "--json", "status")
    status = r.json()
    assert "checker" in {q["name"] for q in status["queues"]["queues"]}
    assert status["ready"]["upstreams"]["reporting"] == "ok"
    assert status["ready"]["warnings"] == {}, "the checker has its Chromium"


async def test_demo_files_inspects_and_drafts_the_circular_of_the_demo_site(
        gw: Gateway, suite: Suite, checker_settings: CheckerSettings,
        reporting_settings: ReportingSettings, reporting_app: Any) -> None:
    async with GatewayClient("http://gateway", gw.admin, httpx.ASGITransport(app=gw.app)) as client:
        first = await file_demo(client)
        assert await file_demo(client) == first, "filing the demo again changes nothing"
    assert (await gw.ok("GET", "/api/v1/websites", params={"q": SITE_CODE}))["total"] == 1

    with DemoSite() as site:
        # The guard stays on: the demo site's own address is the only private one let through.
        settings = checker_settings.model_copy(update={
            "host_map": site.host_map(), "allow_private_addresses": False,
            "allowed_networks": site.allowed_networks()})
        demo = asyncio.create_task(cli(gw, "--json", "demo", "--interval", "0.5"))
        # Wait on state (the demo's run is filed), with a ceiling only against a hang.
        async with asyncio.timeout(PATIENCE):
            while not ((await suite.client.get("/runs")).json()["items"] or demo.done()):
                await asyncio.sleep(0.1)
        await _check(settings, suite)
        await _relay_and_report(suite, reporting_app, reporting_settings)
        r = await asyncio.wait_for(demo, PATIENCE)
    assert r.code == 0, r.err
    made = r.json()
    assert made["run"]["status"] == "completed" and made["run"]["progress"]["targets_done"] == 2
    found = {(f["target_code"], f["rule"], f["offending"] or "") for f in made["findings"]["items"]}
    # The planted problems: a typo on the site and in the account's feed, a leaked ID number,
    # a broken link, a 政策文件 column 230 days old.
    assert (SITE_CODE, "content.typo", "按步就班") in found
    assert any(code.endswith(ACCOUNT_ID) and rule.endswith("typo") for code, rule, _ in found)
    rules = {rule for _, rule, _ in found}
    assert {"content.personal_info", "deduct.links", "deduct.policy_column_stale"} <= rules, rules
    circular = made["circular"]
    assert circular["status"] == "draft"
    assert circular["data"]["websites_total"]["checked"]["value"] == 1


async def test_status_says_loudly_when_the_checker_runs_without_a_browser(
        open_gateway: OpenGateway, suite: Suite, checker_settings: CheckerSettings) -> None:
    blind = create_checker(checker_settings.model_copy(update={"chromium_path": "/nonexistent"}),
                           suite.registry.clock)
    async with LifespanManager(blind), open_gateway(
            transports={"checker": httpx.ASGITransport(app=blind)}) as g:
        r = await cli(g, "status")
        assert "警告（checker）：检查服务在没有浏览器的情况下运行" in r.err, r.err
        assert "暗链" in r.err and "/nonexistent" in r.err
        r = await cli(g, "--json", "status")
    [warning] = r.json()["ready"]["warnings"]["checker"]
    assert "证据截图" in warning


async def test_bad_file_and_refusals_answer_in_chinese_with_nonzero_exit(
        gw: Gateway, suite: Suite, tmp_path: Path) -> None:
    await region_tree(suite.registry, *JINAN)
    bad = tmp_path / "bad.csv"
    bad.write_text("site_code,name,organisation_name,organisation_region_code,kind,domains,"
                   "home_url,status\n12AB,坏网站,不存在的单位,370102,department,x.gov.cn,"
                   "http://x.gov.cn/,running\n", encoding="utf-8")
    r = await cli(gw, "import", str(bad), "--kind", "websites")
    assert r.code == 1
    assert r.err.startswith("错误：") and "第 2 行" in r.err, r.err
    assert (await gw.ok("GET", "/api/v1/websites"))["total"] == 0

    r = await cli(gw, "--json", "import", str(bad), "--kind", "websites")
    assert r.code == 1 and json.loads(r.err)["status"] == 422

    r = await cli(gw, "circular", "download", "00000000-0000-0000-0000-000000000000")
    assert r.code == 1 and "错误：" in r.err

    out, err = io.StringIO(), io.StringIO()
    code = await run(["status", "--url", "http://gateway", "--key", "wrong-key"],
                     transport=httpx.ASGITransport(app=gw.app), stdout=out, stderr=err)
    assert code == 2 and "错误：" in err.getvalue()
