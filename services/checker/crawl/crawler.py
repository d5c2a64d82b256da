"""Breadth-first crawl of one website within its filed domains, with page and attachment budgets."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from services.checker.crawl.attachments import (
    extension,
    extract_text,
    is_attachment_type,
    is_attachment_url,
)
from services.checker.crawl.parse import absolute_url, decode_html, parse_html
from services.checker.crawl.stylesheets import apply_stylesheets
from services.checker.ground.site import Page, Target
from services.checker.net.fetcher import Fetcher, FetchResult

HTML_TYPES = ("text/html", "application/xhtml+xml")
FOLLOWED_TAGS = frozenset({"a", "area", "iframe", "frame"})
# Linked files that are checked as links but never crawled as pages.
NOT_PAGES = frozenset({
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".svg", ".ico", ".css", ".js", ".zip",
    ".rar", ".7z", ".gz", ".tar", ".mp3", ".mp4", ".avi", ".flv", ".wmv", ".mov", ".swf", ".apk",
    ".exe", ".iso", ".ppt", ".pptx", ".ofd", ".ceb",
})
_MOUNT = re.compile(
    r"<(?:div|main|section|body)\b[^>]*\bid\s*=\s*[\"']?(?:app|root|__next|__nuxt|q-app|vue-app)\b",
    re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
# Given a fetched page and whether it looks like a script shell, return the page to crawl on
# from: itself, or what the browser shows of it (crawl/rendered.py).
PageReader = Callable[[Page, bool], Awaitable[Page]]


class CrawlSettings(BaseModel):
    """Budgets of one crawl."""

    model_config = ConfigDict(extra="ignore")

    max_pages: int = 200  # HTML fetches, home included (CheckerSettings.max_pages)
    max_depth: int = 3  # clicks from the home page (CheckerSettings.max_depth)
    # No page is started after this many seconds (the pipeline gives the crawl a share of
    # the site's time budget); None: no limit.
    time_budget_s: float | None = None
    max_attachments: int = 30
    attachment_max_bytes: int = 20 * 1024 * 1024
    concurrency: int = 8
    max_meta_refresh: int = 2  # <meta http-equiv=refresh> hops followed like redirects


@dataclass
class CrawlResult:
    """The pages (home first, then breadth-first order), every link seen, and script shells."""

    pages: list[Page]
    links: set[str] = field(default_factory=set)
    needs_render: list[str] = field(default_factory=list)
    budget_exhausted: bool = False  # in-scope pages were left unvisited


def looks_like_shell(html: str, text: str) -> bool:
    """Return whether a page probably shows its content only after scripts run.

    An empty mount point (div#app, #root, #__next …) with little text, almost no text at all
    next to any script, or scripts outweighing the text more than tenfold (an external bundle
    counted as 2,000 characters) on a page with under 400 visible characters.
    """
    visible = len("".join(text.split()))
    if visible >= 400:
        return False
    scripts = _SCRIPT.findall(html)
    if not scripts:
        return False
    if _MOUNT.search(html) and visible < 200:
        return True
    if visible < 50:
        return True
    weight = sum(2000 if re.search(r"\bsrc\s*=", attrs, re.IGNORECASE) else len(body)
                 for attrs, body in scripts)
    return weight > 10 * visible


def in_scope(url: str, domains: list[str]) -> bool:
    """Return whether the URL's host is one of the domains or a subdomain of one."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def scope_domains(target: Target) -> list[str]:
    """Return the filed domains plus the home page's host, lower case."""
    hosts = [d.strip().lower().rstrip(".") for d in target.domains if d.strip()]
    home = (urlsplit(target.home_url).hostname or "").lower()
    return list(dict.fromkeys([*hosts, home] if home else hosts))


class _Crawl:
    def __init__(self, target: Target, fetcher: Fetcher, settings: CrawlSettings,
                 reader: PageReader | None = None) -> None:
        # Many small pages: the bulk client (same guard, host map, slots and failure classes).
        self.fetcher = fetcher.bulk()
        self.reader = reader
        self.settings = settings
        self.domains = scope_domains(target)
        self.home = absolute_url(target.home_url, target.home_url) or target.home_url
        self.seen: set[str] = {self.home}
        self.links: set[str] = set()
        self.attachment_queue: list[tuple[str, str, int]] = []
        self.attachments_taken = 0
        self.gate = asyncio.Semaphore(max(1, settings.concurrency))
        budget = settings.time_budget_s
        self.deadline = None if budget is None else time.monotonic() + budget
        self.out_of_time = False

    async def run(self) -> CrawlResult:
        pages: list[Page] = []
        needs_render: list[str] = []
        level: list[tuple[str, str | None]] = [(self.home, None)]
        exhausted = False
        for depth in range(self.settings.max_depth + 1):
            room = self.settings.max_pages - len(pages)
            if not level:
                break
            if room <= 0:
                exhausted = True
                break
            if len(level) > room:
                exhausted = True
            batch = level[:room]
            fetched = await asyncio.gather(*(self._read(url, parent, depth) for url, parent in batch))
            level = []
            for page, shell in fetched:
                if page is None:
                    continue
                pages.append(page)
                if shell:
                    needs_render.append(page.url)
                level.extend(self._discover(page, depth))
        await apply_stylesheets(pages, self._fetch, lambda url: in_scope(url, self.domains))
        pages.extend(await self._attachments())
        return CrawlResult(pages=pages, links=self.links, needs_render=needs_render,
                           budget_exhausted=exhausted or self.out_of_time)

    def _discover(self, page: Page, depth: int) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for link in page.links:
            if not link.url:
                continue
            self.links.add(link.url)
            if link.tag not in FOLLOWED_TAGS or link.url in self.seen:
                continue
            if not in_scope(link.url, self.domains) or extension(link.url) in NOT_PAGES:
                continue
            self.seen.add(link.url)
            if is_attachment_url(link.url):
                self.attachment_queue.append((link.url, page.url, depth + 1))
            else:
                found.append((link.url, page.url))
        return found

    async def _fetch(self, url: str, max_bytes: int | None = None) -> FetchResult:
        async with self.gate:
            return await self.fetcher.fetch(url, max_bytes=max_bytes)

    async def _read(self, url: str, parent: str | None, depth: int) -> tuple[Page | None, bool]:
        page, shell = await self._page(url, parent, depth)
        if page is not None and self.reader is not None:
            page = await self.reader(page, shell)
        return page, shell

    async def _fetch_in_time(self, url: str) -> FetchResult | None:
        """Fetch a page unless the crawl's time is up by the time its turn comes."""
        async with self.gate:
            if self._late():
                return None
            return await self.fetcher.fetch(url)

    def _late(self) -> bool:
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.out_of_time = True
        return self.out_of_time

    async def _page(self, url: str, parent: str | None, depth: int) -> tuple[Page | None, bool]:
        result = await self._fetch(url) if depth == 0 else await self._fetch_in_time(url)
        if result is None:
            return None, False  # out of time: the pages fetched so far are the crawl
        self.seen.add(result.final_url)
        page = Page(url=url, final_url=result.final_url, status=result.status, depth=depth,
                    parent_url=parent, content_type=result.content_type or "", failure=result.failure,
                    fetched_at=datetime.now(UTC))
        if depth > 0 and not in_scope(result.final_url, self.domains):
            return None, False  # redirected off the site: another site's page is not this one's
        if result.failure is not None:
            return page, False
        disposition = result.headers.get("content-disposition", "").lower()
        if is_attachment_type(result.content_type) or disposition.startswith("attachment"):
            return self._attachment_page(page, result), False
        if result.content_type not in (*HTML_TYPES, None):
            return None, False  # an image or archive behind a page-like URL: a link, not a page
        html, _ = decode_html(result.body, result.charset)
        parsed = parse_html(html, url, result.final_url)
        hops = 0
        while (parsed.refresh_url and hops < self.settings.max_meta_refresh
               and parsed.refresh_url not in self.seen and in_scope(parsed.refresh_url, self.domains)):
            # A home page that only refreshes to /index.html is that page for a visitor.
            hops += 1
            self.seen.add(parsed.refresh_url)
            result = await self._fetch(parsed.refresh_url)
            self.seen.add(result.final_url)
            page.final_url, page.status, page.failure = result.final_url, result.status, result.failure
            page.content_type = result.content_type or ""
            if result.failure is not None or result.content_type not in (*HTML_TYPES, None):
                return page, False
            html, _ = decode_html(result.body, result.charset)
            parsed = parse_html(html, url, result.final_url)
        page.html, page.text, page.title = html, parsed.text, parsed.title
        page.meta, page.links, page.scripts = parsed.meta, parsed.links, parsed.scripts
        return page, looks_like_shell(html, parsed.text)

    def _attachment_page(self, page: Page, result: FetchResult) -> Page:
        page.is_attachment = True
        if self.attachments_taken < self.settings.max_attachments:
            self.attachments_taken += 1
            page.text = extract_text(result.body, result.final_url, result.content_type) or ""
        return page

    async def _attachments(self) -> list[Page]:
        room = max(0, self.settings.max_attachments - self.attachments_taken)
        queue = self.attachment_queue[:room]
        self.attachments_taken += len(queue)

        async def one(url: str, parent: str, depth: int) -> Page:
            result = await self._fetch(url, max_bytes=self.settings.attachment_max_bytes)
            page = Page(url=url, final_url=result.final_url, status=result.status, depth=depth,
                        parent_url=parent, content_type=result.content_type or "",
                        failure=result.failure, is_attachment=True, fetched_at=datetime.now(UTC))
            if result.failure is None:
                page.text = extract_text(result.body, result.final_url, result.content_type) or ""
            return page

        return list(await asyncio.gather(*(one(*item) for item in queue)))


async def crawl(target: Target, fetcher: Fetcher, settings: CrawlSettings,
                reader: PageReader | None = None) -> CrawlResult:
    """Crawl the target's site breadth-first from its home page within its filed domains.

    With a `reader`, each fetched page may be replaced by its rendering, and the crawl goes on
    from the links the rendering shows.
    """
    return await _Crawl(target, fetcher, settings, reader).run()
