"""Turning a presented credential (API key or access token) into the caller's principal."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import secrets, tokens
from gateway.auth.models import ApiKey, CredentialBase, OAuthClient
from gateway.auth.scope import principal_of
from gateway.auth.service import status_of, subject_of
from gateway.config import GatewaySettings
from shared.errors import Unauthorized
from shared.principal import Principal

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="govinspect"'}


class InvalidClient(Unauthorized):
    """RFC 6749 invalid_client, as a problem that also carries the OAuth2 error members."""

    slug = "invalid-client"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Basic realm="govinspect"'},
                         error="invalid_client", error_description=detail)


def presented(authorization: str | None, api_key: str | None) -> str | None:
    """Return the credential a request presents: a bearer value, else an X-API-Key value."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("Authorization 请求头应为 `Bearer <API 密钥或访问令牌>`。",
                               headers=CHALLENGE)
        return value.strip()
    return api_key.strip() if api_key else None


def claimed_subject(credential: str) -> str | None:
    """The subject a presented API key claims to be (`apikey:<id>`), for counting and auditing
    failures against it; None for anything else (a token names no row until it verifies)."""
    key_id = secrets.parse_key(credential)
    return f"apikey:{key_id.hex}" if key_id is not None else None


async def _touch(session: AsyncSession, cred: CredentialBase, now: datetime,
                 settings: GatewaySettings) -> None:
    # A write per request would make every read a write; a few minutes' resolution is enough
    # to tell a key in use from a forgotten one.
    resolution = timedelta(seconds=settings.last_used_resolution_s)
    if cred.last_used_at is None or now - cred.last_used_at >= resolution:
        cred.last_used_at = now
        await session.commit()


async def principal_for(session: AsyncSession, credential: str, settings: GatewaySettings,
                        now: datetime) -> Principal:
    """Return the principal of an API key or an access token, or 401."""
    if credential.startswith(secrets.KEY_PREFIX):
        return await _principal_for_key(session, credential, settings, now)
    return await _principal_for_token(session, credential, settings, now)


async def _principal_for_key(session: AsyncSession, text: str, settings: GatewaySettings,
                             now: datetime) -> Principal:
    key_id = secrets.parse_key(text)
    key = await session.get(ApiKey, key_id) if key_id is not None else None
    if (key is None or not secrets.secret_matches(key.salt, key.secret_hash, text)
            or status_of(key, now) != "active"):
        raise Unauthorized("API 密钥无效或已失效（可能已被吊销、轮换或过期）。", headers=CHALLENGE)
    await _touch(session, key, now, settings)
    expires = int(key.expires_at.timestamp()) if key.expires_at is not None else None
    return principal_of(key, subject_of(key), expires)


async def _principal_for_token(session: AsyncSession, token: str, settings: GatewaySettings,
                               now: datetime) -> Principal:
    claims = tokens.verify(token, settings, now)
    client_id = secrets.parse_client_id(str(claims["sub"]))
    client = await session.get(OAuthClient, client_id) if client_id is not None else None
    # A revoked or rotated client takes its outstanding tokens with it.
    if client is None or status_of(client, now) != "active" or client.generation != claims["gen"]:
        raise Unauthorized("访问令牌所属的客户端已被吊销或已轮换密钥，请重新申请令牌。",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    await _touch(session, client, now, settings)
    return tokens.principal_from(claims)


async def client_for(session: AsyncSession, client_id: str, client_secret: str,
                     now: datetime) -> OAuthClient:
    """Return the active client these credentials belong to, or raise invalid_client."""
    row_id = secrets.parse_client_id(client_id)
    client = await session.get(OAuthClient, row_id) if row_id is not None else None
    if (client is None or not secrets.secret_matches(client.salt, client.secret_hash, client_secret)
            or status_of(client, now) != "active"):
        raise InvalidClient("client_id 或 client_secret 不正确，或客户端已被吊销、过期。")
    return client
