"""Forward one request to its owning service and stream the answer back unchanged.

The proxy is plain ASGI: `ProxyMiddleware` serves /api/v1/<resource>/… ahead of FastAPI's
routing (after authentication, audit, rate limits and idempotency, which are middleware too),
so a proxied request costs no route matching, dependency solving or response object. The
catch-all route in `routes.py` serves what the middleware leaves to the app with the same code.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.config import GatewaySettings
from gateway.proxy.asgi import HOP_BY_HOP, client_address, principal_in, send_problem
from gateway.proxy.senders import (
    UpstreamError,
    UpstreamResponse,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from gateway.proxy.upstream import RouteTable, Upstreams, signed_principal
from shared.errors import NotFound, PayloadTooLarge, ProblemError, ServiceUnavailable, Unauthorized
from shared.logging import REQUEST_ID_HEADER, current_request_id
from shared.principal import PRINCIPAL_HEADER

API_ROOT = "/api/v1"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
NAMES = {"registry": "备案库（registry）", "checker": "检查服务（checker）",
         "reporting": "通报与整改服务（reporting）"}
# Credentials end at the gateway; the principal header and request id are set by it alone.
NOT_FORWARDED = frozenset(h.encode() for h in HOP_BY_HOP | {
    "host", "content-length", "authorization", "x-api-key", PRINCIPAL_HEADER.lower(),
    REQUEST_ID_HEADER.lower(), "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
    "forwarded"})
# The gateway answers with its own date, server and request id.
NOT_RETURNED = frozenset(h.encode() for h in HOP_BY_HOP | {"date", "server",
                                                             REQUEST_ID_HEADER.lower()})
PRINCIPAL = PRINCIPAL_HEADER.lower().encode()
_OURS = (PRINCIPAL_HEADER.encode(), REQUEST_ID_HEADER.encode(), b"X-Forwarded-For",
         b"X-Forwarded-Proto", b"X-Forwarded-Host")


class BadGateway(ProblemError):
    status, slug, title = 502, "bad-gateway", "上游服务响应无效"


class GatewayTimeout(ProblemError):
    status, slug, title = 504, "gateway-timeout", "上游服务响应超时"


def _named_by_connection(raw: Iterable[tuple[bytes, bytes]]) -> set[bytes]:
    # Headers listed in Connection are hop-by-hop too (RFC 9110 §7.6.1).
    return {token.strip().lower().encode() for k, v in raw if k.lower() == b"connection"
            for token in v.decode("latin-1").split(",") if token.strip()}


def request_headers(scope: Scope, principal_token: str) -> list[tuple[bytes, bytes]]:
    """The headers sent upstream: the caller's, less credentials and hop-by-hop ones, plus ours."""
    raw: list[tuple[bytes, bytes]] = scope.get("headers", [])
    drop = NOT_FORWARDED | _named_by_connection(raw)
    out: list[tuple[bytes, bytes]] = []
    host = b""
    for key, value in raw:
        name = key.lower()
        if name == b"host":
            host = value
        if name not in drop:
            out.append((key, value))
    trusted = scope["app"].state.trusted_proxies
    values = (principal_token, current_request_id() or "", client_address(scope, trusted),
              scope.get("scheme", "http"))
    out += zip(_OURS, (*(v.encode("latin-1") for v in values), host), strict=True)
    return out


def response_headers(upstream: UpstreamResponse) -> list[tuple[bytes, bytes]]:
    """The upstream's headers as the caller gets them: less hop-by-hop ones and duplicates."""
    raw = upstream.raw_headers
    drop = NOT_RETURNED | _named_by_connection(raw)
    return [(name, v) for k, v in raw if (name := k.lower()) not in drop]


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """Read the request body, refusing more than `limit` bytes with 413."""
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-length" and value.isdigit() and int(value) > limit:
            raise PayloadTooLarge(f"请求体 {value.decode()} 字节，超过 {limit} 字节的上限")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the caller hung up
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"请求体超过 {limit} 字节的上限")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def upstream_target(scope: Scope) -> str:
    """The path and query to ask upstream: the caller's own bytes below /api/v1, unre-encoded."""
    raw_path = bytes(scope.get("raw_path") or scope["path"].encode())
    raw_path = raw_path.split(b"?", 1)[0]
    root = API_ROOT.encode()
    path = raw_path[len(root):] if raw_path.startswith(root) else raw_path
    query = bytes(scope.get("query_string", b""))
    return (path or b"/").decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


async def _send(upstreams: Upstreams, service: str, scope: Scope, headers: list[tuple[bytes, bytes]],
                body: bytes, settings: GatewaySettings) -> UpstreamResponse:
    name = NAMES.get(service, service)
    try:
        return await upstreams.send(service, scope["method"], upstream_target(scope), headers,
                                    body)
    except UpstreamUnavailable as exc:
        raise ServiceUnavailable(
            f"{name} 暂不可用（{exc}），请稍后重试。",
            headers={"Retry-After": str(settings.upstream_retry_after_s)}, service=service) from exc
    except UpstreamTimeout as exc:
        raise GatewayTimeout(f"{name} 未在时限内响应（{exc}）。", service=service) from exc
    except UpstreamError as exc:
        raise BadGateway(f"{name} 的响应无效（{exc}）。", service=service) from exc


async def proxy(scope: Scope, receive: Receive, send: Send) -> None:
    """Send a request below /api/v1 to the service owning it, as the authenticated caller,
    and stream the answer back (the bytes as sent); errors answer as problem+json."""
    try:
        upstream = await _open(scope, receive)
    except ProblemError as err:
        await send_problem(err, scope, receive, send)
        return
    try:
        await send({"type": "http.response.start", "status": upstream.status_code,
                    "headers": response_headers(upstream)})
        async for chunk in upstream.aiter_raw():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:  # the connection back to the pool even when the caller hangs up halfway
        await upstream.aclose()


async def _open(scope: Scope, receive: Receive) -> UpstreamResponse:
    state = scope["app"].state
    settings: GatewaySettings = state.settings
    principal = principal_in(scope)
    if principal is None:
        raise Unauthorized("缺少有效的 API 密钥或访问令牌。", headers={"WWW-Authenticate": "Bearer"})
    table: RouteTable = state.route_table
    service = table.owner(scope["path"][len(API_ROOT):])
    if service is None:
        raise NotFound(f"接口 {scope['path']} 不存在")
    # Signed once per credential by AuthenticationMiddleware; a request without it is signed here.
    token = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == PRINCIPAL),
                 None) or signed_principal(principal, settings.principal_secret,
                                           state.clock.now().timestamp(), settings.principal_ttl_s)
    body = await read_body(scope, receive, settings.max_body_bytes)
    return await _send(state.upstreams, service, scope, request_headers(scope, token), body,
                       settings)


def own_segments(paths: Iterable[str]) -> frozenset[str]:
    """The first segments below /api/v1 of the gateway's own routes (`webhooks`, `keys`, …)."""
    out = set()
    for path in paths:
        if path.startswith(API_ROOT + "/") and not path.startswith(API_ROOT + "/{path"):
            first = path[len(API_ROOT) + 1:].split("/", 1)[0]
            if "{" in first:
                raise ValueError(f"a gateway route below {API_ROOT} starts with a parameter: {path}")
            out.add(first)
    return frozenset(out)


class ProxyMiddleware:
    """Serve /api/v1/<resource>/… before FastAPI routes it, unless the gateway itself has
    routes below /api/v1/<resource> (those, and other methods, go on to the app)."""

    def __init__(self, app: ASGIApp, own: frozenset[str], route: BaseRoute | None = None) -> None:
        self.app = app
        self.own = own
        self.route = route  # the catch-all route, which labels metrics as before
        self.prefix = API_ROOT + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in METHODS:
            path: str = scope["path"]
            if path.startswith(self.prefix) and \
                    path[len(self.prefix):].split("/", 1)[0] not in self.own:
                if self.route is not None:
                    scope["route"] = self.route
                await proxy(scope, receive, send)
                return
        await self.app(scope, receive, send)
