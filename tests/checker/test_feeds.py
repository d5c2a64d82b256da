"""Reading account feeds from fixture servers on loopback: every adapter, encodings, failures, politeness."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from services.checker.browser import Browser, BrowserSettings
from services.checker.config import FeedPollSettings
from services.checker.feeds.limits import PlatformLimiter
from services.checker.feeds.parse import parse_time
from services.checker.feeds.reader import FeedConfig, read_account
from services.checker.ground.feed import FeedRead, Post
from services.checker.net import Fetcher, FetchSettings
from shared.contracts.registry import AccountFeed
from tests.checker.feedfixture import (
    BEIJING,
    HOST,
    atom_feed,
    comment,
    json_feed,
    post,
    posts,
    profile_page,
    rss_feed,
    serve_account,
)
from tests.checker.sitefixture import Resource, SiteServer

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=BEIJING)
SINCE = NOW - timedelta(days=365)
FAST = FeedPollSettings(default_rate=0, retries=2, backoff_s=0.05, max_retry_after_s=5)


def fetch_settings(**overrides: Any) -> FetchSettings:
    base: dict[str, Any] = {"allow_private": True, "retries": 0, "per_host_interval_ms": 0,
                            "read_timeout_s": 2.0, "connect_timeout_s": 1.0, "total_timeout_s": 5.0}
    return FetchSettings(**{**base, **overrides})


@pytest.fixture
def server() -> Iterator[SiteServer]:
    with SiteServer() as s:
        yield s


@pytest.fixture
async def session() -> AsyncIterator[AsyncSession]:
    # Feeds read over HTTP never touch the database; read_account still takes the session.
    engine = create_async_engine("sqlite+aiosqlite://")
    async with AsyncSession(engine) as s:
        yield s
    await engine.dispose()


def sample_posts() -> list[Post]:
    return [
        post("1001", now=NOW, hours_ago=2, title="冬季供暖保障工作启动",
             text="全市集中供暖于11月15日起正式启动，热线 12345。",
             comments=[comment("我们小区还不热", comment_id="c1", published_at=NOW - timedelta(hours=1)),
                       comment("已转供热公司处理", comment_id="c2", reply_to="c1")]),
        post("1002", now=NOW, days_ago=3, title="关于“双十一”消费提示", text="理性消费 & 谨防诈骗 <注意>"),
        post("1003", now=NOW, days_ago=30, title="十月工作简报", text="十月份全区完成……"),
    ]


async def read(server: SiteServer, feed: dict[str, Any], session: AsyncSession, *,
               limits: PlatformLimiter | None = None, browser: Browser | None = None,
               since: datetime = SINCE, fetch: FetchSettings | None = None) -> FeedRead:
    async with Fetcher(fetch or fetch_settings(), server.host_map()) as fetcher:
        return await read_account(FeedConfig.from_registry(feed), fetcher=fetcher, session=session,
                                  account_id=uuid4(), since=since, now=NOW, browser=browser,
                                  limits=limits or PlatformLimiter(FAST))


def essentials(read: FeedRead, *, with_comments: bool) -> list[tuple[Any, ...]]:
    return [(p.platform_post_id, p.title, p.text, p.published_at, p.url,
             [(c.text, c.is_reply) for c in p.comments] if with_comments else None) for p in read.posts]


@pytest.mark.parametrize("kind", ["rss", "atom", "json", "profile_page"])
async def test_each_adapter_reads_the_same_posts(server: SiteServer, session: AsyncSession, kind: Any) -> None:
    written = sample_posts()
    feed = serve_account(server, kind, written, name="济南发布")
    got = await read(server, feed, session)
    assert (got.status, got.error, got.account_name) == ("ok", None, "济南发布")
    # RSS and Atom carry no comments; the JSON feed and the profile page do.
    with_comments = kind in ("json", "profile_page")
    assert essentials(got, with_comments=with_comments) == [
        (p.platform_post_id, p.title, p.text, p.published_at, p.url,
         [(c.text, c.is_reply) for c in p.comments] if with_comments else None) for p in written]
    assert got.latest_post_at == written[0].published_at and got.posts_seen == 3
    if with_comments:
        reply = got.posts[0].comments[1]
        assert (reply.is_reply, reply.in_reply_to if kind == "json" else "c1") == (True, "c1")
        assert got.interaction_enabled is True


async def test_only_posts_since_are_kept_but_the_latest_is_known(server: SiteServer,
                                                                  session: AsyncSession) -> None:
    later = post("after-the-monitoring-point", now=NOW, days_ago=-1)
    feed = serve_account(server, "rss", [later, *posts(3, now=NOW, first_days_ago=20, every_days=10)])
    got = await read(server, feed, session, since=NOW - timedelta(days=14))
    assert (got.status, got.posts, got.posts_seen) == ("ok", [], 4)
    assert got.latest_post_at == (NOW - timedelta(days=20)).replace(microsecond=0)


def test_feed_config_from_the_registry_read_model() -> None:
    filed = AccountFeed(kind="profile_page", url="https://x.cn/u/1", render=True,
                        selectors={"post": "article", "published": "time"})
    config = FeedConfig.from_registry(filed)
    assert config == FeedConfig(kind="profile_page", url="https://x.cn/u/1", render=True,
                                selectors={"post": "article", "published": "time"})
    assert FeedConfig.from_registry(filed.model_dump(mode="json")) == config
    assert FeedConfig.from_registry(None) is None and FeedConfig.from_registry({}) is None


async def test_empty_feed_reads_as_ok_with_no_posts(server: SiteServer, session: AsyncSession) -> None:
    got = await read(server, serve_account(server, "json", []), session)
    assert (got.status, got.posts, got.latest_post_at, got.posts_seen) == ("ok", [], None, 0)


async def test_gbk_encoded_rss(server: SiteServer, session: AsyncSession) -> None:
    written = sample_posts()
    server.add(HOST, "/gbk.xml", rss_feed(written, name="历下发布", encoding="GBK").encode("gbk"),
               content_type="text/xml")  # no charset in the header: the XML declaration says GBK
    got = await read(server, {"kind": "rss", "url": f"http://{HOST}/gbk.xml"}, session)
    assert got.status == "ok" and got.account_name == "历下发布"
    assert [p.title for p in got.posts] == [p.title for p in written]
    assert got.posts[0].text == "全市集中供暖于11月15日起正式启动，热线 12345。"


async def test_atom_is_read_whatever_kind_of_xml_feed_is_filed(server: SiteServer,
                                                               session: AsyncSession) -> None:
    server.add(HOST, "/feed", atom_feed(sample_posts()), content_type="application/atom+xml")
    got = await read(server, {"kind": "rss", "url": f"http://{HOST}/feed"}, session)
    assert got.status == "ok" and len(got.posts) == 3


@pytest.mark.parametrize(("kind", "body", "reason"), [
    ("rss", "<rss><channel><item><title>未闭合</channel></rss>", "不是格式正确的 XML"),
    ("rss", "<html><body>登录后查看</body></html>", "根元素 <html>"),
    ("json", "{not json", "不是有效的 UTF-8 JSON"),
    ("json", '{"items": [{"title": "缺少编号"}]}', "items.0.id"),
    ("profile_page", "", "主页内容为空"),
])
async def test_malformed_feed_is_unreadable_with_a_reason(server: SiteServer, session: AsyncSession,
                                                         kind: Any, body: str, reason: str) -> None:
    server.add(HOST, "/bad", body, content_type="text/plain; charset=utf-8")
    feed: dict[str, Any] = {"kind": kind, "url": f"http://{HOST}/bad"}
    if kind == "profile_page":
        feed["selectors"] = {"post": "article", "published": "time"}
    got = await read(server, feed, session)
    assert (got.status, got.failure_class, got.posts) == ("unreadable", "other", [])
    assert got.error is not None and got.error.startswith("订阅源内容无法解析") and reason in got.error


@pytest.mark.parametrize("status", [404, 410])
async def test_missing_feed_is_gone(server: SiteServer, session: AsyncSession, status: int) -> None:
    server.add(HOST, "/closed", "账号已注销", status=status)
    got = await read(server, {"kind": "profile_page", "url": f"http://{HOST}/closed",
                              "selectors": {"post": "article", "published": "time"}}, session)
    assert (got.status, got.failure_class) == ("gone", None)
    assert got.error is not None and f"HTTP {status}" in got.error
    assert len(server.requests) == 1  # a definite answer is not retried


async def test_server_errors_are_retried_with_backoff_then_unreadable(server: SiteServer,
                                                                      session: AsyncSession) -> None:
    server.add(HOST, "/down", "维护中", status=503)
    got = await read(server, {"kind": "rss", "url": f"http://{HOST}/down"}, session)
    assert (got.status, got.failure_class) == ("unreadable", "http_5xx")
    assert got.error is not None and "平台服务器错误（HTTP 503）" in got.error and "已尝试 3 次" in got.error
    gaps = [b - a for a, b in pairwise(server.request_times)]
    assert len(gaps) == 2 and gaps[0] >= 0.05 and gaps[1] >= 0.1  # backoff 0.05 s, then doubled


async def test_retry_after_is_honoured_then_the_feed_is_read(server: SiteServer,
                                                             session: AsyncSession) -> None:
    body = rss_feed(sample_posts()).encode()
    server.add_sequence(HOST, "/busy.xml", [
        Resource(b"too many requests", status=429, headers={"Retry-After": "1"}),
        Resource(body, content_type="application/rss+xml; charset=utf-8")])
    got = await read(server, {"kind": "rss", "url": f"http://{HOST}/busy.xml"}, session)
    assert got.status == "ok" and len(got.posts) == 3
    assert len(server.request_times) == 2
    assert server.request_times[1] - server.request_times[0] >= 0.95  # waited as asked, not backoff_s


async def test_a_pause_longer_than_allowed_is_not_waited_for(server: SiteServer, session: AsyncSession) -> None:
    server.add(HOST, "/later", "slow down", status=429, headers={"Retry-After": "3600"})
    started = time.monotonic()
    got = await read(server, {"kind": "json", "url": f"http://{HOST}/later"}, session)
    assert time.monotonic() - started < 30  # not the hour the platform asked for
    assert (got.status, got.failure_class) == ("unreadable", "http_4xx")
    assert got.error is not None and "平台要求降低访问频率（HTTP 429）" in got.error and "3600 秒" in got.error


async def test_rate_limit_spaces_requests_to_one_platform_host(server: SiteServer,
                                                               session: AsyncSession) -> None:
    accounts = []
    for i in range(5):
        accounts.append(serve_account(server, "rss", sample_posts(), host="m.weibo.example", name=f"账号{i}"))
    other = serve_account(server, "rss", sample_posts(), host="feeds.other.example", name="其他平台")
    limiter = PlatformLimiter(FeedPollSettings(rates={"weibo.example": 4.0}, default_rate=0))
    async with Fetcher(fetch_settings(), server.host_map()) as fetcher:
        reads = await asyncio.gather(*(
            read_account(FeedConfig.from_registry(f), fetcher=fetcher, session=session, account_id=uuid4(),
                         since=SINCE, now=NOW, browser=None, limits=limiter) for f in [*accounts, other]))
    assert [r.status for r in reads] == ["ok"] * 6
    weibo = sorted(t for (_, host, _), t in zip(server.requests, server.request_times, strict=True)
                   if host == "m.weibo.example")
    gaps = [b - a for a, b in pairwise(weibo)]
    # 4 a second: request starts 250 ms apart (arrivals jitter by a connection set-up).
    assert len(gaps) == 4 and min(gaps) >= 0.15 and weibo[-1] - weibo[0] >= 0.95, gaps
    # The other platform did not wait behind this one.
    other_at = next(t for (_, host, _), t in zip(server.requests, server.request_times, strict=True)
                    if host == "feeds.other.example")
    assert other_at - weibo[0] < 0.2


async def test_no_feed_and_feed_without_url(server: SiteServer, session: AsyncSession) -> None:
    got = await read(server, {}, session)
    assert (got.status, got.error) == ("not_configured", "登记信息中未配置该账号的订阅源")
    got = await read(server, {"kind": "json"}, session)
    assert (got.status, got.failure_class) == ("unreadable", "other")


async def test_unreachable_platform_is_unreadable_not_gone(session: AsyncSession) -> None:
    async with Fetcher(fetch_settings(), {HOST: "127.0.0.1:9"}) as fetcher:
        got = await read_account(FeedConfig(kind="rss", url=f"http://{HOST}/feed.xml"), fetcher=fetcher,
                                 session=session, account_id=uuid4(), since=SINCE, now=NOW, browser=None,
                                 limits=PlatformLimiter(FAST))
    assert (got.status, got.failure_class) == ("unreadable", "refused")
    assert got.error is not None and "连接被拒绝" in got.error


async def test_private_addresses_stay_blocked_for_feeds(session: AsyncSession, server: SiteServer) -> None:
    serve_account(server, "rss", sample_posts())
    async with Fetcher(fetch_settings(allow_private=False), server.host_map()) as fetcher:
        got = await read_account(FeedConfig(kind="rss", url=f"http://{HOST}/accounts/x.xml"), fetcher=fetcher,
                                 session=session, account_id=uuid4(), since=SINCE, now=NOW, browser=None,
                                 limits=PlatformLimiter(FAST))
    assert (got.status, got.failure_class) == ("unreadable", "blocked")


async def test_profile_page_with_xpath_and_chinese_times(server: SiteServer, session: AsyncSession) -> None:
    page = """<html><body><div class="nick">历下发布</div>
      <div class="card"><a class="t" href="/p/9">今日要闻</a><span class="d">3小时前</span><p>正文一</p></div>
      <div class="card"><a class="t" href="/p/8">昨日要闻</a><span class="d">昨天 09:30</span><p>正文二</p></div>
      <div class="card"><a class="t" href="/p/7">旧闻</a><span class="d">2026年10月1日 08:00</span></div>
      <div class="card"><a class="t" href="/p/6">没有时间的置顶</a></div></body></html>"""
    server.add(HOST, "/u/lixia", page)
    got = await read(server, {"kind": "profile_page", "url": f"http://{HOST}/u/lixia", "selectors": {
        "post": "//div[@class='card']", "title": "a.t", "url": "a.t", "published": "./span[@class='d']/text()",
        "text": "p", "account_name": ".nick", "interaction": "a.comment-box"}}, session)
    assert got.status == "ok" and got.account_name == "历下发布" and got.interaction_enabled is False
    assert [(p.platform_post_id, p.title, p.text) for p in got.posts] == [
        (f"http://{HOST}/p/9", "今日要闻", "正文一"), (f"http://{HOST}/p/8", "昨日要闻", "正文二"),
        (f"http://{HOST}/p/7", "旧闻", "")]
    assert [p.published_at for p in got.posts] == [
        NOW - timedelta(hours=3), datetime(2026, 11, 19, 9, 30, tzinfo=BEIJING),
        datetime(2026, 10, 1, 8, 0, tzinfo=BEIJING)]
    assert got.posts_seen == 3  # the undated card is not a post we can judge


def test_times_platforms_write() -> None:
    assert parse_time("Fri, 20 Nov 2026 01:00:00 GMT", now=NOW) == datetime(2026, 11, 20, 9, 0, tzinfo=BEIJING)
    assert parse_time("2026-11-20 08:00", now=NOW) == datetime(2026, 11, 20, 8, 0, tzinfo=BEIJING)
    assert parse_time("11-19 08:00", now=NOW) == datetime(2026, 11, 19, 8, 0, tzinfo=BEIJING)
    assert parse_time("12-30", now=NOW) == datetime(2025, 12, 30, tzinfo=BEIJING)
    assert parse_time("1763600000", now=NOW) == datetime.fromtimestamp(1763600000, tz=BEIJING)
    assert parse_time("刚刚", now=NOW) == NOW
    assert parse_time("发布于 5分钟前", now=NOW) == NOW - timedelta(minutes=5)
    assert parse_time("置顶", now=NOW) is None


async def test_render_without_a_browser_is_unreadable(server: SiteServer, session: AsyncSession) -> None:
    feed = serve_account(server, "profile_page", sample_posts(), render=True)
    got = await read(server, feed, session)
    assert (got.status, got.failure_class) == ("unreadable", "other")
    assert got.error is not None and "浏览器" in got.error


async def test_scripted_profile_page_needs_rendering(server: SiteServer, session: AsyncSession) -> None:
    feed = serve_account(server, "profile_page", sample_posts(), render=True)
    plain = await read(server, {**feed, "render": False}, session)
    assert (plain.status, plain.posts) == ("ok", [])  # the posts are written by a script
    async with Browser(BrowserSettings()) as browser:
        got = await read(server, feed, session, browser=browser)
        gone = await read(server, {**feed, "url": f"http://{HOST}/no-such-account"}, session, browser=browser)
    assert (got.status, got.error, got.account_name) == ("ok", None, "济南发布")
    assert essentials(got, with_comments=True) == essentials(
        await read(server, serve_account(server, "profile_page", sample_posts(), name="静态"), session),
        with_comments=True)
    assert gone.status == "gone"
    # Chromium fetched through our fetcher: the fixture server saw the page requests.
    assert any(path.startswith("/accounts/") for _, _, path in server.requests)


def test_profile_page_builder_escapes() -> None:
    page = profile_page([post("x", now=NOW, title="<b>标题</b>", text="A & B")])
    assert "&lt;b&gt;标题&lt;/b&gt;" in page and "A &amp; B" in page
    assert json_feed([]).startswith("{")
