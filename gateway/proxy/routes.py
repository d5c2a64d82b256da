"""The catch-all route: /api/v1/<resource>/… goes to the service owning <resource>.

`ProxyMiddleware` serves most of these before routing; the route serves the rest (paths
below the gateway's own resources that none of its routes match) with the same code, and
names the proxy in metrics.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from gateway.auth.deps import current_principal
from gateway.proxy.forward import METHODS, proxy
from shared.principal import Principal

router = APIRouter()


class Proxied(Response):
    """The owning service's answer, streamed by `proxy` when Starlette sends the response."""

    def __init__(self) -> None:
        super().__init__()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await proxy(scope, receive, send)


@router.api_route("/api/v1/{path:path}", methods=sorted(METHODS), include_in_schema=False,
                  response_class=Proxied)
async def proxy_route(path: str, principal: Principal = Depends(current_principal)) -> Proxied:
    """Forward to the owning service (the merged OpenAPI document lists its endpoints)."""
    return Proxied()
