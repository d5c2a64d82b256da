"""Processes the benchmarks start: free ports, fixture servers, service APIs under uvicorn."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A loopback port free at the time of asking."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def fixture_server(module: str, port: int, ready_path: str) -> Iterator[None]:
    """Run `python -m <module> --serve <port>` until the block ends, once `ready_path` answers."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", module, "--serve", str(port)],
                              env=env, start_new_session=True)
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}{ready_path}", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield
    finally:
        server.terminate()  # the server started above, and nothing else
        server.wait(10)


async def serve_app(env: dict[str, str], app: str, port: int) -> asyncio.subprocess.Process:
    """Start `uvicorn <app> --factory` on loopback and return once its /healthz answers."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--log-level", "warning",
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    async with httpx.AsyncClient() as c:
        for _ in range(300):
            try:
                if (await c.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return proc
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{app} did not start")
