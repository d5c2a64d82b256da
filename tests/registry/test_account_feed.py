"""Each account's feed (how the checker reads its posts): registered, changed by filing, imported, exported."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from shared.clients.registry import RegistryClient
from shared.contracts.registry import AccountFeed
from shared.principal import PRINCIPAL_HEADER
from tests.registry.factories import ADMIN, JINAN, Registry, account, org, region_tree
from tests.registry.test_bulk import csv_bytes, filings, imported, jinan, upload, xlsx_bytes

RSS = {"kind": "rss", "url": "https://rss.example.cn/weibo/123"}
PAGE = {"kind": "profile_page", "url": "https://weibo.example/u/123", "render": True,
        "selectors": {"post": "article.post", "published": "time", "text": ".text"}}
HEADER = ["平台", "平台账号ID", "账号名称", "主办单位", "主办单位区划", "状态", "订阅源"]


def stored(feed: dict[str, Any]) -> dict[str, Any]:
    return {"url": None, "selectors": {}, "render": False, **feed}


async def _change(reg: Registry, acc: dict[str, Any], changes: dict[str, Any]) -> httpx.Response:
    etag = (await reg.call("GET", f"/accounts/{acc['id']}")).headers["etag"]
    return await reg.call("POST", f"/accounts/{acc['id']}/filings", headers={"If-Match": etag},
                          json={"action": "change", "changes": changes})


async def test_feed_set_at_registration_and_seen_by_the_checker_client(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    unit = await org(registry)
    acc = await account(registry, unit, feed=PAGE)
    plain = await account(registry, unit, platform="douyin")
    assert acc["feed"] == PAGE and plain["feed"] is None
    async with RegistryClient("http://registry", ADMIN[PRINCIPAL_HEADER],
                              transport=httpx.ASGITransport(app=registry.app)) as client:
        read = await client.account(uuid.UUID(acc["id"]))
        page = await client.accounts(platform=["weibo"])
    assert read.feed == AccountFeed.model_validate(PAGE) and read.feed.selectors["post"] == "article.post"
    assert [a.feed for a in page.items] == [read.feed]


@pytest.mark.parametrize(("feed", "field", "words"), [
    ({"kind": "rss"}, "feed.url", "须填写订阅源地址"),
    ({"kind": "json", "url": "ftp://x.cn/feed"}, "feed.url", "http:// 或 https://"),
    ({"kind": "push", "url": "https://x.cn/"}, "feed.url", "不需要订阅源地址"),
    ({"kind": "profile_page", "url": "https://x.cn/u/1"}, "feed.selectors", "post、published"),
    ({"kind": "profile_page", "url": "https://x.cn/u/1", "selectors": {"post": "a", "published": "b",
                                                                        "colour": "c"}},
     "feed.selectors", "未知的选择器 colour"),
    ({"kind": "rss", "url": "https://x.cn/", "selectors": {"post": "a"}}, "feed.selectors", "仅用于公开主页"),
    ({"kind": "atom", "url": "https://x.cn/", "render": True}, "feed.render", "仅用于公开主页"),
    ({"kind": "weixin", "url": "https://x.cn/"}, "feed.kind", "允许"),
])
async def test_bad_feed_is_refused_naming_field_and_value(registry: Registry, feed: dict[str, Any],
                                                          field: str, words: str) -> None:
    await region_tree(registry, *JINAN)
    unit = await org(registry)
    r = await registry.call("POST", "/accounts", json={
        "platform": "weibo", "platform_account_id": "u1", "name": "历下发布", "sponsor_id": unit["id"],
        "feed": feed})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert [e["field"] for e in problem["errors"]] == [field]
    assert words in problem["errors"][0]["message"] and field in problem["detail"]
    assert (await registry.ok("GET", "/accounts"))["total"] == 0


async def test_feed_changed_and_removed_through_change_filings(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    acc = await account(registry, await org(registry), feed=RSS)
    r = await _change(registry, acc, {"feed": {"kind": "push"}})
    assert r.status_code == 201, r.text
    filing = r.json()
    assert (filing["before"]["feed"], filing["after"]["feed"]) == (stored(RSS), stored({"kind": "push"}))
    assert (await registry.ok("GET", f"/accounts/{acc['id']}"))["feed"] == stored({"kind": "push"})
    r = await _change(registry, acc, {"feed": {"kind": "push"}})
    assert r.status_code == 422  # nothing to change
    r = await _change(registry, acc, {"feed": {"kind": "atom"}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "changes.feed.url"
    r = await _change(registry, acc, {"feed": None})
    assert r.status_code == 201 and r.json()["after"]["feed"] is None
    assert (await registry.ok("GET", f"/accounts/{acc['id']}"))["feed"] is None


async def test_feed_in_bulk_import_and_export(registry: Registry) -> None:
    await jinan(registry)
    rows = [["新浪微博", "1001", "历下微博", "历下区人民政府", "370102", "运行中", json.dumps(RSS)],
            ["抖音", "2002", "历下抖音", "历下区人民政府", "370102", "运行中", json.dumps(PAGE, ensure_ascii=False)],
            ["今日头条", "3003", "历下头条", "历下区人民政府", "370102", "运行中", ""]]
    report = await imported(registry, "accounts", xlsx_bytes(HEADER, rows), "accounts.xlsx")
    assert report["created"] == 3
    feeds = {a["platform_account_id"]: a["feed"] for a in (await registry.ok("GET", "/accounts"))["items"]}
    assert feeds == {"1001": stored(RSS), "2002": PAGE, "3003": None}

    # Export, then import the same file: nothing changes; the 订阅源 column round-trips.
    before = len(await filings(registry))
    for fmt in ("csv", "xlsx", "json"):
        r = await registry.call("GET", "/accounts/export", params={"format": fmt})
        assert r.status_code == 200
        again = await imported(registry, "accounts", r.content, f"export.{fmt}")
        assert (again["unchanged"], again["updated"]) == (3, 0), fmt
    assert len(await filings(registry)) == before

    # A changed cell files a change; a file without the column leaves feeds alone.
    rows[0][6], rows[2][6] = json.dumps({"kind": "push"}), json.dumps(RSS)
    again = await imported(registry, "accounts", csv_bytes(HEADER, rows))
    assert (again["updated"], again["unchanged"]) == (2, 1)
    assert [f["after"]["feed"]["kind"] for f in await filings(registry, action="change")] == ["push", "rss"]
    without = await imported(registry, "accounts", csv_bytes(HEADER[:6], [r[:6] for r in rows]))
    assert without["unchanged"] == 3


async def test_bad_feed_cells_refuse_the_import_naming_row_and_column(registry: Registry) -> None:
    await jinan(registry)
    rows = [["新浪微博", "1001", "历下微博", "历下区人民政府", "370102", "运行中", "https://rss.example.cn/1"],
            ["抖音", "2002", "历下抖音", "历下区人民政府", "370102", "运行中", '{"kind": "profile_page", '
             '"url": "https://x.cn/u/1"}'],
            ["今日头条", "3003", "历下头条", "历下区人民政府", "370102", "运行中", '["rss"]']]
    r = await upload(registry, "accounts", csv_bytes(HEADER, rows))
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "订阅源"), (3, "订阅源"), (4, "订阅源")]
    assert "不是有效的 JSON" in errors[0]["message"] and "post、published" in errors[1]["message"]
    assert "须是 JSON 对象" in errors[2]["message"]
    assert (await registry.ok("GET", "/accounts"))["total"] == 0
