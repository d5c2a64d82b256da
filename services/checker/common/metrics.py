"""The checker's own Prometheus metrics (the generic ones are in shared.metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

PAGES_FETCHED = Counter("govinspect_checker_pages_fetched_total",
                        "Pages fetched by inspections (HTML pages and attachments)")
LINKS_CHECKED = Counter("govinspect_checker_links_checked_total",
                        "Links checked by inspections")
FINDINGS = Counter("govinspect_checker_findings_total",
                   "Findings recorded by inspections, by rule", ["rule"])
PROBES = Counter("govinspect_checker_probes_total",
                 "Availability probes by outcome (ok, failed)", ["outcome"])
TASKS_HANDED_BACK = Counter("govinspect_checker_tasks_handed_back_total",
                            "Tasks a stopping worker handed back as pending")
TASKS_RECOVERED = Counter("govinspect_checker_tasks_recovered_total",
                          "Tasks taken back from a worker whose heartbeat stopped")
SYSTEM_ALERTS = Gauge("govinspect_system_alerts",
                      "Open system alerts by kind (run.stalled, plan.overdue), as of the last "
                      "reconciler round", ["kind"])
