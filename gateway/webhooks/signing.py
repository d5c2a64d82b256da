"""Webhook signatures: HMAC-SHA256 over "<unix timestamp>.<raw body>", sent with its timestamp.

The header reads `t=1735689600,v1=5257a869e7…` — `t` the signing time in whole Unix seconds,
`v1` the lowercase hex HMAC-SHA256 of the bytes `f"{t}.".encode() + body` keyed with the
subscription secret. While a rotated secret is still in its grace period the header carries one
`v1` per secret; a receiver accepts the request when any of them matches.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime

SIGNATURE_HEADER = "X-Govinspect-Signature"
EVENT_HEADER = "X-Govinspect-Event"
EVENT_ID_HEADER = "X-Govinspect-Event-Id"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """Return a fresh signing secret (256 random bits, URL-safe)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str | Iterable[str], timestamp: int, body: bytes) -> str:
    """Return the signature header value for a body signed at `timestamp` (Unix seconds)."""
    keys = [secret] if isinstance(secret, str) else list(secret)
    return ",".join([f"t={int(timestamp)}", *(f"v1={_mac(k, int(timestamp), body)}" for k in keys)])


def verify(secret: str, header: str, body: bytes, now: datetime | float,
           tolerance_s: int = 300) -> bool:
    """Tell whether a signature header is valid for the body and no older than `tolerance_s`."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    now_ts = now.timestamp() if isinstance(now, datetime) else float(now)
    # Refuse replays of an old capture, and clocks too far ahead, alike.
    if abs(now_ts - timestamp) > tolerance_s:
        return False
    expected = _mac(secret, timestamp, body).encode()
    # Every candidate is compared, so timing tells nothing about which one (if any) matched.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate.encode())
    return matched
