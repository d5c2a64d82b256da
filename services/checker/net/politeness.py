"""Politeness toward one site: per-host spacing and concurrency, crawl budgets, robots.txt Crawl-delay.

Three layers, later wins: the checker's settings (CHECKER_* environment), the rule profile's
`politeness` block, and the site's own filing in the registry (`politeness` on the website).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict

from services.checker.net.fetcher import Fetcher
from shared.contracts.registry import CrawlPoliteness

log = logging.getLogger("govinspect.checker.politeness")
ROBOTS_MAX_BYTES = 512 * 1024  # Google reads the first 500 KiB of a robots.txt (RFC 9309 §2.5)


class Politeness(BaseModel):
    """The politeness one inspection uses, every field decided."""

    model_config = ConfigDict(extra="ignore")

    per_host_interval_ms: int
    per_host_concurrency: int
    max_pages: int
    max_depth: int
    target_budget_s: float
    honour_crawl_delay: bool = True
    crawl_delay_ms: int | None = None  # what the site's robots.txt asked for, when honoured

    def layered(self, *overrides: dict[str, Any] | CrawlPoliteness | None) -> Politeness:
        """Return this politeness with each override's set fields applied in turn (validated)."""
        out = self
        for override in overrides:
            if not override:
                continue
            block = CrawlPoliteness.model_validate(override)
            out = out.model_copy(update=block.model_dump(exclude_none=True))
        return out

    @property
    def spacing_ms(self) -> int:
        """The spacing between request starts to the site's hosts: ours, or robots.txt's if longer."""
        return max(self.per_host_interval_ms, self.crawl_delay_ms or 0)


def robots_url(home_url: str) -> str:
    """Return the robots.txt address of the home page's origin."""
    parts = urlsplit(home_url)
    return urlunsplit((parts.scheme or "http", parts.netloc, "/robots.txt", "", ""))


def parse_crawl_delay(text: str, agent: str) -> float | None:
    """Return the Crawl-delay (seconds) of the group naming `agent`, else of the "*" group.

    Fractions count ("Crawl-delay: 0.5"); urllib.robotparser reads whole seconds only.
    """
    delays: dict[str, float] = {}
    agents: list[str] = []
    in_rules = False  # a User-agent line after rules starts a new group (RFC 9309 §2.1)
    for raw in text.splitlines():
        key, _, value = raw.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if in_rules:
                agents, in_rules = [], False
            agents.append(value.lower())
        elif key:
            in_rules = True
            if key == "crawl-delay":
                with contextlib.suppress(ValueError):
                    for name in agents:
                        delays.setdefault(name, float(value))
    mine = agent.lower()
    for name, delay in delays.items():
        if name != "*" and name in mine:
            return delay
    return delays.get("*")


async def crawl_delay_ms(fetcher: Fetcher, home_url: str) -> int | None:
    """Return the Crawl-delay (ms) the site's robots.txt sets for us (or for "*"), else None."""
    result = await fetcher.fetch(robots_url(home_url), max_bytes=ROBOTS_MAX_BYTES, partial=True, retries=0)
    if result.failure is not None or result.status != 200:
        return None
    agent = fetcher.settings.user_agent.split("/")[0]
    delay = parse_crawl_delay(result.body.decode("utf-8", "replace"), agent)
    return None if delay is None or delay < 0 else round(delay * 1000)


@contextlib.asynccontextmanager
async def polite_to(fetcher: Fetcher, domains: list[str], home_url: str,
                    politeness: Politeness) -> AsyncIterator[Politeness]:
    """Apply a site's politeness to its domains on the worker's fetcher while inspecting it.

    Reads robots.txt first when Crawl-delay is honoured; yields the politeness in force.
    """
    fetcher.slots.set(domains, politeness.per_host_concurrency, politeness.per_host_interval_ms)
    try:
        if politeness.honour_crawl_delay:
            delay = await crawl_delay_ms(fetcher, home_url)
            if delay and delay > politeness.per_host_interval_ms:
                log.info("robots.txt of %s asks for %d ms between requests", home_url, delay)
                politeness = politeness.model_copy(update={"crawl_delay_ms": delay})
                fetcher.slots.set(domains, politeness.per_host_concurrency, politeness.spacing_ms)
        yield politeness
    finally:
        fetcher.slots.clear(domains)
