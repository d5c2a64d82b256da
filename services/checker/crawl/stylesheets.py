"""Read a site's own stylesheets once per crawl and judge the fetched pages' links with them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from services.checker.crawl.parse import decode_html, parse_html
from services.checker.ground.site import Page
from services.checker.net.fetcher import FetchResult

# Our own budget: a site's templates share a handful of stylesheets (a theme, a reset, a
# column's own); twenty covers them, and a page's hiding rules are in its template's sheets.
MAX_STYLESHEETS = 20
MAX_STYLESHEET_BYTES = 1024 * 1024

Fetch = Callable[..., Awaitable[FetchResult]]


def _wanted(pages: list[Page], on_site: Callable[[str], bool]) -> list[str]:
    urls = dict.fromkeys(link.url for page in pages if page.html and not page.rendered
                         for link in page.links if link.tag == "link" and link.url and on_site(link.url))
    return list(urls)[:MAX_STYLESHEETS]


async def apply_stylesheets(pages: list[Page], fetch: Fetch, on_site: Callable[[str], bool]) -> None:
    """Fetch the pages' on-site stylesheets once and judge again the links they may hide.

    A page linking one of them is parsed again; the parser judges its links to other hosts.
    """
    urls = _wanted(pages, on_site)
    if not urls:
        return
    results = await asyncio.gather(*(fetch(url, max_bytes=MAX_STYLESHEET_BYTES) for url in urls))
    sheets = {url: decode_html(r.body, r.charset)[0] for url, r in zip(urls, results, strict=True)
              if r.failure is None and r.status == 200}
    if not sheets:
        return
    for page in pages:
        if not page.html or page.rendered or not any(link.url in sheets for link in page.links):
            continue
        page.links = parse_html(page.html, page.url, page.final_url, stylesheets=sheets).links
