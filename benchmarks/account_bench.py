"""New-media accounts inspected per second: a real checker worker (arq, burst) working a run.

A run of N accounts (default 10,000) is written to a fresh SQLite checker database as
`POST /runs` would write it: one pending task per account, each with its registry snapshot and
an RSS feed on one loopback server (a separate process answering at once). One worker (no
Chromium) works through the `checker.inspect_target` jobs as in production: claim the task, read
the feed, run every account rule of the national profile on the posts (typos, personal
information, expressions, ads, …), score, write findings and the target.inspected event, finish
the task. The accounts cycle through five feeds — fresh and clean, 僵尸 (last post 30 days ago),
空壳 (no posts), a typo and a resident ID number, an advertisement — twenty posts each except
the empty one. The figure is tasks finished per second between the first and the last finish.
The feeds lie on 250 host names (all mapped to the one server) and feed polling is unlimited:
production spaces requests to one host (the fetcher: 200 ms, 4 at a time) and to one platform
(FeedPollSettings, default one a second), which bounds a real run far below this figure.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from benchmarks.procs import fixture_server, free_port
from benchmarks.table import Row

ACCOUNTS = 10_000
QUICK_ACCOUNTS = 500
HOSTS = 250  # feed hosts (platforms, provincial aggregators), all mapped to one server
POSTS = 20
NOW = datetime.now(UTC).replace(microsecond=0)
TEXTS = {
    "clean": "我区召开安全生产工作会议，部署冬季安全生产和森林防火工作，要求各部门压实责任。",
    "typo": "各部门要按步就班推进工作。申请人身份证号11010519491231002X，请核对。",
    "ad": "限时优惠！扫码购买本地特产，全场包邮。",
}


def _host(i: int) -> str:
    return f"f{i % HOSTS}.feeds.bench.gov.cn"


def _feed(i: int) -> bytes:
    """The RSS feed of account i: one of five cases by i mod 5."""
    case = ("clean", "stale", "empty", "typo", "ad")[i % 5]
    age = timedelta(days=30) if case == "stale" else timedelta(hours=6)
    text = TEXTS.get(case, TEXTS["clean"])
    items = [] if case == "empty" else [
        f"<item><guid>a{i}-p{n}</guid><title>政务信息 {n}</title>"
        f"<link>http://{_host(i)}/a/{i}/p{n}</link>"
        f"<pubDate>{format_datetime(NOW - age - timedelta(days=n))}</pubDate>"
        f"<description>{text if n == 0 else TEXTS['clean']}</description></item>"
        for n in range(POSTS)]
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>测试账号{i}</title><link>http://{_host(i)}/</link>{''.join(items)}"
            f"</channel></rss>").encode()


async def _serve(port: int) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                try:
                    body = _feed(int(path.rsplit("/", 1)[-1].removesuffix(".xml")))
                except ValueError:
                    body = b""
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(body) + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()



def _snapshot(i: int, org_id: uuid.UUID) -> dict[str, Any]:
    return {"target_type": "account", "id": str(uuid.uuid4()), "platform": "weibo",
            "platform_label": "新浪微博", "platform_account_id": f"uid{i}", "name": f"测试账号{i}",
            "url": f"http://{_host(i)}/u/{i}", "kind": "weibo", "organisation_id": str(org_id),
            "organisation_name": "某区人民政府办公室", "region_code": "370102", "status": "running",
            "compliance_flags": [], "siblings": [],
            "feed": {"kind": "rss", "url": f"http://{_host(i)}/a/{i}.xml"}}


async def _measure(accounts: int, concurrency: int, port: int, redis_url: str,
                   tmp: Path) -> dict[str, Any]:
    from sqlalchemy import func, select
    from sqlmodel import col

    from benchmarks.inspecting import registry
    from services.checker.config import CheckerSettings, FeedPollSettings
    from services.checker.finding.models import Finding
    from services.checker.migrate import migrate
    from services.checker.profile.loader import national_profile
    from services.checker.run.models import Run, Task
    from services.checker.run.service import INSPECT_JOB, QUEUE
    from services.checker.worker import build_worker
    from shared.db import make_engine, make_sessionmaker
    from shared.queue import connect

    settings = CheckerSettings(
        database_url=f"sqlite+aiosqlite:///{tmp / f'accounts-{concurrency}.db'}",
        principal_secret="bench", redis_url=redis_url, registry_url="http://127.0.0.1:9",
        evidence_dir=tmp / "evidence", allow_private_addresses=True,
        host_map={_host(i): f"127.0.0.1:{port}" for i in range(HOSTS)},
        worker_concurrency=concurrency, use_browser=False, feed_polling=FeedPollSettings(default_rate=0))
    await asyncio.to_thread(migrate, settings)
    engine = make_engine(settings.resolved_database_url(), None)
    org_id = uuid.uuid4()
    snapshots = [_snapshot(i, org_id) for i in range(accounts)]
    run = Run(name="政务新媒体基准", status="queued", profile_name="national_2019",
              profile=national_profile(), scope={"regions": ["370102"], "target_types": ["account"]},
              owner={"subject": "bench"}, as_of=NOW, targets_total=accounts, created_at=NOW)
    tasks = [Task(run_id=run.id, target_id=uuid.UUID(t["id"]), target_type="account", target=t,
                  region_code="370102", organisation_id=org_id) for t in snapshots]
    async with make_sessionmaker(engine)() as s:
        s.add(run)
        await s.flush()
        s.add_all(tasks)
        await s.commit()
    redis = await connect(redis_url)
    try:
        await redis.delete(QUEUE)
        for task in tasks:
            await redis.enqueue_job(INSPECT_JOB, str(task.id), _queue_name=QUEUE,
                                    _job_id=f"account-bench:{task.id}")
        # The registry answers (no account filed), so the unfiled-account check costs what it does.
        worker = build_worker(settings, burst=True, handle_signals=False, registry_transport=registry([]))
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            await worker.main()
        finally:
            await worker.close()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await redis.aclose()
    async with make_sessionmaker(engine)() as s:
        first, last, done = (await s.execute(select(
            func.min(Task.finished_at), func.max(Task.finished_at), func.count()).where(
            col(Task.status) == "done"))).one()
        failed = (await s.execute(select(func.count()).where(
            col(Task.status) != "done"))).scalar_one()
        by_rule: dict[str, int] = {str(rule): int(n) for rule, n in (await s.execute(
            select(col(Finding.rule), func.count()).group_by(col(Finding.rule)))).all()}
    await engine.dispose()
    span = (last - first).total_seconds() if first and last and done > 1 else wall
    return {"done": done, "failed": failed, "rate": (done - 1) / span if span else 0.0, "wall": wall,
            "cpu_per_account_ms": cpu / max(done, 1) * 1000, "concurrency": concurrency,
            "by_rule": by_rule}


def run(quick: bool = False, accounts: int | None = None,
        redis_url: str = "redis://127.0.0.1:6379/13") -> list[Row]:
    """Accounts inspected per second at worker concurrency 16; print and return the figure."""
    count = accounts or (QUICK_ACCOUNTS if quick else ACCOUNTS)
    port = free_port()
    rows: list[Row] = []
    with fixture_server("benchmarks.account_bench", port, "/a/0.xml"), \
            tempfile.TemporaryDirectory(prefix="account-bench-") as tmp:
        concurrency = 16
        m = asyncio.run(_measure(count, concurrency, port, redis_url, Path(tmp)))
        rules = ", ".join(f"{k} {v:,}" for k, v in sorted(m["by_rule"].items()))
        print(f"account benchmark: {m['done']:,} accounts inspected ({m['failed']:,} not done) at "
              f"worker concurrency {concurrency}: {m['rate']:,.1f} accounts/s, "
              f"{m['cpu_per_account_ms']:.1f} ms CPU per account, {m['wall']:.1f} s wall with "
              f"worker start; findings: {rules}")
        rows.append(Row(f"accounts inspected per second (one worker, concurrency {concurrency})",
                        f"{m['rate']:,.1f}", "accounts/s",
                        f"{m['done']:,} accounts, RSS feeds of {POSTS} posts on a loopback server "
                        f"answering at once, no platform rate limit; every account rule; "
                        f"{m['cpu_per_account_ms']:.1f} ms worker CPU per account; SQLite"))
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        asyncio.run(_serve(int(sys.argv[2])))
    else:
        n = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--accounts=")), None)
        run(quick="--quick" in sys.argv, accounts=n)
