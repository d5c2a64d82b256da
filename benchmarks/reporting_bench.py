"""Circular figures: load a quarter's results, compute() and render DOCX/XLSX/HTML/Markdown at city scale.

One city (济南, 16 county-level regions) with 1,000 websites and 10,000 new-media accounts, one
result each in 2026Q4, carrying 100,000 findings between them, is bulk-inserted into reporting's
`result` table (SQLAlchemy core, batches of 1,000) on SQLite (a temp file) and on PostgreSQL (a
temp database, schema "reporting" made by reporting's migrations). Each backend then runs in its
own worker process, so its peak RSS is its own and a stuck step is killed: the period's results
are loaded with the service's own `results_in` (called with a real Ctx around a plain session),
computed with `compute()`, and rendered once by each renderer, timed step by step.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from benchmarks.table import Row

WEBSITES = 1_000
ACCOUNTS = 10_000
FINDINGS = 100_000
BATCH = 1_000
SEED = 20261231
BUDGET_S = 1_800  # per backend worker; at full size DOCX alone took 900–1,160 s on 2 cores
SHANGHAI = ZoneInfo("Asia/Shanghai")
CITY = ("370100", "济南市")
PERIOD = (date(2026, 10, 1), date(2026, 12, 31))
REGIONS = {
    "370100": "济南市", "370102": "历下区", "370103": "市中区", "370104": "槐荫区", "370105": "天桥区",
    "370112": "历城区", "370113": "长清区", "370114": "章丘区", "370115": "济阳区", "370116": "莱芜区",
    "370117": "钢城区", "370124": "平阴县", "370126": "商河县", "370171": "济南高新技术产业开发区",
    "370172": "济南市南部山区", "370173": "济南新旧动能转换起步区",
}
DEPARTMENTS = (
    "人民政府办公室", "发展和改革局", "教育和体育局", "科学技术局", "工业和信息化局", "公安分局", "民政局",
    "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境分局", "住房和城乡建设局",
    "交通运输局", "水务局", "农业农村局", "商务局", "文化和旅游局", "卫生健康局", "退役军人事务局",
    "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "城市管理局", "行政审批服务局",
    "大数据局", "信访局", "投资促进局", "融媒体中心", "档案馆", "妇女联合会", "共青团委员会", "总工会",
    "残疾人联合会", "红十字会", "科学技术协会", "税务局", "消防救援大队",
)
TOWNSHIPS = ("大明湖", "泉城路", "趵突泉", "千佛山", "解放路", "甸柳", "燕山", "姚家", "龙洞", "智远",
             "舜华路", "东关", "文东", "建新", "旅游路", "历山", "七里山", "杆石桥", "四里村", "魏家庄",
             "二七", "舜玉路", "白马山", "王官庄", "兴隆")
# Rough shares of government accounts by platform (WeChat and Weibo dominate; RULES.md "Scale").
PLATFORM_WEIGHTS = {
    "wechat_subscription": 34, "weibo": 20, "douyin": 15, "toutiao": 10, "wechat_channels": 6,
    "kuaishou": 4, "wechat_service": 3, "baijiahao": 2, "bilibili": 1, "xiaohongshu": 1,
    "mini_program": 1, "mobile_app": 1, "qq_penguin": 1, "other": 1,
}
# (rule, indicator, severity, relative frequency, points deducted per finding)
SITE_RULES = (
    ("veto.homepage_stale", "首页不更新", "veto", 3, 0.0),
    ("veto.columns_stale", "栏目不更新", "veto", 5, 0.0),
    ("veto.unreachable", "站点无法访问", "veto", 2, 0.0),
    ("veto.security", "安全、泄密事故等严重问题", "veto", 1, 0.0),
    ("veto.interaction", "互动回应差", "veto", 2, 0.0),
    ("veto.service", "服务不实用", "veto", 1, 0.0),
    ("deduct.links", "链接可用性", "deduct", 600, 1.0),
    ("content.typo", "错别字", "deduct", 150, 1.0),
    ("content.typo", "错别字", "warn", 150, 0.0),  # 疑似错别字, to be confirmed
    ("deduct.policy_column_stale", "政策文件栏目不更新", "deduct", 20, 1.0),
    ("deduct.reply_stale", "留言答复", "deduct", 25, 1.0),
    ("deduct.identity", "网站标识", "deduct", 15, 1.0),
    ("deduct.error_entrance", "我为政府网站找错", "deduct", 8, 1.0),
    ("deduct.domain", "域名名称", "deduct", 6, 2.0),
    ("deduct.search", "搜索功能", "deduct", 10, 3.0),
    ("deduct.ipv6", "IPv6", "deduct", 20, 2.0),
    ("deduct.https", "HTTPS 安全访问", "deduct", 15, 2.0),
    ("content.personal_info", "个人信息泄露", "deduct", 20, 1.0),
    ("content.external_link", "外链变质", "warn", 300, 0.0),
    ("registry.compliance", "备案合规", "warn", 10, 0.0),
)
ACCOUNT_RULES = (
    ("veto.account_stale", "更新不及时（两周未更新）", "veto", 14, 0.0),
    ("veto.account_interaction", "互动功能缺失", "veto", 5, 0.0),
    ("veto.security", "安全、泄密事故等严重问题", "veto", 1, 0.0),
    ("account.empty", "空壳账号", "deduct", 40, 5.0),
    ("content.typo", "错别字", "deduct", 250, 1.0),
    ("content.typo", "错别字", "warn", 250, 0.0),
    ("content.personal_info", "个人信息泄露", "deduct", 30, 1.0),
    ("account.irrelevant", "发布内容与政务无关", "deduct", 120, 1.0),
    ("account.commercial", "商业广告内容", "warn", 60, 0.0),
    ("account.duplicate", "同一平台多个账号", "warn", 40, 0.0),
    ("account.filing_mismatch", "备案信息不一致", "warn", 80, 0.0),
    ("account.closed_still_posting", "已关停仍在发布", "deduct", 10, 2.0),
)


@dataclass
class Step:
    """One timed step of a worker."""

    name: str
    seconds: float
    rss_mb: float  # the worker's peak RSS after the step
    note: str = ""
    stopped: bool = False  # killed at the budget: `seconds` is a lower bound


@dataclass
class Outcome:
    """What a backend's worker reported, and how it ended."""

    label: str
    steps: list[Step] = field(default_factory=list)
    failure: str = ""


# ── data ───────────────────────────────────────────────────────────────────────────────

def _targets(rng: random.Random, websites: int, accounts: int) -> list[dict[str, Any]]:
    """Websites (one per unit, a portal per region) and accounts spread over the units."""
    codes = list(REGIONS)
    # Unit by unit across the regions, so the websites (one per unit) start with every portal.
    units = [(code, name) for name in (*DEPARTMENTS, *(f"{t}街道办事处" for t in TOWNSHIPS))
             for code in codes]
    out: list[dict[str, Any]] = []
    for i in range(websites):
        region, unit = units[i % len(units)]
        portal = unit == "人民政府办公室"
        out.append({"target_type": "website", "region_code": region, "unit": unit,
                    "kind": "portal" if portal else "department",
                    "target_code": f"{region}{i:04d}",
                    "target_name": f"{REGIONS[region]}人民政府门户网站" if portal
                    else f"{REGIONS[region]}{unit}网站",
                    "host": f"s{i}.{region}.jinan.gov.cn"})
    platforms = list(PLATFORM_WEIGHTS)
    kinds = rng.choices(platforms, weights=list(PLATFORM_WEIGHTS.values()), k=accounts)
    for i, kind in enumerate(kinds):
        region, unit = units[rng.randrange(len(units))]
        out.append({"target_type": "account", "region_code": region, "unit": unit, "kind": kind,
                    "target_code": f"{kind[:2]}{i:08d}",
                    "target_name": f"{REGIONS[region][:2]}{unit.removesuffix('办事处')}发布{i % 7 or ''}",
                    "host": f"{kind}.example.cn/u/{i}"})
    return out


def _finding(rng: random.Random, target: dict[str, Any], rule: tuple[str, str, str, int, float],
             n: int) -> dict[str, Any]:
    code, indicator, severity, _, _ = rule
    url = f"https://{target['host']}/col/col{rng.randrange(100, 999)}/art_{n}.html"
    return {"rule": code, "indicator": indicator, "severity": severity,
            "message": f"{indicator}：{target['target_name']}第{n}处", "url": url,
            "fingerprint": hashlib.sha1(f"{target['target_code']}|{code}|{url}".encode()).hexdigest()[:20]}


def generate(websites: int = WEBSITES, accounts: int = ACCOUNTS,
             findings: int = FINDINGS) -> list[dict[str, Any]]:
    """Build one 2026Q4 result row per target, `findings` findings spread over them (seeded)."""
    rng = random.Random(SEED)
    targets = _targets(rng, websites, accounts)
    # Skewed: most targets have a few findings, some have dozens; a website has about 3× the
    # findings of an account (many pages, many links).
    weights = [rng.paretovariate(1.3) * (3.0 if t["target_type"] == "website" else 1.0) for t in targets]
    counts = [0] * len(targets)
    for i in rng.choices(range(len(targets)), weights=weights, k=findings):
        counts[i] += 1
    run_id = uuid.uuid4()
    start = datetime.combine(PERIOD[0], datetime.min.time(), SHANGHAI) + timedelta(days=35)
    received = datetime(2027, 1, 5, 9, tzinfo=SHANGHAI)
    rows = []
    for t, count in zip(targets, counts, strict=True):
        rules = SITE_RULES if t["target_type"] == "website" else ACCOUNT_RULES
        chosen = rng.choices(rules, weights=[r[3] for r in rules], k=count)
        problems = [_finding(rng, t, rule, n) for n, rule in enumerate(chosen, 1)]
        vetoes = sorted({p["rule"] for p in problems if p["severity"] == "veto"})
        deductions: dict[str, float] = {}
        for rule in chosen:
            deductions[rule[0]] = min(deductions.get(rule[0], 0.0) + rule[4], 5.0)
        score = None if vetoes else max(0.0, 100.0 - sum(deductions.values()))
        rows.append({
            "task_id": uuid.uuid4(), "run_id": run_id,
            "as_of": start + timedelta(minutes=rng.randrange(60 * 24 * 20)),
            "target_id": uuid.uuid5(uuid.NAMESPACE_URL, t["target_code"]),
            "target_type": t["target_type"], "target_code": t["target_code"],
            "target_name": t["target_name"], "kind": t["kind"],
            "organisation_id": uuid.uuid5(uuid.NAMESPACE_URL, t["region_code"] + t["unit"]),
            "organisation_name": f"{REGIONS[t['region_code']]}{t['unit']}",
            "region_code": t["region_code"], "score": score,
            "passed": not vetoes and score is not None and score >= 60,
            "vetoes": vetoes, "deductions": {k: v for k, v in deductions.items() if v},
            "problems": problems, "received_at": received})
    return rows


# ── worker: one backend, in its own process ─────────────────────────────────────────────

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _start(name: str) -> None:
    print(json.dumps({"start": name}), flush=True)


def _emit(name: str, seconds: float, note: str = "") -> None:
    print(json.dumps({"name": name, "seconds": seconds, "rss_mb": _peak_mb(), "note": note}),
          flush=True)


async def _load(url: str, rows: list[dict[str, Any]]) -> tuple[list[Any], Any]:
    from sqlalchemy import insert

    from services.reporting.circular.accumulate import ProblemIndex
    from services.reporting.circular.sources import results_in
    from services.reporting.common.context import Ctx
    from services.reporting.common.outbox import OutboxDelivery, OutboxEvent
    from services.reporting.config import ReportingSettings
    from services.reporting.result.models import Result
    from shared.clock import SystemClock
    from shared.db import make_engine, make_sessionmaker
    from shared.events import Outbox
    from shared.principal import Principal, Role

    settings = ReportingSettings(database_url=url, principal_secret="bench")
    engine = make_engine(url, settings.db_schema)
    try:
        t = time.perf_counter()
        async with engine.begin() as conn:
            for i in range(0, len(rows), BATCH):
                await conn.execute(insert(Result), rows[i:i + BATCH])
        findings = sum(len(r["problems"]) for r in rows)
        took = time.perf_counter() - t
        _emit("bulk insert", took, f"{len(rows):,} rows, {findings:,} findings, batches of {BATCH:,}")
        rows.clear()

        clock = SystemClock()
        async with make_sessionmaker(engine)() as session:
            ctx = Ctx(session=session, token="", clock=clock, settings=settings,
                      principal=Principal(subject="bench", roles=[Role.administrator], all_regions=True),
                      outbox=Outbox("reporting", OutboxEvent, OutboxDelivery, {}, clock))
            t = time.perf_counter()
            index = ProblemIndex()  # as the service builds: problems reduced page by page
            results = await results_in(ctx, CITY[0], *PERIOD, index=index)
            _emit("load: results_in()", time.perf_counter() - t, f"{len(results):,} results")
        return results, index
    finally:
        await engine.dispose()


def _render(results: list[Any], index: Any) -> None:
    from services.reporting.circular.compute import ComputeInput, compute
    from services.reporting.circular.content import CircularDocument, Narrative
    from services.reporting.circular.render import render_docx, render_html, render_markdown, render_xlsx
    from services.reporting.circular.service import default_title

    t = time.perf_counter()
    data, figure_rows = compute(ComputeInput(
        title=default_title(*PERIOD, CITY[1]), period_start=PERIOD[0], period_end=PERIOD[1],
        region_code=CITY[0], region_name=CITY[1], issuing_office="济南市人民政府办公厅",
        results=results, region_names=REGIONS, index=index,
        deadline_text="务必于通报印发之日起15个工作日内完成整改及复核"))
    _emit("compute()", time.perf_counter() - t,
          f"{len(data.rows):,} rows, {len(data.problem_rows):,} problem rows, "
          f"{len(data.vetoes)}+{len(data.problems)} groups, {len(figure_rows)} figures")
    doc = CircularDocument(data=data, narrative=Narrative(
        practices="各区县高度重视，按季度开展自查。", requirements="各单位对照问题清单逐项整改。"))
    # DOCX last: it is by far the slowest, so a budget kill costs only its figure.
    for name, render in (("render XLSX", render_xlsx), ("render HTML", render_html),
                         ("render Markdown", render_markdown), ("render DOCX", render_docx)):
        _start(name)
        t = time.perf_counter()
        out = render(doc)
        took = time.perf_counter() - t
        size = len(out if isinstance(out, bytes) else out.encode())
        _emit(name, took, f"{size / 1e6:.1f} MB")


def worker(url: str, quick: bool) -> None:
    """Migrate, fill, load, compute and render against one database; one JSON line per step."""
    from services.reporting.config import ReportingSettings
    from services.reporting.migrate import migrate

    scale = 10 if quick else 1
    t = time.perf_counter()
    migrate(ReportingSettings(database_url=url, principal_secret="bench"))
    _emit("migrate", time.perf_counter() - t)
    t = time.perf_counter()
    rows = generate(WEBSITES // scale, ACCOUNTS // scale, FINDINGS // scale)
    _emit("generate data", time.perf_counter() - t)
    results, index = asyncio.run(_load(url, rows))
    _render(results, index)


# ── parent: start workers, bound them, print the table ─────────────────────────────────

def _run_worker(label: str, url: str, quick: bool, budget_s: float) -> Outcome:
    outcome = Outcome(label)
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.reporting_bench", url, str(int(quick))],
                                stdout=subprocess.PIPE, stderr=err, text=True)
        timer = threading.Timer(budget_s, proc.kill)
        timer.start()
        started = time.perf_counter()
        try:
            assert proc.stdout is not None
            running: tuple[str, float] | None = None
            for line in proc.stdout:
                msg = json.loads(line)
                if "start" in msg:
                    running = (msg["start"], time.perf_counter())
                    continue
                outcome.steps.append(Step(**msg))
                running = None
            code = proc.wait()
            if running is not None:
                outcome.steps.append(Step(running[0], time.perf_counter() - running[1], 0.0,
                                          "killed at the budget", stopped=True))
        finally:
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if code != 0:
            err.seek(0)
            tail = err.read().strip().splitlines()[-3:]
            elapsed = time.perf_counter() - started
            outcome.failure = (f"stopped after {elapsed:.0f} s (budget {budget_s:.0f} s)"
                               if elapsed >= budget_s else f"exit {code}: " + " | ".join(tail))
    return outcome


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


MEASURED = ("load: results_in()", "compute()", "render XLSX", "render HTML", "render Markdown", "render DOCX")


def _table(outcomes: list[Outcome], quick: bool) -> None:
    scale = 10 if quick else 1
    print(f"reporting circular benchmark on {_machine()}")
    print(f"  data: {WEBSITES // scale:,} websites + {ACCOUNTS // scale:,} accounts in "
          f"{len(REGIONS)} regions of {CITY[1]}, one result each in 2026Q4, "
          f"{FINDINGS // scale:,} findings (seed {SEED})")
    names = [s.name for s in outcomes[0].steps] if outcomes else []
    for o in outcomes[1:]:
        names += [s.name for s in o.steps if s.name not in names]
    rows: list[list[str]] = [["step", *(o.label for o in outcomes), "notes"]]
    for name in names:
        cells, note = [], ""
        for o in outcomes:
            step = next((s for s in o.steps if s.name == name), None)
            if step is None:
                cells.append("—")
                continue
            cells.append(("> " if step.stopped else "") + f"{step.seconds:.2f} s")
            note = note or step.note
        rows.append([name, *cells, note])
    totals = []
    for o in outcomes:
        done = [s for s in o.steps if s.name in MEASURED]
        total = f"{sum(s.seconds for s in done):.2f} s"
        complete = len(done) == len(MEASURED) and not any(s.stopped for s in done)
        totals.append(total if complete else "> " + total)
    rows.append(["total: load → last render", *totals, "load + compute + 4 renders"])
    rows.append(["peak RSS", *(f"{max((s.rss_mb for s in o.steps), default=0):.0f} MB" for o in outcomes),
                 "worker process, whole run"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        print("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=False))) + "  " + r[-1])
    for o in outcomes:
        if o.failure:
            print(f"  {o.label}: {o.failure}")


async def _admin(dsn: str, sql: str) -> None:
    conn: Any = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def run(quick: bool = False, postgres_dsn: str | None = None, budget_s: float = BUDGET_S) -> list[Row]:
    """Benchmark circular loading, computing and rendering on SQLite and PostgreSQL; print a table
    and return its measured steps as rows."""
    outcomes = []
    with tempfile.TemporaryDirectory() as tmp:
        outcomes.append(_run_worker("SQLite", f"sqlite+aiosqlite:///{Path(tmp) / 'reporting.db'}",
                                    quick, budget_s))
    if postgres_dsn:
        name = f"govinspect_bench_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(postgres_dsn, f'CREATE DATABASE "{name}"'))
        try:
            base = postgres_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
            outcomes.append(_run_worker("PostgreSQL", f"{base}/{name}", quick, budget_s))
        finally:
            asyncio.run(_admin(postgres_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    _table(outcomes, quick)
    scale = 10 if quick else 1
    size = f"{WEBSITES // scale:,} websites + {ACCOUNTS // scale:,} accounts, {FINDINGS // scale:,} findings"
    rows = []
    for o in outcomes:
        for step in o.steps:
            if step.name in MEASURED:
                rows.append(Row(f"circular {o.label}: {step.name}", f"{step.seconds:.2f}", "s",
                                "; ".join(x for x in (step.note, size, "killed at the budget: a lower bound"
                                                      if step.stopped else "") if x)))
        if o.failure:
            rows.append(Row(f"circular {o.label}", "—", "", o.failure))
    return rows


if __name__ == "__main__":
    worker(sys.argv[1], sys.argv[2] == "1")
