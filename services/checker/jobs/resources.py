"""What a checker worker owns for its lifetime: database, Redis, outbox, browser or fetcher."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from services.checker.config import CheckerSettings
from services.checker.ground.outcome import Outcome
from services.checker.run.models import Run
from shared.clients.registry import RegistryClient
from shared.contracts.events import AccountTarget, WebsiteTarget
from shared.events import Outbox
from shared.worker import WorkerResources

Inspect = Callable[[WebsiteTarget | AccountTarget, Run], Awaitable[Outcome]]
# Loads a URL over HTTP only (net.fetch.Fetcher.fetch without retries): the probe's client.
ProbeFetch = Callable[..., Awaitable[Any]]


@dataclass(kw_only=True)
class Resources(WorkerResources):
    """What both checker workers hold (shared.worker.WorkerResources plus the checker's own)."""

    settings: CheckerSettings
    outbox: Outbox
    # The registry, for starting due plans; None: over the network at settings.registry_url.
    registry_transport: httpx.AsyncBaseTransport | None = None

    def registry_as(self, token: str) -> RegistryClient:
        """The registry asked as `token` (a plan's owner, or the checker itself)."""
        return RegistryClient(self.settings.registry_url, token, transport=self.registry_transport)


@dataclass(kw_only=True)
class InspectResources(Resources):
    """The inspection worker's: inspecting a target (one Chromium, one guarded HTTP client)."""

    inspect: Inspect


@dataclass(kw_only=True)
class ProbeResources(Resources):
    """The probe worker's: a guarded HTTP client and no browser."""

    probe_fetch: ProbeFetch
