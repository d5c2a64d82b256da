"""The common part of every service client: principal header, request id, problem errors."""

from __future__ import annotations

from typing import Any, Self

import httpx

from shared.errors import ProblemError, ServiceUnavailable
from shared.logging import REQUEST_ID_HEADER, current_request_id
from shared.principal import PRINCIPAL_HEADER


class UpstreamProblem(ProblemError):
    """A problem+json answer from another service, kept as it was sent."""

    def __init__(self, response: httpx.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = {"detail": response.text[:500]}
        super().__init__(str(body.get("detail", "")), **{
            k: v for k, v in body.items() if k not in ("type", "title", "status", "detail")})
        self.status = response.status_code
        self.slug = str(body.get("type", "upstream-error")).rsplit("/", 1)[-1]
        self.title = str(body.get("title", "上游服务错误"))


class ServiceClient:
    """An httpx client for one service, acting as a given (signed) principal."""

    def __init__(self, base_url: str, principal_token: str, *,
                 transport: httpx.AsyncBaseTransport | None = None,
                 timeout: float = 30.0) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=timeout,
                                       headers={PRINCIPAL_HEADER: principal_token},
                                       event_hooks={"request": [self._add_request_id]})
        self._owned, self._principal = True, principal_token

    @classmethod
    def over(cls, http: httpx.AsyncClient, principal_token: str) -> Self:
        """A client sending through a connection pool someone else owns (the gateway's upstream
        clients) as this principal; closing it leaves the pool open."""
        client = cls.__new__(cls)
        client._http, client._owned = http, False
        client._principal = principal_token
        return client

    @staticmethod
    async def _add_request_id(request: httpx.Request) -> None:
        rid = current_request_id()
        if rid and REQUEST_ID_HEADER not in request.headers:
            request.headers[REQUEST_ID_HEADER] = rid

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send a request; raise UpstreamProblem for any error status, 503 when it does not answer."""
        if not self._owned:  # a borrowed pool: the principal and request id go with each request
            headers = {PRINCIPAL_HEADER: self._principal, **kwargs.pop("headers", {})}
            if (rid := current_request_id()) and REQUEST_ID_HEADER not in headers:
                headers[REQUEST_ID_HEADER] = rid
            kwargs["headers"] = headers
        try:
            response = await self._http.request(method, url, **kwargs)
        except httpx.TransportError as exc:  # down, refusing, timing out: not this caller's fault
            raise ServiceUnavailable(
                f"服务 {self._http.base_url} 暂不可用（{type(exc).__name__}），请稍后重试。",
                headers={"Retry-After": "5"}) from exc
        if response.status_code >= 400:
            raise UpstreamProblem(response)
        return response

    async def aclose(self) -> None:
        """Close the connection pool (unless it is borrowed)."""
        if self._owned:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
