"""Jobs checker.schedule_probes and checker.probe_site: spaced availability probes.

Both run on the probe worker (services/checker/probe_worker.py), on the probe queue.
"""

from __future__ import annotations

import uuid
from typing import Any

from services.checker.common.metrics import PROBES
from services.checker.jobs.resources import ProbeResources
from services.checker.probe import service
from services.checker.probe.models import MonitoredSite


async def schedule_probes(ctx: dict[str, Any]) -> int:
    """Enqueue a probe for every site whose slot is due."""
    res: ProbeResources = ctx["resources"]
    now = res.clock.now()
    async with res.sessionmaker() as s:
        sites = await service.due(s, now)
        await s.commit()
    for site in sites:
        slot = int(now.timestamp())
        await res.redis.enqueue_job(service.PROBE_JOB, str(site.website_id),
                                    _queue_name=service.PROBE_QUEUE,
                                    _job_id=f"probe:{site.website_id}:{slot}")
    return len(sites)


async def probe_site(ctx: dict[str, Any], website_id: str) -> bool:
    """Probe one site's home page and store the sample."""
    res: ProbeResources = ctx["resources"]
    async with res.sessionmaker() as s:
        site = await s.get(MonitoredSite, uuid.UUID(website_id))
        if site is None:
            return False
        url = site.home_url
    sample = await service.probe(res.probe_fetch, uuid.UUID(website_id), url,
                                 timeout_s=res.settings.probe_timeout_s,
                                 retry_after_s=res.settings.probe_retry_after_s)
    sample.probed_at = res.clock.now()
    async with res.sessionmaker() as s:
        s.add(sample)
        await s.commit()
    PROBES.labels("ok" if sample.ok else "failed").inc()
    return sample.ok
