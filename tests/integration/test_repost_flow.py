"""Issue 15 item 1, through the gateway only: key-information repost tasks (重点信息转载任务).

A city supervisor issues a task (and imports another from the provincial system); the
inspection finds the repost on each site of the district and in its account's posts by the
body's similarity: the portal's retitled repost counts, a department's look-alike under a
similar title does not, another department reposted after the deadline, a third not at all.
Completion reads per task and per unit, and the circular's sentence names who did not repost.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import docx
import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import delete

from gateway.webhooks import models as webhook_models
from gateway.webhooks.delivery import WebhookSettings
from gateway.webhooks.signing import EVENT_HEADER, SIGNATURE_HEADER, verify
from services.checker.config import CheckerSettings
from services.checker.feeds.limits import FeedPollSettings
from services.reporting.config import ReportingSettings
from shared.tabular import xlsx_bytes
from tests.checker.feedfixture import post, serve_account
from tests.checker.sitefixture import SiteServer
from tests.gateway.conftest import Gateway, OpenGateway, gw_settings, open_gateway, receiver
from tests.gateway.webhook_fixtures import Receiver
from tests.integration.conftest import Suite, checker_settings, suite
from tests.integration.flow_helpers import (
    csv_bytes,
    deliver_checker_events,
    relay_checker,
    run_checker,
    run_gateway,
)
from tests.integration.sites import GOOD, serve
from tests.registry.conftest import registry, registry_settings
from tests.reporting.conftest import reporting_settings

pytestmark = pytest.mark.integration
__all__ = ["checker_settings", "gw_settings", "open_gateway", "receiver", "registry",
           "registry_settings", "reporting_settings", "suite"]

LIXIA = "370102"
LOOKALIKE, LATE, MISSING = "www.zz-lookalike.gov.cn", "www.zz-late.gov.cn", "www.zz-missing.gov.cn"
SEARCHED = "www.zz-search.gov.cn"  # its repost is linked from no crawled page: the site's search finds it
SITES = {GOOD: "3701020001", LOOKALIKE: "3701020005", LATE: "3701020006", MISSING: "3701020007",
         SEARCHED: "3701020008"}
UNITS = {GOOD: "历下区政府办", LOOKALIKE: "历下区发改局", LATE: "历下区商务局", MISSING: "历下区民政局",
         SEARCHED: "历下区科技局"}
ORG_HEADER = ["单位名称", "单位类型", "所在区划"]
SITE_HEADER = ["网站标识码", "网站名称", "主办单位", "主办单位区划", "网站类型", "域名", "首页网址", "状态"]
ACCOUNT_HEADER = ["平台", "平台账号ID", "账号名称", "主办单位", "主办单位区划", "状态", "订阅源"]

TITLE = "山东省人民政府关于进一步优化营商环境的若干措施"
BODY = ("为深入贯彻落实党中央、国务院关于优化营商环境的决策部署，持续激发市场主体活力，现提出以下措施。"
        "一、全面推行企业开办一网通办，压缩开办时间至一个工作日以内。二、深化工程建设项目审批制度改革，"
        "实行联合验收和区域评估。三、完善中小企业融资担保体系，扩大首贷续贷规模。四、建立涉企政策直达机制，"
        "推动惠企资金免申即享。五、健全营商环境投诉举报和问题线索核查机制，限期办结群众反映的问题。")
# Another article on the same subject, under a near title: not the repost.
OTHER = ("近日，区发改局召开营商环境工作调度会，听取各科室工作进展情况汇报，研究部署下一阶段重点任务。"
         "会议强调，要坚持问题导向，聚焦企业反映集中的堵点难点，加强部门协同，确保各项工作落地见效。")
BRIEF = "市政府办公厅关于做好冬季安全生产工作的通知"
BRIEF_BODY = ("各区县人民政府，市政府各部门：入冬以来，我市安全生产形势总体平稳，但风险隐患依然较多。"
              "为切实做好冬季安全生产工作，现就有关事项通知如下：一要压实安全责任，二要强化隐患排查，"
              "三要加强应急值守，确保人民群众生命财产安全。")


def _article(title: str, day: str, text: str, host: str) -> str:
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{day} 09:00"></head>'
            f'<body><div class="nav"><a href="/">首页</a></div><h1>{title}</h1><p>发布时间：{day}</p>'
            f'<p>{text}</p><div class="footer">主办单位：{host}</div></body></html>')


def _site(server: SiteServer, host: str, items: list[tuple[str, str, str]]) -> None:
    """A department site: a home page linking a 重要信息 column listing `items` (title, day, body)."""
    rows = "".join(f'<li><a href="/zyxx/{i}.html">{t}</a><span>{d}</span></li>' for i, (t, d, _) in enumerate(items))
    server.add(host, "/", f'<html><head><meta charset="utf-8"><title>{host}</title></head><body>'
                          f'<a href="/zyxx/">重要信息</a><ul>{rows}</ul></body></html>')
    server.add(host, "/zyxx/", f'<html><head><meta charset="utf-8"><title>重要信息</title></head>'
                               f'<body><ul>{rows}</ul></body></html>')
    for i, (title, day, text) in enumerate(items):
        server.add(host, f"/zyxx/{i}.html", _article(title, day, text, host))


@pytest.fixture
def sites() -> Iterator[SiteServer]:
    with SiteServer() as server:
        serve(server)
        # The portal reposts the task under its own title in 要闻动态, on time (the deadline
        # is 2026-11-13: three working days after 2026-11-10), and the imported brief too.
        home = server.resources[(GOOD, "/")]
        home.body = home.body.replace(b'<ul class="news">', (
            '<ul class="news"><li><a href="/ywdt/zz.html">我区转发省政府优化营商环境若干措施</a>'
            '<span>2026-11-12</span></li><li><a href="/ywdt/tz.html">关于做好冬季安全生产工作的通知</a>'
            '<span>2026-11-11</span></li>').encode())
        news = server.resources[(GOOD, "/ywdt/")]
        news.body = news.body.replace(b"<ul>", '<ul><li><a href="/ywdt/zz.html">我区转发省政府优化营商环境若干措施</a></li>'.encode(), 1)
        server.add(GOOD, "/ywdt/zz.html", _article("我区转发省政府优化营商环境若干措施", "2026-11-12", BODY, GOOD))
        server.add(GOOD, "/ywdt/tz.html", _article("关于做好冬季安全生产工作的通知", "2026-11-11", BRIEF_BODY, GOOD))
        _site(server, LOOKALIKE, [("关于进一步优化营商环境若干措施的工作会议", "2026-11-12", OTHER)])
        _site(server, LATE, [(TITLE, "2026-11-18", BODY)])
        _site(server, MISSING, [("民政局召开冬季救助工作会议", "2026-11-12", "会议部署了冬季救助工作。" * 4)])
        _site(server, SEARCHED, [("科技局召开创新工作会议", "2026-11-12", "会议部署了科技创新工作。" * 4)])
        home = server.resources[(SEARCHED, "/")]
        home.body = home.body.replace(b"<body>", b'<body><form action="/search.html"><input name="q"></form>')
        server.add(SEARCHED, "/search.html", '<html><head><meta charset="utf-8"><title>检索结果</title></head><body>'
                   f'<ul><li><a href="/old/77.html">{TITLE}</a></li></ul></body></html>')
        server.add(SEARCHED, "/old/77.html", _article(TITLE, "2026-11-11", BODY, SEARCHED))
        yield server


@pytest.fixture
async def gw(open_gateway: OpenGateway, suite: Suite, reporting_app: FastAPI) -> AsyncIterator[Gateway]:
    """The gateway in front of the three services, calling back a loopback receiver."""
    hooks = WebhookSettings(allowed_private_networks=["127.0.0.0/8"], timeout_s=5.0)
    async with open_gateway(transports={"checker": httpx.ASGITransport(app=suite.checker),
                                        "reporting": httpx.ASGITransport(app=reporting_app)},
                            webhooks=hooks) as gateway:
        await gateway.app.state.redis.flushdb()
        try:
            yield gateway
        finally:
            async with gateway.app.state.sessionmaker() as s:
                for model in (webhook_models.WebhookAttempt, webhook_models.WebhookDelivery,
                              webhook_models.WebhookSubscription, webhook_models.WebhookProcessedEvent):
                    await s.execute(delete(model))
                await s.commit()
            await gateway.app.state.redis.flushdb()


async def _import(gw: Gateway, key: str, entity: str, header: list[str], rows: list[list[Any]]) -> None:
    r = await gw.call("POST", f"/api/v1/{entity}/import", key,
                      files={"file": (f"{entity}.csv", csv_bytes(header, rows), "text/csv")})
    assert r.status_code == 200, r.text


async def _file(gw: Gateway, feed: dict[str, Any]) -> str:
    """File the district, its units, the four sites and the portal unit's account; return the city's key."""
    city = await gw.key(["supervisor"], regions=["370100"])
    system = await gw.key(["integration"], regions=["370100"])
    for code, name, parent in (("370100", "济南市", "370000"), (LIXIA, "历下区", "370100")):
        await gw.ok("POST", "/api/v1/regions", json={"code": code, "name": name, "parent_code": parent})
    await _import(gw, system, "organisations", ORG_HEADER, [
        [UNITS[GOOD], "county_government", LIXIA],
        *[[UNITS[h], "county_department", LIXIA] for h in (LOOKALIKE, LATE, MISSING, SEARCHED)]])
    await _import(gw, system, "websites", SITE_HEADER, [
        [SITES[GOOD], "济南市历下区人民政府", UNITS[GOOD], LIXIA, "portal", GOOD, f"http://{GOOD}/", "运行中"],
        *[[SITES[h], f"{UNITS[h]}网站", UNITS[h], LIXIA, "department", h, f"http://{h}/", "运行中"]
          for h in (LOOKALIKE, LATE, MISSING, SEARCHED)]])
    await _import(gw, system, "accounts", ACCOUNT_HEADER, [
        ["新浪微博", "lixiafabu", "历下发布", UNITS[GOOD], LIXIA, "运行中", json.dumps(feed, ensure_ascii=False)]])
    return city


def _task(**over: Any) -> dict[str, Any]:
    return {"title": TITLE, "source_url": "http://www.shandong.gov.cn/art/2026/11/10/art_1_1.html",
            "body": BODY, "published_on": "2026-11-10", "region_code": "370100",
            "scope": {"regions": [LIXIA]}, "column": "要闻动态", "deadline_working_days": 3, **over}


async def test_repost_tasks_through_the_gateway(gw: Gateway, suite: Suite, checker_settings: CheckerSettings,
                                                sites: SiteServer, receiver: Receiver, redis_url: str,
                                                reporting_settings: ReportingSettings) -> None:
    now = gw.clock.now()
    feed = serve_account(sites, "rss", [
        post("w1", now=now, days_ago=9, title="【转发】优化营商环境，这些措施要知道", text=BODY),
        post("w2", now=now, days_ago=3, title="周末天气", text="本周末我区以晴为主，气温较低，注意保暖。")],
        name="历下发布")
    settings = checker_settings.model_copy(update={
        "host_map": sites.host_map(), "use_browser": False,
        "feed_polling": FeedPollSettings(default_rate=0, retries=1, backoff_s=0.05)})
    city = await _file(gw, feed)
    # The provincial system that issues tasks hears back about each site and account.
    system = await gw.key(["integration"], regions=["370100"])
    sub = await gw.ok("POST", "/api/v1/webhooks", system, json={
        "url": receiver.url, "events": ["repost.checked"], "description": "省级重点信息转载系统"})

    # 1. Issue the task; import one from the provincial system (portals only). Input is checked.
    task = await gw.ok("POST", "/api/v1/repost-tasks", city, json=_task())
    assert task["due_on"] == "2026-11-13", task
    bad = await gw.call("POST", "/api/v1/repost-tasks", city, json=_task(scope={"regions": ["110000"]}))
    assert bad.status_code == 422 and "scope.regions[0]" in bad.json()["detail"], bad.text
    nobody = str(uuid.uuid4())
    bad = await gw.call("POST", "/api/v1/repost-tasks", city, json=_task(scope={"organisation_ids": [nobody]}))
    assert bad.status_code == 422 and f"scope.organisation_ids[0] 的值 '{nobody}'" in bad.json()["detail"], bad.text
    brief = _task(title=BRIEF, body=BRIEF_BODY, published_on="2026-11-09", column=None,
                  scope={"regions": [LIXIA], "kinds": ["portal"]}, external_id="SD-2026-0417")
    [imported] = await gw.ok("POST", "/api/v1/repost-tasks/import", city, json={"tasks": [brief]})
    assert imported["external_id"] == "SD-2026-0417"
    # A failed import changes nothing: the second item repeats the first one's id.
    again = await gw.call("POST", "/api/v1/repost-tasks/import", city, json={"tasks": [
        _task(title="另一篇文章的标题", external_id="SD-2026-0500"), brief]})
    assert again.status_code == 409 and "tasks[1].external_id" in again.json()["detail"], again.text
    assert len(await gw.ok("GET", "/api/v1/repost-tasks", city)) == 2
    # The same from an XLSX sheet: a bad date on row 3 refuses the whole sheet, by row and column.
    header = ["任务编号", "标题", "原文链接", "正文", "发布日期", "下达区划", "转载区划", "转载类型", "转载期限（工作日）"]
    row = ["SD-2026-0301", "关于做好秋季防汛工作的通知", "http://www.shandong.gov.cn/art/2026/9/1/art_1_9.html",
           BRIEF_BODY, "2026-09-01", "370100", LIXIA, "portal、department", 5]
    sheet = xlsx_bytes("转载任务", header, [row, [*row[:4], "九月一日", *row[5:]]])
    files = {"file": ("tasks.xlsx", sheet, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    refused = await gw.call("POST", "/api/v1/repost-tasks/import-sheet", city, files=files)
    assert refused.status_code == 422 and refused.json()["detail"].startswith("第 3 行 发布日期"), refused.text
    assert len(await gw.ok("GET", "/api/v1/repost-tasks", city)) == 2
    files["file"] = ("tasks.xlsx", xlsx_bytes("转载任务", header, [row]), files["file"][2])
    [sheeted] = await gw.ok("POST", "/api/v1/repost-tasks/import-sheet", city, files=files)
    assert sheeted["scope"]["kinds"] == ["portal", "department"] and sheeted["due_on"] == "2026-09-08", sheeted

    # 2. The inspection looks for the reposts.
    run = await gw.ok("POST", "/api/v1/runs", city, json={"name": "四季度检查", "scope": {
        "regions": [LIXIA], "target_types": ["website", "account"]}})
    for _ in range(3):
        await run_checker(settings, gw.clock, suite.registry.app)
        state = await gw.ok("GET", f"/api/v1/runs/{run['id']}", city)
        if state["status"] == "completed":
            break
    assert state["status"] == "completed", state

    # 3. Completion per site and account, with the URL found.
    detail = await gw.ok("GET", f"/api/v1/repost-tasks/{task['id']}", city)
    got = {r["target_code"]: (r["status"], r["found_url"]) for r in detail["results"]}
    assert got == {
        SITES[GOOD]: ("on_time", f"http://{GOOD}/ywdt/zz.html"),  # retitled, same body
        SITES[LOOKALIKE]: ("missing", None),  # similar title, other body
        SITES[LATE]: ("late", f"http://{LATE}/zyxx/0.html"),  # published 2026-11-18
        SITES[MISSING]: ("missing", None),
        SITES[SEARCHED]: ("on_time", f"http://{SEARCHED}/old/77.html"),  # through the site's search
        "weibo:lixiafabu": ("on_time", "http://feeds.example.cn/posts/w1"),
    }, got
    searched = [p for (_, h, p) in sites.requests if h == SEARCHED and p.startswith("/search.html?")]
    assert searched and "/old/77.html" not in sites.resources[(SEARCHED, "/zyxx/")].body.decode(), searched
    portal = next(r for r in detail["results"] if r["target_code"] == SITES[GOOD])
    assert portal["in_column"] is True and portal["similarity"] >= 0.9
    assert detail["completion"] == {"assigned": 6, "on_time": 3, "late": 1, "missing": 2, "pending": 0}
    units = {u["organisation_name"]: (u["assigned"], u["on_time"], u["late"], u["missing"]) for u in detail["units"]}
    assert units == {UNITS[GOOD]: (2, 2, 0, 0), UNITS[LOOKALIKE]: (1, 0, 0, 1), UNITS[LATE]: (1, 0, 1, 0),
                     UNITS[MISSING]: (1, 0, 0, 1), UNITS[SEARCHED]: (1, 1, 0, 0)}, units
    imported_detail = await gw.ok("GET", f"/api/v1/repost-tasks/{imported['id']}", city)
    assert [(r["target_code"], r["status"]) for r in imported_detail["results"]] == [(SITES[GOOD], "on_time")]

    # The callback: one signed repost.checked per site and account and task, with the status.
    gateway_settings = gw.app.state.settings.model_copy(update={"redis_url": redis_url})
    for _ in range(3):
        await relay_checker(suite.checker, gw.clock)
        await run_gateway(gateway_settings, gw.clock, gw.app)
        if len(receiver.requests) >= 7:
            break
    calls = [q for q in receiver.requests if q.headers.get(EVENT_HEADER) == "repost.checked"]
    assert all(verify(sub["secret"], q.headers[SIGNATURE_HEADER], q.body, gw.clock.now()) for q in calls)
    told = sorted((b["data"]["external_id"] or "", b["data"]["target_code"], b["data"]["status"])
                  for b in (json.loads(q.body) for q in calls))
    assert told == [("", SITES[GOOD], "on_time"), ("", SITES[LOOKALIKE], "missing"),
                    ("", SITES[LATE], "late"), ("", SITES[MISSING], "missing"), ("", SITES[SEARCHED], "on_time"),
                    ("", "weibo:lixiafabu", "on_time"), ("SD-2026-0417", SITES[GOOD], "on_time")], told

    # 4. What the circular says about the quarter.
    summary = await gw.ok("GET", "/api/v1/repost-tasks/summary", city,
                          params={"region": LIXIA, "since": "2026-10-01", "until": "2026-12-31"})
    assert summary["assigned"] == 2 and summary["reposted"] == 1, summary
    assert summary["sentence"] == (f"转载重要信息2篇，1篇全部完成转发；{UNITS[LOOKALIKE]}、{UNITS[MISSING]}未按要求转载；"
                                   f"{UNITS[LATE]}逾期转载。"), summary
    # The quarter's circular says the same, in its data and its DOCX.
    await deliver_checker_events(reporting_settings, gw.clock, suite.registry.app, suite.checker)
    draft = await gw.ok("POST", "/api/v1/circulars", city, json={
        "region_code": LIXIA, "quarter": "2026Q4", "issuing_office": "济南市历下区人民政府办公室",
        "deadline_working_days": 10})
    assert draft["data"]["reposts"]["sentence"] == summary["sentence"], draft["data"]["reposts"]
    assert draft["data"]["reposts"]["assigned"] == 2
    r = await gw.call("GET", f"/api/v1/circulars/{draft['id']}/document", city, params={"format": "docx"})
    assert r.status_code == 200, r.text
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert "重点信息转载情况。" + summary["sentence"] in text, text

    # A unit outside the city does not see the city's tasks.
    other = await gw.key(["supervisor"], regions=["370200"])
    assert await gw.ok("GET", "/api/v1/repost-tasks", other) == []
    hidden = await gw.call("GET", f"/api/v1/repost-tasks/{task['id']}", other)
    assert hidden.status_code == 404
