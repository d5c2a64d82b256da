"""New-media accounts end to end: accounts filed in the registry with feeds of each kind served on
loopback, a run over them with a real arq worker, findings and scores read back through the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from services.checker.config import CheckerSettings, FeedPollSettings
from services.checker.tables import OutboxEvent
from shared.contracts.events import TARGET_FAILED, TARGET_INSPECTED
from tests.checker.feedfixture import HOST, post, serve_account
from tests.checker.sitefixture import SiteServer
from tests.integration.conftest import Suite
from tests.integration.flow_helpers import run_checker
from tests.registry.factories import JINAN, account, org, region_tree, site

pytestmark = pytest.mark.integration

# The registry's clock in the integration tier (tests/registry/conftest.py).
LEAKED_ID = "11010519491231002X"  # passes the GB 11643 check digit
NOT_AN_ID = "370102198001011238"  # 18 digits, wrong check digit: must not be flagged


@pytest.fixture
def feeds() -> Iterator[SiteServer]:
    with SiteServer() as server:
        yield server


async def _work(settings: CheckerSettings, suite: Suite) -> None:
    await run_checker(settings, suite.registry.clock, suite.registry.app)


async def _file(suite: Suite, feeds: SiteServer) -> dict[str, dict[str, Any]]:
    """File one account of each case; return them by case."""
    reg = suite.registry
    now = reg.clock.now()
    await region_tree(reg, *JINAN)
    office = await org(reg, name="济南市历下区人民政府办公室")
    bureau = await org(reg, name="济南市历下区某局")

    async def filed(case: str, sponsor: dict[str, Any], platform: str, kind: str,
                    items: list[Any], **extra: Any) -> None:
        name = f"历下{case}"
        feed = serve_account(feeds, kind, items, name=name)  # type: ignore[arg-type]
        accounts[case] = await account(reg, sponsor, platform=platform, name=name, feed=feed,
                                       **extra)

    accounts: dict[str, dict[str, Any]] = {}
    await filed("clean", office, "weibo", "rss", [
        post("c1", now=now, days_ago=1, title="我区召开安全生产工作会议",
             text="会议按部就班推进各项工作。来访登记编号" + NOT_AN_ID + "，发布日期20261119。"),
        post("c2", now=now, days_ago=5)])
    await filed("zombie", office, "douyin", "atom", [
        post("z1", now=now, days_ago=15), post("z2", now=now, days_ago=40)])
    await filed("empty", office, "toutiao", "json", [])
    await filed("leaky", office, "kuaishou", "profile_page", [
        post("l1", now=now, days_ago=2, title="关于低保公示",
             text="各部门要按步就班推进工作。申请人身份证号" + LEAKED_ID + "。")])
    await filed("closed", office, "bilibili", "rss", [post("x1", now=now, days_ago=3)])
    etag = (await reg.call("GET", f"/accounts/{accounts['closed']['id']}")).headers["etag"]
    await reg.ok("POST", f"/accounts/{accounts['closed']['id']}/filings", json={"action": "close"},
                 headers={"If-Match": etag})
    # Two running accounts of one unit on WeChat (订阅号 and 服务号 count as one platform).
    await filed("twin_a", bureau, "wechat_subscription", "rss", [post("a1", now=now, days_ago=1)])
    await filed("twin_b", bureau, "wechat_service", "json", [post("b1", now=now, days_ago=1)])
    # Pushed by a provincial system through the API: one post carries an advertisement.
    await filed("pushed", office, "wechat_channels", "push", [])
    r = await suite.client.post(f"/accounts/{accounts['pushed']['id']}/posts", json={"posts": [
        {"platform_post_id": "v1", "title": "冬季供暖保障", "text": "全区集中供暖正式启动。",
         "published_at": (now - timedelta(days=2)).isoformat()},
        {"platform_post_id": "v2", "title": "特产推荐", "text": "限时优惠，扫码购买本地特产。",
         "published_at": (now - timedelta(days=1)).isoformat()}]})
    assert r.status_code == 200, r.text
    feeds.add(HOST, "/broken.xml", "", status=503)
    accounts["unreadable"] = await account(reg, bureau, platform="xiaohongshu", name="历下unreadable",
                                           feed={"kind": "rss", "url": f"http://{HOST}/broken.xml"})
    return accounts


async def test_run_over_accounts_finds_zombie_empty_redundant_closed_and_unreadable(
        suite: Suite, checker_settings: CheckerSettings, feeds: SiteServer) -> None:
    settings = checker_settings.model_copy(update={
        "host_map": feeds.host_map(HOST), "use_browser": False,
        "feed_polling": FeedPollSettings(default_rate=0, retries=1, backoff_s=0.05)})
    accounts = await _file(suite, feeds)
    r = await suite.client.post("/runs", json={"name": "历下区政务新媒体检查", "scope": {
        "regions": ["370102"], "target_types": ["account"]}})
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["progress"]["targets_total"] == len(accounts)

    await _work(settings, suite)

    run = (await suite.client.get(f"/runs/{run['id']}")).json()
    assert run["status"] == "completed", run
    assert run["progress"]["targets_done"] == len(accounts)
    tasks = {t["target_id"]: t for t in (await suite.client.get(f"/runs/{run['id']}/tasks")).json()}
    task = {case: tasks[a["id"]] for case, a in accounts.items()}
    assert all(t["target_type"] == "account" for t in task.values())
    assert task["clean"]["site_code"] == f"weibo:{accounts['clean']['platform_account_id']}"

    found = (await suite.client.get("/findings", params={"run_id": run["id"], "limit": 500})).json()
    rules: dict[str, set[str]] = {case: set() for case in accounts}
    by_id = {a["id"]: case for case, a in accounts.items()}
    for f in found["items"]:
        rules[by_id[f["target_id"]]].add(f["rule"])

    assert rules["clean"] == set() and task["clean"]["passed"] is True
    assert task["clean"]["score"] is None  # the national rule judges accounts by vetoes only

    assert rules["zombie"] == {"veto.account_stale"}
    assert (task["zombie"]["passed"], task["zombie"]["vetoes"]) == (False, ["veto.account_stale"])

    assert rules["empty"] == {"account.empty"} and task["empty"]["passed"] is False

    assert rules["leaky"] == {"content.typo", "content.personal_info"}
    leak = next(f for f in found["items"] if f["rule"] == "content.personal_info")
    assert LEAKED_ID not in leak["message"] + (leak["excerpt"] or "")
    assert "《关于低保公示》" in leak["message"]
    assert task["leaky"]["vetoes"] == ["content.personal_info"]

    assert rules["closed"] == {"account.closed_active"}
    assert task["closed"]["passed"] is False

    assert rules["twin_a"] == rules["twin_b"] == {"account.redundant"}
    twin = next(f for f in found["items"] if f["target_id"] == accounts["twin_a"]["id"])
    assert "历下twin_b" in twin["message"]
    assert task["twin_a"]["passed"] is True  # a deduction, not a veto, under the national rule

    assert rules["pushed"] == {"account.advertising"}
    assert task["pushed"]["passed"] is True  # a warning for review, not a veto

    assert rules["unreadable"] == {"account.unreadable"}
    assert task["unreadable"]["passed"] is None  # not judged: neither passed nor 僵尸

    # Reporting learns of every account with its platform as the kind.
    async with suite.checker.state.sessionmaker() as s:
        events = (await s.execute(select(OutboxEvent).where(
            col(OutboxEvent.name) == TARGET_INSPECTED))).scalars().all()
    payloads = {e.payload["target"]["id"]: e.payload for e in events}
    zombie = payloads[accounts["zombie"]["id"]]
    assert zombie["target_type"] == "account" and zombie["target"]["kind"] == "douyin"
    assert zombie["rating"] == "failed" and zombie["feed_status"] == "ok"
    assert payloads[accounts["unreadable"]["id"]]["feed_status"] == "unreadable"


async def test_a_local_hundred_point_profile_scores_accounts(
        suite: Suite, checker_settings: CheckerSettings, feeds: SiteServer) -> None:
    settings = checker_settings.model_copy(update={
        "host_map": feeds.host_map(HOST), "use_browser": False,
        "feed_polling": FeedPollSettings(default_rate=0, retries=1, backoff_s=0.05)})
    accounts = await _file(suite, feeds)
    r = await suite.client.put("/profiles/jinan_media", json={
        "name": "jinan_media", "description": "济南市政务新媒体百分制", "overrides": {"scoring": {"accounts": {"scored": True}}}})
    assert r.status_code in (200, 201), r.text
    r = await suite.client.post("/runs", json={"name": "百分制", "profile": "jinan_media", "scope": {
        "account_ids": [accounts["clean"]["id"], accounts["twin_a"]["id"]]}})
    assert r.status_code == 201, r.text
    await _work(settings, suite)
    tasks = {t["target_id"]: t for t in (await suite.client.get(f"/runs/{r.json()['id']}/tasks")).json()}
    assert tasks[accounts["clean"]["id"]]["score"] == 100.0
    twin = tasks[accounts["twin_a"]["id"]]
    assert (twin["score"], twin["passed"], twin["deductions"]) == (95.0, True, {"account.redundant": 5.0})


async def test_a_region_scope_takes_accounts_only_when_asked(suite: Suite, feeds: SiteServer) -> None:
    reg = suite.registry
    await region_tree(reg, *JINAN)
    office = await org(reg, name="济南市历下区人民政府办公室")
    await site(reg, office, code="3701020001", domain="www.lixia.gov.cn", kind="portal")
    acc = await account(reg, office, platform="weibo", name="历下发布")
    await account(reg, office, platform="douyin", status="planned")  # not online yet: never inspected

    async def targets(scope: dict[str, Any]) -> list[tuple[str, str]]:
        r = await suite.client.post("/runs", json={"name": "范围", "scope": scope})
        assert r.status_code == 201, r.text
        tasks = (await suite.client.get(f"/runs/{r.json()['id']}/tasks")).json()
        return sorted((t["target_type"], t["kind"]) for t in tasks)

    assert await targets({"regions": ["370102"]}) == [("website", "portal")]
    assert await targets({"regions": ["370102"], "target_types": ["website", "account"]}) == [
        ("account", "weibo"), ("website", "portal")]
    assert await targets({"account_ids": [acc["id"]]}) == [("account", "weibo")]
    r = await suite.client.post("/runs", json={"name": "范围", "scope": {
        "regions": ["370102"], "target_types": []}})
    assert r.status_code == 422


async def test_a_recheck_of_an_unreadable_account_fails_instead_of_passing(
        suite: Suite, checker_settings: CheckerSettings, feeds: SiteServer) -> None:
    settings = checker_settings.model_copy(update={
        "host_map": feeds.host_map(HOST), "use_browser": False,
        "feed_polling": FeedPollSettings(default_rate=0, retries=0, backoff_s=0.05)})
    accounts = await _file(suite, feeds)
    r = await suite.client.post("/rechecks", json={
        "target_id": accounts["unreadable"]["id"], "target_type": "account", "rules": ["content.typo"]})
    assert r.status_code == 201, r.text
    await _work(settings, suite)
    run = (await suite.client.get(f"/runs/{r.json()['id']}")).json()
    assert run["status"] == "completed" and run["progress"]["targets_failed"] == 1
    task = (await suite.client.get(f"/runs/{run['id']}/tasks")).json()[0]
    assert task["passed"] is None and "无法读取" in task["error"]
    async with suite.checker.state.sessionmaker() as s:
        names = (await s.execute(select(OutboxEvent.name))).scalars().all()
    assert TARGET_FAILED in names and TARGET_INSPECTED not in names
