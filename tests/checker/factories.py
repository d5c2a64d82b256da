"""Small factories for checker service tests: targets, runs with tasks, and recorded findings.

Findings are made the way the worker makes them: a Run and its Tasks are inserted through the
checker's own sessionmaker and `finding.service.record` writes the drafts.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from services.checker.finding.service import record
from services.checker.ground.finding import FindingDraft
from services.checker.profile.loader import national_profile
from services.checker.run.models import Run, Task
from tests.integration.conftest import Suite

_seq = itertools.count(1)
# A valid 1×1 PNG: what a screenshot looks like to the evidence endpoint.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


def target(region_code: str = "370102", *, organisation_id: uuid.UUID | None = None,
           site_code: str | None = None, name: str | None = None) -> dict[str, Any]:
    """A registry snapshot of a website as a task keeps it."""
    n = next(_seq)
    return {"id": str(uuid.uuid4()), "site_code": site_code or f"{region_code}{n % 10000:04d}",
            "name": name or f"测试网站{n}", "organisation_id": str(organisation_id or uuid.uuid4()),
            "organisation_name": f"测试单位{n}", "region_code": region_code, "kind": "department",
            "domains": [f"site{n}.example.gov.cn"], "home_url": f"https://site{n}.example.gov.cn/",
            "status": "running", "icp_number": None, "psb_number": None,
            "provides_services": True}


def draft(rule: str = "content.typo", *, locator: str | None = None,
          severity: str = "deduct", message: str | None = None, **extra: Any) -> FindingDraft:
    """A finding as a rule reports it."""
    n = next(_seq)
    return FindingDraft(rule=rule, indicator=extra.pop("indicator", "测试指标"),
                        severity=severity,  # type: ignore[arg-type]
                        message=message or f"测试问题{n}", locator=locator or f"loc-{n}",
                        url=extra.pop("url", f"https://example.gov.cn/page{n}.html"), **extra)


async def run_with_tasks(suite: Suite, targets: Sequence[dict[str, Any]], now: datetime, *,
                         name: str = "测试批次", status: str = "running",
                         task_status: str = "pending") -> tuple[Run, list[Task]]:
    """Insert a run and one task per target, as `POST /runs` would have."""
    run = Run(name=name, status=status, profile_name="national_2019", profile=national_profile(),
              scope={"regions": sorted({t["region_code"] for t in targets}),
                     "organisation_ids": [], "website_ids": []},
              owner={"subject": "admin"}, as_of=now, targets_total=len(targets), created_at=now)
    tasks = [Task(run_id=run.id, target_id=uuid.UUID(t["id"]), target=t,
                  region_code=t["region_code"], organisation_id=uuid.UUID(t["organisation_id"]),
                  status=task_status) for t in targets]
    async with suite.checker.state.sessionmaker() as session:
        session.add(run)
        await session.flush()
        session.add_all(tasks)
        await session.commit()
    return run, tasks


async def record_findings(suite: Suite, task: Task, drafts: Sequence[FindingDraft],
                          now: datetime) -> int:
    """Record a task's findings as the worker does when it finishes the task."""
    async with suite.checker.state.sessionmaker() as session:
        row = await session.get(Task, task.id)
        assert row is not None
        row.findings_count = await record(session, row, drafts, now)
        row.status, row.finished_at = "done", now
        await session.commit()
        return row.findings_count
