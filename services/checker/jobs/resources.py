"""What a checker worker owns for its lifetime: database, Redis, outbox, browser or fetcher."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.checker.config import CheckerSettings
from services.checker.inspect.model import FindingDraft
from services.checker.run.models import Run
from shared.events import Outbox
from shared.worker import WorkerResources


@dataclass
class Outcome:
    """What inspecting one target produced."""

    findings: list[FindingDraft]
    pages_fetched: int = 0
    links_checked: int = 0
    # Accounts: how reading the feed went (feeds.model.FeedStatus) and the posts it kept.
    feed_status: str | None = None
    posts_read: int = 0
    # Facts about the run, not problems of the target (never findings, never scored), e.g.
    # {"kind": "availability_unknown", "message": "探测数据不足，…"}: shown beside the result.
    notes: list[dict[str, Any]] = field(default_factory=list)
    # Websites: why the home page could not be fetched, so the site was not inspected.
    uninspected: str | None = None

    @property
    def judged(self) -> bool:
        """False when the target could not be read at all, so it cannot pass or fail."""
        return self.uninspected_reason is None

    @property
    def uninspected_reason(self) -> str | None:
        """Why nothing could be inspected (未能检查), or None when the target was read."""
        if self.uninspected is not None:
            return self.uninspected
        return FEED_UNREAD.get(self.feed_status or "")


# Feed statuses (feeds.model.FeedStatus) in which an account's posts could not be read.
FEED_UNREAD = {"unreadable": "账号内容无法读取", "not_configured": "账号未配置读取方式"}


Inspect = Callable[[dict[str, Any], Run], Awaitable[Outcome]]
# Loads a URL over HTTP only (net.fetch.Fetcher.fetch without retries): the probe's client.
ProbeFetch = Callable[..., Awaitable[Any]]


@dataclass(kw_only=True)
class Resources(WorkerResources):
    """What both checker workers hold (shared.worker.WorkerResources plus the checker's own)."""

    settings: CheckerSettings
    outbox: Outbox
    # The registry, for starting due plans; None: over the network at settings.registry_url.
    registry_transport: httpx.AsyncBaseTransport | None = None


@dataclass(kw_only=True)
class InspectResources(Resources):
    """The inspection worker's: inspecting a target (one Chromium, one guarded HTTP client)."""

    inspect: Inspect


@dataclass(kw_only=True)
class ProbeResources(Resources):
    """The probe worker's: a guarded HTTP client and no browser."""

    probe_fetch: ProbeFetch
