"""Failed authentication counted per source address and per credential id, with a lockout."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.errors import ProblemError

log = logging.getLogger("govinspect.gateway.lockout")
KEY_PREFIX = "govinspect:gateway:authfail:"
RETRY_REDIS_AFTER_S = 5.0


class TooManyFailures(ProblemError):
    status, slug, title = 429, "too-many-failed-authentications", "认证失败次数过多"


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures a source or a credential id may have in a window before it is locked."""

    per_source: int
    per_credential: int
    window_s: int
    lockout_s: int


class FailureLimiter:
    """Count failed authentications on Redis; refuse a locked source or credential with 429.

    A lock is checked before the credential is: a locked caller learns nothing about whether
    its next guess would have been right. Like the rate limits it fails open (and logs) when
    Redis does not answer — an outage must not lock every caller out.
    """

    def __init__(self, redis: Redis, policy: LockoutPolicy) -> None:
        self.redis = redis
        self.policy = policy
        self._skip_until = 0.0

    @staticmethod
    def _keys(source: str, credential: str | None) -> list[str]:
        keys = [f"src:{source}"]
        if credential:
            keys.append(f"cred:{credential}")
        return keys

    async def check(self, source: str, credential: str | None) -> None:
        """Raise 429 if the source or the credential id is locked out."""
        if time.monotonic() < self._skip_until:
            return
        keys = self._keys(source, credential)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.ttl(f"{KEY_PREFIX}lock:{key}")
                ttls = await pipe.execute()
        except (RedisError, OSError) as exc:
            self._unavailable(exc)
            return
        for key, ttl in zip(keys, ttls, strict=True):
            if int(ttl) > 0:
                what = "来源地址" if key.startswith("src:") else "凭证"
                raise TooManyFailures(
                    f"{what} {key.split(':', 1)[1]} 认证失败次数过多，已暂停受理，"
                    f"请在 {int(ttl)} 秒后重试。", headers={"Retry-After": str(int(ttl))})

    async def failed(self, source: str, credential: str | None) -> None:
        """Count one failed authentication; lock what has reached its limit."""
        if time.monotonic() < self._skip_until:
            return
        keys = self._keys(source, credential)
        limits = [self.policy.per_source, self.policy.per_credential]
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.incr(f"{KEY_PREFIX}count:{key}")
                    pipe.expire(f"{KEY_PREFIX}count:{key}", self.policy.window_s, nx=True)
                counts = (await pipe.execute())[::2]
                for key, count, limit in zip(keys, counts, limits, strict=False):
                    if int(count) >= limit:
                        pipe.set(f"{KEY_PREFIX}lock:{key}", 1, ex=self.policy.lockout_s)
                        pipe.delete(f"{KEY_PREFIX}count:{key}")
                        log.warning("authentication locked for %s s: %s after %s failures",
                                    self.policy.lockout_s, key, count)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self._unavailable(exc)

    def _unavailable(self, exc: BaseException) -> None:
        self._skip_until = time.monotonic() + RETRY_REDIS_AFTER_S
        log.warning("failed-authentication limits not applied for %s s, Redis unavailable: %s",
                    RETRY_REDIS_AFTER_S, exc)
