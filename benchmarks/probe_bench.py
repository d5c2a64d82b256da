"""Availability probes per second: a real checker worker (arq, burst) working through probe jobs.

N monitored sites, each its own host (mapped to one loopback server, like curl --resolve), get
one `checker.probe_site` job each on the probe queue. The probe worker (default concurrency, and
16) loads each home page once — a 30 KB page, answered at once — and stores the sample, as in
production. The figure is the worker's rate between its first and last stored sample; the CPU
figure is the worker process's CPU time per probe, which is what a real site's slower answer
does not change (a probe mostly waits on the network).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.procs import fixture_server, free_port
from benchmarks.table import Row

SITES = 1_000
QUICK_SITES = 100
PAGE = ("<!doctype html><html><head><meta charset='utf-8'><title>某市人民政府门户网站</title></head><body>"
        + "<p>政务公开 政务服务 互动交流</p>" * 1200 + "</body></html>").encode()


async def _serve(port: int) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    break
                body = b"" if head.startswith(b"HEAD") else PAGE
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(PAGE) + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()



async def _measure(sites: int, concurrency: int, port: int, redis_url: str, tmp: Path) -> dict[str, Any]:
    from sqlalchemy import delete, func, select
    from sqlmodel import col

    from services.checker.config import CheckerSettings
    from services.checker.migrate import migrate
    from services.checker.probe.models import MonitoredSite, ProbeSample
    from services.checker.probe.service import PROBE_JOB, PROBE_QUEUE
    from services.checker.probe_worker import build_probe_worker
    from shared.db import make_engine, make_sessionmaker
    from shared.queue import connect

    hosts = [f"www.p{i}.probe.gov.cn" for i in range(sites)]
    settings = CheckerSettings(
        database_url=f"sqlite+aiosqlite:///{tmp / f'probe-{concurrency}.db'}", principal_secret="bench",
        redis_url=redis_url, registry_url="http://127.0.0.1:9", evidence_dir=tmp / "evidence",
        allow_private_addresses=True, host_map=dict.fromkeys(hosts, f"127.0.0.1:{port}"),
        probe_concurrency=concurrency, use_browser=False)
    await asyncio.to_thread(migrate, settings)
    engine = make_engine(settings.resolved_database_url(), None)
    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in hosts]
    async with make_sessionmaker(engine)() as s:
        s.add_all([MonitoredSite(website_id=i, site_code=f"{n:010d}", home_url=f"http://{h}/",
                                 status="running", next_probe_at=None, updated_at=now)
                   for n, (i, h) in enumerate(zip(ids, hosts, strict=True))])
        await s.commit()
    redis = await connect(redis_url)
    try:
        await redis.delete(PROBE_QUEUE)
        for i in ids:
            await redis.enqueue_job(PROBE_JOB, str(i), _queue_name=PROBE_QUEUE, _job_id=f"probe-bench:{i}")
        worker = build_probe_worker(settings, burst=True, handle_signals=False)
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            await worker.main()
        finally:
            await worker.close()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await redis.aclose()
    async with make_sessionmaker(engine)() as s:
        first, last, n, ok = (await s.execute(select(
            func.min(ProbeSample.probed_at), func.max(ProbeSample.probed_at), func.count(),
            func.count().filter(col(ProbeSample.ok).is_(True))))).one()
        failures: dict[str, int] = {str(k): n for k, n in (await s.execute(
            select(col(ProbeSample.failure), func.count()).where(col(ProbeSample.failure).is_not(None))
            .group_by(col(ProbeSample.failure)))).all()}
        await s.execute(delete(ProbeSample))
        await s.commit()
    await engine.dispose()
    span = (last - first).total_seconds() if n and n > 1 else wall
    return {"n": n, "ok": int(ok or 0), "rate": (n - 1) / span if span else 0.0, "wall": wall,
            "cpu_per_probe_ms": cpu / max(n, 1) * 1000, "concurrency": concurrency,
            "failures": failures}


def run(quick: bool = False, redis_url: str = "redis://127.0.0.1:6379/12") -> list[Row]:
    """Probe rates at concurrency 4 and at the probe worker's default (16); print and return them."""
    from services.checker.config import CheckerSettings

    sites = QUICK_SITES if quick else SITES
    port = free_port()
    rows: list[Row] = []
    with fixture_server("benchmarks.probe_bench", port, "/"):
        default = CheckerSettings.model_fields["probe_concurrency"].default
        with tempfile.TemporaryDirectory(prefix="probe-bench-") as tmp:
            for concurrency in sorted({4, default}):
                m = asyncio.run(_measure(sites, concurrency, port, redis_url, Path(tmp)))
                print(f"probe benchmark: {m['n']:,} probes ({m['ok']:,} ok) at worker concurrency "
                      f"{concurrency}: {m['rate']:,.0f} probes/s, {m['cpu_per_probe_ms']:.1f} ms CPU per "
                      f"probe, {m['wall']:.1f} s wall with worker start; failures {m['failures'] or 'none'}")
                rows.append(Row(f"probes per second (one worker, concurrency {concurrency})",
                                f"{m['rate']:,.0f}", "probes/s",
                                f"{m['cpu_per_probe_ms']:.1f} ms worker CPU per probe; {m['n']:,} sites "
                                "on a loopback server answering at once; SQLite; arq takes at most "
                                "`concurrency` jobs per 0.2 s poll"))
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        asyncio.run(_serve(int(sys.argv[2])))
    else:
        run(quick="--quick" in sys.argv)
