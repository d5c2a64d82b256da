"""FastAPI dependencies of the gateway's own endpoints: the caller and the request's context."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import APIKeyHeader, HTTPBearer, OAuth2
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.cache import CredentialCache
from gateway.config import GatewaySettings
from gateway.proxy.upstream import Upstreams
from shared.clock import Clock
from shared.db import request_session
from shared.errors import Forbidden, Unauthorized
from shared.principal import Principal, Role

# Declared for the OpenAPI document and the docs page's "Authorize" button; the credential
# itself is checked once, by AuthenticationMiddleware, before any route runs.
bearer_scheme = HTTPBearer(scheme_name="bearer", bearerFormat="API key (gik_…) or JWT",
                           description="API 密钥（gik_ 开头）或 /oauth/token 签发的访问令牌",
                           auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", scheme_name="apiKey",
                              description="API 密钥（gik_ 开头）", auto_error=False)
oauth2_scheme = OAuth2(flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(
    tokenUrl="/oauth/token")), scheme_name="oauth2", auto_error=False,
    description="OAuth2 客户端凭证模式：用 client_id 和 client_secret 换取短期访问令牌")


async def current_principal(
    request: Request,
    _bearer: Any = Security(bearer_scheme),
    _key: Any = Security(api_key_scheme),
    _oauth: Any = Security(oauth2_scheme),
) -> Principal:
    """FastAPI dependency: the authenticated caller, or 401."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise Unauthorized("缺少有效的 API 密钥或访问令牌。", headers={"WWW-Authenticate": "Bearer"})
    return principal


def require_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """FastAPI dependency factory: the caller, who must hold one of the roles, or 403."""

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if not principal.has_role(*roles):
            names = "、".join(r.value for r in roles)
            held = "、".join(r.value for r in principal.roles)
            raise Forbidden(f"此操作需要以下角色之一：{names}；当前角色：{held}")
        return principal

    return dependency


@dataclass
class GatewayCtx:
    """The unit of work of a gateway endpoint: session, caller and collaborators."""

    session: AsyncSession
    principal: Principal
    clock: Clock
    settings: GatewaySettings
    upstreams: Upstreams
    credentials: CredentialCache

    @property
    def actor(self) -> str:
        """Who is acting, as recorded on the rows it makes."""
        p = self.principal
        return f"{p.subject}（{p.name}）" if p.name else p.subject


async def get_ctx(
    request: Request,
    session: AsyncSession = request_session,
    principal: Principal = Depends(current_principal),
) -> GatewayCtx:
    """FastAPI dependency: the request's context."""
    state = request.app.state
    return GatewayCtx(session=session, principal=principal, clock=state.clock,
                      settings=state.settings, upstreams=state.upstreams,
                      credentials=state.credentials)
