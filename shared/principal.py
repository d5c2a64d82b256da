"""Who is calling: the principal the gateway signs, and the scope every query runs inside."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Coroutine
from enum import StrEnum
from typing import Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field, ValidationError

from shared.errors import Forbidden, Unauthorized

PRINCIPAL_HEADER = "X-Govinspect-Principal"

principal_header_scheme = APIKeyHeader(
    name=PRINCIPAL_HEADER,
    scheme_name="principal",
    description=("网关签发的调用者身份（签名令牌）。"
                 "直接调用服务时可用 `make run` 打印的管理员令牌。"),
    auto_error=False,
)


class Role(StrEnum):
    administrator = "administrator"
    supervisor = "supervisor"
    unit = "unit"
    integration = "integration"
    viewer = "viewer"


# The region code of the whole country (GB/T 2260 has none; 100000 is the convention used for
# national scope throughout the suite).
NATION = "100000"
WRITERS = (Role.administrator, Role.supervisor, Role.integration)


def region_prefix(code: str) -> str:
    """Return the code prefix shared by a region's whole subtree (370000 → 37, 370100 → 3701;
    100000, the nation, → "": every region)."""
    if code == NATION:
        return ""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


class Principal(BaseModel):
    """A caller with roles and a scope: all regions, or region subtrees and/or organisations."""

    subject: str
    name: str = ""
    roles: list[Role]
    all_regions: bool = False
    regions: list[str] = Field(default_factory=list)
    organisations: list[UUID] = Field(default_factory=list)
    expires_at: int | None = None

    def has_role(self, *roles: Role) -> bool:
        """Tell whether the principal holds any of the roles."""
        return any(r in self.roles for r in roles)

    def is_national_admin(self) -> bool:
        """Tell whether the principal may change national reference data (calendar years,
        national word lists): an administrator whose scope is every region."""
        return self.all_regions and self.has_role(Role.administrator)

    def region_prefixes(self) -> list[str]:
        """Prefixes of the region subtrees in scope."""
        return [region_prefix(c) for c in self.regions]

    def sees_region(self, code: str | None) -> bool:
        """Tell whether a region code lies inside the principal's region scope."""
        if self.all_regions:
            return True
        return code is not None and any(code.startswith(p) for p in self.region_prefixes())

    def sees(self, region_code: str | None, organisation_ids: list[UUID | None]) -> bool:
        """Tell whether a row of that region and those organisations is in scope."""
        if self.sees_region(region_code):
            return True
        return any(o in self.organisations for o in organisation_ids if o is not None)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_principal(principal: Principal, secret: str) -> str:
    """Encode and sign a principal for the principal header."""
    body = _b64(principal.model_dump_json().encode())
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


# Tokens whose signature checked out, by (secret, token): the gateway signs one token per
# credential and reuses it, so a service sees the same few tokens on every request (issue 13:
# HMAC, base64, JSON and validation were a tenth of a registry read). Expiry is still checked
# on every use. Bounded: emptied when full (a cache of a few hundred callers, not a leak).
_VERIFIED: dict[tuple[str, str], Principal] = {}
_VERIFIED_MAX = 4096


def verify_principal(token: str, secret: str, now_ts: float) -> Principal:
    """Check the signature and expiry of a principal header and decode it."""
    principal = _VERIFIED.get((secret, token))
    if principal is None:
        try:
            body, mac = token.split(".", 1)
            expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, _unb64(mac)):
                raise ValueError("signature")
            principal = Principal.model_validate(json.loads(_unb64(body)))
        except (ValueError, ValidationError) as exc:
            raise Unauthorized("调用者身份令牌无效或签名不符。") from exc
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[secret, token] = principal
    if principal.expires_at is not None and principal.expires_at < now_ts:
        raise Unauthorized("调用者身份令牌已过期。")
    return principal


async def current_principal(
    request: Request, token: str | None = Depends(principal_header_scheme)
) -> Principal:
    """FastAPI dependency: the verified caller, or 401."""
    if not token:
        raise Unauthorized(f"缺少请求头 {PRINCIPAL_HEADER}：请通过网关调用。")
    return verify_principal(token, request.app.state.settings.principal_secret,
                            request.app.state.clock.now().timestamp())


def require_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """FastAPI dependency factory: the caller, who must hold one of the roles, or 403."""

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if not principal.has_role(*roles):
            names = "、".join(r.value for r in roles)
            raise Forbidden(f"此操作需要以下角色之一：{names}；当前角色：{principal.roles}")
        return principal

    return dependency
