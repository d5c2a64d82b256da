"""The demo government site and feed that `make run` serves on loopback for a first inspection.

The pages live in `www/` with a few planted problems: a typo (按步就班), a resident ID number
that passes the GB 11643 check digit, a broken link, a 政策文件 column last updated 230 days
ago, and an account feed (`/feed.xml`) with the same typo. Dates are written `{{date:N}}` (N
days before today, Asia/Shanghai) so the fresh columns stay fresh on any day.

The site answers only for its own host name on an address of its own (`ADDRESS`, a loopback
address nothing else of the suite listens on): the checker reaches it through its host map
(`CHECKER_HOST_MAP`, host → address:port) and lets exactly that address through its SSRF guard
(`CHECKER_ALLOWED_NETWORKS`), with the guard on for everything else.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cli.demo import HOST  # what `govinspect demo` files in the registry

ADDRESS = "127.77.0.1"  # on Linux every 127/8 address is loopback; the suite's APIs use 127.0.0.1
FEED_PATH = "/feed.xml"
WWW = Path(__file__).resolve().parent / "www"
SHANGHAI = ZoneInfo("Asia/Shanghai")
_TOKEN = re.compile(r"\{\{(date|rfc822):(\d+)\}\}")
_HEAD = re.compile(r"<!--\s*(title|meta):\s*(.*?)\s*-->\s*", re.S)


def _dated(text: str, today: datetime) -> str:
    def replace(m: re.Match[str]) -> str:
        day = today - timedelta(days=int(m.group(2)))
        return day.strftime("%Y-%m-%d") if m.group(1) == "date" else format_datetime(day)
    return _TOKEN.sub(replace, text)


def page(path: str, today: datetime | None = None) -> tuple[bytes, str] | None:
    """Return the body and content type served at `path`, or None for a missing page."""
    today = today or datetime.now(SHANGHAI).replace(hour=9, minute=0, second=0, microsecond=0)
    rel = path.split("?", 1)[0].lstrip("/")
    rel = rel + "index.html" if rel == "" or rel.endswith("/") else rel
    file = (WWW / rel).resolve()
    if WWW not in file.parents or not file.is_file() or file.name.startswith("_"):
        return None
    text = file.read_text(encoding="utf-8")
    if file.suffix == ".xml":
        return _dated(text, today).encode(), "application/rss+xml; charset=utf-8"
    head = {m.group(1): m.group(2) for m in _HEAD.finditer(text)}
    layout = (WWW / "_layout.html").read_text(encoding="utf-8")
    html = (layout.replace("{{title}}", head.get("title", ""))
            .replace("{{meta}}", head.get("meta", "")).replace("{{body}}", _HEAD.sub("", text)))
    return _dated(html, today).encode(), "text/html; charset=utf-8"


class DemoSite:
    """The demo site on `ADDRESS` (a free port unless given), served from a thread."""

    def __init__(self, address: str = ADDRESS, port: int = 0) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def _answer(self, head: bool) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                found = page(self.path) if host == HOST else None
                body, ctype = found or ("<html><body>页面不存在</body></html>".encode(),
                                        "text/html; charset=utf-8")
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer(head=False)

            def do_HEAD(self) -> None:
                self._answer(head=True)

        self._server = ThreadingHTTPServer((address, port), Handler)
        self._server.daemon_threads = True
        self.address = address
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="demo-site")

    def __enter__(self) -> DemoSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def host_map(self) -> dict[str, str]:
        """The checker's host map entry for the demo site."""
        return {HOST: f"{self.address}:{self.port}"}

    def allowed_networks(self) -> list[str]:
        """The one address the checker's SSRF guard lets through for the demo site."""
        return [f"{self.address}/32"]
