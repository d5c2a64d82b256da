"""Availability probes: schedule spaced probes per site, confirm failures, judge the window.

RULES.md veto.unreachable: at least 20 spaced probes a day per site, a probe fails when the home
page has not loaded after 15 s, and a failed probe is confirmed by a retry before it counts.
Probes have a queue and a worker of their own (`python -m services.checker.probe_worker`), so a
week of whole-site inspections on the checker's queue never delays them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import case, col, select

from services.checker.config import CheckerSettings
from services.checker.ground.site import Availability
from services.checker.net.fetcher import Fetcher, FetchSettings
from services.checker.net.hostmap import HostMap
from services.checker.probe.models import MonitoredSite, ProbeSample
from shared.contracts.events import WebsiteTarget
from shared.queue import queue_name

PROBE_JOB = "checker.probe_site"
PROBE_QUEUE = queue_name("checker-probes")


def open_fetcher(settings: CheckerSettings) -> Fetcher:
    """The probe worker's HTTP client: the same SSRF guard and host map as inspections, no browser."""
    return Fetcher(FetchSettings(allow_private=settings.allow_private_addresses,
                                 allowed_networks=settings.allowed_networks),
                   HostMap.parse(settings.host_map))


async def watch(session: AsyncSession, targets: Sequence[WebsiteTarget], now: datetime,
                probes_per_day: int) -> None:
    """Start (or refresh) probing the sites of a run's targets (their task snapshots)."""
    for t in targets:
        site = await session.get(MonitoredSite, t.id)
        if site is None:
            site = MonitoredSite(website_id=t.id, site_code=t.site_code,
                                 home_url=t.home_url, status=t.status,
                                 probes_per_day=probes_per_day, next_probe_at=now,
                                 updated_at=now)
            session.add(site)
        else:
            site.home_url, site.status, site.updated_at = t.home_url, t.status, now


async def due(session: AsyncSession, now: datetime, limit: int = 500) -> list[MonitoredSite]:
    """Sites whose next probe is due; their next slot is moved on by one interval."""
    rows = (await session.execute(select(MonitoredSite).where(
        col(MonitoredSite.next_probe_at) <= now).order_by(
        col(MonitoredSite.next_probe_at)).limit(limit))).scalars().all()
    for site in rows:
        site.next_probe_at = now + timedelta(seconds=86400 / max(1, site.probes_per_day))
    return list(rows)


async def probe(fetch: Any, site_id: uuid.UUID, url: str, timeout_s: float,
                retry_after_s: float) -> ProbeSample:
    """Load the home page; a failure is retried once before it is recorded as failed."""
    async def once() -> tuple[bool, int | None, float | None, str | None]:
        try:
            result = await asyncio.wait_for(fetch(url), timeout=timeout_s)
        except TimeoutError:
            return False, None, timeout_s * 1000, "timeout"
        ok = result.failure is None and result.status is not None and result.status < 400
        return ok, result.status, result.elapsed_ms, result.failure

    ok, status, elapsed, failure = await once()
    retried = False
    if not ok:
        await asyncio.sleep(retry_after_s)
        retried = True
        ok, status, elapsed, failure = await once()
    return ProbeSample(website_id=site_id, probed_at=datetime.now().astimezone(), ok=ok,
                       status=status, elapsed_ms=elapsed, failure=None if ok else failure,
                       retried=retried)


async def availability(session: AsyncSession, site_id: uuid.UUID, as_of: datetime,
                       window_days: int) -> Availability:
    """Probe counts over the window before the monitoring point."""
    start = as_of - timedelta(days=window_days)
    total, failed = (await session.execute(select(
        func.count(), func.coalesce(func.sum(case((col(ProbeSample.ok).is_(False), 1), else_=0)), 0),
    ).where(ProbeSample.website_id == site_id, col(ProbeSample.probed_at) > start,
            col(ProbeSample.probed_at) <= as_of))).one()
    return Availability(probes=int(total), failures=int(failed), window_days=window_days)
