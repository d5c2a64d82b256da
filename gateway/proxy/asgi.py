"""Small ASGI helpers the gateway's middleware share: which requests they see, problems, headers."""

from __future__ import annotations

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


def client_address(scope: Scope, trust_forwarded_for: bool) -> str:
    """Return the caller's address: the socket peer, or the first X-Forwarded-For hop if trusted."""
    if trust_forwarded_for:
        forwarded = header(scope, "x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    client = scope.get("client")
    return str(client[0])[:64] if client else ""


async def send_problem(err: ProblemError, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer a request with a problem+json error from inside a middleware."""
    await problem_response(err, Request(scope))(scope, receive, send)
