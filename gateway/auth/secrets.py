"""Secret formats and hashing: `gik_<id>_<random>` keys, `gic_<id>` clients, salted HMAC hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

KEY_PREFIX = "gik_"
CLIENT_PREFIX = "gic_"
CLIENT_SECRET_PREFIX = "gics_"


def new_random() -> str:
    """Return 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def new_salt() -> str:
    """Return a fresh per-credential salt."""
    return secrets.token_hex(16)


def hash_secret(salt: str, secret: str) -> str:
    """Hash a secret with its credential's salt."""
    return hmac.new(bytes.fromhex(salt), secret.encode(), hashlib.sha256).hexdigest()


def secret_matches(salt: str, stored_hash: str, secret: str) -> bool:
    """Tell, in constant time, whether a secret is the one whose hash is stored."""
    return hmac.compare_digest(hash_secret(salt, secret), stored_hash)


def format_key(key_id: uuid.UUID, random: str) -> str:
    """Spell an API key: the id lets the gateway find the row; the random part is the secret."""
    return f"{KEY_PREFIX}{key_id.hex}_{random}"


def parse_key(text: str) -> uuid.UUID | None:
    """Return the id an API key names, or None when it is not shaped like one."""
    if not text.startswith(KEY_PREFIX):
        return None
    parts = text.split("_", 2)
    if len(parts) != 3 or not parts[2]:
        return None
    try:
        return uuid.UUID(hex=parts[1])
    except ValueError:
        return None


def format_client_id(client_id: uuid.UUID) -> str:
    """Spell an OAuth2 client id."""
    return f"{CLIENT_PREFIX}{client_id.hex}"


def parse_client_id(text: str) -> uuid.UUID | None:
    """Return the row id an OAuth2 client id names, or None."""
    if not text.startswith(CLIENT_PREFIX):
        return None
    try:
        return uuid.UUID(hex=text[len(CLIENT_PREFIX):])
    except ValueError:
        return None


def format_client_secret(random: str) -> str:
    """Spell an OAuth2 client secret (the prefix lets secret scanners recognise a leak)."""
    return f"{CLIENT_SECRET_PREFIX}{random}"
