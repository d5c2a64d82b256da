"""The arq queue: Redis settings from a URL, a JSON serializer, and queue names."""

from __future__ import annotations

import json
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings


def queue_name(service: str) -> str:
    """Return the arq queue a service's worker consumes."""
    return f"govinspect:{service}"


def serialize(obj: dict[str, Any]) -> bytes:
    """Serialize a job as JSON (never pickle: jobs cross service and version boundaries)."""
    return json.dumps(obj, ensure_ascii=False, default=str).encode()


def deserialize(data: bytes) -> dict[str, Any]:
    """Parse a job serialized by `serialize`."""
    out: dict[str, Any] = json.loads(data)
    return out


def redis_settings(url: str) -> RedisSettings:
    """Build arq's Redis settings from a redis:// URL."""
    settings = RedisSettings.from_dsn(url)
    settings.conn_retries = 3
    return settings


async def connect(url: str, default_queue: str | None = None) -> ArqRedis:
    """Open an arq pool that speaks JSON."""
    kwargs: dict[str, Any] = {}
    if default_queue:
        kwargs["default_queue_name"] = default_queue
    return await create_pool(redis_settings(url), job_serializer=serialize,
                             job_deserializer=deserialize, **kwargs)
