"""The OAuth2 token endpoint (RFC 6749 §4.4, client credentials grant)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from fastapi import APIRouter, Form, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.audit.middleware import record_refusal
from gateway.auth import tokens
from gateway.auth.authenticate import InvalidClient, client_for
from gateway.auth.schemas import TokenResponse
from gateway.proxy.asgi import client_address
from shared.db import request_session
from shared.errors import BadRequest, ProblemError, problem_responses

router = APIRouter(tags=["auth"])


class OAuthRequestError(BadRequest):
    """RFC 6749 §5.2 errors as problems that also carry the OAuth2 `error` members."""

    slug = "oauth-invalid-request"

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(detail, error=error, error_description=detail)


def _basic(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidClient("Authorization: Basic 的内容不是有效的 Base64。") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise InvalidClient("Authorization: Basic 的内容应为 client_id:client_secret。")
    return unquote(client_id), unquote(secret)


@router.post("/oauth/token", operation_id="issueToken", response_model=TokenResponse,
             summary="申请访问令牌（OAuth2 客户端凭证模式）",
             responses=problem_responses(400, 401, 429))
async def issue_token(
    request: Request,
    response: Response,
    grant_type: str | None = Form(None, description="固定为 client_credentials"),
    client_id: str | None = Form(None, description="客户端 id（gic_…）；也可用 HTTP Basic 认证"),
    client_secret: str | None = Form(None, description="客户端密钥；也可用 HTTP Basic 认证"),
    session: AsyncSession = request_session,
) -> TokenResponse:
    """Exchange a client's id and secret for a short-lived access token (a JWT carrying the
    client's roles and scope). Send it as `Authorization: Bearer <access_token>`; ask for a new
    one when it expires (`expires_in` seconds)."""
    if grant_type is None:
        raise OAuthRequestError("invalid_request", "缺少字段 grant_type。")
    if grant_type != "client_credentials":
        raise OAuthRequestError("unsupported_grant_type",
                                f"字段 grant_type 的值 {grant_type!r}：仅支持 client_credentials。")
    basic = _basic(request.headers.get("authorization"))
    if basic is not None:
        client_id, client_secret = basic
    if not client_id or not client_secret:
        raise InvalidClient("缺少 client_id 或 client_secret（表单字段或 HTTP Basic 认证）。")
    state = request.app.state
    now = state.clock.now()
    source = client_address(request.scope, state.trusted_proxies)
    claimed = f"client:{client_id[:100]}"
    try:
        await state.lockout.check(source, claimed)
        try:
            client = await client_for(session, client_id, client_secret, now)
        except InvalidClient:
            await state.lockout.failed(source, claimed)
            raise
    except ProblemError as err:
        await record_refusal(request.scope, err.status, claimed)
        raise
    token, expires = tokens.issue(client, state.settings, now)
    response.headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
    return TokenResponse(access_token=token, expires_in=max(0, expires - int(now.timestamp())))
