"""Authenticate every request below /api/ once, before any route, limit or log sees it."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.audit.middleware import record_refusal
from gateway.auth.authenticate import CHALLENGE, claimed_subject, presented, principal_for
from gateway.auth.cache import CredentialCache
from gateway.proxy.asgi import client_address, header, is_api, send_problem
from gateway.proxy.upstream import principal_expiry, signed_principal
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
            principal = await self._principal(state, credential, source, claimed)
        except ProblemError as err:
            await record_refusal(scope, err.status, claimed)
            await send_problem(err, scope, receive, send)
            return
        scope["headers"].append((PRINCIPAL, self._signed(state, credential, principal).encode()))
        # The rate limiter reads the failed-authentication locks of both in its round trip.
        scope.setdefault("state", {}).update(principal=principal,
                                             auth_source=(source, principal.subject))
        await self.app(scope, receive, send)

    @staticmethod
    async def _principal(state: Any, credential: str, source: str,
                         claimed: str | None) -> Principal:
        cache: CredentialCache = state.credentials
        now = state.clock.now()

        async def load() -> Principal:
            try:
                async with state.sessionmaker() as session:
                    return await principal_for(session, credential, state.settings, now)
            except Unauthorized:
                await state.lockout.failed(source, claimed)  # 429 instead, if already locked
                raise

        return await cache.get_or_load(credential, now.timestamp(), load)

    @staticmethod
    def _signed(state: Any, credential: str, principal: Principal) -> str:
        """The principal header for upstream requests, re-signed when half its life is gone."""
        cache: CredentialCache = state.credentials
        settings = state.settings
        now_ts = state.clock.now().timestamp()
        token = cache.signed(credential, now_ts, settings.principal_ttl_s / 2)
        if token is None:
            token = signed_principal(principal, settings.principal_secret, now_ts,
                                     settings.principal_ttl_s)
            cache.keep_signed(credential, token,
                              principal_expiry(principal, now_ts, settings.principal_ttl_s))
        return token
