"""A lean HTTP/1.1 load generator: keep-alive connections, requests encoded once, latencies.

httpx spends about a millisecond of CPU per request; on a 2-core machine that is CPU taken
from the servers being measured. This client writes pre-encoded requests on persistent
connections and reads each answer by its Content-Length (or chunks), nothing more.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Mapping


class Client:
    """C persistent connections to one host; `run` sends n requests over them."""

    def __init__(self, port: int, headers: Mapping[str, str], connections: int) -> None:
        self.port = port
        self.connections = connections
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._conns: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    def request(self, target: str, method: str = "GET", body: bytes | None = None) -> bytes:
        """A request for a path and query, encoded; a body is sent as JSON."""
        head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n{self.extra}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        return (head + "\r\n").encode() + (body or b"")

    async def __aenter__(self) -> Client:
        for _ in range(self.connections):
            self._conns.append(await self._open())
        return self

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 22)

    async def __aexit__(self, *exc: object) -> None:
        for _, writer in self._conns:
            writer.close()
        self._conns.clear()

    async def run(self, n: int, target: Callable[[int], bytes],
                  concurrency: int | None = None, rate: float | None = None) -> dict[str, float]:
        """Send n requests, `concurrency` at a time (one per connection): p50, p99 (ms),
        requests per second, errors (status >= 400).

        Without `rate` each client sends its next request as soon as it has an answer (a closed
        loop: latency is then clients / throughput, whatever the server). With `rate` (requests
        per second from all clients together) each client keeps to its own schedule, like people
        who pause between clicks; a late answer delays only that client's next request."""
        latencies: list[float] = []
        errors = 0
        counter = iter(range(n))
        clients = min(concurrency or len(self._conns), len(self._conns))
        interval = clients / rate if rate else 0.0

        async def one(slot: int) -> None:
            nonlocal errors
            reader, writer = self._conns[slot]
            due = time.perf_counter() + interval * slot / clients  # spread the first requests
            for i in counter:
                if interval:
                    wait = due - time.perf_counter()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    due = max(due + interval, time.perf_counter())
                data = target(i)
                t = time.perf_counter()
                writer.write(data)
                try:
                    status = await _read_response(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    # The server closed an idle keep-alive connection before reading the request: the
                    # same request again on a new one.
                    writer.close()
                    reader, writer = self._conns[slot] = await self._open()
                    t = time.perf_counter()
                    writer.write(data)
                    status = await _read_response(reader)
                latencies.append((time.perf_counter() - t) * 1000)
                errors += status >= 400

        started = time.perf_counter()
        await asyncio.gather(*(one(slot) for slot in range(clients)))
        elapsed = time.perf_counter() - started
        q = statistics.quantiles(latencies, n=100)
        return {"n": n, "p50": q[49], "p99": q[98], "rps": n / elapsed, "errors": errors,
                "clients": clients}


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, chunked = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status
