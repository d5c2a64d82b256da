"""The gateway's upstream connections over real TCP: kept alive and reused, never more in use
than GATEWAY_MAX_CONNECTIONS, and a request that cannot get one in time answers as a pool timeout."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn

from gateway.config import GatewaySettings
from gateway.proxy.senders import UpstreamPoolTimeout, UpstreamResponse, UpstreamUnavailable
from gateway.proxy.upstream import Upstreams


class Upstream:
    """A tiny HTTP service that answers with the caller's port and can hold requests."""

    def __init__(self) -> None:
        self.peers: list[int] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.peers.append(scope["client"][1])
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self.release.wait()
        finally:
            self.in_flight -= 1
        body = str(scope["client"][1]).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


@contextlib.asynccontextmanager
async def serving(app: Upstream) -> AsyncIterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


async def _get(upstreams: Upstreams) -> UpstreamResponse:
    response = await upstreams.send("registry", "GET", "/x", [], b"")
    try:
        await response.aread()
    finally:
        await response.aclose()
    return response


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[Upstream, str]]:
    app = Upstream()
    async with serving(app) as url:
        yield app, url


async def test_connections_are_kept_and_reused(upstream: tuple[Upstream, str]) -> None:
    app, url = upstream
    upstreams = Upstreams(GatewaySettings(registry_url=url, max_connections=4))
    try:
        for _ in range(20):
            assert (await _get(upstreams)).status_code == 200
        assert len(set(app.peers)) == 1  # twenty requests one after another: one connection
        answers = await asyncio.gather(*(_get(upstreams) for _ in range(40)))
        assert {r.status_code for r in answers} == {200}
        assert len(set(app.peers)) <= 4  # never more than max_connections
    finally:
        await upstreams.aclose()


async def test_no_more_in_flight_than_max_connections_and_waiters_time_out(
        upstream: tuple[Upstream, str]) -> None:
    app, url = upstream
    upstreams = Upstreams(GatewaySettings(registry_url=url, max_connections=3,
                                          pool_timeout_s=0.2))
    app.release.clear()
    try:
        held = [asyncio.create_task(_get(upstreams)) for _ in range(3)]
        while app.in_flight < 3:
            await asyncio.sleep(0.01)
        with pytest.raises(UpstreamPoolTimeout):  # the gateway answers 503 with Retry-After
            await _get(upstreams)
        upstreams.pool_timeout_s = 60  # the next ones wait as long as the held ones take
        waiting = [asyncio.create_task(_get(upstreams)) for _ in range(5)]
        await asyncio.sleep(0.05)
        assert app.in_flight == 3
        app.release.set()
        answers = await asyncio.gather(*held, *waiting)
        assert {r.status_code for r in answers} == {200}
        assert app.most_in_flight == 3
    finally:
        await upstreams.aclose()


async def _echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answer with what arrived: raw path and query, method, body, headers; in two chunks."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    seen = {"path": scope["raw_path"].decode(), "query": scope["query_string"].decode(),
            "method": scope["method"], "body": body.decode(),
            "headers": {k.decode(): v.decode() for k, v in scope["headers"]}}
    out = json.dumps(seen, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 201,
                "headers": [(b"content-type", b"application/json"), (b"x-upstream", b"yes")]})
    await send({"type": "http.response.body", "body": out[:10], "more_body": True})
    await send({"type": "http.response.body", "body": out[10:]})


async def test_the_callers_bytes_go_upstream_unchanged_and_the_answer_comes_back_whole() -> None:
    async with serving(_echo) as url:  # type: ignore[arg-type]
        upstreams = Upstreams(GatewaySettings(registry_url=url))
        try:
            response = await upstreams.send(
                "registry", "POST", "/websites/%E5%8E%86%2Fx?name=%E5%8E%86&q=a+b",
                [(b"content-type", b"text/csv"), (b"x-request-id", b"r1")], "名称\n历下".encode())
            try:
                seen = json.loads(await response.aread())
            finally:
                await response.aclose()
        finally:
            await upstreams.aclose()
    assert response.status_code == 201
    assert (b"x-upstream", b"yes") in response.raw_headers
    assert seen["path"] == "/websites/%E5%8E%86%2Fx"  # not decoded, not re-encoded
    assert seen["query"] == "name=%E5%8E%86&q=a+b"
    assert seen["method"] == "POST" and seen["body"] == "名称\n历下"
    assert seen["headers"]["content-type"] == "text/csv" and seen["headers"]["x-request-id"] == "r1"
    # Only the caller's headers (and the transport's own framing) reach the service.
    assert set(seen["headers"]) <= {"content-type", "x-request-id", "host", "content-length"}


async def test_a_service_that_refuses_connections_is_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # released below: nothing listens there
    upstreams = Upstreams(GatewaySettings(registry_url=f"http://127.0.0.1:{port}"))
    try:
        with pytest.raises(UpstreamUnavailable):
            await upstreams.send("registry", "GET", "/x", [], b"")
        assert upstreams.slots["registry"]._value == GatewaySettings().max_connections  # freed
    finally:
        await upstreams.aclose()
