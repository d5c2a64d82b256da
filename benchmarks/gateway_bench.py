"""Gateway overhead: p50/p99 of the same reads through the gateway and directly to the registry.

The registry and the gateway run as real uvicorn processes on loopback (on PostgreSQL, a
database of their own, when --postgres reaches one; else SQLite under a temporary var
directory); load comes from this process over HTTP with a fixed number of concurrent clients.
Direct calls carry a signed principal header, gateway calls the bootstrap API key, so the
difference is what a user pays for the door: key lookup, rate limit, signing, the extra hop.
Latency on a shared machine measures the neighbours as much as the code, so each row also
gives the CPU time the gateway process (and the registry) spent per request, read from /proc.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from benchmarks.procs import free_port, serve_app
from benchmarks.registry_bench import (
    CONCURRENCY,
    SECRET,
    _machine,
    _measure,
    _org_rows,
    _site_rows,
)
from shared.principal import PRINCIPAL_HEADER, Principal, Role, sign_principal


async def _run(env: dict[str, str], *args: str) -> None:
    proc = await asyncio.create_subprocess_exec(sys.executable, *args, env=env,
                                                stdout=asyncio.subprocess.DEVNULL)
    if await proc.wait() != 0:
        raise RuntimeError(f"{' '.join(args)} failed")


async def _stop(procs: Sequence[asyncio.subprocess.Process]) -> None:
    for proc in procs:
        if proc.returncode is None:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 10)


Headline = tuple[str, str, str, str]  # (name, figure, unit, notes), as benchmarks.table.Row


def _row(name: str, m: dict[str, float]) -> Headline:
    return (f"{name} p50", f"{m['p50']:.1f}", "ms",
            f"p99 {m['p99']:.1f} ms, {m['rps']:,.0f} req/s ({int(m['n'])} requests, "
            f"{CONCURRENCY} concurrent, {int(m['errors'])} errors); CPU per request: gateway "
            f"{m['cpu_gateway']:.2f} ms, registry {m['cpu_registry']:.2f} ms")


def _overhead(name: str, direct: dict[str, float], gateway: dict[str, float]) -> Headline:
    return (f"gateway overhead {name} p50", f"{gateway['p50'] - direct['p50']:+.1f}", "ms",
            f"×{gateway['p50'] / direct['p50']:.2f} of direct; p99 "
            f"{gateway['p99'] - direct['p99']:+.1f} ms (×{gateway['p99'] / direct['p99']:.2f}); "
            f"gateway CPU {gateway['cpu_gateway']:.2f} ms per request")


def _cpu_s(pid: int) -> float:
    """User plus system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.asynccontextmanager
async def _database(postgres_dsn: str | None) -> AsyncIterator[tuple[str, str | None]]:
    """A fresh PostgreSQL database for the run (its SQLAlchemy URL), or SQLite (None)."""
    if not postgres_dsn:
        yield "SQLite", None
        return
    name = f"govinspect_gwbench_{uuid.uuid4().hex[:8]}"
    admin: Any = await asyncpg.connect(postgres_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = postgres_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        yield "PostgreSQL", f"{url}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def run(quick: bool = False, postgres_dsn: str | None = None) -> list[Headline]:
    """Start the registry and the gateway, load both the same way; print and return latencies
    and the overhead."""
    rows: list[Headline] = []
    async with _database(postgres_dsn) as (backend, database_url), \
            _tempdir() as tmp:
        registry_port, gateway_port = free_port(), free_port()
        # Without DATABASE_URL each service keeps its own SQLite file under the var directory.
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        if database_url:
            env["DATABASE_URL"] = database_url
        env.update({
            "PRINCIPAL_SECRET": SECRET, "GOVINSPECT_VAR_DIR": tmp,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "GATEWAY_REGISTRY_URL": f"http://127.0.0.1:{registry_port}",
            # The benchmark measures the door, not the limiter's refusals.
            "GATEWAY_RATE_LIMITS": json.dumps({r.value: 10_000_000 for r in Role})})
        await _run(env, "-m", "services.registry.migrate")
        await _run(env, "-m", "gateway.migrate")
        await _run(env, "-m", "gateway.bootstrap", "--json")
        key = (Path(tmp) / "admin.key").read_text().strip()
        procs = [await serve_app(env, "services.registry.main:create_app", registry_port)]
        try:
            procs.append(await serve_app(env, "gateway.main:create_app", gateway_port))
            rows = await _load(registry_port, gateway_port, key, quick,
                               {"gateway": procs[1].pid, "registry": procs[0].pid})
        finally:
            await _stop(procs)
    width = max(len(r[0]) for r in rows)
    print(f"gateway benchmark on {_machine()} ({backend})")
    for name, figure, unit, notes in rows:
        print(f"  {name:<{width}}  {figure:>7} {unit:<3} {notes}")
    return rows


@contextlib.asynccontextmanager
async def _tempdir() -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        yield tmp


async def _timed(count: int, call: Callable[[int], Awaitable[httpx.Response]],
                 pids: dict[str, int]) -> dict[str, float]:
    """Measure a load and the CPU milliseconds per request each process spent on it."""
    before = {name: _cpu_s(pid) for name, pid in pids.items()}
    m = await _measure(count, call)
    for name, pid in pids.items():
        m[f"cpu_{name}"] = (_cpu_s(pid) - before[name]) * 1000 / count
    return m


async def _load(registry_port: int, gateway_port: int, key: str,
                quick: bool, pids: dict[str, int]) -> list[Headline]:
    principal = {PRINCIPAL_HEADER: sign_principal(
        Principal(subject="bench", roles=[Role.administrator], all_regions=True), SECRET)}
    limits = httpx.Limits(max_connections=CONCURRENCY * 2)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{registry_port}", headers=principal,
                                 limits=limits, timeout=120) as direct, \
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway_port}/api/v1", limits=limits,
                              headers={"Authorization": f"Bearer {key}"}, timeout=120) as gw:
        for code, name, parent in (("370100", "济南市", "370000"), ("370102", "历下区", "370100")):
            await direct.post("/regions", json={"code": code, "name": name, "parent_code": parent})
        (await direct.post("/organisations/import", params={"format": "csv"},
                           content=_org_rows(500).encode())).raise_for_status()
        sites = 1_000 if quick else 5_000
        (await direct.post("/websites/import", params={"format": "csv"},
                           content=_site_rows(sites).encode())).raise_for_status()
        ids = [w["id"] for w in (await direct.get("/websites", params={"limit": 1000})).json()["items"]]

        n = 400 if quick else 2_000

        def one(c: httpx.AsyncClient) -> Callable[[int], Awaitable[httpx.Response]]:
            return lambda i: c.get(f"/websites/{ids[i % len(ids)]}")

        def page(c: httpx.AsyncClient) -> Callable[[int], Awaitable[httpx.Response]]:
            return lambda i: c.get("/websites", params={"limit": 50, "offset": (i * 50) % sites,
                                                         "region": "370100"})

        out: list[Headline] = []
        for name, make, count in (("GET /websites/{id}", one, n),
                                  ("GET /websites (page of 50)", page, n // 4)):
            await _measure(CONCURRENCY * 2, make(direct))  # warm both paths' connections
            await _measure(CONCURRENCY * 2, make(gw))
            d = await _timed(count, make(direct), pids)
            g = await _timed(count, make(gw), pids)
            out += [_row(f"registry direct {name}", d), _row(f"via gateway {name}", g),
                    _overhead(name, d, g)]
        return out
