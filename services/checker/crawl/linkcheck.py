"""Check every unique link of a run once, across workers, with HEAD → GET fallback and a re-check.

RULES.md (可用性): only definite 404/403 count as broken; timeouts, refusals and 5xx are
reported separately, and only after a second check a little later (`confirmed=True`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Iterable
from typing import Any, Protocol
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.checker.ground.site import LinkStatus
from services.checker.net.fetcher import TRANSIENT_FAILURES, Fetcher, FetchResult


class LinkCheckSettings(BaseModel):
    """How links are checked."""

    model_config = ConfigDict(extra="ignore")

    concurrency: int = 16
    recheck_delay_s: float = 10.0  # a blip (a restarting server) is not reported
    claim_wait_s: float = 60.0  # then a link claimed by a silent worker is checked anyway
    poll_interval_s: float = 0.2
    probe_bytes: int = 1024  # a GET probe reads only this much
    # Servers that refuse HEAD answer these; the link is then probed with GET.
    head_refused_statuses: list[int] = Field(default_factory=lambda: [400, 403, 405, 501])
    ttl_s: int = 7 * 24 * 3600
    claim_batch: int = 500  # URLs looked up and claimed per cache round-trip


class LinkCache(Protocol):
    """Where a run's link outcomes are shared between workers."""

    async def get(self, url: str) -> LinkStatus | None:
        """Return the finished outcome, or None when unknown or still being checked."""
        ...

    async def claim(self, url: str) -> bool:
        """Mark the URL as being checked; return False when someone else already has it."""
        ...

    async def put(self, status: LinkStatus) -> None:
        """Store a finished outcome."""
        ...

    async def claim_many(self, urls: list[str]) -> dict[str, LinkStatus | bool]:
        """For each URL: its finished outcome, else whether this call claimed it (as `claim`)."""
        ...


def _dump(status: LinkStatus) -> str:
    return json.dumps(dataclasses.asdict(status), ensure_ascii=False)


def _load(raw: str | bytes | None) -> LinkStatus | None:
    if raw is None:
        return None
    data = json.loads(raw)
    if data.get("pending"):
        return None
    fields = {f.name for f in dataclasses.fields(LinkStatus)}
    return LinkStatus(**{k: v for k, v in data.items() if k in fields})


class RedisLinkCache:
    """A Redis hash per run: url → JSON LinkStatus, or a pending claim while being checked."""

    def __init__(self, redis: Any, run_id: str | UUID, ttl_s: int = 7 * 24 * 3600) -> None:
        self.redis = redis  # a redis.asyncio.Redis
        self.key = f"govinspect:linkcheck:{run_id}"
        self.ttl_s = ttl_s

    async def get(self, url: str) -> LinkStatus | None:
        """Return the finished outcome, or None when unknown or still being checked."""
        return _load(await self.redis.hget(self.key, url))

    async def claim(self, url: str) -> bool:
        """Mark the URL as being checked; return False when someone else already has it."""
        claimed = await self.redis.hsetnx(self.key, url, json.dumps({"pending": True, "at": time.time()}))
        await self.redis.expire(self.key, self.ttl_s)
        return bool(claimed)

    async def put(self, status: LinkStatus) -> None:
        """Store a finished outcome."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(self.key, status.url, _dump(status))
            pipe.expire(self.key, self.ttl_s)
            await pipe.execute()

    async def claim_many(self, urls: list[str]) -> dict[str, LinkStatus | bool]:
        """For each URL: its finished outcome, else whether this call claimed it (as `claim`).

        One atomic round-trip: HSETNX leaves finished and pending entries alone, and the HMGET
        before it tells which of the refused claims are already finished.
        """
        if not urls:
            return {}
        pending = json.dumps({"pending": True, "at": time.time()})
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hmget(self.key, urls)
            for url in urls:
                pipe.hsetnx(self.key, url, pending)
            pipe.expire(self.key, self.ttl_s)
            replies = await pipe.execute()
        out: dict[str, LinkStatus | bool] = {}
        for url, raw, claimed in zip(urls, replies[0], replies[1:-1], strict=True):
            done = _load(raw)
            out[url] = done if done is not None else bool(claimed)
        return out

    async def clear(self) -> None:
        """Forget this run's outcomes."""
        await self.redis.delete(self.key)


class MemoryLinkCache:
    """The same contract inside one process, for runs without Redis."""

    def __init__(self) -> None:
        self._done: dict[str, LinkStatus] = {}
        self._claimed: set[str] = set()

    async def get(self, url: str) -> LinkStatus | None:
        """Return the finished outcome, or None when unknown or still being checked."""
        return self._done.get(url)

    async def claim(self, url: str) -> bool:
        """Mark the URL as being checked; return False when someone else already has it."""
        if url in self._claimed:
            return False
        self._claimed.add(url)
        return True

    async def put(self, status: LinkStatus) -> None:
        """Store a finished outcome."""
        self._done[status.url] = status

    async def claim_many(self, urls: list[str]) -> dict[str, LinkStatus | bool]:
        """For each URL: its finished outcome, else whether this call claimed it (as `claim`)."""
        out: dict[str, LinkStatus | bool] = {}
        for url in urls:
            done = self._done.get(url)
            out[url] = done if done is not None else await self.claim(url)
        return out


def _status(url: str, result: FetchResult, confirmed: bool = False) -> LinkStatus:
    return LinkStatus(url=url, status=result.status, failure=result.failure, final_url=result.final_url,
                      elapsed_ms=result.elapsed_ms, confirmed=confirmed, content_type=result.content_type)


async def _probe(url: str, fetcher: Fetcher, settings: LinkCheckSettings) -> FetchResult:
    result = await fetcher.fetch(url, "HEAD", retries=0)
    # A reset on HEAD is reported as "refused"; some servers only drop HEAD.
    if result.status in settings.head_refused_statuses or result.failure == "refused":
        result = await fetcher.fetch(url, "GET", max_bytes=settings.probe_bytes, partial=True, retries=0)
    return result


async def check_link(url: str, fetcher: Fetcher, settings: LinkCheckSettings) -> LinkStatus:
    """Check one URL: HEAD (GET when HEAD is refused), re-checked once if the failure is transient."""
    result = await _probe(url, fetcher, settings)
    if result.failure not in TRANSIENT_FAILURES:
        return _status(url, result)
    await asyncio.sleep(settings.recheck_delay_s)
    again = await _probe(url, fetcher, settings)
    return _status(url, again, confirmed=again.failure in TRANSIENT_FAILURES)


async def _shared(url: str, state: LinkStatus | bool, fetcher: Fetcher, cache: LinkCache,
                  settings: LinkCheckSettings, gate: asyncio.Semaphore) -> LinkStatus:
    if isinstance(state, LinkStatus):
        return state
    if not state:
        deadline = time.monotonic() + settings.claim_wait_s
        while time.monotonic() < deadline:
            await asyncio.sleep(settings.poll_interval_s)
            done = await cache.get(url)
            if done is not None:
                return done
        # The claimant is gone or stuck: checking twice beats never reporting the link.
    async with gate:
        status = await check_link(url, fetcher, settings)
    await cache.put(status)
    return status


async def check_links(urls: Iterable[str], fetcher: Fetcher, cache: LinkCache,
                      settings: LinkCheckSettings) -> dict[str, LinkStatus]:
    """Check each unique URL once per run (shared through the cache); return url → outcome."""
    unique = [u for u in dict.fromkeys(urls) if u]
    # Every URL is claimed up front, a batch per round-trip, so other workers skip them at once.
    states: dict[str, LinkStatus | bool] = {}
    size = max(1, settings.claim_batch)
    for start in range(0, len(unique), size):
        states.update(await cache.claim_many(unique[start:start + size]))
    gate = asyncio.Semaphore(max(1, settings.concurrency))
    # Many small probes: the bulk client (same guard, host map and per-host slots).
    bulk = fetcher.bulk()
    outcomes = await asyncio.gather(*(_shared(u, states[u], bulk, cache, settings, gate) for u in unique))
    return dict(zip(unique, outcomes, strict=True))
