"""API key and OAuth2 client endpoints (one mechanism: gateway.auth.credentials), and the
caller's own principal."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends

from gateway.auth import service
from gateway.auth.credentials import CredentialKind, Docs, mount
from gateway.auth.deps import GatewayCtx, current_principal
from gateway.auth.models import ApiKey, OAuthClient
from gateway.auth.schemas import (
    ApiKeyCreated,
    ApiKeyPage,
    ApiKeyRead,
    ClientCreated,
    ClientPage,
    ClientRead,
    Me,
)
from gateway.auth.secrets import parse_client_id
from shared.errors import NotFound, problem_responses
from shared.principal import Principal

router = APIRouter(prefix="/api/v1", responses=problem_responses(401, 422, 429))


@router.get("/me", tags=["auth"], operation_id="getMe", response_model=Me, summary="当前调用者")
async def get_me(principal: Principal = Depends(current_principal)) -> Me:
    """Return the roles and scope the services see for the caller's credential."""
    return Me.model_validate(principal.model_dump())


def _key_created(key: ApiKey, now: datetime, secret: str) -> ApiKeyCreated:
    return ApiKeyCreated(**service.key_read(key, now).model_dump(), secret=secret)


def _client_created(client: OAuthClient, now: datetime, secret: str) -> ClientCreated:
    return ClientCreated(**service.client_read(client, now).model_dump(), client_secret=secret)


async def _key(ctx: GatewayCtx, key_id: uuid.UUID) -> ApiKey:
    return await service.get_managed(ctx.session, ApiKey, ctx.principal, key_id)


async def _client(ctx: GatewayCtx, client_id: str) -> OAuthClient:
    """A client by its client_id (gic_…); one that is not well formed is 404 like a missing one."""
    row_id = parse_client_id(client_id)
    if row_id is None:
        raise NotFound(f"OAuth2 客户端 {client_id} 不存在")
    return await service.get_managed(ctx.session, OAuthClient, ctx.principal, row_id)


API_KEYS = CredentialKind(
    model=ApiKey, path="/keys", tag="keys", id_param="key_id", id_type=uuid.UUID,
    load=_key, read=service.key_read, created=_key_created, read_model=ApiKeyRead,
    created_model=ApiKeyCreated, page_model=ApiKeyPage, revoked_filter="是否包括已吊销的密钥",
    docs={
        "create": Docs("createApiKey", "创建 API 密钥",
                       "Create an API key with roles and a scope no wider than the "
                       "caller's own (a city supervisor\n"
                       "cannot make a province key). The response shows the secret "
                       "once; only its hash is kept."),
        "list": Docs("listApiKeys", "查询 API 密钥",
                     "List the API keys inside the caller's scope and roles, newest first (never secrets)."),
        "get": Docs("getApiKey", "查看 API 密钥", "Return one API key (never its secret)."),
        "rotate": Docs("rotateApiKey", "轮换 API 密钥",
                       "Give the key a new secret, shown once; the old secret stops working at once."),
        "revoke": Docs("revokeApiKey", "吊销 API 密钥",
                       "Revoke the key for good; requests with it answer 401 from now on and its webhook\n"
                       "subscriptions are paused. The key stays listed (with "
                       "`include_revoked=true`) so that the\n"
                       "audit log's subjects remain explainable."),
    })

OAUTH_CLIENTS = CredentialKind(
    model=OAuthClient, path="/clients", tag="clients", id_param="client_id", id_type=str,
    load=_client, read=service.client_read, created=_client_created, read_model=ClientRead,
    created_model=ClientCreated, page_model=ClientPage, revoked_filter="是否包括已吊销的客户端",
    docs={
        "create": Docs("createClient", "创建 OAuth2 客户端",
                       "Create an OAuth2 client (client credentials grant) with "
                       "roles and a scope no wider than\n"
                       "the caller's own. The response shows client_secret once; only its hash is kept."),
        "list": Docs("listClients", "查询 OAuth2 客户端",
                     "List the OAuth2 clients inside the caller's scope and roles, newest first."),
        "get": Docs("getClient", "查看 OAuth2 客户端",
                    "Return one OAuth2 client by its client_id (gic_…), never its secret."),
        "rotate": Docs("rotateClient", "轮换 OAuth2 客户端密钥",
                       "Give the client a new secret, shown once; the old secret "
                       "and every access token issued\n"
                       "with it stop working at once."),
        "revoke": Docs("revokeClient", "吊销 OAuth2 客户端",
                       "Revoke the client for good: its secret and its outstanding "
                       "access tokens answer 401, and\n"
                       "its webhook subscriptions are paused."),
    })

mount(router, API_KEYS)
mount(router, OAUTH_CLIENTS)
