"""The pipeline's fetch of external link targets (外链变质): which links, what is kept, once a run."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as aioredis

from services.checker.crawl.external import (
    ExternalSettings,
    RedisExternalCache,
    external_targets,
    fetch_external_pages,
)
from services.checker.ground.site import Link, Page
from services.checker.net import Fetcher, FetchSettings
from tests.checker.sitefixture import SiteServer
from tests.conftest import REDIS_DB
from tests.conftest import REDIS_URL as BASE_REDIS_URL

HOST = "www.example.gov.cn"
CASINO = "www.old-partner.com"
REDIS_URL = f"{BASE_REDIS_URL.rsplit('/', 1)[0]}/{REDIS_DB}"


def home(*links: Link) -> Page:
    return Page(url=f"http://{HOST}/", final_url=f"http://{HOST}/", status=200, depth=0,
                parent_url=None, links=list(links))


def a(url: str, tag: str = "a") -> Link:
    return Link(url=url, parent_url=f"http://{HOST}/", tag=tag)


@pytest.fixture
def server() -> Iterator[SiteServer]:
    with SiteServer() as s:
        s.add(CASINO, "/", "<html><head><title>真人娱乐城</title></head><body><p>"
                           + "百家乐 " * 2000 + "</p></body></html>")
        yield s


@pytest.fixture
async def cache() -> AsyncIterator[RedisExternalCache]:
    client = aioredis.from_url(REDIS_URL)
    store = RedisExternalCache(client, f"test-{uuid.uuid4()}")
    yield store
    await client.delete(store.key)
    await client.aclose()


def test_only_distinct_off_site_links_of_the_wanted_tags_within_the_budget() -> None:
    page = home(a(f"http://{HOST}/about/"), a(f"http://slj.{HOST}/"), a("http://example.gov.cn/x"),
                a("http://www.a.com/"), a("http://www.a.com/"), a("http://www.b.com/", "script"),
                a("mailto:x@a.com"), a("http://www.c.com/", "iframe"), a("http://www.d.com/"))

    assert external_targets([page], [HOST], ["a", "iframe"], limit=10) == [
        "http://www.a.com/", "http://www.c.com/", "http://www.d.com/"]
    assert external_targets([page], [HOST], ["a", "iframe"], limit=2) == [
        "http://www.a.com/", "http://www.c.com/"]


async def test_a_target_is_fetched_once_a_run_and_only_an_excerpt_is_kept(
        server: SiteServer, cache: RedisExternalCache) -> None:
    url = f"http://{CASINO}/"
    fetcher = Fetcher(FetchSettings(allow_private=True, per_host_interval_ms=0),
                      {CASINO: f"127.0.0.1:{server.port}"})
    try:
        settings = ExternalSettings(excerpt_chars=100)
        first = await fetch_external_pages([url], fetcher, cache, settings)
        again = await fetch_external_pages([url], fetcher, cache, settings)  # another site, same run
    finally:
        await fetcher.aclose()

    page = first[url]
    assert (page.status, page.final_url, page.title, page.failure) == (200, url, "真人娱乐城", None)
    assert page.text.startswith("百家乐") and len(page.text) == 100
    assert again == first
    assert len([r for r in server.requests if r[1] == CASINO]) == 1
