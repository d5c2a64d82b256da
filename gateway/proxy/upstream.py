"""The services behind the gateway: which owns each resource, and a pooled client to each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping

import httpcore
import httpx
from httpx._transports.default import AsyncResponseStream, map_httpcore_exceptions

from gateway.config import GatewaySettings
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


class _Releasing(httpx.AsyncByteStream):
    """A response body that gives its connection slot back when closed (once)."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()


# An idle upstream connection is closed after this long: below uvicorn's own 5 s keep-alive
# timeout, so the gateway lets go before the service would close it under a request.
KEEPALIVE_EXPIRY_S = 4.0


class KeepAliveTransport(httpx.AsyncBaseTransport):
    """Plain-HTTP keep-alive connections to one service, the last one returned lent first.

    httpx's pool checks every idle connection for expiry (a poll() each) on every request and
    every return: with 32 kept it cost more CPU than the rest of the gateway (profile, issue 13).
    Here only the connection lent is checked. How many are in use at once is bounded by the
    caller (`Upstreams.slots`); at most `keep` idle ones are kept.
    """

    def __init__(self, keep: int, expiry_s: float) -> None:
        self.keep = keep
        self.expiry_s = expiry_s
        self._idle: list[httpcore.AsyncHTTPConnection] = []

    def _lend(self, origin: httpcore.Origin) -> tuple[httpcore.AsyncHTTPConnection, list[
            httpcore.AsyncHTTPConnection]]:
        stale: list[httpcore.AsyncHTTPConnection] = []
        while self._idle:
            conn = self._idle.pop()
            if conn.can_handle_request(origin) and conn.is_available() and not conn.has_expired():
                return conn, stale
            stale.append(conn)
        return httpcore.AsyncHTTPConnection(origin, keepalive_expiry=self.expiry_s), stale

    async def _give_back(self, conn: httpcore.AsyncHTTPConnection) -> None:
        if conn.is_idle() and len(self._idle) < self.keep:
            self._idle.append(conn)
        else:
            await conn.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send a request on a kept connection (or a new one); the connection is kept again
        once the response is closed."""
        url = request.url
        origin = httpcore.Origin(url.raw_scheme, url.raw_host, url.port or 80)
        conn, stale = self._lend(origin)
        for old in stale:
            await old.aclose()
        assert isinstance(request.stream, httpx.AsyncByteStream)
        req = httpcore.Request(method=request.method, url=httpcore.URL(
            scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
            headers=request.headers.raw, content=request.stream, extensions=request.extensions)
        try:
            with map_httpcore_exceptions():
                resp = await conn.handle_async_request(req)
        except BaseException:
            await conn.aclose()
            raise
        assert isinstance(resp.stream, AsyncIterable)
        return httpx.Response(status_code=resp.status, headers=resp.headers,
                              stream=_Returning(resp.stream, self, conn),
                              extensions=resp.extensions)

    async def aclose(self) -> None:
        """Close every kept connection."""
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.aclose()


class _Returning(AsyncResponseStream):
    def __init__(self, stream: AsyncIterable[bytes], pool: KeepAliveTransport,
                 conn: httpcore.AsyncHTTPConnection) -> None:
        super().__init__(stream)
        self._pool: KeepAliveTransport | None = pool
        self._conn = conn

    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            if self._pool is not None:
                pool, self._pool = self._pool, None
                await pool._give_back(self._conn)


class Upstreams:
    """One pooled connection per service, opened in the app's lifespan: the proxy sends on the
    transport itself (no client layers: redirects, auth, a cookie jar shared by all callers),
    the gateway's own calls (probes) through an httpx client on the same pool."""

    def __init__(self, settings: GatewaySettings,
                 transports: Mapping[str, httpx.AsyncBaseTransport] | None = None) -> None:
        timeout = httpx.Timeout(connect=settings.connect_timeout_s, read=settings.read_timeout_s,
                                write=settings.write_timeout_s, pool=settings.pool_timeout_s)
        limits = httpx.Limits(max_connections=settings.max_connections,
                              max_keepalive_connections=settings.max_keepalive_connections)
        given = transports or {}
        urls = settings.upstream_urls()
        self.transports = {name: given.get(name) or (
            KeepAliveTransport(settings.max_keepalive_connections, KEEPALIVE_EXPIRY_S)
            if url.startswith("http://") else httpx.AsyncHTTPTransport(limits=limits,
                                                                       trust_env=False))
            for name, url in urls.items()}
        self.bases = {name: url.rstrip("/") for name, url in urls.items()}
        self.timeout = timeout.as_dict()
        self.pool_timeout_s = settings.pool_timeout_s
        # Requests wait for a connection here, in order, rather than in httpcore's pool, whose
        # every hand-over scans all waiting requests: with 200 callers and 32 connections that
        # doubled the gateway's CPU per request (gateway benchmark, issue 13).
        self.slots = {name: asyncio.Semaphore(settings.max_connections) for name in urls}
        self.clients = {
            name: httpx.AsyncClient(base_url=url, transport=self.transports[name],
                                    timeout=timeout, trust_env=False, follow_redirects=False)
            for name, url in urls.items()}

    async def send(self, name: str, method: str, target: str, headers: list[tuple[bytes, bytes]],
                   body: bytes) -> httpx.Response:
        """Send a request to a service (target: path and query) and return the response
        unread; httpx's errors (ConnectError, timeouts, …) as its client would raise them."""
        request = httpx.Request(method, self.bases[name] + target, headers=headers,
                                content=body, extensions={"timeout": self.timeout})
        slot = self.slots[name]
        try:
            async with asyncio.timeout(self.pool_timeout_s):
                await slot.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no connection to the service came free in time",
                                    request=request) from None
        try:
            response = await self.transports[name].handle_async_request(request)
        except BaseException:
            slot.release()
            raise
        if isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _Releasing(response.stream, slot.release)
        else:  # not from an async transport: nothing will close it asynchronously
            slot.release()
        response.request = request
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
        for client in self.clients.values():
            await client.aclose()  # and its transport
