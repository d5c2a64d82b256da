"""Run every benchmark and print one table: `python -m benchmarks [--quick] [--only NAME] [--json]`.

Each benchmark prints its detailed table as it goes and returns its headline rows
(name, figure, unit, notes); the end is one table of them all under the machine they ran on.
With --json the detailed tables go to stderr and stdout carries one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import asyncpg

from benchmarks import (
    account_bench,
    checker_bench,
    gateway_bench,
    national_data,
    probe_bench,
    realtext,
    registry_bench,
    reporting_bench,
    site_bench,
)
from benchmarks.fidelity import runner as fidelity_runner
from benchmarks.table import Row, as_rows, dump_json, machine, print_table


def _national(args: argparse.Namespace) -> list[Row]:
    if not args.postgres:
        return [Row("national data", "—", "", "needs PostgreSQL (--postgres)")]
    report = asyncio.run(national_data.run_async(args.postgres, args.national_scale, plans=False))
    national_data.print_report(report, plans=False)
    return national_data.rows(report)


# name → how to run it; a benchmark returns rows (or prints only, and returns None).
BENCHMARKS: dict[str, Callable[[argparse.Namespace], Any]] = {
    "registry": lambda a: asyncio.run(registry_bench.run(quick=a.quick, postgres_dsn=a.postgres or None)),
    "gateway": lambda a: asyncio.run(gateway_bench.run(quick=a.quick, postgres_dsn=a.postgres or None)),
    "checker": lambda a: checker_bench.run(quick=a.quick, rounds=a.rounds),
    "site": lambda a: site_bench.run(quick=a.quick),
    "probes": lambda a: probe_bench.run(quick=a.quick),
    "accounts": lambda a: account_bench.run(quick=a.quick),
    "reporting": lambda a: reporting_bench.run(quick=a.quick, postgres_dsn=a.postgres or None),
    "national": _national,
    "fidelity": lambda a: fidelity_runner.run(quick=a.quick),
    "realtext": lambda a: realtext.run(quick=a.quick),
}


def _postgres_version(dsn: str) -> str | None:
    async def ask() -> str:
        conn: Any = await asyncpg.connect(dsn)
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()

    try:
        return asyncio.run(ask())
    except (OSError, asyncpg.PostgresError):
        return None


def main() -> None:
    """Parse arguments, run the benchmarks in turn, print the one table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="admin DSN of a PostgreSQL server, or '' to skip PostgreSQL")
    parser.add_argument("--only", choices=sorted(BENCHMARKS), action="append",
                        help="run only this benchmark (may be repeated)")
    parser.add_argument("--national-scale", type=float, default=None,
                        help="fraction of the national data set (default 1, 0.05 with --quick)")
    parser.add_argument("--rounds", type=int, default=checker_bench.REPEATS,
                        help="rounds of the checker comparison (the fastest of each tool is kept)")
    parser.add_argument("--json", action="store_true", help="print the table as JSON on stdout")
    args = parser.parse_args()
    if args.national_scale is None:
        args.national_scale = 0.05 if args.quick else 1.0
    rows: list[Row] = []
    detail = sys.stderr if args.json else sys.stdout
    for name, bench in BENCHMARKS.items():
        if args.only and name not in args.only:
            continue
        started = time.perf_counter()
        with contextlib.redirect_stdout(detail):
            try:
                rows += as_rows(bench(args), name)
            except Exception as exc:  # one broken benchmark must not hide the others' figures
                traceback.print_exc(file=sys.stderr)
                rows.append(Row(name, "—", "", f"failed: {type(exc).__name__}: {exc}"[:300]))
        print(f"[{name} took {time.perf_counter() - started:.0f} s]", file=detail)
    host = machine(_postgres_version(args.postgres) if args.postgres else None)
    if args.json:
        dump_json(rows, host, sys.stdout)
    else:
        print()
        print_table(rows, host, sys.stdout)


if __name__ == "__main__":
    main()
