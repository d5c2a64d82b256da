"""The catch-all route: /api/v1/<resource>/… goes to the service owning <resource>."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import StreamingResponse

from gateway.auth.deps import current_principal
from gateway.proxy.forward import forward
from gateway.proxy.upstream import owner_of
from shared.errors import NotFound
from shared.principal import Principal

router = APIRouter()


@router.api_route("/api/v1/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
                  include_in_schema=False)
async def proxy(path: str, request: Request,
                principal: Principal = Depends(current_principal)) -> StreamingResponse:
    """Forward to the owning service (the merged OpenAPI document lists its endpoints)."""
    service = owner_of(path, request.app.state.settings.routes)
    if service is None:
        raise NotFound(f"接口 /api/v1/{path} 不存在")
    return await forward(request, service, principal)
