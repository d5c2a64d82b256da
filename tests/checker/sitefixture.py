"""Fixture websites served on loopback: one server, many virtual hosts chosen by Host header.

Usage in a test:

    with SiteServer() as server:
        server.add("www.example.gov.cn", "/", "<html>…</html>")
        server.add("www.example.gov.cn", "/gone", "", status=404)
        server.add("www.example.gov.cn", "/slow", "x", delay=3.0)
        host_map = {"www.example.gov.cn": f"127.0.0.1:{server.port}"}

Every request is recorded in `server.requests` as (method, host, path), and when it arrived
(time.monotonic()) in `server.request_times`. `add_sequence` serves a path's answers in turn
(the last one from then on), e.g. a 429 with Retry-After and then the page.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Resource:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class SiteServer:
    """A threaded HTTP server on 127.0.0.1 with per-host resources."""

    def __init__(self) -> None:
        self.resources: dict[tuple[str, str], Resource] = {}
        self.requests: list[tuple[str, str, str]] = []
        self.request_times: list[float] = []
        self.sequences: dict[tuple[str, str], list[Resource]] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def _serve(self, head: bool) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                with server._lock:
                    server.requests.append((self.command, host, self.path))
                    server.request_times.append(time.monotonic())
                    queue = server.sequences.get((host, self.path))
                    res = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else None
                if res is None:
                    res = server.resources.get((host, self.path))
                if res is None:
                    res = server.resources.get((host, self.path.split("?")[0]))
                if res is None:
                    res = Resource(b"<html><body>not found</body></html>", status=404)
                if res.delay:
                    time.sleep(res.delay)
                self.send_response(res.status)
                self.send_header("Content-Type", res.content_type)
                self.send_header("Content-Length", str(len(res.body)))
                for k, v in res.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if not head:
                    self.wfile.write(res.body)

            def do_GET(self) -> None:
                self._serve(head=False)

            def do_HEAD(self) -> None:
                self._serve(head=True)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def add(self, host: str, path: str, body: str | bytes, *, status: int = 200,
            content_type: str = "text/html; charset=utf-8", headers: dict[str, str] | None = None,
            delay: float = 0.0) -> None:
        """Serve a body at host + path."""
        data = body.encode() if isinstance(body, str) else body
        self.resources[(host.lower(), path)] = Resource(data, status, content_type,
                                                        headers or {}, delay)

    def add_sequence(self, host: str, path: str, answers: list[Resource]) -> None:
        """Serve these answers to host + path one after another, repeating the last."""
        self.sequences[(host.lower(), path)] = list(answers)

    def host_map(self, *hosts: str) -> dict[str, str]:
        """Map the given hosts (default: every host served) to this server."""
        names = hosts or tuple({h for h, _ in (*self.resources, *self.sequences)})
        return {h: f"127.0.0.1:{self.port}" for h in names}

    def __enter__(self) -> SiteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
