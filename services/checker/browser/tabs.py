"""Loading a page in a browser context as a visitor would: one tab reused per context, redirects
and script navigations followed, the page let settle; visibility.js run in a frame.

render.py reads what the loaded page shows; outline.py takes the evidence screenshots.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any
from weakref import WeakKeyDictionary

from playwright.async_api import BrowserContext, Frame, Response
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PlaywrightPage
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from services.checker.browser.launcher import REDIRECT_HEADER

_MAX_NAVIGATIONS = 11  # the fetcher's 10 redirects, plus the page itself


@dataclass(frozen=True)
class Timing:
    """How long to let a loaded page finish its scripts before reading it."""

    load_wait_ms: int = 10_000  # for the load event, past DOMContentLoaded (slow images)
    idle_wait_ms: int = 3_000  # for the network to go quiet (content loaded by XHR)
    settle_ms: int = 500  # after that: timers that add content right after load


class RenderFailed(Exception):
    """The page could not be loaded in the browser (blocked, unreachable, timed out)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@cache
def visibility_script() -> str:
    """Return visibility.js, the script that reads a page and judges how each link is hidden."""
    return (files("services.checker.browser") / "visibility.js").read_text(encoding="utf-8")


def is_marker(response: Response) -> bool:
    """Tell whether a response is the stand-in for a redirect (launcher.py REDIRECT_HEADER)."""
    return REDIRECT_HEADER in response.headers


# Tabs a context's renders and evidence pictures are done with, for the next ones: a new tab costs
# Chromium a renderer of its own, about a CPU-second per page on top of the load
# (benchmarks/checker_bench.py). They close with their context.
_idle_tabs: WeakKeyDictionary[BrowserContext, list[PlaywrightPage]] = WeakKeyDictionary()
_listening: WeakKeyDictionary[PlaywrightPage, Callable[[Response], None]] = WeakKeyDictionary()


async def take_tab(ctx: BrowserContext) -> PlaywrightPage:
    """A tab of the context to load a page in: one another page is done with, else a new one."""
    idle = _idle_tabs.get(ctx, [])
    while idle:
        tab = idle.pop()
        if not tab.is_closed():
            return tab
    return await ctx.new_page()


async def release_tab(ctx: BrowserContext, tab: PlaywrightPage, *, reuse: bool) -> None:
    """Keep a tab for the context's next page, or close it (after a failure)."""
    if reuse and not tab.is_closed():
        _idle_tabs.setdefault(ctx, []).append(tab)
        return
    with suppress(PlaywrightError):
        await tab.close()


async def load(ctx: BrowserContext, url: str, timing: Timing,
                page: PlaywrightPage | None = None) -> tuple[PlaywrightPage, list[Response]]:
    """Load url in a new page (or in `page`, kept open on failure), follow redirects and script
    navigations, let it settle."""
    own = page is None
    page = page or await ctx.new_page()
    documents: list[Response] = []

    def on_response(r: Response) -> None:
        if r.request.resource_type == "document":
            documents.append(r)

    if (before := _listening.get(page)) is not None:  # a tab reused: the last page's documents
        page.remove_listener("response", before)
    _listening[page] = on_response
    page.on("response", on_response)
    try:
        target = url
        for _ in range(_MAX_NAVIGATIONS):
            response = await page.goto(target, wait_until="commit")
            if response is not None and is_marker(response):
                target = response.headers[REDIRECT_HEADER]
                continue
            await page.wait_for_load_state("domcontentloaded")
            await _settle(page, timing)
            # The page replaced itself (script, meta refresh) with an address that redirects.
            last = main_documents(page, documents)[-1:]
            if last and is_marker(last[0]):
                target = last[0].headers[REDIRECT_HEADER]
                continue
            break
        else:
            raise RenderFailed(url, "too_many_redirects")
        if page.url.startswith("chrome-error:"):  # it moved itself to an address that failed
            raise RenderFailed(url, "navigation failed")
    except (RenderFailed, PlaywrightError) as exc:
        if own:
            with suppress(PlaywrightError):
                await page.close()
        if isinstance(exc, RenderFailed):
            raise
        raise RenderFailed(url, str(exc).splitlines()[0]) from exc
    return page, documents


async def _settle(page: PlaywrightPage, timing: Timing) -> None:
    """Wait for load, a quiet network and late timers, again if the page replaced itself."""
    seen = page.url
    for _ in range(3):
        with suppress(PlaywrightTimeoutError):
            await page.wait_for_load_state("load", timeout=timing.load_wait_ms)
        with suppress(PlaywrightTimeoutError):
            await page.wait_for_load_state("networkidle", timeout=timing.idle_wait_ms)
        await page.wait_for_timeout(timing.settle_ms)
        if page.url == seen:
            return
        seen = page.url


def main_documents(page: PlaywrightPage, documents: list[Response]) -> list[Response]:
    return [r for r in documents if r.frame == page.main_frame]


async def run_visibility(frame: Frame, opts: dict[str, Any]) -> Any:
    """Run visibility.js in a frame, once more if the document was replaced meanwhile."""
    for attempt in range(3):
        try:
            return await frame.evaluate(visibility_script(), opts)
        except PlaywrightError as exc:
            if "context was destroyed" not in str(exc) or attempt == 2:
                raise
            with suppress(PlaywrightTimeoutError):
                await frame.wait_for_load_state("load", timeout=5_000)
    raise AssertionError("unreachable")
