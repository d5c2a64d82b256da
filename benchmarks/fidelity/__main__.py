"""Run the fidelity benchmark: `python -m benchmarks.fidelity [--json] [--only TARGET]`.

Serves the corpus on loopback (HTTPS on ::1 for the sites and feeds, plain HTTP on 127.0.0.1
for the legacy site), inspects every site and account with the checker's own Inspector
(Chromium, crawler, link checker, search and IPv6 probes, probe history in a fresh SQLite
database, the national profile), matches the findings to key.json and prints recall and
precision per class and per rule, the control targets' finding counts, and one line per miss
and per false positive. --json prints one JSON document on stdout instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

from benchmarks.fidelity import score as scoring
from benchmarks.fidelity.corpus import Corpus, build_corpus

DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
CONCURRENCY = 3


@dataclass
class Outcome:
    """What one target's inspection reported, or why it failed."""

    target: str
    findings: list[dict[str, Any]]
    seconds: float
    error: str | None = None


def _as_dict(draft: Any) -> dict[str, Any]:
    return {"rule": draft.rule, "severity": draft.severity, "message": draft.message, "url": draft.url,
            "parent_url": draft.parent_url, "offending": draft.offending, "excerpt": draft.excerpt,
            "detail": draft.detail}


async def _inspect_all(corpus: Corpus, work: Path, redis_url: str, only: set[str] | None) -> list[Outcome]:
    from services.checker.config import CheckerSettings
    from services.checker.inspect.pipeline import Inspector
    from services.checker.migrate import migrate
    from services.checker.net.fetcher import Fetcher, FetchSettings
    from services.checker.probe.models import ProbeSample
    from services.checker.profile.loader import national_profile
    from shared.db import make_engine, make_sessionmaker
    from shared.queue import connect

    settings = CheckerSettings(
        database_url=f"sqlite+aiosqlite:///{work / 'checker.db'}", principal_secret="fidelity",
        redis_url=redis_url, registry_url="http://registry.fidelity.invalid", evidence_dir=work / "evidence",
        host_map=corpus.host_map)
    await asyncio.to_thread(migrate, settings)
    engine = make_engine(settings.resolved_database_url(), None)
    sessionmaker = make_sessionmaker(engine)
    redis = await connect(redis_url)
    run = SimpleNamespace(id=uuid.uuid4(), profile=national_profile(), as_of=corpus.as_of, rules=None,
                          kind="regular")
    async with sessionmaker() as session:
        for site in corpus.sites:
            if site.probes is None:
                continue
            probes, failures = site.probes
            step = timedelta(days=7) / probes
            session.add_all(ProbeSample(
                website_id=uuid.UUID(corpus.snapshots[site.spec.key]["id"]), probed_at=corpus.as_of - step * (i + 0.5),
                ok=i % (probes // failures) != 0 or i >= failures * (probes // failures),
                status=200, elapsed_ms=150.0) for i in range(probes))
        await session.commit()
    # The registry's filed domains: every corpus site (the unregistered department is left out on purpose).
    registry = httpx.MockTransport(lambda request: httpx.Response(200, json=corpus.filed_domains))
    inspector = await Inspector.open(settings, sessionmaker, redis, registry)
    await inspector.fetcher.aclose()
    # Loopback is allowed by address, not by switching the SSRF guard off; the test CA is trusted.
    inspector.fetcher = Fetcher(FetchSettings(allowed_networks=["127.0.0.1/32", "::1/128"],
                                              ca_bundle=str(corpus.ca_path)), inspector.host_map)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(key: str) -> Outcome:
        async with gate:
            started = time.perf_counter()
            try:
                outcome = await inspector.inspect(corpus.snapshots[key], run)
            except Exception as exc:  # one failed target is reported, the others still count
                return Outcome(key, [], time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
            return Outcome(key, [_as_dict(d) for d in outcome.findings], time.perf_counter() - started)

    try:
        keys = [k for k in corpus.snapshots if only is None or k in only]
        return list(await asyncio.gather(*(one(k) for k in keys)))
    finally:
        await inspector.aclose()
        await redis.delete(f"govinspect:linkcheck:{run.id}")
        await redis.aclose()
        await engine.dispose()


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:5.1f}%"


def _line(name: str, t: scoring.Tally) -> str:
    return (f"  {name:<58} recall {_pct(t.recall)} ({t.found}/{t.expected})   "
            f"precision {_pct(t.precision)} ({t.correct}/{t.reported})")


def print_report(result: scoring.Score, key: dict[str, Any], outcomes: list[Outcome], seconds: float) -> None:
    """Print the figures, then one line per miss and per false positive."""
    print(f"fidelity benchmark: {len(outcomes)} targets inspected in {seconds:.0f} s")
    for o in outcomes:
        state = f"FAILED {o.error}" if o.error else f"{len(o.findings)} findings"
        print(f"  {o.target:<20} {o.seconds:6.1f} s  {state}")
    print("\nper class (warnings included):")
    for cls, tally in sorted(result.classes.items(), key=lambda kv: int(kv[0])):
        print(_line(f"{cls}. {key['classes'].get(cls, cls)}", tally))
    print("\nper rule:")
    for rule, tally in sorted(result.rules.items()):
        print(_line(rule, tally))
    print()
    print(_line("websites", result.websites))
    print(_line("accounts", result.accounts))
    print(_line("ALL", result.total))
    for target, count in result.controls.items():
        print(f"  control {target}: {count} findings")
    if result.tolerated:
        print(f"  tolerated (second reports of a planted problem): {result.tolerated}")
    if result.misses:
        print(f"\nmisses ({len(result.misses)}):")
        for m in result.misses:
            where = " ".join(f"{k}={m[k]}" for k in ("page", "link", "text") if k in m)
            print(f"  MISS [{m['class']}] {m['target']} {m['rule']} {where}  — {m.get('note', '')}")
    if result.false_positives:
        print(f"\nfalse positives ({len(result.false_positives)}):")
        for f in result.false_positives:
            print(f"  FP [{f['class']}] {f['target']} {f['rule']} [{f['severity']}] {f['message'][:120]}"
                  f"  ({f['url'] or ''})")


def main() -> None:
    """Build the corpus, serve it, inspect it, score it."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    parser.add_argument("--only", action="append", help="inspect only this target (may be repeated)")
    parser.add_argument("--redis", default=DEFAULT_REDIS, help=f"Redis for the link-check cache ({DEFAULT_REDIS})")
    parser.add_argument("--verbose", action="store_true", help="log the pipeline's lines")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    key = scoring.load_key()
    unknown = set(args.only or []) - set(key["targets"])
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    as_of = datetime.now(UTC).replace(second=0, microsecond=0)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fidelity-") as tmp, build_corpus(as_of, Path(tmp)) as corpus:
        outcomes = asyncio.run(_inspect_all(corpus, Path(tmp), args.redis, set(args.only) if args.only else None))
    seconds = time.perf_counter() - started
    reported = {o.target: o.findings for o in outcomes}
    result = scoring.score(key, reported, corpus.hosts, corpus.kinds)
    if args.json:
        doc = scoring.as_json(result, key)
        doc |= {"as_of": as_of.isoformat(), "seconds": round(seconds, 1),
                "targets": {o.target: {"seconds": round(o.seconds, 1), "error": o.error, "findings": o.findings}
                            for o in outcomes}}
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
    else:
        print_report(result, key, outcomes, seconds)


if __name__ == "__main__":
    main()
