"""The checker's settings (env prefix CHECKER_)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

from services.checker.crawl.rendered import RenderSettings
from services.checker.net.politeness import Politeness
from services.checker.support.chromium import default_chromium
from shared.config import ServiceSettings, var_dir
from shared.contracts.events import AccountTarget, WebsiteTarget


class FeedPollSettings(BaseModel):
    """How feeds are polled (CheckerSettings.feed_polling; CHECKER_FEED_POLLING as JSON).

    The rates are our choice: no platform publishes a rate for anonymous readers of public
    pages, and one request a second per platform host is as slow as a person paging through
    profiles; raise it for a platform (or a provincial aggregator) that allows more.
    """

    model_config = ConfigDict(extra="ignore")

    # Requests per second per platform host; a parent domain covers its sub-hosts
    # ("weibo.com" covers "m.weibo.com"); 0 or less means unlimited.
    rates: dict[str, float] = Field(default_factory=dict)
    default_rate: float = 1.0
    retries: int = 3  # extra attempts after a transient failure or a 429
    backoff_s: float = 1.0  # wait before retry n (0-based): backoff_s * 2**n, unless Retry-After says
    # A Retry-After longer than this is not waited for: the feed is reported unreadable this time.
    max_retry_after_s: float = 300.0


class CheckerSettings(ServiceSettings):
    """Checker settings; every field can be set as CHECKER_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="CHECKER_", extra="ignore")

    service_name: str = "checker"
    registry_url: str = "http://127.0.0.1:8001"
    evidence_dir: Path = Field(default_factory=lambda: var_dir() / "evidence")
    # Like curl --resolve: host → "address:port", for staging and tests.
    host_map: dict[str, str] = Field(default_factory=dict)
    # The SSRF guard refuses loopback/private/link-local targets unless this is set.
    allow_private_addresses: bool = False
    allowed_networks: list[str] = Field(default_factory=list)
    """CIDRs the SSRF guard always lets through, e.g. the one loopback address `make run`
    serves its demo site on (`["127.77.0.1/32"]`), with the guard on for everything else."""
    chromium_path: str = Field(default_factory=default_chromium)
    """Chromium executable: /usr/bin/chromium-headless-shell when installed, else /usr/bin/chromium."""
    use_browser: bool = True
    max_pages: int = 200
    """HTML pages fetched per site, home included (profile `politeness` and a site's filing may
    change it). Our figure: every column and a sample of each column's articles of a county
    portal, inside the time budget at the default spacing."""
    max_depth: int = 3
    """Clicks from the home page: home → column → list → article, the depth at which a
    government portal's content pages sit (common crawler practice for a site audit)."""
    per_host_interval_ms: int = 200
    """Minimum spacing between request starts to one host. Our figure, at most 5 requests a
    second per host: gentler than one visitor's browser loading a page, and fast enough for a
    200-page site and its links within the time budget. Nutch waits 5 s between requests,
    Scrapy none (both per host, their defaults): a slow county server or an intranet mirror
    gets its own in the site's filing."""
    per_host_concurrency: int = 4
    """Requests to one host at a time: below the 6 connections per host a browser opens
    (Chromium's HTTP/1.1 limit), so a site sees less than one visitor's load."""
    honour_crawl_delay: bool = True
    """Honour a robots.txt Crawl-delay (a non-standard field that Bing, Yandex and Nutch
    follow; RFC 9309 leaves it out) when it asks for more spacing than ours."""
    max_attachments: int = 30
    # Rendering while crawling: the home page always, a script-built site's inner pages within
    # a budget (crawl/rendered.py, where each figure's reason is given).
    rendering: RenderSettings = Field(default_factory=RenderSettings)
    # Evidence screenshots per target, most serious findings first (findings on one page share
    # one page load: each of its elements is outlined in turn, one picture per element).
    max_screenshots: int = 8
    evidence_tabs: int = Field(default=2, ge=1)
    """Browser tabs loading the pages of evidence screenshots at once. Our figure: each load
    mostly waits for the page to settle (EVIDENCE_TIMING), so two tabs halve the evidence
    phase of an inspection (benchmarks/checker_bench.py: ~7 s for 8 pages in one tab) for a
    few per cent more browser CPU; more would crowd a 2-core worker."""
    # A failing link is checked again after this long before it is reported as unstable.
    link_recheck_delay_s: float = 10.0
    external_max_pages: int = 50
    """Distinct off-site link targets fetched per site for 外链变质 (content.external_link). Our
    own figure: a government home page links to a few dozen outside sites (friendly links, the
    national and provincial portals); targets beyond it are not judged in this run."""
    repost_import_max_bytes: int = 5 * 1024 * 1024
    """Largest XLSX of repost tasks taken at once (POST /repost-tasks/import-sheet). Our figure:
    500 tasks (the import's row limit) with article bodies of ~5,000 characters zip to ~2 MB."""
    repost_import_unpacked_bytes: int = 50 * 1024 * 1024
    """What that XLSX may unpack to, checked before unpacking (a zip bomb); ours, as the
    registry's max_import_unpacked_bytes reasons."""
    ocr_max_images: int = 20
    """Content images read by OCR per site (issue 15 item 4: a per-site budget). Our figure:
    Tesseract takes 1–3 CPU seconds per picture; 20 keep a site under a minute of OCR."""
    ocr_max_pdf_pages: int = 10
    """Pages of scanned PDFs (attachments without a text layer) read by OCR per site (ours)."""
    ocr_min_pixels: int = 40_000
    """A smaller picture is an icon or a button, not a notice posted as a picture (ours: 200×200)."""
    ocr_timeout_s: float = 30.0
    ocr_min_confidence: float = 50.0
    """Words Tesseract is less sure of (0–100) are left out: a misread digit must not make or
    hide a finding (ours; its own default keeps every word)."""
    external_excerpt_chars: int = 2000
    """Visible text kept of each external page; the rule's keywords sit in the title and first
    screen of a gambling or parked page (our own figure)."""
    job_timeout_s: int = 1800
    target_budget_s: int = 900
    """Seconds one site may take (crawl, render, links, rules, evidence); half of job_timeout_s
    so a retried job still finishes. A site's filing may raise it up to job_timeout_s."""
    worker_concurrency: int = 4
    # Reporting keeps its own copy of results, fed by these events; the gateway calls back.
    event_routes: dict[str, list[str]] = Field(default_factory=lambda: {
        "target.inspected": ["govinspect:reporting"],
        "target.rescored": ["govinspect:reporting"],
        "target.failed": ["govinspect:reporting"],
        "inspection.completed": ["govinspect:reporting", "govinspect:gateway"],
        "system.stalled": ["govinspect:gateway"],
        "repost.checked": ["govinspect:reporting", "govinspect:gateway"]})
    reconcile_interval_s: int = 60
    """How often the reconciler re-queues what Redis lost, completes finished runs and starts
    due plans (a dead worker's task is taken back sooner, every heartbeat_interval_s)."""
    # RULES.md veto.unreachable: ≥ 20 spaced probes a day, a probe fails after 15 s.
    probes_per_day: int = 24
    probe_timeout_s: float = 15.0
    probe_retry_after_s: float = 10.0
    probe_concurrency: int = 16
    """Probes one probe worker (`python -m services.checker.probe_worker`) runs at a time. Our
    own figure: a probe mostly waits on the network (deploy/README.md 容量估算: 14,000 sites ×
    96 probes a day keep about 20 slots busy), so one worker holds many; replicas add more."""
    probe_metrics_port: int | None = None
    """The probe worker's Prometheus port (`metrics_port` is the inspection worker's)."""
    probe_shutdown_wait_s: int = 5
    """On SIGTERM the probe worker lets running probes finish this long (a probe takes at most
    probe_timeout_s + probe_retry_after_s + probe_timeout_s); a cancelled probe runs again."""
    heartbeat_interval_s: float = 10.0
    """How often a worker stamps the task it holds (Task.heartbeat_at), and how often every
    worker looks for tasks whose stamp stopped. Our own figure: one small UPDATE per running
    task every 10 s is nothing to the database, and it lets a dead worker's task go back to
    pending well within a minute (issue 13: a kill -9 left a run "running" for 8 minutes)."""
    stale_after_beats: int = 3
    """A running task whose heartbeat is older than this many intervals belongs to a dead
    worker and goes back to pending. Our own figure: three missed beats (30 s) tell a dead
    worker from one whose event loop or database was slow for a beat or two; a live worker
    that does lose its task finds that out when it finishes and writes nothing."""
    stall_after_s: int = 3600
    """A run with unfinished tasks in which no task started or finished for this long is
    reported (system alert, `system.stalled`). Our own figure, no national rule: a healthy run
    finishes a target well within target_budget_s (15 min), so an hour with no task started or
    finished is not a slow site."""
    plan_grace_s: int = 900
    """An enabled plan still not started this long after its due time is reported. Our own
    figure: the reconciler starts due plans every reconcile_interval_s (60 s); fifteen minutes
    leave room for a worker restart or a slow registry before anyone is told."""
    # Account feeds: requests per second per platform host (our choice, see FeedPollSettings),
    # retries with exponential backoff, Retry-After honoured up to a limit.
    feed_polling: FeedPollSettings = Field(default_factory=FeedPollSettings)
    # Account posts read back this many days before the monitoring point for the content rules
    # (typos, personal information, …): a circular covers a quarter (ARCHITECTURE.md, reporting).
    account_read_days: int = 92

    def politeness(self, profile: dict[str, Any] | None = None,
                   target: WebsiteTarget | AccountTarget | None = None) -> Politeness:
        """Return the politeness for a target: these settings, then the profile's block, then
        the site's filing; the time budget never reaches the job's own timeout."""
        base = Politeness(per_host_interval_ms=self.per_host_interval_ms,
                          per_host_concurrency=self.per_host_concurrency, max_pages=self.max_pages,
                          max_depth=self.max_depth, target_budget_s=self.target_budget_s,
                          honour_crawl_delay=self.honour_crawl_delay)
        filed = target.politeness if isinstance(target, WebsiteTarget) else None
        out = base.layered((profile or {}).get("politeness"), filed)
        # A budget as long as the job would be cut by arq before our own timeout could say why.
        limit = max(1, self.job_timeout_s - 60)
        return out.model_copy(update={"target_budget_s": min(out.target_budget_s, limit)})

    @property
    def stale_task_after_s(self) -> float:
        """Seconds after which a running task's heartbeat counts as stopped."""
        return self.heartbeat_interval_s * self.stale_after_beats
