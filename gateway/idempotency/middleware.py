"""Idempotency-Key on POST: run once, replay the first response, refuse a changed request.

A second request with a key whose first request is still running gets 409 with Retry-After at
once rather than waiting: holding a connection open for a slow import would tie up the
gateway, and a client that retries is already prepared to be told to try again.
"""

from __future__ import annotations

import logging

from fastapi import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.idempotency import service
from gateway.idempotency.models import IdempotencyRecord
from gateway.proxy.asgi import HOP_BY_HOP, header, is_api, principal_in, send_problem
from shared.errors import BadRequest, PayloadTooLarge, ProblemError

log = logging.getLogger("govinspect.gateway.idempotency")

HEADER = "idempotency-key"
REPLAYED = "idempotency-replayed"
# Made afresh on every answer; a replay must not repeat the first one's.
NOT_KEPT = HOP_BY_HOP | {"content-length", "date", "server", "x-request-id", REPLAYED,
                         "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"}


class KeyMismatch(ProblemError):
    status, slug, title = 422, "idempotency-key-mismatch", "幂等键已用于另一请求"


class KeyInFlight(ProblemError):
    status, slug, title = 409, "idempotency-key-in-flight", "相同幂等键的请求正在处理"


class NotReplayable(ProblemError):
    status, slug, title = 409, "idempotency-not-replayable", "原请求已完成，其响应无法重放"


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """Read a whole request body up to `limit` bytes; None when the client went away."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"请求体超过 {limit} 字节的上限")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class IdempotencyMiddleware:
    """Apply Idempotency-Key to every authenticated POST below /api/."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = header(scope, HEADER) if is_api(scope) and scope["method"] == "POST" else None
        principal = principal_in(scope)
        if key is None or principal is None:
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        settings, sessions, now = state.settings, state.sessionmaker, state.clock.now()
        try:
            if not 1 <= len(key) <= 255 or not key.isprintable():
                raise BadRequest(f"请求头 Idempotency-Key 的值 {key[:40]!r}：应为 1–255 个可打印字符")
            length = header(scope, "content-length")
            if length and length.isdigit() and int(length) > settings.max_body_bytes:
                raise PayloadTooLarge(f"请求体 {length} 字节，超过 {settings.max_body_bytes} 字节的上限")
            body = await read_body(receive, settings.max_body_bytes)
            if body is None:
                return
            query = bytes(scope.get("query_string", b"")).decode("latin-1")
            claim = await service.claim(
                sessions, subject=principal.subject, key=key, method="POST", path=scope["path"],
                print_=service.fingerprint("POST", scope["path"], query, body), now=now,
                retention_s=settings.idempotency_retention_s, lock_s=settings.idempotency_lock_s)
            if claim.outcome == "mismatch":
                raise KeyMismatch(
                    f"幂等键 Idempotency-Key {key!r} 已用于 {claim.record.method} "
                    f"{claim.record.path} 的另一请求（请求体或参数不同）；新请求请换用新的键。",
                    idempotency_key=key)
            if claim.outcome == "in_flight":
                raise KeyInFlight(f"幂等键 {key!r} 的首个请求仍在处理，请稍后重试。",
                                  headers={"Retry-After": "1"}, idempotency_key=key)
            if claim.outcome == "not_replayable":
                raise NotReplayable(
                    f"幂等键 {key!r} 的请求已于 {claim.record.completed_at} 完成（状态 "
                    f"{claim.record.status}），但其响应含仅显示一次的密钥或过大，不能重放。",
                    idempotency_key=key, original_status=claim.record.status)
        except ProblemError as err:
            await send_problem(err, scope, receive, send)
            return
        if claim.outcome == "replay":
            await self._replay(claim.record, scope, receive, send)
            return
        await self._run_once(claim.record, body, scope, receive, send)

    async def _replay(self, record: IdempotencyRecord, scope: Scope, receive: Receive, send: Send) -> None:
        response = Response(content=record.body or b"", status_code=record.status or 200)
        response.raw_headers = [
            *[(k.encode("latin-1"), v.encode("latin-1")) for k, v in record.headers],
            (b"content-length", str(len(record.body or b"")).encode()),
            (REPLAYED.encode(), b"true")]
        await response(scope, receive, send)

    async def _run_once(self, record: IdempotencyRecord, body: bytes, scope: Scope, receive: Receive,
                        send: Send) -> None:
        state = scope["app"].state
        limit = state.settings.idempotency_max_response_bytes
        delivered = False
        started: Message = {}
        chunks: list[bytes] = []
        size = 0

        async def replay_body() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def keep(message: Message) -> None:
            nonlocal started, size
            if message["type"] == "http.response.start":
                # A copy: middleware further out may add its own headers to this message.
                started = {"status": message["status"], "headers": list(message.get("headers", []))}
            elif message["type"] == "http.response.body" and size <= limit:
                chunk = message.get("body", b"")
                size += len(chunk)
                chunks.append(chunk)
            await send(message)

        try:
            await self.app(scope, replay_body, keep)
        except BaseException:
            await service.release(state.sessionmaker, record.id)
            raise
        status = int(started.get("status", 500))
        try:
            if status >= 500:
                # The server failed, not the request: the caller may retry with the same key.
                await service.release(state.sessionmaker, record.id)
                return
            raw = [(bytes(k).decode("latin-1").lower(), bytes(v).decode("latin-1"))
                   for k, v in started.get("headers", [])]
            no_store = any(k == "cache-control" and "no-store" in v.lower() for k, v in raw)
            kept = None if no_store or size > limit else b"".join(chunks)
            await service.complete(state.sessionmaker, record.id, status=status, body=kept,
                                   headers=[[k, v] for k, v in raw if k not in NOT_KEPT],
                                   now=state.clock.now())
        except Exception:  # the response went out; a lost record only loses the replay
            log.exception("could not record the response of an idempotent request")
