"""The services behind the gateway: which owns each resource, and a pooled client to each."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import httpx

from gateway.config import GatewaySettings
from gateway.proxy.senders import (
    AiohttpSender,
    Sender,
    Timeouts,
    TransportSender,
    UpstreamResponse,
    acquire,
)
from shared.principal import Principal, sign_principal


def owner_of(path: str, routes: Mapping[str, str]) -> str | None:
    """Return the service owning a path below /api/v1 (`websites/…` → registry), or None.

    A route key is a path prefix of segments, `*` matching any one segment; the longest key
    that matches wins, so `accounts/*/posts` (the checker's pushed posts) beats `accounts`.
    """
    segments = path.strip("/").split("/")
    best: tuple[int, str] | None = None
    for key, service in routes.items():
        pattern = key.strip("/").split("/")
        if len(pattern) <= len(segments) and all(
                p in ("*", s) for p, s in zip(pattern, segments, strict=False)) and (
                best is None or len(pattern) > best[0]):
            best = (len(pattern), service)
    return best[1] if best else None


class RouteTable:
    """`owner_of` precomputed: the keys that can match a path, by its first segment, longest
    first (ties in the settings' order), so a lookup tries a few keys instead of all."""

    def __init__(self, routes: Mapping[str, str]) -> None:
        keyed = [(key.strip("/").split("/"), i, service)
                 for i, (key, service) in enumerate(routes.items())]
        keyed.sort(key=lambda k: (-len(k[0]), k[1]))
        self._any = [(pattern, service) for pattern, _, service in keyed if pattern[0] == "*"]
        firsts = {pattern[0] for pattern, _, _ in keyed} - {"*"}
        self._by_first = {first: [(p, s) for p, _, s in keyed if p[0] in (first, "*")]
                          for first in firsts}

    def owner(self, path: str) -> str | None:
        """Return the service owning a path below /api/v1, as `owner_of` would."""
        segments = path.strip("/").split("/")
        for pattern, service in self._by_first.get(segments[0], self._any):
            if len(pattern) <= len(segments) and all(
                    p in ("*", s) for p, s in zip(pattern, segments, strict=False)):
                return service
        return None


def principal_expiry(principal: Principal, now_ts: float, ttl_s: int) -> int:
    """When a principal header signed now expires: shortly, and never after the credential."""
    expires = int(now_ts) + ttl_s
    if principal.expires_at is not None:
        expires = min(expires, principal.expires_at)
    return expires


def signed_principal(principal: Principal, secret: str, now_ts: float, ttl_s: int) -> str:
    """Sign the caller's principal for upstream requests, expiring shortly."""
    expires = principal_expiry(principal, now_ts, ttl_s)
    return sign_principal(principal.model_copy(update={"expires_at": expires}), secret)


class Upstreams:
    """A sender per service, opened in the app's lifespan (see senders.py), with a bounded
    number of requests in flight each; the gateway's own calls (probes, the OpenAPI document)
    go through a plain httpx client per service."""

    def __init__(self, settings: GatewaySettings,
                 transports: Mapping[str, httpx.AsyncBaseTransport] | None = None) -> None:
        timeout = httpx.Timeout(connect=settings.connect_timeout_s, read=settings.read_timeout_s,
                                write=settings.write_timeout_s, pool=settings.pool_timeout_s)
        timeouts = Timeouts(settings.connect_timeout_s, settings.read_timeout_s,
                            settings.write_timeout_s)
        given = transports or {}
        urls = settings.upstream_urls()
        self.senders: dict[str, Sender] = {
            name: TransportSender(url, given[name], timeouts) if name in given
            else AiohttpSender(url, settings.max_connections, timeouts)
            for name, url in urls.items()}
        self.pool_timeout_s = settings.pool_timeout_s
        # Requests wait for a connection here, in order: with 200 callers and 32 connections a
        # pool that scans its waiters at every hand-over doubled the gateway's CPU per request
        # (gateway benchmark, issue 13).
        self.slots = {name: asyncio.Semaphore(settings.max_connections) for name in urls}
        self.clients = {
            name: httpx.AsyncClient(base_url=url, transport=given.get(name), timeout=timeout,
                                    trust_env=False, follow_redirects=False)
            for name, url in urls.items()}

    async def send(self, name: str, method: str, target: str, headers: list[tuple[bytes, bytes]],
                   body: bytes) -> UpstreamResponse:
        """Send a request to a service (target: path and query) and return the response
        unread; its slot is free again once the response is closed. Fails with an
        `UpstreamError` (senders.py)."""
        slot = self.slots[name]
        await acquire(slot, self.pool_timeout_s)
        try:
            response = await self.senders[name].send(method, target, headers, body)
        except BaseException:
            slot.release()
            raise
        close = response._close

        async def close_and_release() -> None:
            try:
                await close()
            finally:
                slot.release()

        response._close = close_and_release
        return response

    def client(self, name: str) -> httpx.AsyncClient:
        """Return the client of a service."""
        return self.clients[name]

    async def probe(self, name: str) -> str:
        """Ask a service's /healthz (2 s at most); return "ok" or what went wrong."""
        try:
            response = await self.clients[name].get("/healthz", timeout=2.0)
        except httpx.HTTPError as exc:
            return f"error: {type(exc).__name__}"
        return "ok" if response.status_code == 200 else f"error: HTTP {response.status_code}"

    async def warnings(self, name: str) -> list[str]:
        """Return what a service's /readyz warns about (e.g. the checker without a browser)."""
        try:
            body = (await self.clients[name].get("/readyz", timeout=2.0)).json()
        except (httpx.HTTPError, ValueError):
            return []
        found = body.get("warnings") if isinstance(body, dict) else None
        return [str(w) for w in found] if isinstance(found, list) else []

    async def aclose(self) -> None:
        """Close every pool."""
        for name, client in self.clients.items():
            if name in self.senders and isinstance(self.senders[name], TransportSender):
                continue  # the client shares the sender's transport, closed below
            await client.aclose()
        for sender in self.senders.values():
            await sender.aclose()
