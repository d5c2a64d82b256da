"""Seconds per site: one whole website inspection, as a checker worker does it, at production settings.

The generated 1,000-page site (benchmarks/sitegen.py) is served on loopback; the checker's own
Inspector (Chromium rendering, crawl capped at `max_pages`, link checks, search and IPv6
checks, the national_2019 rules, evidence screenshots) inspects it once with the production
fetch settings — at most 4 requests at a time and 5 request starts per second to each host —
so the wall time is what politeness makes it, and the CPU time (this process plus Chromium)
is what the machine pays. This is the per-site cost behind deploy/README.md's worker estimate.
"""

from __future__ import annotations

import asyncio
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import checker_bench, sitegen
from benchmarks.procs import free_port
from benchmarks.table import Row


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


async def _inspect(port: int, tmp: Path, redis_url: str) -> dict[str, Any]:
    from benchmarks.inspecting import BenchRun, bench_portal, registry
    from services.checker.config import CheckerSettings
    from services.checker.inspect.pipeline import Inspector
    from services.checker.migrate import migrate
    from services.checker.profile.loader import national_profile
    from shared.db import make_engine, make_sessionmaker
    from shared.queue import connect

    settings = CheckerSettings(
        database_url=f"sqlite+aiosqlite:///{tmp / 'checker.db'}", principal_secret="bench",
        redis_url=redis_url, registry_url="http://127.0.0.1:9", evidence_dir=tmp / "evidence",
        allow_private_addresses=True, host_map={h: f"127.0.0.1:{port}" for h in sitegen.HOSTS})
    await asyncio.to_thread(migrate, settings)
    engine = make_engine(settings.resolved_database_url(), None)
    redis = await connect(redis_url)
    cpu, wall = _cpu(), time.perf_counter()
    # The registry's list of filed domains (for the unregistered-sites check) is this one site.
    inspector = await Inspector.open(settings, make_sessionmaker(engine), redis, registry([sitegen.SITE]))
    run = BenchRun(national_profile(), datetime.now(UTC))
    try:
        started = time.perf_counter()
        outcome = await inspector.inspect(bench_portal(), run)
        inspect_s = time.perf_counter() - started
    finally:
        await inspector.aclose()
        await redis.delete(f"govinspect:linkcheck:{run.id}")
        await redis.aclose()
        await engine.dispose()
    return {"seconds": inspect_s, "with_start": time.perf_counter() - wall, "cpu": _cpu() - cpu,
            "pages": outcome.pages_fetched, "links": outcome.links_checked,
            "findings": len(outcome.findings), "max_pages": settings.max_pages}


def run(quick: bool = False, redis_url: str = "redis://127.0.0.1:6379/12") -> list[Row]:
    """Inspect the generated site once; print and return seconds and CPU seconds per site."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    with tempfile.TemporaryDirectory(prefix="site-bench-") as tmp:
        work = Path(tmp)
        sitegen.generate(work / "site")
        port = free_port()
        server = checker_bench._start_server(work / "site", port, env)
        try:
            m = asyncio.run(_inspect(port, work, redis_url))
        finally:
            os.killpg(server.pid, 15)  # the server's own group, started above
            server.wait(10)
    print(f"site inspection benchmark: {m['pages']} pages (max_pages {m['max_pages']}), {m['links']:,} links "
          f"checked, {m['findings']} findings in {m['seconds']:.1f} s wall ({m['with_start']:.1f} s with "
          f"Chromium start), {m['cpu']:.1f} s CPU (worker + Chromium)")
    note = (f"{m['pages']} pages (max_pages {m['max_pages']}), {m['links']:,} links, "
            f"{m['findings']} findings; "
            "production politeness: 4 at a time, 5 starts/s per host; 1,000-page generated site on loopback")
    return [Row("checker: one site inspected (wall)", f"{m['seconds']:.1f}", "s/site", note),
            Row("checker: one site inspected (CPU, worker + Chromium)", f"{m['cpu']:.1f}", "CPU s/site",
                "the machine's cost per site; the wall time above is mostly waiting on politeness")]


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
