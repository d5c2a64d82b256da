"""Read one account's posts, whatever its feed: the entry point the account inspection calls.

`read_account` never raises for a feed's fault: a feed that cannot be read answers
`FeedRead(status="unreadable", failure_class=..., error=<Chinese>)`, a platform that says the
account no longer exists answers `status="gone"`, an account with no feed in the registry
answers `status="not_configured"`. Only posts published between `since` and `now` are kept
(a read as of a past monitoring point ignores later posts); `latest_post_at` (newest post up
to `now`) and `posts_seen` (all the source gave) still tell what the source held before `since`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, get_args
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from services.checker.browser.launcher import Browser
from services.checker.feeds.limits import PlatformLimiter
from services.checker.feeds.parse import (
    FeedFormatError,
    Parsed,
    parse_json_feed,
    parse_profile_page,
    parse_xml_feed,
)
from services.checker.feeds.poll import Answer, poll, poll_rendered
from services.checker.ground.feed import FeedKind, FeedRead, Post
from services.checker.net.fetcher import Fetcher
from shared.contracts.registry import AccountFeed

FEED_KINDS: tuple[str, ...] = get_args(FeedKind)
_ACCEPT = {
    "rss": "application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    "atom": "application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    "json": "application/feed+json, application/json;q=0.9, */*;q=0.5",
    "profile_page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
}


@dataclass
class FeedConfig:
    """How an account is read, as the registry files it (Account.feed)."""

    kind: FeedKind
    url: str | None = None
    # profile_page only: CSS selectors (or XPath, starting with "/", "./" or "xpath:"); see parse.py.
    selectors: dict[str, str] = field(default_factory=dict)
    render: bool = False  # profile_page only: load it in Chromium so its scripts run

    @classmethod
    def from_registry(cls, feed: dict[str, Any] | AccountFeed | None) -> FeedConfig | None:
        """The config of a registry account's `feed` (AccountRead.feed or its JSON); None if none."""
        if isinstance(feed, AccountFeed):
            feed = feed.model_dump()
        if not feed or feed.get("kind") not in FEED_KINDS:
            return None
        return cls(kind=feed["kind"], url=feed.get("url") or None,
                   selectors={str(k): str(v) for k, v in (feed.get("selectors") or {}).items()},
                   render=bool(feed.get("render", False)))


def _finish(read: FeedRead, posts: list[Post], since: datetime) -> FeedRead:
    """Keep the posts published in [since, now] (the read is as of `now`), newest first."""
    read.posts_seen = len(posts)
    before_now = [p for p in posts if p.published_at <= read.fetched_at]
    read.latest_post_at = max((p.published_at for p in before_now), default=None)
    read.posts = sorted((p for p in before_now if p.published_at >= since),
                        key=lambda p: p.published_at, reverse=True)
    return read


def _unreadable(now: datetime, failure: str, error: str, url: str | None) -> FeedRead:
    return FeedRead(status="unreadable", fetched_at=now, failure_class=failure, error=error, source_url=url)


async def read_account(config: FeedConfig | None, *, fetcher: Fetcher, session: AsyncSession,
                       account_id: UUID, since: datetime, now: datetime, browser: Browser | None = None,
                       limits: PlatformLimiter | None = None) -> FeedRead:
    """Read one account's posts published since `since`, as of `now`.

    `session` (the checker's database) serves pushed posts; `browser` renders profile pages
    configured with render=True; `limits` is the worker's shared PlatformLimiter (per-platform
    rate, retries, backoff and Retry-After); without one, requests are not rate-limited.
    """
    if config is None:
        return FeedRead(status="not_configured", fetched_at=now, error="登记信息中未配置该账号的订阅源")
    if config.kind == "push":
        from services.checker.feeds.push import pushed_posts  # the table, only where it is used

        return _finish(FeedRead(status="ok", fetched_at=now), await pushed_posts(session, account_id), since)
    url = config.url
    if not url:
        return _unreadable(now, "other", f"订阅源类型 {config.kind} 须配置订阅源地址（url）", None)
    limiter = limits or PlatformLimiter.unlimited()
    headers = {"Accept": _ACCEPT[config.kind]}
    answer: Answer
    if config.kind == "profile_page" and config.render:
        if browser is None:
            return _unreadable(now, "other", "该账号主页须在浏览器中渲染，但检查进程未启动浏览器", url)
        answer = await poll_rendered(url, fetcher, browser, limiter)
    else:
        answer = await poll(url, fetcher, limiter, headers)
    if answer.gone:
        return FeedRead(status="gone", fetched_at=now, source_url=url,
                        error=f"平台答复账号或订阅源不存在（HTTP {answer.status}）：{url}")
    if answer.failure:
        return _unreadable(now, answer.failure, answer.error or "订阅源读取失败", url)
    try:
        parsed = _parse(config, answer, now)
    except FeedFormatError as exc:
        return _unreadable(now, "other", f"订阅源内容无法解析：{exc}", url)
    read = FeedRead(status="ok", fetched_at=now, source_url=url, account_name=parsed.account_name,
                    interaction_enabled=parsed.interaction_enabled)
    return _finish(read, parsed.posts, since)


def _parse(config: FeedConfig, answer: Answer, now: datetime) -> Parsed:
    if config.kind in ("rss", "atom"):
        return parse_xml_feed(answer.body, answer.charset, now=now)
    if config.kind == "json":
        return parse_json_feed(answer.body, now=now)
    return parse_profile_page(answer.text(), answer.final_url, config.selectors, now=now)
