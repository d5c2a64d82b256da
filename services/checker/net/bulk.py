"""The link checker's bulk client: aiohttp behind the same SSRF guard, host map and host slots.

Checking thousands of links is many small requests; httpx's pool scans every pooled
connection on each request and costs about 1.4 ms of CPU per link, aiohttp a fraction of that
(benchmarks/checker_bench.py prints both). Redirects, retries, spacing and failure classes
are `Fetcher`'s own; only the sending differs. The guard sits in the resolver (every name,
after the host map) and before the send (IP literals, which aiohttp does not resolve).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from services.checker.net.fetcher import Fetcher, _Attempt, _read_limited, status_failure
from services.checker.net.guard import AddressPolicy, BlockedAddress, DnsFailure, resolve
from services.checker.net.hostmap import HostMap


class GuardedResolver(AbstractResolver):
    """Resolve through the host map and refuse any name with an address the policy forbids."""

    def __init__(self, policy: AddressPolicy, host_map: HostMap, limit_s: float) -> None:
        self.policy = policy
        self.host_map = host_map
        self.limit_s = limit_s

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        """Return the checked addresses (and mapped port) to connect to for host:port."""
        addresses, target_port = await resolve(host, port, self.host_map, self.limit_s)
        # As in guard.GuardedBackend: one forbidden answer refuses the name.
        for address in addresses:
            reason = self.policy.refusal(address)
            if reason:
                raise BlockedAddress(reason)
        return [ResolveResult(hostname=host, host=address, port=target_port,
                              family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                              proto=0, flags=socket.AI_NUMERICHOST) for address in addresses]

    async def close(self) -> None:
        """Nothing to release."""


def classify_client_error(exc: BaseException) -> str:
    """Return the failure class (ground/site.py FAILURE_CLASSES) of an aiohttp error."""
    if isinstance(exc, BlockedAddress):
        return "blocked"
    if isinstance(exc, DnsFailure | aiohttp.ClientConnectorDNSError):
        return "dns"
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        return "tls"
    # A reset or a server that hangs up without answering is, to a visitor, a refusal.
    if isinstance(exc, aiohttp.ClientConnectionError | aiohttp.ClientPayloadError | OSError):
        return "refused"
    return "other"


class BulkFetcher(Fetcher):
    """`Fetcher` sending through aiohttp: same guard, host map, slots, redirects and classes."""

    def _open(self) -> None:
        s = self.settings
        self._session: aiohttp.ClientSession | None = None
        # The whole attempt is bounded by Fetcher._once (total_timeout_s); these bound each wait.
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=s.connect_timeout_s,
                                              sock_read=s.read_timeout_s)
        self._literals: dict[str, str | None] = {}

    def _client_session(self) -> aiohttp.ClientSession:
        # Made inside the running loop on first use (aiohttp binds to the loop it starts in).
        if self._session is None:
            s = self.settings
            tls = self._tls()
            # True keeps aiohttp's default verifying context; False turns verification off.
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(self.policy, self.host_map, s.connect_timeout_s),
                limit=s.max_connections, ssl=tls, ttl_dns_cache=60)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": self.settings.user_agent, "Accept": "*/*"},
                auto_decompress=True, trust_env=False)
        return self._session

    def bulk(self) -> Fetcher:
        """Return itself: it is the bulk client."""
        return self

    async def aclose(self) -> None:
        """Close the connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _literal_refusal(self, url: str) -> str | None:
        """Why an IP-literal host is refused (aiohttp connects to literals without resolving)."""
        host = (URL(url).raw_host or "").strip("[]")
        if host not in self._literals:
            try:
                ipaddress.ip_address(host.split("%")[0])
            except ValueError:
                self._literals[host] = None  # a name: the resolver checks it
            else:
                self._literals[host] = self.policy.refusal(host)
        return self._literals[host]

    async def _send(self, url: str, method: str, headers: dict[str, str] | None, limit: int,
                    partial: bool, content: bytes | None) -> _Attempt:
        reason = self._literal_refusal(url)
        if reason:
            return _Attempt(failure="blocked", detail=reason)
        try:
            async with self._client_session().request(method, url, headers=headers, data=content,
                                                      allow_redirects=False) as response:
                result = _Attempt(status=response.status,
                                  headers={k.lower(): v for k, v in response.headers.items()},
                                  failure=status_failure(response.status))
                declared = response.headers.get("content-length", "")
                if not partial and declared.isdigit() and int(declared) > limit:
                    result.failure, result.detail = "too_large", f"内容长度 {declared} 字节超过上限 {limit}"
                    return result
                if method != "HEAD":
                    result.body, over = await _read_limited(response.content.iter_any(), limit)
                    if over and not partial:
                        result.failure, result.detail = "too_large", f"内容超过上限 {limit} 字节"
                return result
        except (aiohttp.ClientError, BlockedAddress, DnsFailure, OSError, ssl.SSLError) as exc:
            return _Attempt(failure=classify_client_error(exc), detail=str(exc) or type(exc).__name__)
