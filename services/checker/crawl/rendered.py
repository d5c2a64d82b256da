"""Crawl on from what the browser shows: the home page always, and a script-built site's inner pages.

A site whose pages are shells that scripts fill (lists, navigation and footer built from JSON)
shows the crawler almost nothing: no columns, dates, text, images or links. `RenderedReader`
is the crawler's page reader (crawl/crawler.py PageReader): it renders the home page, decides
from it whether the site is script-built, and then renders that site's inner pages — and, on
any site, a page that looks like a script shell or whose scripts write links into it — within a
page and time budget, so the
crawl continues from the rendered links and every rule reads the rendered text, tags, images
and links (with how each is hidden and where it sits).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable

from pydantic import BaseModel, ConfigDict

from services.checker.crawl.crawler import looks_like_shell
from services.checker.crawl.parse import parse_html
from services.checker.ground.site import Link, Page

log = logging.getLogger(__name__)

FOLLOWED = frozenset({"a", "area", "iframe", "frame"})
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_WRITES = re.compile(r"document\.write|\.innerHTML\s*[+]?=|insertAdjacentHTML|\.appendChild|\.append\(",
                     re.IGNORECASE)
_MARKUP_LINK = re.compile(r"<\s*(a|iframe)\b|createElement\(\s*['\"](a|iframe)['\"]", re.IGNORECASE)


def writes_links(html: str) -> bool:
    """Return whether an inline script of the page writes links or frames into it.

    That is how dark links are injected into otherwise static pages (document.write of a hidden
    <div> of links); only the browser sees what such a script adds and how it is hidden.
    """
    return any(_WRITES.search(body) and _MARKUP_LINK.search(body) for body in _INLINE_SCRIPT.findall(html))


class RenderSettings(BaseModel):
    """How much of a site the browser reads while crawling."""

    model_config = ConfigDict(extra="ignore")

    max_rendered_pages: int = 60
    """Inner pages rendered per site, home excluded. Our own figure: a script-built site's home
    page, its ten to twenty columns and a few articles of each (the columns' dates and the
    articles' text are what the rules need) fit in sixty; at one to four seconds a page this
    keeps a site's rendering within a few minutes of the 900 s target budget."""
    render_budget_s: float = 300.0
    """Seconds of rendering per site, after which the crawl goes on with fetched pages only.
    Our own figure: a third of the target budget (CheckerSettings.target_budget_s, 900 s),
    leaving the rest for link checks, search, rules and evidence screenshots."""
    concurrency: int = 2
    """Pages rendered at once in the site's browser context (the worker has few cores)."""
    min_extra_links: int = 10
    """The home page counts as script-built when its rendering shows at least this many more
    on-site links than the served HTML, and at least twice as many (or when the served HTML is
    a script shell). Our own figure: a portal's navigation alone has more than ten columns,
    while a static portal's scripts add a few links at most (a weather widget, a share bar)."""
    min_extra_text: int = 500
    """…or at least this many more visible characters, and twice as many: lists and articles
    built from JSON. Our own figure: a static page's scripts add a date or a counter, not
    paragraphs."""


def _on_site_links(links: list[Link], on_site: Callable[[str], bool]) -> int:
    return len({link.url for link in links if link.tag in FOLLOWED and link.url and on_site(link.url)})


def _visible_chars(text: str) -> int:
    return len("".join(text.split()))


def script_built(served_html: str, rendered: Page, on_site: Callable[[str], bool],
                 settings: RenderSettings) -> bool:
    """Return whether a home page's content is made by scripts (see RenderSettings).

    `served_html` is what the server sent for the document the browser shows, so a home page
    that only moves the visitor on (a script or refresh to /web/index.html) is judged by the
    page it lands on.
    """
    served = parse_html(served_html, rendered.final_url)
    if looks_like_shell(served_html, served.text):
        return True
    before, after = _on_site_links(served.links, on_site), _on_site_links(rendered.links, on_site)
    if after - before >= settings.min_extra_links and after >= 2 * before:
        return True
    before, after = _visible_chars(served.text), _visible_chars(rendered.text)
    return after - before >= settings.min_extra_text and after >= 2 * before


# The browser's reading of a fetched page and the HTML served for the document it shows
# (browser/render.py read_page), or None when the browser could not load it.
Render = Callable[[Page], Awaitable[tuple[Page, str] | None]]


class RenderedReader:
    """The crawler's page reader that renders the home page and, where needed, inner pages.

    `render` returns the browser's reading of a fetched page (url, depth, parent and fetch time
    kept), or None when the browser could not load it; the fetched page is kept then.
    """

    def __init__(self, render: Render, on_site: Callable[[str], bool], settings: RenderSettings | None = None,
                 *, clock: Callable[[], float] = time.monotonic) -> None:
        self.render = render
        self.on_site = on_site
        self.settings = settings or RenderSettings()
        self.clock = clock
        self.script_built = False
        self.rendered: list[str] = []  # URLs of the inner pages rendered, in order
        self._started: float | None = None
        self._gate = asyncio.Semaphore(max(1, self.settings.concurrency))

    def _budget_left(self) -> bool:
        if len(self.rendered) >= self.settings.max_rendered_pages:
            return False
        return self._started is None or self.clock() - self._started < self.settings.render_budget_s

    async def _rendered(self, page: Page) -> tuple[Page, str] | None:
        async with self._gate:
            result = await self.render(page)
        if result is None or not self.on_site(result[0].final_url or result[0].url):
            return None  # a script that moves the visitor to another site: keep what was fetched
        return result

    async def __call__(self, page: Page, shell: bool) -> Page:
        """Return the page to crawl on from: its rendering where the site needs one."""
        if page.is_attachment or page.failure is not None or not page.html:
            return page
        if page.depth == 0 and self._started is None:
            self._started = self.clock()
            result = await self._rendered(page)
            if result is None:
                return page
            seen, served_html = result
            self.script_built = script_built(served_html or page.html, seen, self.on_site, self.settings)
            if self.script_built:
                log.info("%s is script-built: its inner pages are rendered", page.url)
            return seen
        if not (self.script_built or shell or writes_links(page.html)):
            return page
        if not self._budget_left():
            return page
        self.rendered.append(page.url)  # claimed before rendering, so concurrent pages keep the budget
        result = await self._rendered(page)
        return result[0] if result else page
