"""National scale on PostgreSQL: generate, load with COPY, time the heaviest queries, before/after indexes.

`python -m benchmarks.national_data [--scale 0.05] [--postgres DSN] [--plans] [--circulars-only]
[--no-list-build]`

A database of its own (created here, dropped at the end) gets the registry's, the checker's and
reporting's schemas from their migrations, with the scale-index migrations' indexes dropped
again (their `downgrade`). It is filled (asyncpg COPY) with 31 provinces and their cities and counties
(GB/T 2260-shaped codes), 14,000 websites with their organisations, 150,000 new-media accounts,
2,000,000 findings seen by one national run (checker: `finding` + `sighting`) and the same
problems as reporting's 2026Q4 results (one per website and account). Then, twice — before and
after the index migrations — it times the registry's and the checker's heaviest list/stats
endpoints (in-process ASGI, national administrator and a provincial supervisor), and the
circular aggregation for the whole country and for one province (`results_in` + `compute`),
printing the PostgreSQL plan (EXPLAIN ANALYZE) of each measured statement with `--plans`.
Last, the national circular is built in processes of their own, paged (as the service builds it)
and list-based (every problem loaded), each printing its time, its own peak RSS and a digest of
the computed data (`benchmarks/circular_build.py`); `--circulars-only` measures only the circulars.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib
import importlib.util
import json
import logging
import os
import platform
import random
import resource
import statistics
import sys
import time
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine

from benchmarks.reporting_bench import ACCOUNT_RULES, PLATFORM_WEIGHTS, SITE_RULES
from benchmarks.table import Row
from shared.migrations import upgrade
from shared.principal import PRINCIPAL_HEADER, Principal, Role, sign_principal

SITES = 14_000
ACCOUNTS = 150_000
FINDINGS = 2_000_000
SEED = 20261122
SECRET = "national-bench-secret"
PERIOD = (date(2026, 10, 1), date(2026, 12, 31))
AS_OF = datetime(2026, 11, 10, 2, tzinfo=UTC)
PROVINCE = ("370000", "山东省")
REPEATS = 3
ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("registry", "checker", "reporting")
# The migrations that add the indexes these plans asked for. Reporting has none: its province
# query reads ~4 % of `result` and PostgreSQL rightly scans (73 ms at full scale); the time of a
# circular is spent in Python (see the table).
INDEX_MIGRATIONS = {
    "registry": ROOT / "services/registry/migrations/versions/0003_scale_indexes.py",
    "checker": ROOT / "services/checker/migrations/versions/0004_scale_indexes.py",
}
PROVINCIAL_DEPARTMENTS = (
    "发展和改革委员会", "教育厅", "科学技术厅", "工业和信息化厅", "公安厅", "民政厅", "司法厅", "财政厅",
    "人力资源和社会保障厅", "自然资源厅", "生态环境厅", "住房和城乡建设厅", "交通运输厅", "水利厅",
    "农业农村厅", "商务厅", "文化和旅游厅", "卫生健康委员会", "退役军人事务厅", "应急管理厅", "审计厅",
    "市场监督管理局", "统计局", "医疗保障局", "林业局", "粮食和物资储备局", "能源局", "大数据局",
    "地方金融管理局", "信访局", "体育局", "广播电视局", "人民防空办公室", "机关事务管理局", "外事办公室",
    "国有资产监督管理委员会", "乡村振兴局", "药品监督管理局", "知识产权局", "地震局", "气象局",
    "税务局", "通信管理局", "邮政管理局", "文物局")
CITY_DEPARTMENTS = (
    "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "水务局",
    "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局",
    "市场监督管理局", "统计局", "医疗保障局", "行政审批服务局")
COUNTY_DEPARTMENTS = (
    "发展和改革局", "教育和体育局", "公安分局", "民政局", "司法局", "财政局", "人力资源和社会保障局",
    "自然资源局", "住房和城乡建设局", "交通运输局", "农业农村局", "文化和旅游局", "卫生健康局",
    "应急管理局", "市场监督管理局", "融媒体中心", "行政审批服务局", "退役军人事务局", "医疗保障局",
    "城市管理局")
SYLLABLES = "安宁平阳江山河东西南北清源泰和兴华德昌永福新丰临长青云济明光盛宜通海城林泉"


# ── generation ────────────────────────────────────────────────────────────────────────

@dataclass
class Target:
    """A website or account findings are about."""

    id: uuid.UUID
    type: str
    code: str
    name: str
    kind: str
    region: str
    org_id: uuid.UUID
    org_name: str
    host: str


@dataclass
class Data:
    """Rows to COPY, table by table, and what the measurements need to know."""

    regions: list[tuple[Any, ...]] = field(default_factory=list)
    organisations: list[tuple[Any, ...]] = field(default_factory=list)
    websites: list[tuple[Any, ...]] = field(default_factory=list)
    accounts: list[tuple[Any, ...]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    region_names: dict[str, str] = field(default_factory=dict)
    run_id: uuid.UUID = field(default_factory=uuid.uuid4)


def _name(rng: random.Random, suffix: str) -> str:
    return "".join(rng.sample(SYLLABLES, 2)) + suffix


def _regions(rng: random.Random, provinces: dict[str, str]) -> tuple[list[tuple[str, str, str, str]],
                                                                      dict[str, list[str]]]:
    """Cities (8–16 per province) and counties (4–14 per city) under the seeded provinces."""
    rows: list[tuple[str, str, str, str]] = []
    counties: dict[str, list[str]] = {}
    for code, _ in sorted(provinces.items()):
        for c in range(1, rng.randint(8, 16) + 1):
            city = f"{code[:2]}{c:02d}00"
            rows.append((city, _name(rng, "市"), code, "city"))
            counties[city] = []
            for k in range(1, rng.randint(4, 14) + 1):
                county = f"{city[:4]}{k:02d}"
                rows.append((county, _name(rng, "县" if k % 3 else "区"), city, "county"))
                counties[city].append(county)
    return rows, counties


def generate(scale: float, provinces: dict[str, str]) -> Data:
    """Regions, organisations, websites and accounts (scaled), seeded."""
    rng = random.Random(SEED)
    now = datetime(2026, 1, 5, 1, tzinfo=UTC)
    data = Data()
    data.region_names = {"100000": "全国", **provinces}
    region_rows, counties = _regions(rng, provinces)
    data.regions = region_rows
    data.region_names.update({r[0]: r[1] for r in region_rows})
    names = data.region_names

    # Site-owning units: each province's government and departments, each city's, each county's
    # government — about 14,400 — shuffled, the first SITES × scale kept.
    slots: list[tuple[str, str, str, str]] = []  # (region, unit, org kind, site kind)
    for prov in provinces:
        slots.append((prov, "人民政府办公厅", "provincial_government", "portal"))
        slots += [(prov, d, "provincial_department", "department") for d in PROVINCIAL_DEPARTMENTS]
    for city, county_codes in counties.items():
        slots.append((city, "人民政府办公室", "city_government", "portal"))
        slots += [(city, d, "city_department", "department") for d in CITY_DEPARTMENTS]
        slots += [(county, "人民政府办公室", "county_government", "portal") for county in county_codes]
    rng.shuffle(slots)
    n_sites = max(31, round(SITES * scale))
    # Units with accounts but no website: county departments.
    extra = [(county, d, "county_department", "") for cc in counties.values() for county in cc
             for d in COUNTY_DEPARTMENTS]
    rng.shuffle(extra)
    units = slots[:n_sites] + extra[:n_sites * 4]

    org_ids: list[tuple[uuid.UUID, str, str]] = []
    per_region: dict[str, int] = {}
    for i, (region, unit, org_kind, site_kind) in enumerate(units):
        org_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        org_name = names[region] + unit
        org_ids.append((org_id, org_name, region))
        data.organisations.append((org_id, org_name, org_kind, region, None, None,
                                   org_kind.endswith("government"), 1, now, now))
        if not site_kind:
            continue
        per_region[region] = per_region.get(region, 0) + 1
        code = f"{region}{per_region[region]:04d}"
        portal = site_kind == "portal"
        host = f"www.s{i}.{region}.gov.cn"
        site_name = f"{names[region]}人民政府门户网站" if portal else f"{org_name}网站"
        flags = ["domain_not_gov_cn"] if rng.random() < 0.03 else []
        status = "running" if rng.random() < 0.95 else rng.choice(("planned", "closing", "closed"))
        site_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        data.websites.append((site_id, code, site_name, org_id, site_kind, json.dumps([host]), host,
                              f"https://{host}/", f"鲁ICP备{i:08d}号", None, status, json.dumps(flags),
                              1, now, now))
        data.targets.append(Target(site_id, "website", code, site_name, site_kind, region, org_id,
                                   org_name, host))

    platforms = list(PLATFORM_WEIGHTS)
    kinds = rng.choices(platforms, weights=list(PLATFORM_WEIGHTS.values()), k=round(ACCOUNTS * scale))
    for i, kind in enumerate(kinds):
        org_id, org_name, region = org_ids[rng.randrange(len(org_ids))]
        acc_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        name = f"{org_name[:12]}发布{i % 7 or ''}"
        data.accounts.append((acc_id, kind, f"{kind}-{i:07d}", name, f"https://{kind}.example.cn/u/{i}",
                              org_id, None, "running", json.dumps([]), 1, now, now))
        data.targets.append(Target(acc_id, "account", f"{kind[:2]}{i:08d}", name, kind, region, org_id,
                                   org_name, f"{kind}.example.cn/u/{i}"))
    return data


def findings(data: Data, total: int) -> Iterator[tuple[Target, list[dict[str, Any]]]]:
    """Each target with its problems: `total` spread Pareto-skewed, websites 3× accounts."""
    rng = random.Random(SEED + 1)
    weights = [rng.paretovariate(1.3) * (3.0 if t.type == "website" else 1.0) for t in data.targets]
    counts = [0] * len(data.targets)
    for i in rng.choices(range(len(data.targets)), weights=weights, k=total):
        counts[i] += 1
    for t, count in zip(data.targets, counts, strict=True):
        rules = SITE_RULES if t.type == "website" else ACCOUNT_RULES
        chosen = rng.choices(rules, weights=[r[3] for r in rules], k=count)
        problems = []
        for n, (code, indicator, severity, _, points) in enumerate(chosen, 1):
            url = f"https://{t.host}/col/col{rng.randrange(100, 999)}/art_{n}.html"
            problems.append({"rule": code, "indicator": indicator, "severity": severity,
                             "points": points, "message": f"{indicator}：{t.name}第{n}处", "url": url,
                             "fingerprint": hashlib.sha1(f"{t.code}|{code}|{url}|{n}".encode()).hexdigest()})
        yield t, problems


# ── loading ─────────────────────────────────────────────────────────────────────────────

async def _copy(conn: Any, schema: str, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    await conn.copy_records_to_table(table, records=rows, columns=columns, schema_name=schema)


ORG_COLS = ["id", "name", "kind", "region_code", "parent_id", "credit_code", "provides_services",
            "version", "created_at", "updated_at"]
SITE_COLS = ["id", "site_code", "name", "organisation_id", "kind", "domains", "main_domain", "home_url",
             "icp_number", "psb_number", "status", "compliance_flags", "version", "created_at", "updated_at"]
ACCOUNT_COLS = ["id", "platform", "platform_account_id", "name", "url", "sponsor_id", "operator_id",
                "status", "compliance_flags", "version", "created_at", "updated_at"]
FINDING_COLS = ["id", "fingerprint", "target_id", "target_type", "target_code", "target_name",
                "region_code", "organisation_id", "organisation_name", "rule", "indicator", "severity",
                "message", "url", "points", "detail", "first_seen_at", "last_seen_at", "first_run_id",
                "last_run_id", "verdict"]
SIGHTING_COLS = ["run_id", "finding_id", "task_id", "seen_at"]
RESULT_COLS = ["task_id", "run_id", "as_of", "target_id", "target_type", "target_code", "target_name",
               "kind", "organisation_id", "organisation_name", "region_code", "score", "passed",
               "vetoes", "deductions", "problems", "received_at"]


async def load(dsn: str, data: Data, total_findings: int,
               checker: bool = True) -> list[tuple[str, float, str]]:
    """COPY everything in (the checker's findings only with `checker`); return (step, seconds, note) rows."""
    steps: list[tuple[str, float, str]] = []
    conn: Any = await asyncpg.connect(dsn)
    try:
        t = time.perf_counter()
        await _copy(conn, "registry", "region", ["code", "name", "parent_code", "level"], data.regions)
        await _copy(conn, "registry", "organisation", ORG_COLS, data.organisations)
        await _copy(conn, "registry", "website", SITE_COLS, data.websites)
        await _copy(conn, "registry", "account", ACCOUNT_COLS, data.accounts)
        steps.append(("COPY registry", time.perf_counter() - t,
                      f"{len(data.regions):,} regions, {len(data.organisations):,} organisations, "
                      f"{len(data.websites):,} websites, {len(data.accounts):,} accounts"))
        rng = random.Random(SEED + 2)
        received = datetime(2026, 12, 1, 1, tzinfo=UTC)
        batch_f: list[tuple[Any, ...]] = []
        batch_s: list[tuple[Any, ...]] = []
        results: list[tuple[Any, ...]] = []
        copy_s = gen_s = 0.0
        count = 0
        g = time.perf_counter()
        for target, problems in findings(data, total_findings):
            task_id = uuid.uuid4()
            seen = AS_OF + timedelta(minutes=rng.randrange(60 * 24 * 20))
            for p in problems:
                fid = uuid.uuid4()
                batch_f.append((fid, p["fingerprint"], target.id, target.type, target.code, target.name,
                                target.region, target.org_id, target.org_name, p["rule"], p["indicator"],
                                p["severity"], p["message"], p["url"], p["points"], "{}", seen, seen,
                                data.run_id, data.run_id, None))
                batch_s.append((data.run_id, fid, task_id, seen))
            vetoes = sorted({p["rule"] for p in problems if p["severity"] == "veto"})
            deductions: dict[str, float] = {}
            for p in problems:
                deductions[p["rule"]] = min(deductions.get(p["rule"], 0.0) + p["points"], 5.0)
            score = None if vetoes else max(0.0, 100.0 - sum(deductions.values()))
            results.append((task_id, data.run_id, seen, target.id, target.type, target.code, target.name,
                            target.kind, target.org_id, target.org_name, target.region, score,
                            not vetoes and score is not None and score >= 60, json.dumps(vetoes),
                            json.dumps({k: v for k, v in deductions.items() if v}),
                            json.dumps([{k: v for k, v in p.items() if k != "points"} for p in problems],
                                       ensure_ascii=False), received))
            if len(batch_f) >= 50_000:
                gen_s += time.perf_counter() - g
                c = time.perf_counter()
                if checker:
                    await _copy(conn, "checker", "finding", FINDING_COLS, batch_f)
                    await _copy(conn, "checker", "sighting", SIGHTING_COLS, batch_s)
                copy_s += time.perf_counter() - c
                count += len(batch_f)
                batch_f, batch_s = [], []
                g = time.perf_counter()
        gen_s += time.perf_counter() - g
        c = time.perf_counter()
        if checker:
            await _copy(conn, "checker", "finding", FINDING_COLS, batch_f)
            await _copy(conn, "checker", "sighting", SIGHTING_COLS, batch_s)
        count += len(batch_f)
        copy_s += time.perf_counter() - c
        steps.append(("generate findings + results", gen_s, "Python, seeded"))
        steps.append(("COPY checker", copy_s, f"{count:,} findings + {count:,} sightings" if checker
                      else "skipped (--circulars-only)"))
        t = time.perf_counter()
        for i in range(0, len(results), 20_000):
            await _copy(conn, "reporting", "result", RESULT_COLS, results[i:i + 20_000])
        steps.append(("COPY reporting", time.perf_counter() - t,
                      f"{len(results):,} results of 2026Q4 carrying the same {count:,} problems"))
        t = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        steps.append(("VACUUM ANALYZE", time.perf_counter() - t, ""))
    finally:
        await conn.close()
    return steps


# ── measuring ───────────────────────────────────────────────────────────────────────────

@dataclass
class Captured:
    """SQL statements the engines sent while `on` is set."""

    on: bool = False
    statements: list[tuple[str, Any]] = field(default_factory=list)


CAPTURE = Captured()


@event.listens_for(Engine, "before_cursor_execute")
def _capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
    if CAPTURE.on and statement.lstrip().upper().startswith("SELECT"):
        CAPTURE.statements.append((statement, parameters))


@dataclass
class Measure:
    """One measured query: its times before and after the index migrations, and its plans."""

    name: str
    before: list[float] = field(default_factory=list)
    after: list[float] = field(default_factory=list)
    plans: dict[str, list[str]] = field(default_factory=dict)
    note: str = ""


async def _plans(dsn: str, schema: str, statements: list[tuple[str, Any]]) -> list[str]:
    conn: Any = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    out: list[str] = []
    try:
        for sql, params in statements:
            args = list(params.values()) if isinstance(params, dict) else list(params or ())
            rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *args)
            out.append(sql.strip().splitlines()[0][:160] + " …")
            out += ["    " + r[0] for r in rows]
    finally:
        await conn.close()
    return out


async def _timed(call: Callable[[], Awaitable[Any]]) -> list[float]:
    await call()  # warm: connections, plans, caches
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        await call()
        times.append(time.perf_counter() - t)
    return times


def _headers(principal: Principal) -> dict[str, str]:
    return {PRINCIPAL_HEADER: sign_principal(principal.model_copy(
        update={"expires_at": int(time.time()) + 86_400}), SECRET)}


ADMIN = Principal(subject="national-admin", roles=[Role.administrator], all_regions=True)
PROVINCIAL = Principal(subject="shandong-supervisor", roles=[Role.supervisor], regions=[PROVINCE[0]])


async def measure_apps(url: str, dsn: str, phase: str, measures: dict[str, Measure], run_id: uuid.UUID,
                       plans: bool) -> None:
    """Time the registry's and checker's heaviest reads through their apps, in-process."""
    from asgi_lifespan import LifespanManager

    from services.checker.config import CheckerSettings
    from services.checker.main import create_app as create_checker
    from services.registry.config import RegistrySettings
    from services.registry.main import create_app as create_registry

    redis = "redis://127.0.0.1:6379/0"
    apps = {
        "registry": create_registry(RegistrySettings(database_url=url, principal_secret=SECRET,
                                                     redis_url=redis)),
        "checker": create_checker(CheckerSettings(database_url=url, principal_secret=SECRET,
                                                  redis_url=redis, registry_url="http://127.0.0.1:9")),
    }
    county = "370101"
    queries: list[tuple[str, str, str, dict[str, Any], Principal]] = [
        ("registry", "websites: first page, national", "/websites", {"limit": 50}, ADMIN),
        ("registry", "websites: province, running departments", "/websites",
         {"region": PROVINCE[0], "status": "running", "kind": "department", "limit": 50}, ADMIN),
        ("registry", "websites: as provincial supervisor, page 20", "/websites",
         {"limit": 50, "offset": 950}, PROVINCIAL),
        ("registry", "websites: name search", "/websites", {"q": "教育", "limit": 50}, ADMIN),
        ("registry", "websites: stats, national", "/websites/stats", {}, ADMIN),
        ("registry", "accounts: province, weibo", "/accounts",
         {"region": PROVINCE[0], "platform": "weibo", "limit": 50}, ADMIN),
        ("registry", "accounts: stats, national", "/accounts/stats", {}, ADMIN),
        ("checker", "findings: first page, national", "/findings", {"limit": 50}, ADMIN),
        ("checker", "findings: province vetoes", "/findings",
         {"region": PROVINCE[0], "severity": "veto", "limit": 50}, ADMIN),
        ("checker", "findings: one run, rule prefix", "/findings",
         {"run_id": str(run_id), "rule": "deduct.", "limit": 50}, ADMIN),
        ("checker", "findings: as provincial supervisor", "/findings", {"limit": 50}, PROVINCIAL),
        ("checker", "findings: one county, open", "/findings",
         {"region": county, "open_only": "true", "limit": 50}, ADMIN),
    ]
    async with LifespanManager(apps["registry"]), LifespanManager(apps["checker"]):
        clients = {name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}",
                                           timeout=600) for name, app in apps.items()}
        try:
            for service, name, path, params, who in queries:
                client, headers = clients[service], _headers(who)

                async def call(client: httpx.AsyncClient = client, path: str = path,
                               params: dict[str, Any] = params, headers: dict[str, str] = headers) -> Any:
                    r = await client.get(path, params=params, headers=headers)
                    r.raise_for_status()
                    return r.json()

                m = measures.setdefault(name, Measure(f"{service}: {name}"))
                setattr(m, phase, await _timed(call))
                body = await call()
                m.note = f"total {body['total']:,}" if "total" in body else ""
                if plans:
                    CAPTURE.on, CAPTURE.statements = True, []
                    await call()
                    CAPTURE.on = False
                    m.plans[phase] = await _plans(dsn, service, CAPTURE.statements)
        finally:
            for c in clients.values():
                await c.aclose()


def _peak_rss_mb() -> float:
    """The process's peak resident set so far (getrusage; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure_circulars(url: str, dsn: str, phase: str, measures: dict[str, Measure],
                            names: dict[str, str], plans: bool) -> None:
    """Time reporting's circular aggregation: results_in() + compute(), nation and province."""
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

    settings = ReportingSettings(database_url=url, principal_secret=SECRET)
    engine = make_engine(url, settings.db_schema)
    clock = SystemClock()
    try:
        for code, label in (("100000", "全国"), PROVINCE):
            children = {k: v for k, v in names.items()
                        if k == code or (code == "100000" and k.endswith("0000") and k != code)
                        or (code != "100000" and k[:2] == code[:2] and k.endswith("00"))}
            for step in ("results_in", "compute"):
                m = measures.setdefault(f"{code} {step}", Measure(
                    f"reporting: circular {label} — " + ("load results_in()" if step == "results_in"
                                                          else "compute()")))
                getattr(m, phase).clear()
            loaded: list[Any] = []
            cpu, rss_before = 0.0, _peak_rss_mb()
            for _ in range(2):  # a circular is computed once per request: two cold-ish rounds
                async with make_sessionmaker(engine)() as session:
                    ctx = Ctx(session=session, token="", clock=clock, settings=settings, principal=ADMIN,
                              outbox=Outbox("reporting", OutboxEvent, OutboxDelivery, {}, clock))
                    t, cpu = time.perf_counter(), time.process_time()
                    index = ProblemIndex()
                    loaded = await results_in(ctx, code, *PERIOD, index=index)
                    measures[f"{code} results_in"].__dict__[phase].append(time.perf_counter() - t)
                t = time.perf_counter()
                data, figures = compute(ComputeInput(
                    title=default_title(*PERIOD, label), period_start=PERIOD[0], period_end=PERIOD[1],
                    region_code=code, region_name=label, issuing_office="国务院办公厅",
                    results=loaded, region_names=children, index=index,
                    deadline_text="务必于通报印发之日起15个工作日内完成整改及复核"))
                measures[f"{code} compute"].__dict__[phase].append(time.perf_counter() - t)
                cpu = time.process_time() - cpu
            del loaded, data, figures
            # A third, untimed round under tracemalloc: the peak of what one circular allocates
            # (the process's RSS peak is the data generation's, long before).
            tracemalloc.start()
            async with make_sessionmaker(engine)() as session:
                ctx = Ctx(session=session, token="", clock=clock, settings=settings, principal=ADMIN,
                          outbox=Outbox("reporting", OutboxEvent, OutboxDelivery, {}, clock))
                index = ProblemIndex()
                loaded = await results_in(ctx, code, *PERIOD, index=index)
            data, figures = compute(ComputeInput(
                title=default_title(*PERIOD, label), period_start=PERIOD[0], period_end=PERIOD[1],
                region_code=code, region_name=label, issuing_office="国务院办公厅",
                results=loaded, region_names=children, deadline_text="", index=index))
            allocated = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            named = sum(len(g.units) for g in (*data.vetoes, *data.problems))
            measures[f"{code} results_in"].note = (f"{len(loaded):,} results (problems reduced page by "
                                                   f"page: {named:,} units named in the groups)")
            measures[f"{code} compute"].note = (
                f"{len(data.rows):,} rows, {len(figures)} figures; load+compute {cpu:.1f} s CPU, "
                f"peak {allocated:,.0f} MB allocated (tracemalloc), process peak RSS "
                f"{_peak_rss_mb():,.0f} MB (was {rss_before:,.0f} MB)")
            del loaded
            if plans:
                async with make_sessionmaker(engine)() as session:
                    ctx = Ctx(session=session, token="", clock=clock, settings=settings, principal=ADMIN,
                              outbox=Outbox("reporting", OutboxEvent, OutboxDelivery, {}, clock))
                    CAPTURE.on, CAPTURE.statements = True, []
                    await results_in(ctx, code, *PERIOD)
                    CAPTURE.on = False
                measures[f"{code} results_in"].plans[phase] = await _plans(dsn, "reporting",
                                                                           CAPTURE.statements)
    finally:
        await engine.dispose()


# ── driver ──────────────────────────────────────────────────────────────────────────────

def _migration(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"_scale_{path.parent.parent.parent.name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _migrate(url: str) -> None:
    """Every service's schema to its latest migration."""
    for service in SERVICES:
        upgrade(ROOT / "services" / service / "migrations", url, service)


async def _scale_indexes(url: str, step: str) -> None:
    """Run the scale-index migrations' `downgrade` (the "before" state) or `upgrade` again.

    They sit in the middle of each service's history, so the state before them cannot be
    reached by migrating up to a revision once later migrations exist."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    from shared.db import make_engine

    for service, path in INDEX_MIGRATIONS.items():
        module = _migration(path)

        def apply(conn: Any, module: Any = module) -> None:
            with Operations.context(MigrationContext.configure(conn)):
                getattr(module, step)()

        engine = make_engine(url, service)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(apply)
        finally:
            await engine.dispose()


def machine(server_version: str = "") -> str:
    """CPU model, cores, memory, OS, Python and (when given) PostgreSQL of this machine."""
    model = "unknown CPU"
    mem = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except OSError:
        pass
    pg = f", PostgreSQL {server_version}" if server_version else ""
    return (f"{model}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}{pg}")


def _median(xs: list[float]) -> str:
    return f"{statistics.median(xs) * 1000:,.0f} ms" if xs else "—"


@dataclass
class Report:
    """What run() found, for the table of `python -m benchmarks`."""

    scale: float
    machine: str
    load: list[tuple[str, float, str]]
    measures: list[Measure]
    load_average: str = ""
    builds: list[Any] = field(default_factory=list)  # circular_build.Build, paged first


def national_builds(url: str, names: dict[str, str], list_based: bool) -> list[Any]:
    """The national circular built in processes of their own: paged, then (optionally) list-based."""
    from benchmarks.circular_build import build_in_own_process

    children = {k: v for k, v in names.items() if k == "100000" or (k.endswith("0000") and k != "100000")}
    return [build_in_own_process(url, SECRET, "100000", "全国", children, PERIOD, paged)
            for paged in ((True, False) if list_based else (True,))]


async def run_async(admin_dsn: str, scale: float, plans: bool, out: Any = sys.stdout,
                    list_based: bool = True, circulars_only: bool = False) -> Report:
    """Create the database, load it, measure before and after the indexes, drop it."""
    logging.disable(logging.INFO)  # the services' access and migration logs would drown the table
    for module in ("services.registry.main", "services.checker.main", "services.reporting.circular.service"):
        importlib.import_module(module)  # fail before minutes of loading, not after
    name = f"govinspect_national_{uuid.uuid4().hex[:8]}"
    admin: Any = await asyncpg.connect(admin_dsn)
    version = admin.get_server_version()
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = admin_dsn.rsplit("/", 1)[0]
    dsn = f"{base}/{name}"
    url = dsn.replace("postgresql://", "postgresql+asyncpg://")
    measures: dict[str, Measure] = {}
    try:
        t = time.perf_counter()
        await asyncio.to_thread(_migrate, url)
        await _scale_indexes(url, "downgrade")
        steps = [("migrate, scale indexes dropped", time.perf_counter() - t, "")]
        conn: Any = await asyncpg.connect(dsn)
        provinces = {r["code"]: r["name"] for r in await conn.fetch(
            "SELECT code, name FROM registry.region WHERE level = 'province'")}
        await conn.close()
        t = time.perf_counter()
        data = generate(scale, provinces)
        steps.append(("generate registry rows", time.perf_counter() - t, f"scale {scale}"))
        steps += await load(dsn, data, round(FINDINGS * scale), checker=not circulars_only)
        names, run_id = data.region_names, data.run_id
        del data
        print(f"national data loaded into {name}:", file=out)
        for s, secs, note in steps:
            print(f"  {s:<40} {secs:8.1f} s  {note}", file=out)
        if not circulars_only:
            await measure_apps(url, dsn, "before", measures, run_id, plans)
            await measure_circulars(url, dsn, "before", measures, names, plans)
        t = time.perf_counter()
        await _scale_indexes(url, "upgrade")
        conn = await asyncpg.connect(dsn)
        await conn.execute("ANALYZE")
        await conn.close()
        steps.append(("index migrations + ANALYZE", time.perf_counter() - t, ""))
        if not circulars_only:
            await measure_apps(url, dsn, "after", measures, run_id, plans)
        await measure_circulars(url, dsn, "after", measures, names, plans)
        builds = await asyncio.to_thread(national_builds, url, names, list_based)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    pg = f"{version.major}.{version.micro}" if version.major >= 10 else f"{version.major}.{version.minor}"
    return Report(scale, machine(pg), steps, list(measures.values()),
                  f"{os.getloadavg()[0]:.1f} (other work on the machine)", builds)


def print_report(report: Report, plans: bool, out: Any = sys.stdout) -> None:
    """The before/after table, then the plans."""
    print(f"national-scale PostgreSQL benchmark (scale {report.scale}) on {report.machine}; "
          f"load average {report.load_average}", file=out)
    width = max(len(m.name) for m in report.measures)
    print(f"  {'query (median of ' + str(REPEATS) + ' warm runs; circulars: of 2)':<{width}}  "
          f"{'before':>10}  {'after':>10}  notes", file=out)
    for m in report.measures:
        print(f"  {m.name:<{width}}  {_median(m.before):>10}  {_median(m.after):>10}  {m.note}", file=out)
    for b in report.builds:
        how = "paged (problems reduced page by page)" if b.paged else "list-based (every problem loaded)"
        print(f"  national circular build, own process, {how}: {b.seconds:.1f} s, peak RSS "
              f"{b.peak_rss_mb:,.0f} MB; {b.rows:,} rows, {b.problems_named:,} units named; "
              f"data sha256 {b.digest[:16]}", file=out)
    if len({b.digest for b in report.builds}) > 1:
        print("  OUTPUT DIFFERS between the paged and the list-based build", file=out)
    elif len(report.builds) > 1:
        print("  paged and list-based builds computed identical data", file=out)
    if plans:
        for m in report.measures:
            for phase in ("before", "after"):
                if m.plans.get(phase):
                    print(f"\n── {m.name} — plan {phase} the index migrations", file=out)
                    print("\n".join(m.plans[phase]), file=out)


def rows(report: Report) -> list[Row]:
    """(name, figure, unit, notes) rows for the benchmark table."""
    out = [Row(f"national data: {s}", f"{secs:.1f}", "s", note) for s, secs, note in report.load
           if s.startswith(("COPY", "index"))]
    for m in report.measures:
        after = statistics.median(m.after) * 1000 if m.after else float("nan")
        before = statistics.median(m.before) * 1000 if m.before else float("nan")
        out.append(Row(f"national {m.name}", f"{after:,.0f}", "ms",
                    f"before indexes {before:,.0f} ms; {m.note}; scale {report.scale}"))
    for b in report.builds:
        how = "paged" if b.paged else "list-based"
        out.append(Row(f"national circular build ({how}, own process)", f"{b.seconds:.1f}", "s",
                       f"peak RSS {b.peak_rss_mb:,.0f} MB; {b.rows:,} rows; scale {report.scale}"))
    return out


def main() -> None:
    """`python -m benchmarks.national_data`."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the national figures")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="admin DSN of the PostgreSQL server")
    parser.add_argument("--plans", action="store_true", help="print the EXPLAIN ANALYZE plans")
    parser.add_argument("--no-list-build", action="store_true",
                        help="skip the list-based national build (it peaks at several GB at full scale)")
    parser.add_argument("--circulars-only", action="store_true",
                        help="measure only the circular builds (no checker findings, no endpoint timings)")
    args = parser.parse_args()
    report = asyncio.run(run_async(args.postgres, args.scale, args.plans,
                                   list_based=not args.no_list_build,
                                   circulars_only=args.circulars_only))
    print_report(report, args.plans)


if __name__ == "__main__":
    main()
