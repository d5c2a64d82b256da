"""Per-platform politeness for feed polling: a request rate per platform host, and pauses it asks for.

A platform (weibo.com, mp.weixin.qq.com, a provincial aggregator) serves many accounts from one
host; the fetcher's own per-host spacing protects websites, this one follows what each platform
tolerates and what it tells us (429 / Retry-After). The rates are settings
(`config.FeedPollSettings`, CHECKER_FEED_POLLING).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from services.checker.config import FeedPollSettings


def platform_host(url: str) -> str:
    """The host a rate applies to: the URL's host name, lower case, without "www."."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _rate_for(host: str, rates: dict[str, float], default: float) -> float:
    """The configured rate of a host or of its nearest configured parent domain."""
    parts = host.split(".")
    for i in range(len(parts)):
        rate = rates.get(".".join(parts[i:]))
        if rate is not None:
            return rate
    return default


def retry_after_s(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks us to wait (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class _Slot:
    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.next_at = 0.0


class PlatformLimiter:
    """Spaces request starts to each platform host at its configured rate, and carries the retry policy.

    One limiter is shared by every account read in a worker, so ten thousand accounts on one
    platform queue behind one another at that platform's rate.
    """

    def __init__(self, settings: FeedPollSettings | None = None) -> None:
        self.settings = settings or FeedPollSettings()
        self.rates = {k.lower().removeprefix("www."): v for k, v in self.settings.rates.items()}
        self._slots: dict[str, _Slot] = {}

    @classmethod
    def unlimited(cls) -> PlatformLimiter:
        """No rate limit, the default retries and backoff."""
        return cls(FeedPollSettings(default_rate=0))

    def interval_s(self, host: str) -> float:
        """Minimum spacing between request starts to host."""
        rate = _rate_for(host, self.rates, self.settings.default_rate)
        return 0.0 if rate <= 0 else 1.0 / rate

    def _slot(self, host: str) -> _Slot:
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = _Slot()
        return slot

    async def wait_turn(self, url: str) -> None:
        """Wait until a request to url's platform may start, and book the next turn."""
        host = platform_host(url)
        slot = self._slot(host)
        async with slot.lock:
            delay = slot.next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            slot.next_at = time.monotonic() + self.interval_s(host)

    def pause(self, url: str, seconds: float) -> None:
        """The platform asked for a pause (429 / 503 with Retry-After): no request before it ends."""
        slot = self._slot(platform_host(url))
        slot.next_at = max(slot.next_at, time.monotonic() + seconds)
