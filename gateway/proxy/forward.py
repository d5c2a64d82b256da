"""Forward one request to its owning service and stream the answer back unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import Request
from starlette.responses import StreamingResponse

from gateway.config import GatewaySettings
from gateway.proxy.asgi import HOP_BY_HOP, client_address
from gateway.proxy.upstream import Upstreams, signed_principal
from shared.errors import PayloadTooLarge, ProblemError, ServiceUnavailable
from shared.logging import REQUEST_ID_HEADER, current_request_id
from shared.principal import PRINCIPAL_HEADER, Principal

API_ROOT = b"/api/v1"
NAMES = {"registry": "备案库（registry）", "checker": "检查服务（checker）",
         "reporting": "通报与整改服务（reporting）"}
# Credentials end at the gateway; the principal header and request id are set by it alone.
NOT_FORWARDED = HOP_BY_HOP | {"host", "content-length", "authorization", "x-api-key",
                              PRINCIPAL_HEADER.lower(), REQUEST_ID_HEADER.lower(),
                              "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
                              "forwarded"}
# The gateway answers with its own date, server and request id.
NOT_RETURNED = HOP_BY_HOP | {"date", "server", REQUEST_ID_HEADER.lower()}


class BadGateway(ProblemError):
    status, slug, title = 502, "bad-gateway", "上游服务响应无效"


class GatewayTimeout(ProblemError):
    status, slug, title = 504, "gateway-timeout", "上游服务响应超时"


def _named_by_connection(raw: list[tuple[bytes, bytes]]) -> set[str]:
    # Headers listed in Connection are hop-by-hop too (RFC 9110 §7.6.1).
    return {token.strip().lower() for k, v in raw if k.lower() == b"connection"
            for token in v.decode("latin-1").split(",") if token.strip()}


def request_headers(request: Request, principal_token: str,
                    settings: GatewaySettings) -> list[tuple[str, str]]:
    """The headers sent upstream: the caller's, less credentials and hop-by-hop ones, plus ours."""
    raw = list(request.scope.get("headers", []))
    drop = NOT_FORWARDED | _named_by_connection(raw)
    out = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw
           if k.decode("latin-1").lower() not in drop]
    out += [(PRINCIPAL_HEADER, principal_token),
            (REQUEST_ID_HEADER, current_request_id() or ""),
            ("X-Forwarded-For", client_address(request.scope, request.app.state.trusted_proxies)),
            ("X-Forwarded-Proto", request.url.scheme),
            ("X-Forwarded-Host", request.headers.get("host", ""))]
    return out


def response_headers(upstream: httpx.Response) -> list[tuple[bytes, bytes]]:
    """The upstream's headers as the caller gets them: less hop-by-hop ones and duplicates."""
    raw = list(upstream.headers.raw)
    drop = NOT_RETURNED | _named_by_connection(raw)
    return [(k.lower(), v) for k, v in raw if k.decode("latin-1").lower() not in drop]


async def read_body(request: Request, limit: int) -> bytes:
    """Read the request body, refusing more than `limit` bytes with 413."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise PayloadTooLarge(f"请求体 {length} 字节，超过 {limit} 字节的上限")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"请求体超过 {limit} 字节的上限")
        chunks.append(chunk)
    return b"".join(chunks)


def upstream_target(request: Request) -> str:
    """The path and query to ask upstream: the caller's own bytes below /api/v1, unre-encoded."""
    raw_path = bytes(request.scope.get("raw_path") or request.scope["path"].encode())
    raw_path = raw_path.split(b"?", 1)[0]
    path = raw_path[len(API_ROOT):] if raw_path.startswith(API_ROOT) else raw_path
    query = bytes(request.scope.get("query_string", b""))
    return (path or b"/").decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


async def _relay(upstream: httpx.Response) -> AsyncIterator[bytes]:
    # The bytes as sent (no decoding), and the connection back to the pool even when the
    # caller hangs up halfway.
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    finally:
        await upstream.aclose()


async def forward(request: Request, service: str, principal: Principal) -> StreamingResponse:
    """Send the request to `service` as `principal` and stream its answer back."""
    state = request.app.state
    settings: GatewaySettings = state.settings
    upstreams: Upstreams = state.upstreams
    client = upstreams.client(service)
    # Signed once per credential by AuthenticationMiddleware; a route mounted without it signs.
    token = request.headers.get(PRINCIPAL_HEADER) or signed_principal(
        principal, settings.principal_secret, state.clock.now().timestamp(),
        settings.principal_ttl_s)
    body = await read_body(request, settings.max_body_bytes)
    outgoing = client.build_request(request.method, upstream_target(request), content=body,
                                    headers=request_headers(request, token, settings))
    name = NAMES.get(service, service)
    try:
        upstream = await client.send(outgoing, stream=True)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ServiceUnavailable(
            f"{name} 暂不可用（{type(exc).__name__}），请稍后重试。",
            headers={"Retry-After": str(settings.upstream_retry_after_s)}, service=service) from exc
    except httpx.TimeoutException as exc:
        raise GatewayTimeout(f"{name} 未在时限内响应（{type(exc).__name__}）。",
                             service=service) from exc
    except httpx.HTTPError as exc:
        raise BadGateway(f"{name} 的响应无效（{type(exc).__name__}）。", service=service) from exc
    response = StreamingResponse(_relay(upstream), status_code=upstream.status_code)
    response.raw_headers = response_headers(upstream)
    return response
