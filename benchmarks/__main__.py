"""Run every benchmark and print its figures: `python -m benchmarks [--quick] [--only NAME]`."""

from __future__ import annotations

import argparse
import asyncio

from benchmarks import checker_bench, registry_bench, reporting_bench


def main() -> None:
    """Parse arguments and run the benchmarks in turn."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="admin DSN of a PostgreSQL server, or '' to skip PostgreSQL")
    parser.add_argument("--only", choices=("registry", "checker", "reporting"),
                        help="run only this benchmark")
    args = parser.parse_args()
    if args.only in (None, "registry"):
        asyncio.run(registry_bench.run(quick=args.quick, postgres_dsn=args.postgres or None))
    if args.only in (None, "checker"):
        checker_bench.run(quick=args.quick)
    if args.only in (None, "reporting"):
        reporting_bench.run(quick=args.quick, postgres_dsn=args.postgres or None)


if __name__ == "__main__":
    main()
