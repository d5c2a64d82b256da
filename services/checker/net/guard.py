"""SSRF guard: which addresses the checker may contact, enforced where sockets are opened.

The check sits in the connection layer (an httpcore network backend), after the host map and
DNS, so every connection — redirect hops included — goes to an address that was checked, and
a name cannot be re-resolved to another address between the check and the connect.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import typing
from collections.abc import Iterable

import httpcore
import httpx

from services.checker.net.hostmap import HostMap

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)


class BlockedAddress(Exception):
    """The destination address is not allowed; no socket was opened."""


class DnsFailure(Exception):
    """The host name did not resolve."""


class AddressPolicy:
    """Decide whether an IP address may be contacted.

    Refused unless listed in `allowed_networks`: link-local (169.254.0.0/16 — cloud metadata —
    and fe80::/10), multicast, unspecified and reserved addresses, always; loopback, private
    (RFC 1918, fc00::/7, 100.64.0.0/10) and other non-global addresses unless `allow_private`.
    """

    def __init__(self, allow_private: bool = False, allowed_networks: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        self.allowed_networks = [ipaddress.ip_network(n, strict=False) for n in allowed_networks]

    def refusal(self, address: str) -> str | None:
        """Return why the address is refused (Chinese), or None when it may be contacted."""
        try:
            ip: IPAddress = ipaddress.ip_address(address.split("%")[0])
        except ValueError:
            return f"{address} 不是 IP 地址"
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip.version == net.version and ip in net for net in self.allowed_networks):
            return None
        for flag, label in (("is_unspecified", "未指定地址"), ("is_multicast", "组播地址"),
                            ("is_link_local", "链路本地地址")):
            if getattr(ip, flag):
                return f"{ip} 是{label}，禁止访问"
        if ip.is_loopback:
            return None if self.allow_private else f"{ip} 是回环地址，禁止访问"
        if ip.is_reserved:
            return f"{ip} 是保留地址，禁止访问"
        if ip.is_private or ip in _SHARED:
            return None if self.allow_private else f"{ip} 是内网地址，禁止访问"
        if ip.is_global or self.allow_private:
            return None
        return f"{ip} 不是公网地址，禁止访问"

    def allows(self, address: str) -> bool:
        """Return whether the address may be contacted."""
        return self.refusal(address) is None


async def resolve(host: str, port: int, host_map: HostMap,
                  limit_s: float | None) -> tuple[list[str], int]:
    """Return the addresses (after the host map) and port to connect to for host:port."""
    destination = host_map.lookup(host)
    name, target_port = host, port
    if destination is not None:
        name, target_port = destination.address, destination.port or port
    name = name.strip("[]")
    try:
        ipaddress.ip_address(name.split("%")[0])
        return [name], target_port
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(name, target_port, type=socket.SOCK_STREAM), limit_s)
    except (socket.gaierror, UnicodeError) as exc:
        raise DnsFailure(f"域名 {name} 无法解析：{exc}") from exc
    except TimeoutError as exc:
        raise DnsFailure(f"域名 {name} 解析超时") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise DnsFailure(f"域名 {name} 没有地址记录")
    return addresses, target_port


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve through the host map, refuse addresses the policy forbids, then connect."""

    def __init__(self, policy: AddressPolicy, host_map: HostMap) -> None:
        self.policy = policy
        self.host_map = host_map
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses, target_port = await resolve(host, port, self.host_map, timeout)
        # A name with any forbidden address is refused outright: mixing public and private
        # answers is how DNS-based SSRF gets in.
        for address in addresses:
            reason = self.policy.refusal(address)
            if reason:
                raise BlockedAddress(reason)
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, target_port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("不允许连接 Unix 套接字")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(policy: AddressPolicy, host_map: HostMap, *, verify: bool | ssl.SSLContext,
                      max_connections: int, max_idle: int | None = None) -> httpx.AsyncHTTPTransport:
    """Return an httpx transport whose every connection goes through the guard."""
    transport = httpx.AsyncHTTPTransport(verify=verify)
    # httpx does not take a network backend, so its pool is replaced by an identical one that
    # uses ours; the tests that expect "blocked" fail loudly if httpx ever renames `_pool`.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify),
        max_connections=max_connections,
        max_keepalive_connections=min(max_connections, max_idle or max_connections),
        keepalive_expiry=5.0,
        network_backend=GuardedBackend(policy, host_map),
    )
    return transport
