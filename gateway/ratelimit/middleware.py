"""Refuse a principal's requests past its limit with 429, and tell every caller where it stands."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.proxy.asgi import is_api, principal_in, send_problem
from gateway.ratelimit.limiter import Decision, RateLimiter
from shared.errors import ProblemError


class TooManyRequests(ProblemError):
    status, slug, title = 429, "too-many-requests", "请求过于频繁"


def rate_headers(decision: Decision) -> list[tuple[bytes, bytes]]:
    """The RateLimit-* fields (IETF httpapi draft) describing the current window."""
    return [(b"ratelimit-limit", str(decision.limit).encode()),
            (b"ratelimit-remaining", str(decision.remaining).encode()),
            (b"ratelimit-reset", str(decision.reset_s).encode())]


class RateLimitMiddleware:
    """Count every authenticated request below /api/ against its principal's limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = principal_in(scope) if is_api(scope) else None
        if principal is None:
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        limiter: RateLimiter = state.ratelimiter
        source, credential = scope["state"].get("auth_source", ("", None))
        decision = await limiter.hit(principal, state.clock.now(),
                                     state.lockout.lock_keys(source, credential))
        if decision.locked is not None:
            await send_problem(state.lockout.refusal(*decision.locked), scope, receive, send)
            return
        if not decision.allowed:
            err = TooManyRequests(
                f"调用者 {principal.subject} 每 {limiter.window_s} 秒最多 {decision.limit} 次请求，"
                f"请在 {decision.reset_s} 秒后重试。",
                headers={"Retry-After": str(decision.reset_s),
                         **{k.decode(): v.decode() for k, v in rate_headers(decision)}})
            await send_problem(err, scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *rate_headers(decision)]
            await send(message)

        await self.app(scope, receive, with_headers)
