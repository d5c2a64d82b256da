"""Asking a site's own search for a task's article when the crawl did not reach a repost.

The site's search (the form or 搜索 link `crawl/search.py` finds on the home page) is asked for
the article's title, then for the opening words of its body (a retitled repost); the first
`search_results` on-site pages each answer lists, not crawled already, are fetched and judged
like crawled pages (`match.find_on_site`).
"""

from __future__ import annotations

import re

from services.checker.crawl.crawler import in_scope
from services.checker.crawl.parse import decode_html, parse_html
from services.checker.crawl.search import MAX_QUERY_CHARS, SearchEntry, build_query, find_search
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.net.fetcher import Fetcher
from services.checker.repost.match import Article, Found, Params, find_on_site

_SENTENCE = re.compile(r"[。！？；\n]")


def queries(article: Article) -> list[str]:
    """What to ask the search: the title, then the body's first sentence (both cut to the box)."""
    opening = _SENTENCE.split(article.body.strip(), maxsplit=1)[0].strip()
    return [q[:MAX_QUERY_CHARS] for q in dict.fromkeys((article.title.strip(), opening)) if q]


async def _entry(site: SiteSnapshot, fetcher: Fetcher) -> SearchEntry | None:
    home = site.home
    if home is None or not home.html:
        return None
    entry = find_search(home.html, home.final_url, site.target.domains)
    if entry is None or entry.kind != "link":
        return entry
    landing = await fetcher.fetch(entry.url)
    if landing.failure is not None:
        return None
    return find_search(decode_html(landing.body, landing.charset)[0], landing.final_url,
                       site.target.domains, forms_only=True)


async def _page(fetcher: Fetcher, url: str, parent: str) -> Page | None:
    got = await fetcher.fetch(url)
    if got.failure is not None or got.status != 200:
        return None
    html, _ = decode_html(got.body, got.charset)
    parsed = parse_html(html, got.final_url)
    return Page(url=url, final_url=got.final_url, status=got.status, depth=2, parent_url=parent, html=html,
                text=parsed.text, title=parsed.title, meta=parsed.meta, links=parsed.links)


async def search_site(article: Article, site: SiteSnapshot, fetcher: Fetcher, params: Params) -> Found | None:
    """The repost the site's search leads to, or None (no search, no answer, nothing similar)."""
    if params.search_results <= 0:
        return None
    entry = await _entry(site, fetcher)
    if entry is None:
        return None
    seen = {u for p in site.pages for u in (p.url, p.final_url)}
    for query in queries(article):
        method, url, body = build_query(entry, query)
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else None
        answer = await fetcher.fetch(url, method, headers=headers, content=body)
        if answer.failure is not None:
            continue
        listed = parse_html(decode_html(answer.body, answer.charset)[0], answer.final_url)
        urls = [link.url for link in listed.links
                if link.tag == "a" and link.url not in seen and in_scope(link.url, site.target.domains)]
        pages = []
        for link in list(dict.fromkeys(urls))[:params.search_results]:
            seen.add(link)
            if (page := await _page(fetcher, link, answer.final_url)) is not None:
                pages.append(page)
        found = find_on_site(article, SiteSnapshot(target=site.target, as_of=site.as_of, pages=pages), params)
        if found is not None:
            return found
    return None
