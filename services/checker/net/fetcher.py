"""The checker's one HTTP client: guarded, polite per host, size-limited, with classified failures.

Both the crawler and the browser (which routes its requests here) use `Fetcher.fetch`.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field

from services.checker.net.guard import AddressPolicy, BlockedAddress, DnsFailure, guarded_transport
from services.checker.net.hostmap import HostMap

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# Worth another try: the site may answer a moment later (RULES.md reports these separately).
TRANSIENT_FAILURES = frozenset({"timeout", "refused", "http_5xx"})


class FetchSettings(BaseModel):
    """How the checker fetches: timeouts, retries, politeness and limits."""

    model_config = ConfigDict(extra="ignore")

    connect_timeout_s: float = 10.0
    # 15 s is the national probe's "home page has not loaded" limit (RULES.md, veto.unreachable).
    read_timeout_s: float = 15.0
    total_timeout_s: float = 30.0  # one attempt, headers and body, against slow-drip servers
    retries: int = 2  # extra attempts after a transient failure
    backoff_s: float = 0.5  # wait before retry n (0-based) is backoff_s * 2**n
    per_host_concurrency: int = 4
    """Requests to one host at a time (default from CheckerSettings; see net/politeness.py)."""
    per_host_interval_ms: int = 200
    """Minimum spacing between request starts to one host (CheckerSettings; net/politeness.py)."""
    max_connections: int = 100
    # Idle connections kept for reuse. httpcore checks every pooled connection on each request
    # (cost grows with the square of the idle count), and links to many external sites rarely
    # reuse theirs: our choice, measured in benchmarks/checker_bench.py.
    max_idle_connections: int = 20
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 10
    user_agent: str = "govinspect/1.0 (+政府网站监管)"
    verify_tls: bool = True
    ca_bundle: str | None = None  # trusted CAs (PEM file) instead of the system store
    allow_private: bool = False  # loopback and private networks (tests, intranet deployments)
    allowed_networks: list[str] = Field(default_factory=list)  # CIDRs always allowed


@dataclass
class FetchResult:
    """The outcome of one fetch, redirects included."""

    url: str
    final_url: str
    status: int | None
    headers: dict[str, str]  # of the final response, lower-case names
    body: bytes
    content_type: str | None  # media type without parameters, lower case
    failure: str | None  # one of FAILURE_CLASSES, None on a 1xx–3xx final answer
    elapsed_ms: float
    redirects: list[str] = field(default_factory=list)  # each Location followed, in order
    detail: str | None = None  # the error in words, for evidence

    @property
    def charset(self) -> str | None:
        """Return the charset named by the Content-Type header, if any."""
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip("\"' ").lower()
        return None


@dataclass
class _Attempt:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    failure: str | None = None
    detail: str | None = None


class _HostSlot:
    """Per-host concurrency and spacing."""

    def __init__(self, concurrency: int, interval_s: float) -> None:
        self.semaphore = asyncio.Semaphore(concurrency)
        self.interval_s = interval_s
        self.lock = asyncio.Lock()
        self.next_at = 0.0

    async def wait_turn(self) -> None:
        if self.interval_s <= 0:
            return
        async with self.lock:
            delay = self.next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self.next_at = time.monotonic() + self.interval_s


class HostSlots:
    """The per-host slots of a worker, shared by every client it fetches with.

    Hosts take the settings' spacing and concurrency, except those under a domain given its
    own (`set`: a site's filed domains, for the length of its inspection).
    """

    def __init__(self, concurrency: int, interval_ms: int) -> None:
        self.default = (max(1, concurrency), max(0, interval_ms))
        self._rules: dict[str, tuple[int, int]] = {}
        self._slots: dict[str, _HostSlot] = {}

    def set(self, domains: list[str], concurrency: int, interval_ms: int) -> None:
        """Give these domains (and their subdomains) their own spacing and concurrency."""
        for domain in domains:
            self._rules[domain.lower().rstrip(".")] = (max(1, concurrency), max(0, interval_ms))
        self._forget(domains)

    def clear(self, domains: list[str]) -> None:
        """Return these domains to the default spacing and concurrency."""
        for domain in domains:
            self._rules.pop(domain.lower().rstrip("."), None)
        self._forget(domains)

    def _forget(self, domains: list[str]) -> None:
        # Slots in use keep working for their requests; the next request builds a new one.
        names = [d.lower().rstrip(".") for d in domains]
        for host in [h for h in self._slots if any(h == d or h.endswith("." + d) for d in names)]:
            del self._slots[host]

    def rule(self, host: str) -> tuple[int, int]:
        """Return (concurrency, interval ms) for a host: its nearest domain's rule, else the default."""
        name = host.lower().rstrip(".")
        while name:
            if name in self._rules:
                return self._rules[name]
            _, _, name = name.partition(".")
        return self.default

    def slot(self, host: str) -> _HostSlot:
        """Return the host's slot, made on first use."""
        slot = self._slots.get(host)
        if slot is None:
            concurrency, interval_ms = self.rule(host)
            slot = self._slots[host] = _HostSlot(concurrency, interval_ms / 1000)
        return slot


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def classify_error(exc: BaseException) -> str:
    """Return the failure class of an exception raised while fetching."""
    if isinstance(exc, BlockedAddress):
        return "blocked"
    if isinstance(exc, DnsFailure):
        return "dns"
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timeout"
    if _caused_by(exc, ssl.SSLError):
        return "tls"
    # A reset or a server that hangs up without answering is, to a visitor, a refusal.
    if isinstance(exc, httpx.ConnectError | httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
        return "refused"
    return "other"


def status_failure(status: int | None) -> str | None:
    """Return the failure class of an HTTP status (None below 400)."""
    if status is None or status < 400:
        return None
    return "http_5xx" if status >= 500 else "http_4xx"


def _strip_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


class Fetcher:
    """One shared, guarded httpx client; close it with `aclose()` or use `async with`.

    `bulk()` gives the link checker a lighter client (aiohttp) behind the same guard, host map
    and per-host slots; `fetch` is the same on both.
    """

    def __init__(self, settings: FetchSettings | None = None,
                 host_map: HostMap | dict[str, str] | str | None = None, *,
                 slots: HostSlots | None = None) -> None:
        self.settings = settings or FetchSettings()
        self.host_map = HostMap.parse(host_map)
        self.policy = AddressPolicy(self.settings.allow_private, self.settings.allowed_networks)
        self.slots = slots or HostSlots(self.settings.per_host_concurrency,
                                        self.settings.per_host_interval_ms)
        self._bulk: Fetcher | None = None
        self._open()

    def _open(self) -> None:
        s = self.settings
        self._client = httpx.AsyncClient(
            transport=guarded_transport(self.policy, self.host_map, verify=self._tls(),
                                        max_connections=s.max_connections,
                                        max_idle=s.max_idle_connections),
            timeout=httpx.Timeout(connect=s.connect_timeout_s, read=s.read_timeout_s,
                                  write=s.read_timeout_s, pool=s.total_timeout_s),
            follow_redirects=False,
            # The agent names the supervisor in Chinese; header values travel as UTF-8 bytes.
            headers={b"User-Agent": s.user_agent.encode(), b"Accept": b"*/*"},
        )

    def _tls(self) -> bool | ssl.SSLContext:
        if self.settings.ca_bundle and self.settings.verify_tls:
            return ssl.create_default_context(cafile=self.settings.ca_bundle)
        return self.settings.verify_tls

    def derive(self, host_map: HostMap | dict[str, str] | str) -> Fetcher:
        """Return a new fetcher (own connections) whose host map adds these entries."""
        return Fetcher(self.settings, self.host_map.merged(HostMap.parse(host_map)))

    def bulk(self) -> Fetcher:
        """Return the bulk client (made on first use, closed with this one) for many small probes."""
        if self._bulk is None:
            from services.checker.net.bulk import BulkFetcher

            self._bulk = BulkFetcher(self.settings, self.host_map, slots=self.slots)
        return self._bulk

    async def aclose(self) -> None:
        """Close the connections."""
        if self._bulk is not None:
            await self._bulk.aclose()
            self._bulk = None
        await self._client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def fetch(self, url: str, method: str = "GET", headers: dict[str, str] | None = None,
                    max_bytes: int | None = None, *, partial: bool = False, retries: int | None = None,
                    content: bytes | None = None) -> FetchResult:
        """Fetch a URL, following redirects through the guard.

        With `partial`, reading stops quietly after `max_bytes` (a link probe needs only the
        first bytes); otherwise a larger body fails as "too_large".
        """
        started = time.monotonic()
        limit = max_bytes if max_bytes is not None else self.settings.max_bytes
        current = _strip_fragment(url)
        visited = {current}
        redirects: list[str] = []
        while True:
            attempt = await self._with_retries(current, method, headers, limit, partial, retries, content)
            location = attempt.headers.get("location")
            if attempt.status in REDIRECT_STATUSES and location and attempt.failure is None:
                target = _strip_fragment(urljoin(current, location.strip()))
                failure = None
                if urlsplit(target).scheme not in ("http", "https"):
                    failure, detail = "other", f"重定向到不支持的地址：{target}"
                elif target in visited:
                    failure, detail = "redirect_loop", f"重定向循环：{target}"
                elif len(redirects) >= self.settings.max_redirects:
                    failure, detail = "too_many_redirects", f"重定向超过 {self.settings.max_redirects} 次"
                if failure:
                    attempt.failure, attempt.detail = failure, detail
                    return self._result(url, current, attempt, started, redirects)
                redirects.append(target)
                visited.add(target)
                current = target
                if attempt.status == 303 or (attempt.status in (301, 302) and method == "POST"):
                    method, content = "GET", None
                continue
            return self._result(url, current, attempt, started, redirects)

    def _result(self, url: str, final_url: str, attempt: _Attempt, started: float,
                redirects: list[str]) -> FetchResult:
        media = attempt.headers.get("content-type", "").split(";")[0].strip().lower() or None
        return FetchResult(url=url, final_url=final_url, status=attempt.status, headers=attempt.headers,
                           body=attempt.body, content_type=media, failure=attempt.failure,
                           elapsed_ms=round((time.monotonic() - started) * 1000, 1),
                           redirects=redirects, detail=attempt.detail)

    async def _with_retries(self, url: str, method: str, headers: dict[str, str] | None, limit: int,
                            partial: bool, retries: int | None, content: bytes | None) -> _Attempt:
        extra = self.settings.retries if retries is None else retries
        for n in range(extra + 1):
            attempt = await self._once(url, method, headers, limit, partial, content)
            if attempt.failure not in TRANSIENT_FAILURES or n == extra:
                return attempt
            await asyncio.sleep(self.settings.backoff_s * 2 ** n)
        raise AssertionError("unreachable")

    async def _once(self, url: str, method: str, headers: dict[str, str] | None, limit: int,
                    partial: bool, content: bytes | None) -> _Attempt:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return _Attempt(failure="other", detail=f"不支持的地址：{url}")
        slot = self.slots.slot(parts.hostname)
        async with slot.semaphore:
            await slot.wait_turn()
            try:
                async with asyncio.timeout(self.settings.total_timeout_s):
                    return await self._send(url, method, headers, limit, partial, content)
            except (httpx.HTTPError, BlockedAddress, DnsFailure, TimeoutError, OSError) as exc:
                return _Attempt(failure=classify_error(exc), detail=str(exc) or type(exc).__name__)

    async def _send(self, url: str, method: str, headers: dict[str, str] | None, limit: int,
                    partial: bool, content: bytes | None) -> _Attempt:
        request = self._client.build_request(method, url, headers=headers, content=content)
        response = await self._client.send(request, stream=True)
        try:
            result = _Attempt(status=response.status_code,
                              headers={k.lower(): v for k, v in response.headers.items()},
                              failure=status_failure(response.status_code))
            declared = response.headers.get("content-length", "")
            if not partial and declared.isdigit() and int(declared) > limit:
                result.failure, result.detail = "too_large", f"内容长度 {declared} 字节超过上限 {limit}"
                return result
            result.body, over = await _read_limited(response.aiter_bytes(), limit)
            if over and not partial:
                result.failure, result.detail = "too_large", f"内容超过上限 {limit} 字节"
            return result
        finally:
            await response.aclose()


async def _read_limited(chunks: AsyncIterator[bytes], limit: int) -> tuple[bytes, bool]:
    """Read decoded chunks up to `limit` bytes; return the body and whether there was more.

    Decoded bytes are counted, so a small gzip bomb cannot get past the limit.
    """
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(parts)[:limit], True
    return b"".join(parts), False
