"""Authenticate every request below /api/ once, before any route, limit or log sees it."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.audit.middleware import record_refusal
from gateway.auth.authenticate import CHALLENGE, claimed_subject, presented, principal_for
from gateway.proxy.asgi import client_address, header, is_api, send_problem
from gateway.proxy.upstream import signed_principal
from shared.errors import ProblemError, Unauthorized
from shared.principal import PRINCIPAL_HEADER, Principal

PRINCIPAL = PRINCIPAL_HEADER.lower().encode()


def _without_principal(scope: Scope) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in scope.get("headers", []) if k.lower() != PRINCIPAL]


class AuthenticationMiddleware:
    """Put the caller's principal on the request, or answer 401.

    A principal header sent by a caller is dropped on every path: only an API key or an access
    token says who the caller is. Below /api/ the gateway then adds its own signed header, so
    routes mounted in the gateway that use `shared.context.get_ctx` (webhooks) see the caller.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = {**scope, "headers": _without_principal(scope)}
        if not is_api(scope):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        source = client_address(scope, state.trusted_proxies)
        claimed: str | None = None
        try:
            credential = presented(header(scope, "authorization"), header(scope, "x-api-key"))
            if not credential:
                raise Unauthorized("缺少凭证：请在 Authorization: Bearer 或 X-API-Key 请求头中提供 "
                                   "API 密钥，或先用 /oauth/token 换取访问令牌。", headers=CHALLENGE)
            claimed = claimed_subject(credential)
            await state.lockout.check(source, claimed)
            principal = await self._principal(state, credential, source, claimed)
        except ProblemError as err:
            await record_refusal(scope, err.status, claimed)
            await send_problem(err, scope, receive, send)
            return
        settings = state.settings
        token = signed_principal(principal, settings.principal_secret,
                                 state.clock.now().timestamp(), settings.principal_ttl_s)
        scope["headers"].append((PRINCIPAL, token.encode()))
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)

    @staticmethod
    async def _principal(state: Any, credential: str, source: str,
                         claimed: str | None) -> Principal:
        try:
            async with state.sessionmaker() as session:
                return await principal_for(session, credential, state.settings,
                                           state.clock.now())
        except Unauthorized:
            await state.lockout.failed(source, claimed)
            raise
