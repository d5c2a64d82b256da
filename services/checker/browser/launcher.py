"""One Chromium per worker, and a fresh context per target whose every request goes through our fetcher."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from typing import Any, Protocol
from urllib.parse import urljoin

from playwright.async_api import Browser as PlaywrightBrowser
from playwright.async_api import BrowserContext, Playwright, Route, WebSocketRoute, async_playwright
from playwright.async_api import Error as PlaywrightError
from pydantic import BaseModel, ConfigDict, Field

from services.checker.support.chromium import default_chromium

log = logging.getLogger(__name__)

CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run",
                 # Sockets our route cannot see would pass the fetcher's guard: WebRTC may send
                 # UDP only through the (blackhole) proxy, i.e. never (Chromium 156 honours this
                 # switch; --force-webrtc-ip-handling-policy alone does not), and no QUIC, so
                 # WebTransport has no UDP either.
                 # The forced policy needs its value: chromium-headless-shell ignores the bare
                 # switch (tests/checker/test_browser.py saw its UDP arrive).
                 "--webrtc-ip-handling-policy=disable_non_proxied_udp",
                 "--force-webrtc-ip-handling-policy=disable_non_proxied_udp", "--disable-quic")
# A second layer inside every document: a page cannot even build a peer connection.
NO_WEBRTC_SCRIPT = """(() => {
  for (const name of ["RTCPeerConnection", "webkitRTCPeerConnection", "RTCDataChannel",
                      "RTCIceCandidate", "RTCSessionDescription", "WebTransport"]) {
    try { delete window[name]; } catch (e) {}
    try { Object.defineProperty(window, name, {value: undefined, configurable: false}); } catch (e) {}
  }
})();"""
# A navigation answered by a redirect comes back as a stand-in page carrying this header:
# Chromium does not follow a redirect fulfilled by a route, so tabs.load() (or, in a frame, the
# stand-in's script) navigates on to the target.
REDIRECT_HEADER = "x-govinspect-redirect"
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_MAX_REDIRECTS = 10
# Fetch failure classes (ground/site.py FAILURE_CLASSES) as Chromium network errors.
_ABORT_CODES = {"blocked": "blockedbyclient", "dns": "namenotresolved", "refused": "connectionrefused",
                "timeout": "timedout"}
# Chromium keeps no cache of routed answers, so a 304 would leave it with nothing to show.
_CONDITIONAL_HEADERS = frozenset({"if-none-match", "if-modified-since"})
# The answer is already decoded and sized by our fetcher; these would mislead Chromium.
_DROPPED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding", "connection",
                              "keep-alive"})


class BrowserSettings(BaseModel):
    """How the worker's Chromium is launched and how long a target may keep it busy."""

    model_config = ConfigDict(extra="ignore")

    executable_path: str = Field(default_factory=default_chromium)
    args: list[str] = Field(default_factory=lambda: list(CHROMIUM_ARGS))
    headless: bool = True
    # A visitor's desktop: the narrow end of common screens keeps full-page evidence small.
    viewport_width: int = 1366
    viewport_height: int = 768
    locale: str = "zh-CN"
    timezone_id: str = "Asia/Shanghai"
    user_agent: str | None = None
    page_timeout_ms: int = 30_000  # one navigation or browser action
    # Whole context per target; CheckerSettings.target_budget_s (900) < job_timeout_s (1800).
    target_budget_s: float = 900.0
    # Anything Chromium tries to send around our route (preconnects, stray sockets) dies here.
    blackhole_proxy: str | None = "http://127.0.0.1:9"


class FetchLike(Protocol):
    """What the browser needs from a fetch result (net/fetcher.py FetchResult fits)."""

    @property
    def status(self) -> int | None: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def body(self) -> bytes: ...

    @property
    def failure(self) -> str | None: ...


class RouteFetch(Protocol):
    """Fetch one browser request: `Fetcher.fetch` fits, as does any guarded, host-mapped client.

    A result may carry `final_url` (redirects followed) or be a 3xx with a Location header.
    """

    def __call__(self, url: str, method: str, headers: dict[str, str], *,
                 content: bytes | None = None) -> Awaitable[FetchLike]: ...


def _js_string(text: str) -> str:
    """A JavaScript string literal that cannot close the <script> it sits in."""
    return json.dumps(text).replace("<", "\\u003c")


def _strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _location(url: str, result: FetchLike) -> tuple[str | None, bool]:
    """Where a result sends the browser next, and whether the result is already that page.

    A fetcher that follows redirects reports the end as `final_url` with its body; one that
    does not answers 3xx with a Location still to be fetched.
    """
    final = getattr(result, "final_url", None)
    if final and _strip_fragment(final) != url:
        return _strip_fragment(final), True
    location = {k.lower(): v for k, v in result.headers.items()}.get("location")
    if result.status in _REDIRECT_STATUSES and location and not result.failure:
        return _strip_fragment(urljoin(url, location.strip())), False
    return None, False


async def _answer(route: Route, result: FetchLike) -> None:
    status = result.status
    if status is None or (result.failure and result.failure not in ("http_4xx", "http_5xx")):
        await route.abort(_ABORT_CODES.get(result.failure or "", "failed"))
        return
    headers = {k: v for k, v in result.headers.items() if k.lower() not in _DROPPED_HEADERS}
    body = b"" if route.request.method == "HEAD" else result.body
    await route.fulfill(status=status, headers=headers, body=body)


def _router(fetch: RouteFetch) -> Callable[[Route], Awaitable[None]]:
    """Answer each request of a context from `fetch`; redirected navigations navigate on."""
    # A navigation's followed redirect was fetched once already; serve its end from here.
    ahead: dict[str, FetchLike] = {}

    async def call(url: str, method: str, headers: dict[str, str], content: bytes | None) -> FetchLike:
        if content:
            return await fetch(url, method, headers, content=content)
        return await fetch(url, method, headers)

    async def handle(route: Route) -> None:
        request = route.request
        url = _strip_fragment(request.url)
        headers: dict[str, str] = {}
        try:
            result = ahead.pop(url, None)
            if result is None:
                headers = {k: v for k, v in (await request.all_headers()).items()
                           if not k.startswith(":") and k.lower() not in _CONDITIONAL_HEADERS}
                result = await call(url, request.method, headers, request.post_data_buffer)
            target, arrived = _location(url, result)
            if target and request.is_navigation_request():
                if arrived:
                    ahead[target] = result
                # render() moves a page on itself; a frame is moved by the stand-in page.
                page = b"" if request.frame.parent_frame is None else (
                    f"<script>location.replace({_js_string(target)})</script>".encode())
                await route.fulfill(status=200, body=page, headers={
                    REDIRECT_HEADER: target, "content-type": "text/html; charset=utf-8"})
                return
            for _ in range(_MAX_REDIRECTS):
                if not target or arrived:
                    break
                result = await call(target, "GET", headers, None)
                url, (target, arrived) = target, _location(target, result)
            await _answer(route, result)
        except PlaywrightError:
            pass  # the page or context closed while the fetch ran
        except Exception:
            log.exception("browser request failed: %s", url)
            with suppress(PlaywrightError):
                await route.abort("failed")

    return handle


async def _refuse_socket(ws: WebSocketRoute) -> None:
    # Not connected to any server: a WebSocket would bypass the fetcher's guard.
    await ws.close(code=1008, reason="blocked")


class Browser:
    """The worker's Chromium: enter once per worker process, then one `context()` per target."""

    def __init__(self, settings: BrowserSettings | None = None) -> None:
        self.settings = settings or BrowserSettings()
        self._playwright: Playwright | None = None
        self._browser: PlaywrightBrowser | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> Browser:
        self._playwright = await async_playwright().start()
        await self._launch()
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self._browser is not None:
                with suppress(PlaywrightError):
                    await self._browser.close()
        finally:
            self._browser = None
            if self._playwright is not None:
                await self._playwright.stop()
                self._playwright = None

    async def _launch(self) -> PlaywrightBrowser:
        assert self._playwright is not None, "use `async with Browser(...)`"
        s = self.settings
        options: dict[str, Any] = {"executable_path": s.executable_path, "args": s.args,
                                   "headless": s.headless}
        if s.blackhole_proxy:
            options["proxy"] = {"server": s.blackhole_proxy}
        self._browser = await self._playwright.chromium.launch(**options)
        return self._browser

    async def _connected(self) -> PlaywrightBrowser:
        """Return the running Chromium, relaunching it if it crashed since the last target."""
        async with self._lock:
            if self._browser is None or not self._browser.is_connected():
                log.warning("Chromium is not running; launching it again")
                return await self._launch()
            return self._browser

    @asynccontextmanager
    async def context(self, fetch: RouteFetch, *,
                      budget_s: float | None = None) -> AsyncIterator[BrowserContext]:
        """Open a fresh context whose requests all go through `fetch`, closed on exit.

        The body runs under the target budget (`budget_s`, default the settings' one, e.g. what
        is left of the job) and raises TimeoutError when it is spent.
        """
        s = self.settings
        browser = await self._connected()
        options: dict[str, Any] = {
            "viewport": {"width": s.viewport_width, "height": s.viewport_height},
            "locale": s.locale, "timezone_id": s.timezone_id,
            "service_workers": "block",  # a service worker's fetches would not pass our route
            "accept_downloads": False,
        }
        if s.user_agent:
            options["user_agent"] = s.user_agent
        ctx = await browser.new_context(**options)
        try:
            ctx.set_default_timeout(s.page_timeout_ms)
            ctx.set_default_navigation_timeout(s.page_timeout_ms)
            await ctx.add_init_script(NO_WEBRTC_SCRIPT)
            await ctx.route("**/*", _router(fetch))
            await ctx.route_web_socket("**/*", _refuse_socket)
            async with asyncio.timeout(s.target_budget_s if budget_s is None else budget_s):
                yield ctx
        finally:
            with suppress(PlaywrightError):
                await ctx.close()
