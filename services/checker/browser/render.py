"""Render a page as a visitor sees it: text, links with how each is hidden, and evidence screenshots."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any
from weakref import WeakKeyDictionary

from playwright.async_api import BrowserContext, ElementHandle, Frame, Response
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PlaywrightPage
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from services.checker.browser.launcher import REDIRECT_HEADER
from services.checker.crawl.parse import NATIONAL_META, absolute_url, decode_html, parse_html
from services.checker.ground.site import Link, Page

# The parser's empty links (crawl/parse.py): kept as Link(url="") so a rule can flag them.
_EMPTY_HREF = re.compile(r"^(#?|javascript:\s*(void\s*\(?\s*0\s*\)?)?\s*;?)$", re.IGNORECASE)
_INJECTABLE = frozenset({"a", "area", "iframe", "frame"})  # where a script-added link is a dark link
_NATIONAL_BY_LOWER = {name.lower(): name for name in NATIONAL_META}
_MAX_NAVIGATIONS = 11  # the fetcher's 10 redirects, plus the page itself
_MAX_FRAMES = 20
_MAX_LINKS = 5000  # per document
# px; a longer or wider page is cut: its top left is what a visitor sees first.
_MAX_SCREENSHOT = (3_000, 20_000)


@dataclass(frozen=True)
class Timing:
    """How long to let a loaded page finish its scripts before reading it."""

    load_wait_ms: int = 10_000  # for the load event, past DOMContentLoaded (slow images)
    idle_wait_ms: int = 3_000  # for the network to go quiet (content loaded by XHR)
    settle_ms: int = 500  # after that: timers that add content right after load


@dataclass
class Rendered:
    """One page after its scripts ran."""

    url: str
    final_url: str
    status: int | None
    content_type: str | None
    html: str  # the DOM after scripts ran
    raw_html: str  # what the server sent, decoded
    text: str  # document.body.innerText
    title: str
    meta: dict[str, str]
    links: list[Link]
    scripts: list[str]
    screenshot: bytes | None = None  # full-page PNG when asked for
    frames: list[str] = field(default_factory=list)  # URLs of the (i)frames read

    def to_page(self, *, depth: int, parent_url: str | None, screenshot_id: str | None = None) -> Page:
        """Return the crawler's Page for this rendering."""
        media = (self.content_type or "text/html").split(";")[0].strip().lower()
        return Page(url=self.url, final_url=self.final_url, status=self.status, depth=depth,
                    parent_url=parent_url, content_type=media, html=self.html, text=self.text,
                    title=self.title, meta=self.meta, links=self.links, scripts=self.scripts,
                    rendered=True, screenshot=screenshot_id)


class RenderFailed(Exception):
    """The page could not be loaded in the browser (blocked, unreachable, timed out)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@cache
def _script() -> str:
    return (files("services.checker.browser") / "visibility.js").read_text(encoding="utf-8")


def _element_call() -> str:
    return f"(el, opts) => ({_script()})({{...opts, element: el}})"


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


def _is_marker(response: Response) -> bool:
    return REDIRECT_HEADER in response.headers


# Tabs a context's renders and evidence pictures are done with, for the next ones: a new tab costs
# Chromium a renderer of its own, about a CPU-second per page on top of the load
# (benchmarks/checker_bench.py). They close with their context.
_idle_tabs: WeakKeyDictionary[BrowserContext, list[PlaywrightPage]] = WeakKeyDictionary()
_listening: WeakKeyDictionary[PlaywrightPage, Callable[[Response], None]] = WeakKeyDictionary()


async def _tab(ctx: BrowserContext) -> PlaywrightPage:
    """A tab of the context to load a page in: one another page is done with, else a new one."""
    idle = _idle_tabs.get(ctx, [])
    while idle:
        tab = idle.pop()
        if not tab.is_closed():
            return tab
    return await ctx.new_page()


async def _done_with(ctx: BrowserContext, tab: PlaywrightPage, *, reuse: bool) -> None:
    """Keep a tab for the context's next page, or close it (after a failure)."""
    if reuse and not tab.is_closed():
        _idle_tabs.setdefault(ctx, []).append(tab)
        return
    with suppress(PlaywrightError):
        await tab.close()


async def _open(ctx: BrowserContext, url: str, timing: Timing,
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
            if response is not None and _is_marker(response):
                target = response.headers[REDIRECT_HEADER]
                continue
            await page.wait_for_load_state("domcontentloaded")
            await _settle(page, timing)
            # The page replaced itself (script, meta refresh) with an address that redirects.
            last = _main_documents(page, documents)[-1:]
            if last and _is_marker(last[0]):
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


def _main_documents(page: PlaywrightPage, documents: list[Response]) -> list[Response]:
    return [r for r in documents if r.frame == page.main_frame]


async def _evaluate(frame: Frame, opts: dict[str, Any]) -> Any:
    """Run visibility.js in a frame, once more if the document was replaced meanwhile."""
    for attempt in range(3):
        try:
            return await frame.evaluate(_script(), opts)
        except PlaywrightError as exc:
            if "context was destroyed" not in str(exc) or attempt == 2:
                raise
            with suppress(PlaywrightTimeoutError):
                await frame.wait_for_load_state("load", timeout=5_000)
    raise AssertionError("unreachable")


async def _served_html(frame: Frame, documents: list[Response], element: ElementHandle | None) -> str | None:
    """The HTML the server sent for a frame ("" for script-made documents, None if unknown)."""
    if frame.url == "about:blank":
        return ""
    if frame.url == "about:srcdoc":
        return (await element.get_attribute("srcdoc") or "") if element else None
    for response in reversed(documents):
        if response.frame == frame and not _is_marker(response):
            try:
                body = await response.body()
            except PlaywrightError:
                return None
            return decode_html(body, _charset(response.headers.get("content-type")))[0]
    return None


def _links(scan: dict[str, Any], parent_url: str, *, frame_position: str = "",
           origin: tuple[float, float] = (0.0, 0.0), in_hidden_frame: bool = False) -> list[Link]:
    links: list[Link] = []
    for item in scan["links"]:
        tag, href = item["tag"], item["href"]
        if tag in ("a", "area") and _EMPTY_HREF.match(href.strip()):
            tag, url = "a", ""
        else:
            url = absolute_url(scan["base"], href) or ""
            if not url:
                continue
        judged = item["judged"]
        hidden_by = "hidden_iframe" if judged and in_hidden_frame else item["hidden_by"]
        rect = item["rect"]
        links.append(Link(
            url=url, parent_url=parent_url, tag=tag, text=item["text"],
            position=f"{frame_position} >> {item['position']}" if frame_position else item["position"],
            visible=(hidden_by is None) if judged else None,
            hidden_by=hidden_by if judged else None,
            rect=(rect[0] + origin[0], rect[1] + origin[1], rect[2], rect[3]) if rect else None,
        ))
    return links


def _mark_injected(links: list[Link], served_html: str | None, page_url: str) -> None:
    """Flag links the scripts added: present now, not in the HTML the server sent."""
    if served_html is None:
        return
    served = Counter(link.url for link in parse_html(served_html, page_url).links
                     if link.tag in _INJECTABLE and link.url)
    for link in links:
        if link.tag in _INJECTABLE and link.url:
            if served[link.url] > 0:
                served[link.url] -= 1
            else:
                link.injected = True


async def _frame_links(page: PlaywrightPage, parent_url: str, documents: list[Response]) -> tuple[
        list[Link], list[str]]:
    """Links inside (i)frames; all of a hidden frame's links count as hidden."""
    known: dict[Frame, tuple[bool, str, tuple[float, float]]] = {page.main_frame: (False, "", (0.0, 0.0))}
    links: list[Link] = []
    urls: list[str] = []
    for frame in page.frames[1:_MAX_FRAMES + 1]:
        parent = frame.parent_frame
        if parent is None or parent not in known or frame.url.startswith("chrome-error:"):
            continue
        try:
            element = await frame.frame_element()
            verdict = await element.evaluate(_element_call(), {"mode": "element"})
            parent_hidden, parent_position, parent_origin = known[parent]
            hidden = parent_hidden or verdict["hidden_by"] is not None
            position = verdict["position"]
            if parent_position:
                position = f"{parent_position} >> {position}"
            origin = (parent_origin[0] + verdict["origin"][0], parent_origin[1] + verdict["origin"][1])
            known[frame] = (hidden, position, origin)
            scan = await _evaluate(frame, {"mode": "scan", "limit": _MAX_LINKS})
            found = _links(scan, parent_url, frame_position=position, origin=origin, in_hidden_frame=hidden)
            _mark_injected(found, await _served_html(frame, documents, element), frame.url)
        except PlaywrightError:
            continue  # the frame went away while we read it
        links.extend(found)
        urls.append(frame.url)
    return links, urls


def _meta(pairs: list[list[str]]) -> dict[str, str]:
    """<meta name> values as the parser keeps them: first wins, national names also canonical."""
    meta: dict[str, str] = {}
    for name, content in pairs:
        name = (name or "").strip()
        if name and name not in meta:
            meta[name] = content.strip()
    for name in list(meta):
        national = _NATIONAL_BY_LOWER.get(name.lower())
        if national and national not in meta:
            meta[national] = meta[name]
    return meta


async def render(ctx: BrowserContext, url: str, *, screenshot: bool,
                 timing: Timing | None = None) -> Rendered:
    """Load url in the context, let its scripts run, and read what a visitor sees.

    Raises RenderFailed when the page itself cannot be loaded.
    """
    page = await _tab(ctx)
    try:
        page, documents = await _open(ctx, url, timing or Timing(), page)
    except RenderFailed:
        await _done_with(ctx, page, reuse=False)
        raise
    read = False
    try:
        main = [r for r in _main_documents(page, documents) if not _is_marker(r)]
        response = main[-1] if main else None
        final_url = page.url
        scan = await _evaluate(page.main_frame, {"mode": "scan", "limit": _MAX_LINKS})
        raw = await _served_html(page.main_frame, main, None)
        links = _links(scan, final_url)
        _mark_injected(links, raw, final_url)
        frame_links, frame_urls = await _frame_links(page, final_url, documents)
        rendered = Rendered(
            url=url, final_url=final_url, status=response.status if response else None,
            content_type=response.headers.get("content-type") if response else None,
            html=await page.content(), raw_html=raw or "", text=scan["text"], title=scan["title"],
            meta=_meta(scan["meta"]), links=links + frame_links,
            scripts=[u for src in scan["scripts"] if (u := absolute_url(scan["base"], src))],
            screenshot=await _full_page(page) if screenshot else None, frames=frame_urls,
        )
        read = True
        return rendered
    except PlaywrightError as exc:
        raise RenderFailed(url, str(exc).splitlines()[0]) from exc
    finally:
        await _done_with(ctx, page, reuse=read)


async def read_page(ctx: BrowserContext, fetched: Page, *,
                    keep_screenshot: Callable[[bytes], str] | None = None,
                    timing: Timing | None = None) -> tuple[Page, str]:
    """Render a page the crawler fetched; return what a visitor sees as the crawler's Page, and
    the HTML the server sent for the document shown (after any redirect or script navigation).

    Its URL, depth, parent and fetch time stay those of the fetch; with `keep_screenshot` (the
    evidence store) a full-page screenshot is taken and its id kept. Raises RenderFailed.
    """
    seen = await render(ctx, fetched.final_url or fetched.url, screenshot=keep_screenshot is not None,
                        timing=timing)
    shot = keep_screenshot(seen.screenshot) if keep_screenshot and seen.screenshot else None
    page = seen.to_page(depth=fetched.depth, parent_url=fetched.parent_url, screenshot_id=shot)
    page.url, page.fetched_at = fetched.url, fetched.fetched_at
    return page, seen.raw_html


async def _full_page(page: PlaywrightPage) -> bytes:
    width, height = await page.evaluate(
        "[document.documentElement.scrollWidth, Math.max(document.documentElement.scrollHeight,"
        " document.body ? document.body.scrollHeight : 0)]")
    if width <= _MAX_SCREENSHOT[0] and height <= _MAX_SCREENSHOT[1]:
        return await page.screenshot(type="png", full_page=True)
    clip = {"x": 0, "y": 0, "width": min(width, _MAX_SCREENSHOT[0]),
            "height": min(height, _MAX_SCREENSHOT[1])}
    return await page.screenshot(type="png", full_page=True, clip=clip)  # type: ignore[arg-type]


def _with_tbody(selector: str) -> str:
    # lxml keeps <tr> directly under <table>; a browser always puts a <tbody> between them.
    return re.sub(r"(\btable(?:[.#:][^ >]*)?) > (tr\b)", r"\1 > tbody > \2", selector)


Outline = str | tuple[float, float, float, float]


async def outline_screenshot(ctx: BrowserContext, url: str, target: Outline,
                             *, label: str | None = None, timing: Timing | None = None) -> bytes:
    """Screenshot the viewport with a red outline and label around an element or a page rectangle.

    `target` is a CSS path (a Link's position; in a frame, its <iframe> is outlined) or an
    (x, y, width, height) rectangle in page coordinates. A hidden element is marked where it
    sits (its nearest visible ancestor) and labelled 隐藏链接. Raises LookupError when the
    element is not on the page, RenderFailed when the page cannot be loaded.
    """
    [png] = await outline_screenshots(ctx, url, [(target, label)], timing=timing)
    if png is None:
        raise LookupError(f"页面中找不到该元素：{target}")
    return png


async def outline_screenshots(ctx: BrowserContext, url: str, targets: Sequence[tuple[Outline, str | None]],
                              *, timing: Timing | None = None) -> list[bytes | None]:
    """Load the page once and take one outlined screenshot per (target, label), in order.

    Each picture shows only its own outline; None where the element is not on the page.
    Raises RenderFailed when the page cannot be loaded.
    """
    shots = (await outline_pages(ctx, {url: targets}, timing=timing))[url]
    if isinstance(shots, RenderFailed):
        raise shots
    return shots


async def outline_pages(ctx: BrowserContext, pages: Mapping[str, Sequence[tuple[Outline, str | None]]],
                        *, timing: Timing | None = None) -> dict[str, list[bytes | None] | RenderFailed]:
    """Outlined screenshots of several pages, each loaded once, all in one browser tab.

    One tab for all of them, one a render was done with where there is one (see _tab). A page
    that cannot be loaded gets its RenderFailed instead of pictures.
    """
    tab = await _tab(ctx)
    out: dict[str, list[bytes | None] | RenderFailed] = {}
    try:
        for url, targets in pages.items():
            try:
                await _open(ctx, url, timing or Timing(), tab)
                out[url] = await _shots(tab, targets)
            except PlaywrightError as exc:
                out[url] = RenderFailed(url, str(exc).splitlines()[0])
            except RenderFailed as exc:
                out[url] = exc
        return out
    finally:
        await _done_with(ctx, tab, reuse=True)


async def _shots(page: PlaywrightPage, targets: Sequence[tuple[Outline, str | None]]) -> list[bytes | None]:
    shots: list[bytes | None] = []
    for target, label in targets:
        if not await _outline(page, target, label):
            shots.append(None)
            continue
        shots.append(await page.screenshot(type="png"))
        # The outline is the frame and the label visibility.js appended last to <html>.
        await page.evaluate("() => { const r = document.documentElement;"
                            " r.lastElementChild.remove(); r.lastElementChild.remove(); }")
    return shots


async def _outline(page: PlaywrightPage, target: Outline, label: str | None) -> bool:
    """Draw the outline around the target; False when the element is not on the page."""
    opts: dict[str, Any] = {"mode": "outline", "label": label}
    if not isinstance(target, str):
        await _evaluate(page.main_frame, {**opts, "rect": list(target)})
        return True
    selector = target.split(" >> ")[0]
    for candidate in dict.fromkeys((selector, _with_tbody(selector))):
        if (await _evaluate(page.main_frame, {**opts, "selector": candidate}))["found"]:
            return True
    return False
