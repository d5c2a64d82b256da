"""API key and OAuth2 client endpoints, and the caller's own principal."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Response, status

from gateway.auth import service
from gateway.auth.deps import GatewayCtx, current_principal, get_ctx
from gateway.auth.models import ApiKey, OAuthClient
from gateway.auth.schemas import (
    ApiKeyCreated,
    ApiKeyPage,
    ApiKeyRead,
    ClientCreated,
    ClientPage,
    ClientRead,
    CredentialCreate,
    Me,
)
from gateway.auth.scope import MANAGERS
from gateway.auth.secrets import parse_client_id
from shared.db import MAX_OFFSET
from shared.errors import Forbidden, NotFound, problem_responses
from shared.principal import Principal

router = APIRouter(prefix="/api/v1", responses=problem_responses(401, 422, 429))
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _require_manager(ctx: GatewayCtx) -> None:
    if not ctx.principal.has_role(*MANAGERS):
        raise Forbidden("管理 API 密钥和客户端需要 administrator 或 supervisor 角色")


@router.get("/me", tags=["auth"], operation_id="getMe", response_model=Me, summary="当前调用者")
async def get_me(principal: Principal = Depends(current_principal)) -> Me:
    """Return the roles and scope the services see for the caller's credential."""
    return Me.model_validate(principal.model_dump())


@router.post("/keys", tags=["keys"], operation_id="createApiKey", response_model=ApiKeyCreated,
             status_code=status.HTTP_201_CREATED, summary="创建 API 密钥",
             responses=problem_responses(403, 503))
async def create_api_key(body: CredentialCreate, response: Response,
                         ctx: GatewayCtx = Depends(get_ctx)) -> ApiKeyCreated:
    """Create an API key with roles and a scope no wider than the caller's own (a city supervisor
    cannot make a province key). The response shows the secret once; only its hash is kept."""
    _require_manager(ctx)
    anchors = await service.organisation_regions(ctx, body.organisations)
    now = ctx.clock.now()
    key, secret = await service.create(ctx.session, ApiKey, ctx.principal, body, anchors, now,
                                       ctx.actor)
    await ctx.session.commit()
    response.headers.update(NO_STORE)
    return ApiKeyCreated(**service.key_read(key, now).model_dump(), secret=secret)


@router.get("/keys", tags=["keys"], operation_id="listApiKeys", response_model=ApiKeyPage,
            summary="查询 API 密钥", responses=problem_responses(403))
async def list_api_keys(
    ctx: GatewayCtx = Depends(get_ctx),
    include_revoked: bool = Query(False, description="是否包括已吊销的密钥"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> ApiKeyPage:
    """List the API keys inside the caller's scope and roles, newest first (never secrets)."""
    _require_manager(ctx)
    rows, total = await service.list_managed(ctx.session, ApiKey, ctx.principal,
                                             include_revoked=include_revoked, limit=limit,
                                             offset=offset)
    now = ctx.clock.now()
    return ApiKeyPage(items=[service.key_read(k, now) for k in rows], total=total, limit=limit,
                      offset=offset)


@router.get("/keys/{key_id}", tags=["keys"], operation_id="getApiKey", response_model=ApiKeyRead,
            summary="查看 API 密钥", responses=problem_responses(403, 404))
async def get_api_key(key_id: uuid.UUID, ctx: GatewayCtx = Depends(get_ctx)) -> ApiKeyRead:
    """Return one API key (never its secret)."""
    _require_manager(ctx)
    key = await service.get_managed(ctx.session, ApiKey, ctx.principal, key_id)
    return service.key_read(key, ctx.clock.now())


@router.post("/keys/{key_id}/rotate", tags=["keys"], operation_id="rotateApiKey",
             response_model=ApiKeyCreated, summary="轮换 API 密钥",
             responses=problem_responses(403, 404, 409))
async def rotate_api_key(key_id: uuid.UUID, response: Response,
                         ctx: GatewayCtx = Depends(get_ctx)) -> ApiKeyCreated:
    """Give the key a new secret, shown once; the old secret stops working at once."""
    _require_manager(ctx)
    key = await service.get_managed(ctx.session, ApiKey, ctx.principal, key_id)
    now = ctx.clock.now()
    secret = service.rotate(key, now)
    await ctx.session.commit()
    ctx.credentials.forget(service.subject_of(key))
    response.headers.update(NO_STORE)
    return ApiKeyCreated(**service.key_read(key, now).model_dump(), secret=secret)


@router.delete("/keys/{key_id}", tags=["keys"], operation_id="revokeApiKey",
               status_code=status.HTTP_204_NO_CONTENT, summary="吊销 API 密钥",
               responses=problem_responses(403, 404))
async def revoke_api_key(key_id: uuid.UUID, ctx: GatewayCtx = Depends(get_ctx)) -> Response:
    """Revoke the key for good; requests with it answer 401 from now on and its webhook
    subscriptions are paused. The key stays listed (with `include_revoked=true`) so that the
    audit log's subjects remain explainable."""
    _require_manager(ctx)
    key = await service.get_managed(ctx.session, ApiKey, ctx.principal, key_id)
    await service.revoke(ctx.session, key, ctx.clock.now())
    await ctx.session.commit()
    ctx.credentials.forget(service.subject_of(key))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/clients", tags=["clients"], operation_id="createClient",
             response_model=ClientCreated, status_code=status.HTTP_201_CREATED,
             summary="创建 OAuth2 客户端", responses=problem_responses(403, 503))
async def create_client(body: CredentialCreate, response: Response,
                        ctx: GatewayCtx = Depends(get_ctx)) -> ClientCreated:
    """Create an OAuth2 client (client credentials grant) with roles and a scope no wider than
    the caller's own. The response shows client_secret once; only its hash is kept."""
    _require_manager(ctx)
    anchors = await service.organisation_regions(ctx, body.organisations)
    now = ctx.clock.now()
    client, secret = await service.create(ctx.session, OAuthClient, ctx.principal, body, anchors,
                                          now, ctx.actor)
    await ctx.session.commit()
    response.headers.update(NO_STORE)
    return ClientCreated(**service.client_read(client, now).model_dump(), client_secret=secret)


@router.get("/clients", tags=["clients"], operation_id="listClients", response_model=ClientPage,
            summary="查询 OAuth2 客户端", responses=problem_responses(403))
async def list_clients(
    ctx: GatewayCtx = Depends(get_ctx),
    include_revoked: bool = Query(False, description="是否包括已吊销的客户端"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> ClientPage:
    """List the OAuth2 clients inside the caller's scope and roles, newest first."""
    _require_manager(ctx)
    rows, total = await service.list_managed(ctx.session, OAuthClient, ctx.principal,
                                             include_revoked=include_revoked, limit=limit,
                                             offset=offset)
    now = ctx.clock.now()
    return ClientPage(items=[service.client_read(c, now) for c in rows], total=total,
                      limit=limit, offset=offset)


async def _client(ctx: GatewayCtx, client_id: str) -> OAuthClient:
    row_id = parse_client_id(client_id)
    if row_id is None:
        raise NotFound(f"OAuth2 客户端 {client_id} 不存在")
    return await service.get_managed(ctx.session, OAuthClient, ctx.principal, row_id)


@router.get("/clients/{client_id}", tags=["clients"], operation_id="getClient",
            response_model=ClientRead, summary="查看 OAuth2 客户端",
            responses=problem_responses(403, 404))
async def get_client(client_id: str, ctx: GatewayCtx = Depends(get_ctx)) -> ClientRead:
    """Return one OAuth2 client by its client_id (gic_…), never its secret."""
    _require_manager(ctx)
    return service.client_read(await _client(ctx, client_id), ctx.clock.now())


@router.post("/clients/{client_id}/rotate", tags=["clients"], operation_id="rotateClient",
             response_model=ClientCreated, summary="轮换 OAuth2 客户端密钥",
             responses=problem_responses(403, 404, 409))
async def rotate_client(client_id: str, response: Response,
                        ctx: GatewayCtx = Depends(get_ctx)) -> ClientCreated:
    """Give the client a new secret, shown once; the old secret and every access token issued
    with it stop working at once."""
    _require_manager(ctx)
    client = await _client(ctx, client_id)
    now = ctx.clock.now()
    secret = service.rotate(client, now)
    await ctx.session.commit()
    ctx.credentials.forget(service.subject_of(client))
    response.headers.update(NO_STORE)
    return ClientCreated(**service.client_read(client, now).model_dump(), client_secret=secret)


@router.delete("/clients/{client_id}", tags=["clients"], operation_id="revokeClient",
               status_code=status.HTTP_204_NO_CONTENT, summary="吊销 OAuth2 客户端",
               responses=problem_responses(403, 404))
async def revoke_client(client_id: str, ctx: GatewayCtx = Depends(get_ctx)) -> Response:
    """Revoke the client for good: its secret and its outstanding access tokens answer 401, and
    its webhook subscriptions are paused."""
    _require_manager(ctx)
    client = await _client(ctx, client_id)
    await service.revoke(ctx.session, client, ctx.clock.now())
    await ctx.session.commit()
    ctx.credentials.forget(service.subject_of(client))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
