"""Keep an audit entry for every write below /api/, and for every refusal (401, 403, 429),
before its answer leaves the gateway."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.audit.models import AuditEntry
from gateway.audit.service import record
from gateway.proxy.asgi import WRITES, client_address, header, is_api, principal_in
from shared.logging import current_request_id

log = logging.getLogger("govinspect.gateway.audit")


# Refusals are kept for reads too: they are how probing and brute force show up in the log.
REFUSALS = frozenset({401, 403, 429})
ANONYMOUS = "anonymous"


class AuditMiddleware:
    """Record who wrote (or was refused) what, when, from where, with which request id and outcome.

    The entry is written when the answer's status is known and before it is sent, so no caller
    ever sees a write succeed that the log does not hold.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = principal_in(scope) if is_api(scope) else None
        if principal is None:
            await self.app(scope, receive, send)
            return
        write = scope["method"] in WRITES
        started = time.monotonic()
        recorded = False

        async def audited(message: Message) -> None:
            nonlocal recorded
            if message["type"] == "http.response.start" and not recorded:
                recorded = True
                status = int(message["status"])
                if write or status in REFUSALS:
                    replayed = any(bytes(k).lower() == b"idempotency-replayed"
                                   for k, _ in message.get("headers", []))
                    await record_entry(scope, principal.subject, principal.name,
                                       [r.value for r in principal.roles], status, replayed,
                                       started)
            await send(message)

        try:
            await self.app(scope, receive, audited)
        finally:
            if not recorded and write:  # the app failed before answering: the caller gets a 500
                await record_entry(scope, principal.subject, principal.name,
                                   [r.value for r in principal.roles], 500, False, started)


async def record_refusal(scope: Scope, status: int, claimed: str | None) -> None:
    """Keep an entry for a request refused before it had a principal (failed authentication):
    the subject is the credential it claimed (`apikey:…`, `client:gic_…`) or `anonymous`."""
    await record_entry(scope, claimed or ANONYMOUS, "认证失败", [], status, False,
                       time.monotonic())


async def record_entry(scope: Scope, subject: str, name: str, roles: list[str], status: int,
                       replayed: bool, started: float) -> None:
    """Write one audit entry for the request in `scope`; a broken store is logged, not raised."""
    state = scope["app"].state
    entry = AuditEntry(
        at=state.clock.now(), subject=subject[:200], name=name[:200], roles=roles,
        method=scope["method"], path=str(scope["path"])[:2048],
        query=bytes(scope.get("query_string", b"")).decode("latin-1")[:2048],
        status=status, address=client_address(scope, state.trusted_proxies),
        request_id=(current_request_id() or "")[:128],
        user_agent=(header(scope, "user-agent") or "")[:300],
        idempotency_key=(header(scope, "idempotency-key") or "")[:255] or None,
        replayed=replayed, duration_ms=round((time.monotonic() - started) * 1000, 1))
    try:
        await record(state.sessionmaker, entry)
    except Exception:  # a broken audit store is an operator's alarm, not the caller's error
        log.exception("could not write the audit entry of %s %s", scope["method"],
                      scope["path"])
