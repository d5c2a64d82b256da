"""Run every benchmark and print its figures: `python -m benchmarks [--quick]`."""

from __future__ import annotations

import argparse
import asyncio

from benchmarks import registry_bench


def main() -> None:
    """Parse arguments and run the benchmarks in turn."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="admin DSN of a PostgreSQL server, or '' to skip PostgreSQL")
    args = parser.parse_args()
    asyncio.run(registry_bench.run(quick=args.quick, postgres_dsn=args.postgres or None))


if __name__ == "__main__":
    main()
