"""Render a page as a visitor sees it: text, links with how each is hidden, a full-page screenshot.

Loading the page is tabs.py's; evidence screenshots of one element are outline.py's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import BrowserContext, ElementHandle, Frame, Response
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PlaywrightPage

from services.checker.browser.tabs import (
    RenderFailed,
    Timing,
    is_marker,
    load,
    main_documents,
    release_tab,
    run_visibility,
    take_tab,
    visibility_script,
)
from services.checker.crawl.parse import NATIONAL_META, absolute_url, decode_html, parse_html
from services.checker.ground.site import Link, Page

# The parser's empty links (crawl/parse.py): kept as Link(url="") so a rule can flag them.
_EMPTY_HREF = re.compile(r"^(#?|javascript:\s*(void\s*\(?\s*0\s*\)?)?\s*;?)$", re.IGNORECASE)
_INJECTABLE = frozenset({"a", "area", "iframe", "frame"})  # where a script-added link is a dark link
_NATIONAL_BY_LOWER = {name.lower(): name for name in NATIONAL_META}
_MAX_FRAMES = 20
_MAX_LINKS = 5000  # per document
# px; a longer or wider page is cut: its top left is what a visitor sees first.
_MAX_SCREENSHOT = (3_000, 20_000)


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


def _element_call() -> str:
    return f"(el, opts) => ({visibility_script()})({{...opts, element: el}})"


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


async def _served_html(frame: Frame, documents: list[Response], element: ElementHandle | None) -> str | None:
    """The HTML the server sent for a frame ("" for script-made documents, None if unknown)."""
    if frame.url == "about:blank":
        return ""
    if frame.url == "about:srcdoc":
        return (await element.get_attribute("srcdoc") or "") if element else None
    for response in reversed(documents):
        if response.frame == frame and not is_marker(response):
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
            scan = await run_visibility(frame, {"mode": "scan", "limit": _MAX_LINKS})
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
    page = await take_tab(ctx)
    try:
        page, documents = await load(ctx, url, timing or Timing(), page)
    except RenderFailed:
        await release_tab(ctx, page, reuse=False)
        raise
    read = False
    try:
        main = [r for r in main_documents(page, documents) if not is_marker(r)]
        response = main[-1] if main else None
        final_url = page.url
        scan = await run_visibility(page.main_frame, {"mode": "scan", "limit": _MAX_LINKS})
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
        await release_tab(ctx, page, reuse=read)


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
