"""IPv6 support of a site (RULES.md, deduct.ipv6): its AAAA records and its home page over IPv6."""

from __future__ import annotations

import asyncio
import inspect
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from services.checker.ground.site import Ipv6Result
from services.checker.net.fetcher import Fetcher

Resolver = Callable[[str], list[str] | Awaitable[list[str]]]


async def resolve_aaaa(host: str) -> list[str]:
    """Return the host's IPv6 addresses from the system resolver ([] when it has none)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, family=socket.AF_INET6, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def check_ipv6(host: str, resolver: Resolver | None = None, fetcher: Fetcher | None = None,
                     *, url: str | None = None) -> Ipv6Result:
    """Look up the host's AAAA records and fetch the home page over the first ones.

    `reachable` is None when nothing was tried (no AAAA record, or no fetcher given) and True
    when any address answered with a status below 400. The fetch keeps the host name (Host
    header and TLS name) while connecting to the IPv6 address, and passes the SSRF guard.
    """
    answer = (resolver or resolve_aaaa)(host)
    addresses = list(await answer) if inspect.isawaitable(answer) else list(answer)
    if not addresses or fetcher is None:
        return Ipv6Result(aaaa=addresses, reachable=None)
    home = url or f"http://{host}/"
    name = urlsplit(home).hostname or host
    # A host map that sends the name to another port (tests, a site behind a proxy) keeps that
    # port over IPv6 too; only the address changes.
    mapped = fetcher.host_map.lookup(name)
    port = mapped.port if mapped is not None and mapped.port else urlsplit(home).port
    for address in addresses[:2]:
        pinned = f"[{address}]:{port}" if port else f"[{address}]"
        async with fetcher.derive({name: pinned}) as over_v6:
            result = await over_v6.fetch(home, max_bytes=256 * 1024, partial=True)
        if result.failure is None:
            return Ipv6Result(aaaa=addresses, reachable=True)
    return Ipv6Result(aaaa=addresses, reachable=False)
