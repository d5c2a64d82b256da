"""Credentials verified a moment ago, kept in memory so a busy caller is not looked up per request."""

from __future__ import annotations

import hashlib
import time
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

    def __init__(self, ttl_s: float, max_entries: int = 10_000) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[bytes, _Entry] = {}

    @staticmethod
    def _digest(credential: str) -> bytes:
        return hashlib.sha256(credential.encode()).digest()

    def _live(self, credential: str, now_ts: float) -> _Entry | None:
        entry = self._entries.get(self._digest(credential))
        if entry is None or entry.valid_until <= time.monotonic() or (
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
            principal, time.monotonic() + self.ttl_s, expires_ts)

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
