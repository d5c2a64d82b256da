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

    A locked source or credential gets 429 whether or not the credential it presents is right,
    so a locked caller learns nothing from its next guesses. For a credential that verifies,
    the rate limiter reads the locks in its own Redis round trip (`lock_keys`); a failure reads
    them while counting. Like the rate limits it fails open (and logs) when Redis does not
    answer — an outage must not lock every caller out.
    """

    def __init__(self, redis: Redis, policy: LockoutPolicy) -> None:
        self.redis = redis
        self.policy = policy
        self._skip_until = 0.0

    @staticmethod
    def _names(source: str, credential: str | None) -> list[str]:
        names = [f"src:{source}"]
        if credential:
            names.append(f"cred:{credential}")
        return names

    def lock_keys(self, source: str, credential: str | None) -> list[str]:
        """The Redis keys whose TTL tells whether the source or the credential is locked (for
        the rate limiter to read in the same round trip as its counter)."""
        return [f"{KEY_PREFIX}lock:{n}" for n in self._names(source, credential)]

    @staticmethod
    def refusal(lock_key: str, ttl: int) -> TooManyFailures:
        """The 429 for a request from a locked source or with a locked credential."""
        kind, _, name = lock_key.removeprefix(f"{KEY_PREFIX}lock:").partition(":")
        what = "来源地址" if kind == "src" else "凭证"
        return TooManyFailures(f"{what} {name} 认证失败次数过多，已暂停受理，请在 {ttl} 秒后重试。",
                               headers={"Retry-After": str(ttl)})

    def first_lock(self, keys: list[str], ttls: list[int]) -> TooManyFailures | None:
        """The refusal for the first locked key among `keys`, given their TTLs, or None."""
        for key, ttl in zip(keys, ttls, strict=True):
            if int(ttl) > 0:
                return self.refusal(key, int(ttl))
        return None

    async def check(self, source: str, credential: str | None) -> None:
        """Raise 429 if the source or the credential id is locked out."""
        if time.monotonic() < self._skip_until:
            return
        keys = self.lock_keys(source, credential)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.ttl(key)
                ttls = await pipe.execute()
        except (RedisError, OSError) as exc:
            self._unavailable(exc)
            return
        refusal = self.first_lock(keys, ttls)
        if refusal is not None:
            raise refusal

    async def failed(self, source: str, credential: str | None) -> None:
        """Count one failed authentication and lock what reaches its limit; raise 429 if the
        source or credential was locked already (its answer would have been 429 anyway)."""
        if time.monotonic() < self._skip_until:
            return
        names = self._names(source, credential)
        locks = self.lock_keys(source, credential)
        limits = [self.policy.per_source, self.policy.per_credential]
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in locks:
                    pipe.ttl(key)
                for name in names:
                    pipe.incr(f"{KEY_PREFIX}count:{name}")
                    pipe.expire(f"{KEY_PREFIX}count:{name}", self.policy.window_s, nx=True)
                answers = await pipe.execute()
                ttls, counts = answers[:len(locks)], answers[len(locks)::2]
                refusal = self.first_lock(locks, ttls)
                if refusal is not None:
                    raise refusal
                for name, lock, count, limit in zip(names, locks, counts, limits, strict=False):
                    if int(count) >= limit:
                        pipe.set(lock, 1, ex=self.policy.lockout_s)
                        pipe.delete(f"{KEY_PREFIX}count:{name}")
                        log.warning("authentication locked for %s s: %s after %s failures",
                                    self.policy.lockout_s, name, count)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self._unavailable(exc)

    def _unavailable(self, exc: BaseException) -> None:
        self._skip_until = time.monotonic() + RETRY_REDIS_AFTER_S
        log.warning("failed-authentication limits not applied for %s s, Redis unavailable: %s",
                    RETRY_REDIS_AFTER_S, exc)
