"""Pushing account posts through the API: idempotency, bad input, scope; read back by the feed reader."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from services.checker.feeds.models import AccountPost
from services.checker.feeds.reader import FeedConfig, read_account
from services.checker.net import Fetcher, FetchSettings
from shared.principal import Role
from tests.checker.feedfixture import BEIJING
from tests.integration.conftest import Suite
from tests.registry.factories import JINAN, account, org, region_tree, token

PROBLEM = "application/problem+json"
LIXIA = token(regions=["370102"], roles=[Role.supervisor], subject="lixia")
SHIZHONG = token(regions=["370103"], roles=[Role.supervisor], subject="shizhong")
VIEWER = token(all_regions=True, roles=[Role.viewer], subject="viewer")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=BEIJING)


def item(pid: str, *, days_ago: float = 1, text: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"platform_post_id": pid, "title": f"标题{pid}", "text": text or f"正文{pid}",
            "published_at": (NOW - timedelta(days=days_ago)).isoformat(),
            "url": f"https://weibo.example/p/{pid}", **extra}


async def lixia_account(suite: Suite) -> dict[str, Any]:
    await region_tree(suite.registry, *JINAN)
    unit = await org(suite.registry, "370102")
    return await account(suite.registry, unit)


async def stored(suite: Suite) -> int:
    async with suite.checker.state.sessionmaker() as s:
        return int((await s.execute(select(func.count()).select_from(AccountPost))).scalar_one())


async def test_push_twice_keeps_one_copy_and_changed_text_updates(suite: Suite) -> None:
    acc = await lixia_account(suite)
    url = f"/accounts/{acc['id']}/posts"
    first = [item("1", comments=[{"text": "何时供暖？", "platform_comment_id": "c1"},
                                 {"text": "11月15日起", "is_reply": True, "in_reply_to": "c1"}]),
             item("2", days_ago=3)]
    r = await suite.client.post(url, json={"posts": first}, headers=LIXIA)
    assert (r.status_code, r.json()) == (200, {"created": 2, "updated": 0, "unchanged": 0})
    r = await suite.client.post(url, json={"posts": first}, headers=LIXIA)
    assert r.json() == {"created": 0, "updated": 0, "unchanged": 2}
    again = [first[0], item("2", days_ago=3, text="更正后的正文"), item("3", days_ago=5)]
    r = await suite.client.post(url, json={"posts": again}, headers=LIXIA)
    assert r.json() == {"created": 1, "updated": 1, "unchanged": 1}
    assert await stored(suite) == 3

    page = (await suite.client.get(url, params={"limit": 2}, headers=LIXIA)).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [p["platform_post_id"] for p in page["items"]] == ["1", "2"]
    assert page["items"][1]["text"] == "更正后的正文"
    assert page["items"][0]["comments"][1]["is_reply"] is True
    rest = (await suite.client.get(url, params={"limit": 2, "offset": 2}, headers=LIXIA)).json()
    assert [p["platform_post_id"] for p in rest["items"]] == ["3"]

    # The feed reader sees the pushed posts of an account filed with feed kind "push".
    async with suite.checker.state.sessionmaker() as session, Fetcher(FetchSettings()) as fetcher:
        read = await read_account(FeedConfig(kind="push"), fetcher=fetcher, session=session,
                                  account_id=uuid.UUID(acc["id"]), since=NOW - timedelta(days=4), now=NOW,
                                  browser=None, limits=None)
    assert read.status == "ok" and [p.platform_post_id for p in read.posts] == ["1", "2"]
    assert read.posts_seen == 3 and read.latest_post_at == NOW - timedelta(days=1)
    assert [(c.text, c.is_reply, c.in_reply_to) for c in read.posts[0].comments] == [
        ("何时供暖？", False, None), ("11月15日起", True, "c1")]


async def test_bad_input_refuses_the_whole_batch(suite: Suite) -> None:
    acc = await lixia_account(suite)
    url = f"/accounts/{acc['id']}/posts"
    cases = [
        [item("1"), {**item("2"), "published_at": "2026-11-19T10:00:00"}],  # no time zone
        [item("1"), {**item("2"), "platform_post_id": ""}],
        [item("1"), {**item("2"), "colour": "红"}],
        [item("1"), item("1", text="同一批里又一次")],
    ]
    for posts in cases:
        r = await suite.client.post(url, json={"posts": posts}, headers=LIXIA)
        assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM), r.text
        assert r.json()["title"] == "请求参数无效" and "posts.1" in r.json()["detail"]
    r = await suite.client.post(url, json={"posts": []}, headers=LIXIA)
    assert r.status_code == 422
    assert await stored(suite) == 0


async def test_out_of_scope_or_unknown_account_is_404(suite: Suite) -> None:
    acc = await lixia_account(suite)
    body = {"posts": [item("1")]}
    for url, headers in [(f"/accounts/{acc['id']}/posts", SHIZHONG), (f"/accounts/{uuid.uuid4()}/posts", LIXIA)]:
        r = await suite.client.post(url, json=body, headers=headers)
        assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)
        r = await suite.client.get(url, headers=headers)
        assert r.status_code == 404
    r = await suite.client.post(f"/accounts/{acc['id']}/posts", json=body, headers=VIEWER)
    assert r.status_code == 403
    assert await stored(suite) == 0


async def test_bulk_push_for_many_accounts(suite: Suite) -> None:
    acc = await lixia_account(suite)
    other = await account(suite.registry, await org(suite.registry, "370102"))
    elsewhere = await account(suite.registry, await org(suite.registry, "370103"))
    posts = [{**item("1"), "account_id": acc["id"]}, {**item("2"), "account_id": acc["id"]},
             {**item("1"), "account_id": other["id"]}]  # the same platform id on another account
    r = await suite.client.post("/posts:bulk", json={"posts": posts}, headers=LIXIA)
    assert (r.status_code, r.json()) == (200, {"created": 3, "updated": 0, "unchanged": 0})
    r = await suite.client.post("/posts:bulk", json={"posts": posts}, headers=LIXIA)
    assert r.json() == {"created": 0, "updated": 0, "unchanged": 3}

    # One account outside the caller's region: 422 naming it, nothing of the batch stored.
    mixed = [{**item("9"), "account_id": acc["id"]}, {**item("9"), "account_id": elsewhere["id"]}]
    r = await suite.client.post("/posts:bulk", json={"posts": mixed}, headers=LIXIA)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "posts.1.account_id"
    assert await stored(suite) == 3


async def test_json_feed_format_is_documented(suite: Suite) -> None:
    r = await suite.client.get("/feeds/json-format")
    assert r.status_code == 200 and r.json()["items"][0]["_comments"][1]["is_reply"] is True
    spec = (await suite.client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    assert {"JsonFeed", "JsonFeedItem", "JsonFeedComment", "PostsPush", "PushResult"} <= set(schemas)
    assert "/posts:bulk" in spec["paths"] and "/accounts/{account_id}/posts" in spec["paths"]
