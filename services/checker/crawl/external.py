"""Fetch what the site's off-site links lead to, once per target per run, for 外链变质.

The rule content.external_link judges an external link by the page its target serves now
(gambling, porn, a parked domain). Each distinct off-site target of the wanted link tags is
fetched once through the guarded fetcher, within a budget per site, and only what the rule
reads is kept: final URL, status, title and a bounded excerpt of the visible text. Targets
already fetched for another site of the same run are read from a Redis hash of the run.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict
from typing import Any

from pydantic import BaseModel, ConfigDict

from services.checker.crawl.parse import decode_html, parse_html
from services.checker.ground.site import ExternalPage, Page
from services.checker.net.fetcher import Fetcher
from services.checker.support.hosts import host_of, on_site

log = logging.getLogger("govinspect.checker.external")
HTML_TYPES = ("text/html", "application/xhtml+xml")


class ExternalSettings(BaseModel):
    """Budget of the external-page fetches of one site."""

    model_config = ConfigDict(extra="ignore")

    excerpt_chars: int = 2000
    concurrency: int = 8
    max_bytes: int = 2 * 1024 * 1024  # a parked or gambling page is small; bigger is cut


def external_targets(pages: list[Page], domains: list[str], link_tags: list[str],
                     limit: int) -> list[str]:
    """The distinct off-site link URLs of the wanted tags on the site's pages, in page order."""
    out: dict[str, None] = {}
    for page in pages:
        if page.is_attachment or page.status != 200:
            continue
        for link in page.links:
            host = host_of(link.url)
            if (link.tag in link_tags and host and link.url.startswith(("http://", "https://"))
                    and not on_site(host, domains)):
                out.setdefault(link.url, None)
                if len(out) >= limit:
                    return list(out)
    return list(out)


def excerpt_of(url: str, result: Any, chars: int) -> ExternalPage:
    """Keep what the rule reads of a fetch result: final URL, status, title, a text excerpt."""
    page = ExternalPage(url=url, final_url=result.final_url or url, status=result.status,
                        failure=result.failure)
    if result.failure is None and (result.content_type or "text/html") in HTML_TYPES and result.body:
        html, _ = decode_html(result.body, result.charset)
        parsed = parse_html(html, result.final_url or url)
        page.title = parsed.title[:200]
        page.text = parsed.text[:chars]
    return page


class RedisExternalCache:
    """A Redis hash per run: link URL → JSON ExternalPage, so each target is fetched once a run."""

    def __init__(self, redis: Any, run_id: Any, ttl_s: int = 7 * 24 * 3600) -> None:
        self.redis = redis
        self.key = f"govinspect:external:{run_id}"
        self.ttl_s = ttl_s

    async def get_many(self, urls: list[str]) -> dict[str, ExternalPage]:
        """Return the pages already fetched in this run."""
        if not urls:
            return {}
        values = await self.redis.hmget(self.key, urls)
        return {u: ExternalPage(**json.loads(v)) for u, v in zip(urls, values, strict=True) if v}

    async def put_many(self, pages: list[ExternalPage]) -> None:
        """Store fetched pages."""
        if not pages:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(self.key, mapping={p.url: json.dumps(asdict(p), ensure_ascii=False) for p in pages})
            pipe.expire(self.key, self.ttl_s)
            await pipe.execute()


async def fetch_external_pages(urls: list[str], fetcher: Fetcher, cache: RedisExternalCache | None,
                               settings: ExternalSettings) -> dict[str, ExternalPage]:
    """Fetch each URL once (or read it from the run's cache); key the result by link URL."""
    known = await cache.get_many(urls) if cache is not None else {}
    missing = [u for u in urls if u not in known]
    gate = asyncio.Semaphore(settings.concurrency)

    async def one(url: str) -> ExternalPage:
        async with gate:
            result = await fetcher.fetch(url, max_bytes=settings.max_bytes, partial=True, retries=0)
        return excerpt_of(url, result, settings.excerpt_chars)

    fetched = list(await asyncio.gather(*(one(u) for u in missing)))
    if cache is not None:
        await cache.put_many(fetched)
    log.debug("external pages: %d fetched, %d from the run's cache", len(fetched), len(known))
    return {**known, **{p.url: p for p in fetched}}
