"""One circular build in a process of its own: its wall time, its own peak RSS and a digest of its output.

`national_data` runs it twice on the national database: the paged build the service uses
(`results_in(index=…)`: problems reduced page by page) and the list-based one it replaced (every
problem row loaded, then `compute()`), each in a fresh spawned process so the peak resident set
is the build's own and not the data generator's. Equal digests of the computed data (every
figure, group, unit, detail and row the renderers print) show the output did not change.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import multiprocessing
import resource
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any


@dataclass
class Build:
    """What one build measured."""

    paged: bool
    seconds: float
    peak_rss_mb: float
    rows: int
    problems_named: int  # units named under the problem groups
    digest: str


async def _build(url: str, secret: str, code: str, label: str, names: dict[str, str],
                 period: tuple[date, date], paged: bool) -> Build:
    from services.reporting.circular.accumulate import ProblemIndex
    from services.reporting.circular.compute import ComputeInput, compute
    from services.reporting.circular.service import default_title
    from services.reporting.circular.sources import results_in
    from services.reporting.common.context import Ctx
    from services.reporting.common.outbox import OutboxDelivery, OutboxEvent
    from services.reporting.config import ReportingSettings
    from shared.clock import SystemClock
    from shared.db import make_engine, make_sessionmaker
    from shared.events import Outbox
    from shared.principal import Principal, Role

    settings = ReportingSettings(database_url=url, principal_secret=secret)
    engine = make_engine(url, settings.db_schema)
    clock = SystemClock()
    admin = Principal(subject="national-admin", roles=[Role.administrator], all_regions=True)
    try:
        t = time.perf_counter()
        async with make_sessionmaker(engine)() as session:
            ctx = Ctx(session=session, token="", clock=clock, settings=settings, principal=admin,
                      outbox=Outbox("reporting", OutboxEvent, OutboxDelivery, {}, clock))
            index = ProblemIndex() if paged else None
            loaded = await results_in(ctx, code, *period, index=index)
        data, _ = compute(ComputeInput(
            title=default_title(*period, label), period_start=period[0], period_end=period[1],
            region_code=code, region_name=label, issuing_office="国务院办公厅", results=loaded,
            region_names=names, deadline_text="务必于通报印发之日起15个工作日内完成整改及复核",
            index=index))
        seconds = time.perf_counter() - t
        digest = hashlib.sha256(data.model_dump_json().encode()).hexdigest()
        named = sum(len(g.units) for g in (*data.vetoes, *data.problems))
        return Build(paged, seconds, peak_rss_mb(), len(data.rows), named, digest)
    finally:
        await engine.dispose()


def peak_rss_mb() -> float:
    """This process's own peak resident set (VmHWM; getrusage's ru_maxrss survives fork and exec,
    so a spawned child would report its parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(*args: Any) -> Build:
    return asyncio.run(_build(*args))


def build_in_own_process(url: str, secret: str, code: str, label: str, names: dict[str, str],
                         period: tuple[date, date], paged: bool) -> Build:
    """Run one build in a freshly spawned interpreter and return what it measured."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_child, url, secret, code, label, names, period, paged).result()
