"""Credentials verified a moment ago, kept in memory so a busy caller is not looked up per request."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from shared.principal import Principal


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    valid_until: float  # time.monotonic(): how long the verification is trusted
    expires_ts: float | None  # the credential's own end, on the gateway's clock
    token: str = ""  # the principal signed for upstream requests
    token_expires_ts: float = 0.0


class CredentialCache:
    """Principals of verified credentials by a SHA-256 digest of the presented secret.

    The secret itself is never kept. An entry lives `ttl_s` at most and never past the
    credential's own expiry; rotating or revoking a credential forgets its entries in this
    process at once, and other gateway processes within `ttl_s`.
    """

    def __init__(self, ttl_s: float, max_entries: int = 10_000,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.monotonic = monotonic  # tests step it; entries age on it, not on the wall clock
        self._entries: dict[bytes, _Entry] = {}
        # Lookups under way, by digest: callers presenting the same credential meanwhile
        # wait for that one instead of all asking the database (200 at once when it expires).
        self._loading: dict[bytes, asyncio.Future[Principal | None]] = {}

    @staticmethod
    def _digest(credential: str) -> bytes:
        return hashlib.sha256(credential.encode()).digest()

    def _live(self, credential: str, now_ts: float) -> _Entry | None:
        entry = self._entries.get(self._digest(credential))
        if entry is None or entry.valid_until <= self.monotonic() or (
                entry.expires_ts is not None and entry.expires_ts <= now_ts):
            return None
        return entry

    def get(self, credential: str, now_ts: float) -> Principal | None:
        """The principal of a credential verified within the last `ttl_s`, or None."""
        entry = self._live(credential, now_ts)
        return entry.principal if entry else None

    def put(self, credential: str, principal: Principal, expires_ts: float | None) -> None:
        """Remember a verified credential."""
        if self.ttl_s <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # simple and bounded; a busy gateway refills it in seconds
        self._entries[self._digest(credential)] = _Entry(
            principal, self.monotonic() + self.ttl_s, expires_ts)

    async def get_or_load(self, credential: str, now_ts: float,
                          load: Callable[[], Awaitable[Principal]]) -> Principal:
        """The cached principal, or `load()`'s, remembered. Concurrent callers with the same
        credential share one successful lookup; when it fails each looks up (and is refused,
        counted and audited) on its own."""
        principal = self.get(credential, now_ts)
        if principal is not None:
            return principal
        digest = self._digest(credential)
        pending = self._loading.get(digest)
        if pending is not None:
            shared = await asyncio.shield(pending)
            if shared is not None:
                return shared
            return await load()
        future: asyncio.Future[Principal | None] = asyncio.get_running_loop().create_future()
        self._loading[digest] = future
        try:
            principal = await load()
        except BaseException:
            future.set_result(None)
            raise
        finally:
            del self._loading[digest]
        future.set_result(principal)
        self.put(credential, principal, principal.expires_at)
        return principal

    def signed(self, credential: str, now_ts: float, min_left_s: float) -> str | None:
        """The upstream principal token signed for this credential, if it has `min_left_s` to
        live on the gateway's clock."""
        entry = self._live(credential, now_ts)
        if entry is None or not entry.token or entry.token_expires_ts - now_ts < min_left_s:
            return None
        return entry.token

    def keep_signed(self, credential: str, token: str, expires_ts: float) -> None:
        """Keep the signed principal token of a cached credential."""
        digest = self._digest(credential)
        entry = self._entries.get(digest)
        if entry is not None:
            self._entries[digest] = replace(entry, token=token, token_expires_ts=expires_ts)

    def forget(self, subject: str) -> None:
        """Drop every entry of a credential (by its principal subject): rotated or revoked."""
        for digest in [d for d, e in self._entries.items() if e.principal.subject == subject]:
            del self._entries[digest]
