"""Fetch a feed politely: the platform's rate, retries with exponential backoff, Retry-After honoured.

Every request goes through the checker's guarded Fetcher (SSRF guard, host map, size limit);
a rendered profile page goes through it too, as the browser routes its requests there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from services.checker.browser.launcher import Browser
from services.checker.browser.render import render
from services.checker.browser.tabs import RenderFailed
from services.checker.crawl.parse import decode_html
from services.checker.feeds.limits import PlatformLimiter, retry_after_s
from services.checker.net.fetcher import TRANSIENT_FAILURES, Fetcher, FetchResult

GONE_STATUSES = (404, 410)
# Statuses that ask us to come back later; 503 only counts with a Retry-After.
_SLOW_DOWN = 429

_FAILURE_WORDS = {
    "dns": "域名无法解析", "refused": "连接被拒绝或中断", "timeout": "连接或读取超时",
    "tls": "TLS 证书或握手错误",
    "http_4xx": "平台拒绝访问", "http_5xx": "平台服务器错误", "redirect_loop": "重定向循环",
    "too_many_redirects": "重定向次数过多", "too_large": "内容超过大小上限", "blocked": "地址被安全策略拦截",
    "other": "读取失败",
}


@dataclass
class Answer:
    """The last answer of a feed's polling, and how it ended."""

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    html: str | None = None  # a rendered page's DOM after its scripts ran
    failure: str | None = None  # FAILURE_CLASSES; None when the feed answered
    error: str | None = None  # Chinese, when failure
    attempts: int = 0

    @property
    def gone(self) -> bool:
        """The platform says the feed or account does not exist (404 / 410)."""
        return self.status in GONE_STATUSES

    @property
    def charset(self) -> str | None:
        """The charset the Content-Type header names, if any."""
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip("\"' ").lower()
        return None

    def text(self) -> str:
        """The page as text: the rendered DOM, or the body decoded as a browser would."""
        if self.html is not None:
            return self.html
        return decode_html(self.body, self.charset)[0]


Attempt = Callable[[], Awaitable[Answer]]


def _describe(answer: Answer) -> str:
    words = _FAILURE_WORDS.get(answer.failure or "other", "读取失败")
    if answer.status == _SLOW_DOWN:
        words = "平台要求降低访问频率"
    status = f"（HTTP {answer.status}）" if answer.status else ""
    detail = f"：{answer.error}" if answer.error else ""
    return f"订阅源读取失败，{words}{status}，已尝试 {answer.attempts} 次{detail}"


async def _polled(url: str, limiter: PlatformLimiter, attempt: Attempt) -> Answer:
    s = limiter.settings
    answer = Answer(url=url, final_url=url)
    for n in range(s.retries + 1):
        await limiter.wait_turn(url)
        answer = await attempt()
        answer.attempts = n + 1
        if answer.gone:
            return answer
        wait: float | None = None
        if answer.status == _SLOW_DOWN or (answer.status == 503 and "retry-after" in answer.headers):
            asked = retry_after_s(answer.headers.get("retry-after"))
            wait = s.backoff_s * 2 ** n if asked is None else asked
            if wait > s.max_retry_after_s:
                answer.error = f"平台要求 {wait:.0f} 秒后再访问，超过等待上限 {s.max_retry_after_s:.0f} 秒"
                break
            limiter.pause(url, wait)  # every account on this platform waits, not only this one
            wait = 0.0
        elif answer.failure in TRANSIENT_FAILURES:
            wait = s.backoff_s * 2 ** n
        if wait is None or n == s.retries:
            break
        await asyncio.sleep(wait)
    if answer.failure:
        answer.error = _describe(answer)
    return answer


def _from_fetch(url: str, result: FetchResult) -> Answer:
    return Answer(url=url, final_url=result.final_url, status=result.status, headers=result.headers,
                  body=result.body, failure=result.failure, error=result.detail)


async def poll(url: str, fetcher: Fetcher, limiter: PlatformLimiter, headers: dict[str, str]) -> Answer:
    """Fetch a feed or page, retrying transient failures and 429s as the limiter's policy says."""

    async def attempt() -> Answer:
        return _from_fetch(url, await fetcher.fetch(url, headers=headers, retries=0))

    return await _polled(url, limiter, attempt)


async def poll_rendered(url: str, fetcher: Fetcher, browser: Browser, limiter: PlatformLimiter) -> Answer:
    """Load a profile page in Chromium (its requests through the fetcher) and read the DOM."""

    page_url = url.split("#")[0]

    async def attempt() -> Answer:
        first: list[FetchResult] = []  # the fetcher's answer for the page itself

        async def fetch(url: str, method: str, headers: dict[str, str], *,
                        content: bytes | None = None) -> FetchResult:
            result = await fetcher.fetch(url, method, headers=headers, content=content, retries=0)
            if not first and url.split("#")[0] == page_url:
                first.append(result)
            return result

        try:
            async with browser.context(fetch) as ctx:
                rendered = await render(ctx, url, screenshot=False)
        except (RenderFailed, TimeoutError) as exc:
            if first and (first[0].failure or first[0].status in GONE_STATUSES):
                return _from_fetch(url, first[0])
            reason = exc.reason if isinstance(exc, RenderFailed) else "渲染超时"
            failure = "timeout" if isinstance(exc, TimeoutError) else "other"
            return Answer(url=url, final_url=url, failure=failure, error=f"浏览器渲染失败：{reason}")
        page = first[0] if first else None
        answer = Answer(url=url, final_url=rendered.final_url, status=rendered.status,
                        headers=page.headers if page else {}, html=rendered.html)
        if page is not None and page.failure:
            answer.failure, answer.error = page.failure, page.detail
        return answer

    return await _polled(url, limiter, attempt)
