"""A fixed-window request counter per principal on Redis."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.principal import Principal

log = logging.getLogger("govinspect.gateway.ratelimit")
KEY_PREFIX = "govinspect:gateway:ratelimit:"
RETRY_REDIS_AFTER_S = 5.0
# Count a request and read the lock TTLs in one command: a MULTI/INCR/EXPIRE/TTL…/EXEC
# pipeline cost the gateway a tenth of its CPU per request (profile, issue 13).
# KEYS[1] the window's counter, KEYS[2…] failed-authentication locks; ARGV[1] its expiry.
HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local out = {count}
for i = 2, #KEYS do out[i] = redis.call('TTL', KEYS[i]) end
return out
"""


@dataclass(frozen=True)
class Decision:
    """The outcome of counting one request."""

    allowed: bool
    limit: int
    remaining: int
    reset_s: int  # seconds until the window ends
    locked: tuple[str, int] | None = None  # a failed-authentication lock (key, seconds left)


class RateLimiter:
    """Count requests per principal in fixed windows; the limit is the principal's best role's."""

    def __init__(self, redis: Redis, limits: dict[str, int], window_s: int) -> None:
        self.redis = redis
        self.limits = limits
        self.window_s = window_s
        self._skip_until = 0.0  # monotonic time before which Redis is not asked again
        self._hit = redis.register_script(HIT)

    def limit_for(self, principal: Principal) -> int:
        """Return a principal's requests per window."""
        return max((self.limits.get(r.value, 0) for r in principal.roles), default=0)

    async def hit(self, principal: Principal, now: datetime,
                  lock_keys: Sequence[str] = ()) -> Decision:
        """Count a request, and read the TTLs of `lock_keys` in the same round trip; fail open
        (allow, and log) when Redis does not answer."""
        limit = self.limit_for(principal)
        ts = now.timestamp()
        start = int(ts // self.window_s) * self.window_s
        reset = max(1, math.ceil(start + self.window_s - ts))
        key = f"{KEY_PREFIX}{principal.subject}:{start}"
        if time.monotonic() < self._skip_until:
            return Decision(True, limit, limit, reset)
        try:
            count, *ttls = await self._hit(keys=[key, *lock_keys], args=[self.window_s + 1])
        except (RedisError, OSError) as exc:
            # A Redis outage must not take the whole API down with it; /readyz reports it.
            # Nor should every request wait for its connect timeout: try again in a while.
            self._skip_until = time.monotonic() + RETRY_REDIS_AFTER_S
            log.warning("rate limits not applied for %s s, Redis unavailable: %s",
                        RETRY_REDIS_AFTER_S, exc)
            return Decision(True, limit, limit, reset)
        locked = next(((k, int(t)) for k, t in zip(lock_keys, ttls, strict=True) if int(t) > 0),
                      None)
        return Decision(int(count) <= limit, limit, max(0, limit - int(count)), reset, locked)
