"""The gateway as the tool sees it: one authenticated httpx client and problem+json failures."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_KEY_FILE = "admin.key"  # in GOVINSPECT_VAR_DIR, else ./var, as `make run` writes it
RETRIES = 3  # a GET answered 429/503 with Retry-After is asked again this many times
MAX_RETRY_AFTER_S = 60.0  # longer waits are reported to the user instead


class CliError(Exception):
    """A failure to report to the user in Chinese, with the exit code to leave with."""

    def __init__(self, message: str, problem: dict[str, Any] | None = None, code: int = 1) -> None:
        super().__init__(message)
        self.message, self.problem, self.code = message, problem, code


def resolve_key(key: str | None) -> str | None:
    """The API key: --key, else GOVINSPECT_API_KEY, else the administrator key `make run` wrote
    (`$GOVINSPECT_VAR_DIR/admin.key`, by default ./var/admin.key) if it exists."""
    if key:
        return key
    if os.environ.get("GOVINSPECT_API_KEY"):
        return os.environ["GOVINSPECT_API_KEY"]
    try:
        var = Path(os.environ.get("GOVINSPECT_VAR_DIR") or "var")
        return (var / DEFAULT_KEY_FILE).read_text().strip() or None
    except OSError:
        return None


def resolve_url(url: str | None) -> str:
    """The gateway's base URL: --url, else GOVINSPECT_URL, else http://127.0.0.1:8000."""
    return (url or os.environ.get("GOVINSPECT_URL") or DEFAULT_URL).rstrip("/")


def problem_of(response: httpx.Response) -> dict[str, Any]:
    """The problem+json body of a failed response (or one made up from its status and text)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and ("title" in body or "detail" in body):
        return body
    return {"status": response.status_code, "title": f"HTTP {response.status_code}",
            "detail": response.text[:500]}


class Gateway:
    """An async client of the gateway; `transport` lets tests mount the gateway in-process."""

    def __init__(self, url: str, key: str | None,
                 transport: httpx.AsyncBaseTransport | None = None, timeout: float = 300) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.http = httpx.AsyncClient(base_url=url, headers=headers, transport=transport,
                                      timeout=timeout)
        self.url = url

    async def __aenter__(self) -> Gateway:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def request(self, method: str, path: str, *, ok: tuple[int, ...] = (),
                      **kwargs: Any) -> httpx.Response:
        """Send a request; raise CliError with the problem on a 4xx/5xx not listed in `ok`."""
        for attempt in range(RETRIES + 1):
            try:
                response = await self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                raise CliError(f"无法连接网关 {self.url}：{type(exc).__name__} {exc}".rstrip(),
                               code=3) from exc
            wait = _retry_after(response)
            # A read told to come back later (rate limit, a service restarting) waits and asks
            # again; a write is never repeated behind the user's back.
            if method != "GET" or wait is None or attempt == RETRIES:
                break
            await asyncio.sleep(wait)
        if response.status_code >= 400 and response.status_code not in ok:
            problem = problem_of(response)
            raise CliError(str(problem.get("title") or "请求失败"), problem,
                           code=2 if response.status_code in (401, 403) else 1)
        return response

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request that must succeed; return its JSON body."""
        return (await self.request(method, path, **kwargs)).json()


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait before asking again, for a 429 or 503 that says when (at most a minute)."""
    if response.status_code not in (429, 503):
        return None
    try:
        wait = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return wait if 0 <= wait <= MAX_RETRY_AFTER_S else None
