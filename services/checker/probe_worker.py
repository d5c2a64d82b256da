"""The checker's probe worker: availability probes on a queue and in slots of their own.

`python -m services.checker.probe_worker` runs `checker.schedule_probes` (cron) and
`checker.probe_site` on the probe queue (`govinspect:checker-probes`), with
`CHECKER_PROBE_CONCURRENCY` slots, a guarded HTTP client and no browser. Inspections hold the
inspection worker's slots for minutes each, so probes sharing them would drift from their
spacing exactly during a national inspection (RULES.md veto.unreachable).

Upgrading from a release where probes ran on the checker's queue: probe jobs still queued there
find no function and are dropped by the inspection worker (arq logs "function not found"); each
site misses at most that one probe, and the next is scheduled an interval later as usual.
"""

from __future__ import annotations

from arq.worker import Worker

from services.checker.config import CheckerSettings
from services.checker.worker import build_worker
from shared.clock import Clock
from shared.logging import configure_logging


def build_probe_worker(settings: CheckerSettings | None = None, clock: Clock | None = None, *,
                       burst: bool = False, handle_signals: bool = True) -> Worker:
    """Create the probe worker (the checker worker's "probe" role)."""
    return build_worker(settings, clock, role="probe", burst=burst, handle_signals=handle_signals)


def main() -> None:
    """Run the probe worker until SIGTERM/SIGINT."""
    settings = CheckerSettings()
    configure_logging("checker-probe-worker", settings.log_level)
    build_probe_worker(settings).run()


if __name__ == "__main__":
    main()
