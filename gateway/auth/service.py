"""Creating, listing, rotating and revoking API keys and OAuth2 clients, inside the caller's scope."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TypeVar

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from gateway.auth import secrets
from gateway.auth.deps import GatewayCtx
from gateway.auth.models import ApiKey, CredentialBase, OAuthClient
from gateway.auth.schemas import (
    ApiKeyRead,
    ClientRead,
    CredentialCreate,
    Status,
)
from gateway.auth.scope import manages, outside
from gateway.proxy.upstream import signed_principal
from gateway.webhooks.service import deactivate_owner
from shared.clients.base import UpstreamProblem
from shared.clients.registry import RegistryClient
from shared.errors import (
    Forbidden,
    InvalidTransition,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from shared.principal import Principal

C = TypeVar("C", ApiKey, OAuthClient)
KIND_NAMES = {ApiKey: "API 密钥", OAuthClient: "OAuth2 客户端"}


def status_of(cred: CredentialBase, now: datetime) -> Status:
    """Tell whether a credential is active, revoked or expired."""
    if cred.revoked_at is not None:
        return "revoked"
    if cred.expires_at is not None and cred.expires_at <= now:
        return "expired"
    return "active"


def subject_of(cred: CredentialBase) -> str:
    """The principal subject a credential acts as (in services' filings and the audit log)."""
    if isinstance(cred, OAuthClient):
        return f"client:{secrets.format_client_id(cred.id)}"
    return f"apikey:{cred.id.hex}"


def key_read(key: ApiKey, now: datetime) -> ApiKeyRead:
    """Render a key without its secret."""
    return ApiKeyRead.model_validate({
        **key.model_dump(), "status": status_of(key, now),
        "display": f"{secrets.KEY_PREFIX}{key.id.hex}_…{key.hint}"})


def client_read(client: OAuthClient, now: datetime) -> ClientRead:
    """Render a client without its secret."""
    return ClientRead.model_validate({
        **client.model_dump(), "status": status_of(client, now),
        "client_id": secrets.format_client_id(client.id)})


async def organisation_regions(ctx: GatewayCtx, organisations: list[uuid.UUID]) -> list[str]:
    """Return each organisation's region, asking the registry as the caller (so in its scope)."""
    token = signed_principal(ctx.principal, ctx.settings.principal_secret,
                             ctx.clock.now().timestamp(), ctx.settings.principal_ttl_s)
    registry = RegistryClient.over(ctx.upstreams.client("registry"), token)
    retry = {"Retry-After": str(ctx.settings.upstream_retry_after_s)}
    regions = []
    for org in organisations:
        try:
            found = await registry.organisation(org)
        except (httpx.HTTPError, ServiceUnavailable) as exc:
            cause = exc.__cause__ if isinstance(exc, ServiceUnavailable) else exc
            raise ServiceUnavailable(
                f"备案库（registry）暂不可用，无法核对单位 {org}：{type(cause).__name__}",
                headers=retry) from exc
        except UpstreamProblem as exc:
            if exc.status == 404:
                raise ValidationFailed(
                    f"字段 organisations 的值 '{org}'：单位不存在或不在管辖范围内") from exc
            raise ServiceUnavailable(f"备案库（registry）核对单位 {org} 时答复 HTTP {exc.status}",
                                     headers=retry) from exc
        regions.append(found.region_code)
    return regions


def new_secret(cred: CredentialBase) -> str:
    """Give a credential a fresh secret (kept only as a salted hash) and return it."""
    random = secrets.new_random()
    if isinstance(cred, OAuthClient):
        secret = secrets.format_client_secret(random)
    else:
        secret = secrets.format_key(cred.id, random)
    cred.salt = secrets.new_salt()
    cred.secret_hash = secrets.hash_secret(cred.salt, secret)
    cred.hint = secret[-4:]
    return secret


async def create(session: AsyncSession, model: type[C], caller: Principal, body: CredentialCreate,
                 anchors: list[str], now: datetime, actor: str) -> tuple[C, str]:
    """Make a credential with roles and scope within the caller's; return it and its secret."""
    organisations = [str(o) for o in body.organisations]
    reason = outside(caller, [r.value for r in body.roles], body.all_regions, body.regions,
                     organisations, anchors)
    if reason:
        raise Forbidden(reason)
    if not (body.all_regions or body.regions or body.organisations):
        raise ValidationFailed("请至少指定一项范围：all_regions、regions 或 organisations")
    if body.expires_at is not None and body.expires_at <= now:
        raise ValidationFailed(f"字段 expires_at 的值 '{body.expires_at.isoformat()}'：应晚于当前时间")
    cred = model(name=body.name, roles=sorted({r.value for r in body.roles}),
                 all_regions=body.all_regions, regions=sorted(set(body.regions)),
                 organisations=organisations, anchor_regions=anchors, salt="", secret_hash="",
                 hint="", created_by=actor[:200], created_at=now, expires_at=body.expires_at)
    secret = new_secret(cred)
    session.add(cred)
    await session.flush()
    return cred, secret


async def list_managed(session: AsyncSession, model: type[C], caller: Principal, *,
                       include_revoked: bool, limit: int, offset: int) -> tuple[list[C], int]:
    """List the credentials a caller manages, newest first.

    Filtered in Python: whether a credential lies inside a region scope is a prefix test over
    JSON lists, and a province holds hundreds of credentials, not millions.
    """
    stmt = select(model).order_by(col(model.created_at).desc(), col(model.id))
    if not include_revoked:
        stmt = stmt.where(col(model.revoked_at).is_(None))
    rows = [c for c in (await session.execute(stmt)).scalars() if manages(caller, c)]
    return rows[offset:offset + limit], len(rows)


async def get_managed(session: AsyncSession, model: type[C], caller: Principal,
                      cred_id: uuid.UUID) -> C:
    """Load a credential the caller manages; any other answers 404 as if it did not exist."""
    cred = await session.get(model, cred_id)
    if cred is None or not manages(caller, cred):
        raise NotFound(f"{KIND_NAMES[model]} {cred_id} 不存在")
    return cred


def rotate(cred: CredentialBase, now: datetime) -> str:
    """Replace a credential's secret; the old one stops working at once. Return the new one."""
    if cred.revoked_at is not None:
        raise InvalidTransition(f"{cred.id} 已于 {cred.revoked_at.isoformat()} 吊销，不能轮换")
    secret = new_secret(cred)
    cred.generation += 1
    cred.rotated_at = now
    return secret


async def revoke(session: AsyncSession, cred: CredentialBase, now: datetime) -> None:
    """Revoke a credential for good and pause its webhook subscriptions (events would otherwise
    keep flowing to a principal that no longer exists); revoking twice keeps the first time."""
    if cred.revoked_at is None:
        cred.revoked_at = now
    await deactivate_owner(session, subject_of(cred))
