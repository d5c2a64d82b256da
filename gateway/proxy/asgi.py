"""Small ASGI helpers the gateway's middleware share: which requests they see, problems, headers."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from shared.errors import ProblemError, problem_response
from shared.principal import Principal

API_PREFIX = "/api/"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# RFC 9110 §7.6.1: meaningful for one connection only, never forwarded.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                        "proxy-connection", "te", "trailer", "trailers", "transfer-encoding",
                        "upgrade"})


def is_api(scope: Scope) -> bool:
    """Tell whether a scope is an HTTP request below /api/ (the authenticated part)."""
    return scope["type"] == "http" and str(scope["path"]).startswith(API_PREFIX)


def principal_in(scope: Scope) -> Principal | None:
    """Return the principal AuthenticationMiddleware put on the request, if any."""
    state: dict[str, Any] = scope.get("state") or {}
    principal = state.get("principal")
    return principal if isinstance(principal, Principal) else None


def header(scope: Scope, name: str) -> str | None:
    """Return the first value of a request header (name in lower case)."""
    wanted = name.encode()
    for key, value in scope.get("headers", []):
        if key.lower() == wanted:
            return bytes(value).decode("latin-1")
    return None


Networks = tuple[IPv4Network | IPv6Network, ...]


def parse_networks(cidrs: list[str]) -> Networks:
    """Parse CIDRs (or single addresses) into networks; a bad one raises ValueError."""
    return tuple(ip_network(c.strip(), strict=False) for c in cidrs)


def _within(address: str, networks: Networks) -> bool:
    try:
        ip = ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(scope: Scope, trusted_proxies: Networks) -> str:
    """Return the caller's address: the socket peer, unless the peer is a trusted proxy.

    Behind trusted proxies, X-Forwarded-For is read from the right: each proxy appends the
    address it received from, so the right-most hop that is not a trusted proxy is the first
    one nobody we trust vouches for — anything left of it the caller may have written itself.
    """
    client = scope.get("client")
    peer = str(client[0]) if client else ""
    if not trusted_proxies or not _within(peer, trusted_proxies):
        return peer[:64]
    hops = [h.strip() for v in headers_named(scope, "x-forwarded-for") for h in v.split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _within(hop, trusted_proxies):
            return hop[:64]
    return peer[:64]


def headers_named(scope: Scope, name: str) -> list[str]:
    """Return every value of a request header (name in lower case), in order."""
    wanted = name.encode()
    return [bytes(v).decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == wanted]


async def send_problem(err: ProblemError, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer a request with a problem+json error from inside a middleware."""
    await problem_response(err, Request(scope))(scope, receive, send)
