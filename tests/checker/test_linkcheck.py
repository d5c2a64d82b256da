"""Link checking against loopback servers with the run's shared cache in the real Redis (the test Redis database)."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import redis.asyncio as aioredis

from services.checker.crawl.linkcheck import LinkCheckSettings, MemoryLinkCache, RedisLinkCache, check_links
from services.checker.net import Fetcher, FetchSettings
from tests.checker.sitefixture import SiteServer
from tests.conftest import REDIS_DB
from tests.conftest import REDIS_URL as BASE_REDIS_URL

HOST = "www.example.gov.cn"
BASE = f"http://{HOST}"
REDIS_URL = f"{BASE_REDIS_URL.rsplit('/', 1)[0]}/{REDIS_DB}"
FAST = LinkCheckSettings(recheck_delay_s=0.2, claim_wait_s=5.0, poll_interval_s=0.05)


def fetcher_for(port: int, **overrides: Any) -> Fetcher:
    options: dict[str, Any] = {"allow_private": True, "retries": 0, "per_host_interval_ms": 0,
                               "read_timeout_s": 0.5, **overrides}
    return Fetcher(FetchSettings(**options), {HOST: f"127.0.0.1:{port}"})


@pytest.fixture
def server() -> Iterator[SiteServer]:
    with SiteServer() as s:
        yield s


@pytest.fixture
async def redis_run() -> AsyncIterator[tuple[aioredis.Redis, str]]:
    client = aioredis.from_url(REDIS_URL)
    run_id = f"test-{uuid.uuid4()}"
    yield client, run_id
    await RedisLinkCache(client, run_id).clear()  # only the key this test created
    await client.aclose()


async def test_links_are_classified(server: SiteServer, redis_run: tuple[aioredis.Redis, str]) -> None:
    client, run_id = redis_run
    server.add(HOST, "/ok.html", "fine")
    server.add(HOST, "/gone.html", "", status=404)
    server.add(HOST, "/forbidden.pdf", "", status=403)
    server.add(HOST, "/error.html", "", status=500)
    server.add(HOST, "/slow.html", "late", delay=1.0)
    server.add(HOST, "/moved", "", status=301, headers={"Location": "/ok.html"})
    paths = ("ok.html", "gone.html", "forbidden.pdf", "error.html", "slow.html", "moved")
    urls = [f"{BASE}/{p}" for p in paths]
    async with fetcher_for(server.port) as fetcher:
        status = await check_links([*urls, ""], fetcher, RedisLinkCache(client, run_id), FAST)
    ok, gone, forbidden, error, slow, moved = (status[u] for u in urls)
    assert "" not in status  # empty links are the parser's business, not fetched
    assert (ok.status, ok.broken, ok.unstable) == (200, False, False)
    assert gone.broken and not gone.unstable and not gone.confirmed
    assert forbidden.broken
    assert error.unstable and error.status == 500 and error.confirmed and not error.broken
    assert server.requests.count(("HEAD", HOST, "/error.html")) == 2  # re-checked once
    assert slow.failure == "timeout" and slow.unstable and slow.confirmed
    assert moved.status == 200 and moved.final_url == f"{BASE}/ok.html"


async def test_transient_failure_that_recovers_is_not_reported(server: SiteServer) -> None:
    server.add(HOST, "/flaky.html", "", status=502)

    async def recover() -> None:
        await asyncio.sleep(0.1)
        server.add(HOST, "/flaky.html", "back")

    async with fetcher_for(server.port) as fetcher:
        status, _ = await asyncio.gather(
            check_links([f"{BASE}/flaky.html"], fetcher, MemoryLinkCache(), FAST), recover())
    flaky = status[f"{BASE}/flaky.html"]
    assert (flaky.status, flaky.failure, flaky.unstable, flaky.confirmed) == (200, None, False, False)


class HeadRefusingServer:
    """A site whose server answers 405 to HEAD (common on government CMSs) and 200 to GET."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        log = self.requests

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_HEAD(self) -> None:
                log.append(("HEAD", self.path))
                self.send_response(405)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                log.append(("GET", self.path))
                body = b"x" * 100_000
                self.send_response(200 if self.path != "/missing" else 404)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


async def test_head_refused_falls_back_to_get() -> None:
    site = HeadRefusingServer()
    try:
        async with fetcher_for(site.port) as fetcher:
            status = await check_links([f"{BASE}/report.pdf", f"{BASE}/missing"], fetcher,
                                       MemoryLinkCache(), FAST)
    finally:
        site.close()
    report, missing = status[f"{BASE}/report.pdf"], status[f"{BASE}/missing"]
    assert (report.status, report.failure, report.content_type) == (200, None, "application/pdf")
    assert missing.broken
    assert sorted(site.requests) == [("GET", "/missing"), ("GET", "/report.pdf"),
                                     ("HEAD", "/missing"), ("HEAD", "/report.pdf")]


async def test_each_link_checked_once_across_concurrent_workers(
        server: SiteServer, redis_run: tuple[aioredis.Redis, str]) -> None:
    client, run_id = redis_run
    paths = [f"/doc{n}.html" for n in range(20)] + ["/gone.html"]
    for path in paths[:-1]:
        server.add(HOST, path, "ok", delay=0.05)
    urls = [f"{BASE}{p}" for p in paths]
    other = aioredis.from_url(REDIS_URL)  # a second worker has its own connection and fetcher
    try:
        async with fetcher_for(server.port) as one, fetcher_for(server.port) as two:
            first, second = await asyncio.gather(
                check_links(urls, one, RedisLinkCache(client, run_id), FAST),
                check_links(list(reversed(urls)), two, RedisLinkCache(other, run_id), FAST))
            again = await check_links(urls, one, RedisLinkCache(client, run_id), FAST)
    finally:
        await other.aclose()
    assert sorted(server.requests) == sorted(("HEAD", HOST, p) for p in paths)
    assert first == second == again
    assert first[f"{BASE}/gone.html"].broken
    ttl = await client.ttl(RedisLinkCache(client, run_id).key)
    assert 0 < ttl <= 7 * 24 * 3600


async def test_abandoned_claim_is_checked_after_waiting(server: SiteServer,
                                                         redis_run: tuple[aioredis.Redis, str]) -> None:
    client, run_id = redis_run
    server.add(HOST, "/orphan.html", "ok")
    cache = RedisLinkCache(client, run_id)
    assert await cache.claim(f"{BASE}/orphan.html")  # a worker that died mid-check
    settings = LinkCheckSettings(recheck_delay_s=0.1, claim_wait_s=0.3, poll_interval_s=0.05)
    async with fetcher_for(server.port) as fetcher:
        status = await check_links([f"{BASE}/orphan.html"], fetcher, cache, settings)
    assert status[f"{BASE}/orphan.html"].status == 200
    assert server.requests == [("HEAD", HOST, "/orphan.html")]
    assert (await cache.get(f"{BASE}/orphan.html")) == status[f"{BASE}/orphan.html"]


async def test_batched_claims_check_only_what_no_one_else_has(server: SiteServer,
                                                               redis_run: tuple[aioredis.Redis, str]) -> None:
    client, run_id = redis_run
    for name in ("a", "b", "c", "d", "e"):
        server.add(HOST, f"/{name}.html", "ok")
    urls = [f"{BASE}/{name}.html" for name in ("a", "b", "c", "d", "e")]
    cache = RedisLinkCache(client, run_id)
    settings = LinkCheckSettings(recheck_delay_s=0.1, claim_wait_s=5.0, poll_interval_s=0.05, claim_batch=2)
    async with fetcher_for(server.port) as fetcher:
        earlier = await check_links(urls[:1], fetcher, cache, settings)  # finished before this worker
        assert await cache.claim(urls[1])  # another worker is checking b …

        async def other_worker_finishes() -> None:
            await asyncio.sleep(0.3)
            await cache.put(dataclasses.replace(earlier[urls[0]], url=urls[1]))

        status, _ = await asyncio.gather(check_links(urls, fetcher, cache, settings), other_worker_finishes())
    assert all(status[u].status == 200 for u in urls)
    # a was not fetched again and b was left to its claimant; c, d, e were checked once each.
    assert sorted(server.requests) == [("HEAD", HOST, f"/{n}.html") for n in ("a", "c", "d", "e")]
