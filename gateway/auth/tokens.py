"""OAuth2 access tokens: short-lived HS256 JWTs carrying a client's principal."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import jwt

from gateway.auth.models import OAuthClient
from gateway.auth.secrets import format_client_id
from gateway.config import GatewaySettings
from shared.errors import Unauthorized
from shared.principal import Principal, Role

ALGORITHM = "HS256"


def issue(client: OAuthClient, settings: GatewaySettings, now: datetime) -> tuple[str, int]:
    """Sign an access token for a client, valid for `jwt_ttl_s` from now; return it and its expiry."""
    iat = int(now.timestamp())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
        "sub": format_client_id(client.id), "iat": iat, "exp": iat + settings.jwt_ttl_s,
        "jti": uuid.uuid4().hex, "gen": client.generation,
        "name": client.name, "roles": list(client.roles), "all_regions": client.all_regions,
        "regions": list(client.regions), "organisations": list(client.organisations),
    }
    if client.expires_at is not None:
        claims["exp"] = min(claims["exp"], int(client.expires_at.timestamp()))
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM), int(claims["exp"])


def verify(token: str, settings: GatewaySettings, now: datetime) -> dict[str, Any]:
    """Check a token's signature, issuer, audience and expiry; return its claims, or 401."""
    try:
        # Expiry is judged against the injected clock below, not the machine's.
        claims: dict[str, Any] = jwt.decode(
            token, settings.jwt_secret, algorithms=[ALGORITHM], audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False,
                     "require": ["exp", "iat", "sub", "gen"]})
    except jwt.PyJWTError as exc:
        raise Unauthorized("访问令牌无效或签名不符。",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from exc
    if claims["exp"] <= now.timestamp():
        raise Unauthorized("访问令牌已过期，请重新申请。",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return claims


def principal_from(claims: dict[str, Any]) -> Principal:
    """Return the principal a verified token carries, expiring with the token."""
    return Principal(subject=f"client:{claims['sub']}", name=str(claims.get("name", "")),
                     roles=[Role(r) for r in claims.get("roles", [])],
                     all_regions=bool(claims.get("all_regions", False)),
                     regions=list(claims.get("regions", [])),
                     organisations=[uuid.UUID(o) for o in claims.get("organisations", [])],
                     expires_at=int(claims["exp"]))
