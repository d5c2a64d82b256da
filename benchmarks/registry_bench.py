"""Registry figures: p50/p99 latency of reads and writes at fixed concurrency, import rows/s.

The registry runs as a real uvicorn process on loopback; load comes from this process over
HTTP with a fixed number of concurrent clients and a bounded number of requests.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from benchmarks.procs import free_port, serve_app
from benchmarks.table import Row
from shared.principal import PRINCIPAL_HEADER, Principal, Role, sign_principal

SECRET = "bench-secret"
CONCURRENCY = 16



def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


async def _start(env: dict[str, str], port: int) -> asyncio.subprocess.Process:
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.registry.migrate", env=env)
    if await migrate.wait() != 0:
        raise RuntimeError("migration failed")
    return await serve_app(env, "services.registry.main:create_app", port)


async def _measure(n: int, call: Callable[[int], Awaitable[httpx.Response]]) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(n))

    async def client() -> None:
        nonlocal errors
        for i in counter:
            t = time.perf_counter()
            r = await call(i)
            latencies.append((time.perf_counter() - t) * 1000)
            if r.status_code >= 400:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return {"n": n, "p50": q[49], "p99": q[98], "rps": n / elapsed, "errors": errors}


def _site_rows(n: int, offset: int = 0) -> str:
    lines = ["site_code,name,organisation_name,organisation_region_code,kind,domains,home_url,status"]
    for i in range(offset, offset + n):
        lines.append(f"370102{i % 10000:04d},批量网站{i},基准单位{i % 500},370102,department,"
                     f"s{i}.bench.gov.cn,https://s{i}.bench.gov.cn/,running")
    return "\n".join(lines) + "\n"


def _org_rows(n: int) -> str:
    lines = ["name,kind,region_code"]
    lines += [f"基准单位{i},county_department,370102" for i in range(n)]
    return "\n".join(lines) + "\n"


async def _bench_backend(label: str, env: dict[str, str], quick: bool) -> list[Row]:
    port = free_port()
    proc = await _start(env, port)
    headers = {PRINCIPAL_HEADER: sign_principal(
        Principal(subject="bench", roles=[Role.administrator], all_regions=True), SECRET)}
    out: list[Row] = []
    try:
        limits = httpx.Limits(max_connections=CONCURRENCY * 2)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers,
                                     limits=limits, timeout=120) as c:
            for code, name, parent in (("370100", "济南市", "370000"),
                                       ("370102", "历下区", "370100")):
                await c.post("/regions", json={"code": code, "name": name, "parent_code": parent})
            r = await c.post("/organisations/import", params={"format": "csv"},
                             content=_org_rows(500).encode())
            r.raise_for_status()

            rows = 2_000 if quick else 10_000
            t = time.perf_counter()
            r = await c.post("/websites/import", params={"format": "csv"},
                             content=_site_rows(rows).encode())
            took = time.perf_counter() - t
            r.raise_for_status()
            out.append(Row(f"registry {label} bulk import (CSV, one request)", f"{rows / took:,.0f}",
                           "rows/s", f"{rows} rows in {took:.2f} s"))
            t = time.perf_counter()
            r = await c.post("/websites/import", params={"format": "csv"},
                             content=_site_rows(rows).encode())
            took = time.perf_counter() - t
            out.append(Row(f"registry {label} re-import unchanged", f"{rows / took:,.0f}", "rows/s"))

            ids = [w["id"] for w in (await c.get("/websites", params={"limit": 1000})).json()["items"]]
            n = 500 if quick else 2_000
            reads = await _measure(n, lambda i: c.get(f"/websites/{ids[i % len(ids)]}"))
            lists = await _measure(n // 4, lambda i: c.get(
                "/websites", params={"limit": 50, "offset": (i * 50) % rows, "region": "370100"}))
            org = (await c.get("/organisations", params={"limit": 1})).json()["items"][0]["id"]

            def register(i: int) -> Awaitable[httpx.Response]:
                code = f"370100{i:04d}"  # city-level codes: distinct from the imported ones
                d = f"w{i}-{uuid.uuid4().hex[:6]}.bench.gov.cn"
                return c.post("/websites", json={
                    "site_code": code, "name": f"写入基准{i}", "organisation_id": org,
                    "kind": "department", "domains": [d], "home_url": f"https://{d}/",
                    "status": "running"})

            writes = await _measure(n // 4, register)
            for name, m in (("GET /websites/{id}", reads), ("GET /websites (page of 50)", lists),
                            ("POST /websites (register)", writes)):
                out.append(Row(f"registry {label} {name} p50", f"{m['p50']:.1f}", "ms",
                               f"p99 {m['p99']:.1f} ms, {m['rps']:,.0f} req/s ({int(m['n'])} requests, "
                               f"{CONCURRENCY} concurrent, {int(m['errors'])} errors)"))
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 10)
    return out


async def run(quick: bool = False, postgres_dsn: str | None = None) -> list[Row]:
    """Benchmark the registry on SQLite and, if reachable, PostgreSQL; print and return a table."""
    rows: list[Row] = []
    base_env = {**os.environ, "PRINCIPAL_SECRET": SECRET, "REDIS_URL": "redis://127.0.0.1:6379/0"}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**base_env, "GOVINSPECT_VAR_DIR": tmp,
               "DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'registry.db'}"}
        rows += await _bench_backend("SQLite", env, quick)
    if postgres_dsn:
        name = f"govinspect_bench_{uuid.uuid4().hex[:8]}"
        admin: Any = await asyncpg.connect(postgres_dsn)
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = postgres_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
            with tempfile.TemporaryDirectory() as tmp:
                env = {**base_env, "GOVINSPECT_VAR_DIR": tmp, "DATABASE_URL": f"{url}/{name}"}
                rows += await _bench_backend("PostgreSQL", env, quick)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    width = max(len(r.name) for r in rows)
    print(f"registry benchmark on {_machine()}")
    for r in rows:
        print(f"  {r.name:<{width}}  {r.figure} {r.unit}  {r.notes}")
    return rows
