"""Structured JSON logging with a request id carried across services."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER = REQUEST_ID_HEADER.lower().encode()
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None)
# The inspection run a job works for: every line it logs carries it (set per job task).
run_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("run_id", default=None)


def current_request_id() -> str | None:
    """Return the request id of the work in progress, if any."""
    return request_id_var.get()


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the service name and request id."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id_var.get()
        if rid:
            doc["request_id"] = rid
        run = run_id_var.get()
        if run:
            doc["run_id"] = run
        fields = record.__dict__
        for key in ("event_id", "job_id", "run_id", "status", "path", "method", "duration_ms"):
            if key in fields:
                doc[key] = fields[key]
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every log record to stderr as JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class RequestIdMiddleware:
    """Take X-Request-ID from the caller (or make one), log the request, echo the id back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("govinspect.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode() for k, v in scope.get("headers", ())
                         if k.lower() == _HEADER), "")  # ASGI servers send them lower-case
        rid = incoming if 0 < len(incoming) <= 128 else uuid.uuid4().hex
        token = request_id_var.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (_HEADER, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.log.isEnabledFor(logging.INFO):
                ms = (time.perf_counter() - started) * 1000
                method, path = scope.get("method"), scope.get("path")
                # makeRecord, not info(): no caller lookup (a stack walk) for a line whose
                # origin is always this one (issue 13: per-request cost of every service).
                self.log.handle(self.log.makeRecord(
                    self.log.name, logging.INFO, __file__, 0, "%s %s %s",
                    (method, path, status), None,
                    extra={"status": status, "path": path, "method": method,
                           "duration_ms": round(ms, 1)}))
            request_id_var.reset(token)
