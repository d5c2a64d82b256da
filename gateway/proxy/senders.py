"""How the proxy sends one request to a service and reads the answer back unchanged.

A service at an http(s) address is reached through aiohttp's keep-alive pool: its C parser
costs a quarter of the CPU per request that httpx and httpcore (pure-Python h11) cost on the
same loopback call (0.10 against 0.36 CPU-ms in the gateway benchmark's set-up, issue 13). A
service a test mounts in-process (an httpx transport, e.g. `httpx.ASGITransport`) is sent to
through that transport. Both answer with an `UpstreamResponse` and fail with the errors below,
so the proxy does not know which carried the request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import aiohttp
import httpx
from yarl import URL

# An idle upstream connection is closed after this long: below uvicorn's own 5 s keep-alive
# timeout, so the gateway lets go before the service would close it under a request.
KEEPALIVE_EXPIRY_S = 4.0


class UpstreamError(Exception):
    """A service could not be asked or did not answer properly."""


class UpstreamUnavailable(UpstreamError):
    """No connection: refused, not resolved, the connect timed out (the gateway answers 503)."""


class UpstreamPoolTimeout(UpstreamUnavailable):
    """Every connection to the service stayed in use for the whole pool timeout (503)."""


class UpstreamTimeout(UpstreamError):
    """The service took the request but did not answer in time (504)."""


class UpstreamInvalid(UpstreamError):
    """The service's answer broke HTTP, or the connection broke mid-answer (502)."""


@dataclass
class UpstreamResponse:
    """A service's answer, its body not yet read: status, headers as sent, the body's bytes
    (transfer coding removed, content coding kept), and a close that frees the connection."""

    status_code: int
    raw_headers: list[tuple[bytes, bytes]]
    _chunks: AsyncIterator[bytes]
    _close: Callable[[], Awaitable[None]]

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        """Yield the body as it arrives."""
        async for chunk in self._chunks:
            if chunk:
                yield chunk

    async def aread(self) -> bytes:
        """Read the whole body."""
        return b"".join([chunk async for chunk in self.aiter_raw()])

    async def aclose(self) -> None:
        """Give the connection back (or close it if the body was not read to its end); once."""
        close, self._close = self._close, _nothing
        await close()


async def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Timeouts:
    """Seconds allowed to connect, and to wait for each piece of the answer."""

    connect_s: float
    read_s: float
    write_s: float


class AiohttpSender:
    """Plain or TLS keep-alive connections to one service (aiohttp's pool). How many are in use
    at once is bounded by the caller (`Upstreams.slots`), which queues requests in order."""

    def __init__(self, base_url: str, connections: int, timeouts: Timeouts) -> None:
        self.base_url = base_url.rstrip("/")
        self.connections = connections
        self.timeout = aiohttp.ClientTimeout(total=None, connect=None,
                                             sock_connect=timeouts.connect_s,
                                             sock_read=timeouts.read_s)
        self._session: aiohttp.ClientSession | None = None

    def _opened(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running event loop that will use it.
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections, limit_per_host=0,
                                               keepalive_timeout=KEEPALIVE_EXPIRY_S,
                                               use_dns_cache=True, ttl_dns_cache=10),
                timeout=self.timeout, auto_decompress=False, trust_env=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                # Only the caller's headers go upstream, not aiohttp's defaults.
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"))
        return self._session

    async def send(self, method: str, target: str, headers: list[tuple[bytes, bytes]],
                   body: bytes) -> UpstreamResponse:
        """Send a request (target: path and query, the caller's bytes, not re-encoded)."""
        url = URL(self.base_url + target, encoded=True)
        fields = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers]
        try:
            resp = await self._opened().request(
                method, url, headers=fields, data=body if body or method not in (
                    "GET", "HEAD", "DELETE") else None, allow_redirects=False)
        except aiohttp.ClientConnectorError as exc:
            raise UpstreamUnavailable(type(exc).__name__) from exc
        except aiohttp.ConnectionTimeoutError as exc:
            raise UpstreamUnavailable("ConnectTimeout") from exc
        except (aiohttp.SocketTimeoutError, TimeoutError) as exc:
            raise UpstreamTimeout("ReadTimeout") from exc
        except aiohttp.ClientError as exc:
            raise UpstreamInvalid(type(exc).__name__) from exc

        async def chunks() -> AsyncIterator[bytes]:
            try:
                async for chunk in resp.content.iter_any():
                    yield chunk
            except (aiohttp.SocketTimeoutError, TimeoutError) as exc:
                raise UpstreamTimeout("ReadTimeout") from exc
            except aiohttp.ClientError as exc:
                raise UpstreamInvalid(type(exc).__name__) from exc

        async def close() -> None:
            if resp.content.at_eof():
                resp.release()  # read to the end: the connection is kept
            else:
                resp.close()  # the caller hung up halfway: the connection cannot be reused

        return UpstreamResponse(resp.status, list(resp.raw_headers), chunks(), close)

    async def aclose(self) -> None:
        """Close every kept connection."""
        if self._session is not None:
            await self._session.close()


class TransportSender:
    """Requests through an httpx transport (a service mounted in-process by a test)."""

    def __init__(self, base_url: str, transport: httpx.AsyncBaseTransport,
                 timeouts: Timeouts) -> None:
        self.base_url = base_url.rstrip("/")
        self.transport = transport
        self.timeout = httpx.Timeout(connect=timeouts.connect_s, read=timeouts.read_s,
                                     write=timeouts.write_s, pool=None).as_dict()

    async def send(self, method: str, target: str, headers: list[tuple[bytes, bytes]],
                   body: bytes) -> UpstreamResponse:
        """Send a request through the transport."""
        request = httpx.Request(method, self.base_url + target, headers=headers, content=body,
                                extensions={"timeout": self.timeout})
        try:
            response = await self.transport.handle_async_request(request)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise UpstreamUnavailable(type(exc).__name__) from exc
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(type(exc).__name__) from exc
        except httpx.HTTPError as exc:
            raise UpstreamInvalid(type(exc).__name__) from exc
        stream = response.stream

        async def chunks() -> AsyncIterator[bytes]:
            try:
                async for chunk in stream:  # type: ignore[union-attr]
                    yield chunk
            except httpx.TimeoutException as exc:
                raise UpstreamTimeout(type(exc).__name__) from exc
            except httpx.HTTPError as exc:
                raise UpstreamInvalid(type(exc).__name__) from exc

        async def close() -> None:
            if isinstance(stream, httpx.AsyncByteStream):
                await stream.aclose()

        return UpstreamResponse(response.status_code, list(response.headers.raw), chunks(), close)

    async def aclose(self) -> None:
        """Close the transport."""
        await self.transport.aclose()


Sender = AiohttpSender | TransportSender


async def acquire(slot: asyncio.Semaphore, timeout_s: float) -> None:
    """Wait in order for one of a service's connection slots, or fail as a pool timeout."""
    try:
        async with asyncio.timeout(timeout_s):
            await slot.acquire()
    except TimeoutError:
        raise UpstreamPoolTimeout("PoolTimeout") from None
