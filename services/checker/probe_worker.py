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

import functools

from arq.cron import cron
from arq.worker import Worker, func

from services.checker import tables  # noqa: F401 - every mapper registered before use
from services.checker.config import CheckerSettings
from services.checker.jobs.probe_site import probe_site, schedule_probes
from services.checker.jobs.resources import ProbeResources
from services.checker.probe.service import PROBE_JOB, PROBE_QUEUE, open_fetcher
from services.checker.worker import checker_outbox
from shared.clock import Clock, SystemClock
from shared.logging import configure_logging
from shared.worker import WorkerPlan, WorkerResources, build_worker


def build_probe_worker(settings: CheckerSettings | None = None, clock: Clock | None = None, *,
                       burst: bool = False, handle_signals: bool = True) -> Worker:
    """Create the probe worker: no Chromium, a probe loads the home page over HTTP only."""
    settings = settings or CheckerSettings()
    clock = clock or SystemClock()

    async def resources(base: WorkerResources) -> ProbeResources:
        fetcher = open_fetcher(settings)
        base.on_close(fetcher.aclose)
        return ProbeResources(**base.shared(), settings=settings,
                              outbox=checker_outbox(settings, clock),
                              probe_fetch=functools.partial(fetcher.fetch, retries=0))

    plan = WorkerPlan(
        queue=PROBE_QUEUE, max_jobs=settings.probe_concurrency, keep_result_s=3600,
        shutdown_wait_s=settings.probe_shutdown_wait_s, metrics_port=settings.probe_metrics_port,
        functions=[func(probe_site, name=PROBE_JOB, timeout=120, max_tries=2)],
        cron_jobs=[cron(schedule_probes, name="checker.schedule_probes", second={30},
                        run_at_startup=False, unique=True, timeout=120)])
    return build_worker(settings, clock, plan, resources, burst=burst,
                        handle_signals=handle_signals)


def main() -> None:
    """Run the probe worker until SIGTERM/SIGINT."""
    settings = CheckerSettings()
    configure_logging("checker-probe-worker", settings.log_level)
    build_probe_worker(settings).run()


if __name__ == "__main__":
    main()
