"""Keep the copy of repost results, and state them in the circular ("转载重要信息19篇，全部完成转发")."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.reporting.repost.models import RepostCopy
from shared.contracts.events import RepostChecked
from shared.principal import region_prefix
from shared.reposts import repost_sentence, repost_status


class RepostParagraph(BaseModel):
    """The circular's 重点信息转载情况: tasks issued in the period and who did not repost."""

    assigned: int = Field(description="本期下达的转载任务数")
    reposted: int = Field(description="所有受检网站和账号都已转载的任务数")
    units_missing: list[str] = Field(default_factory=list)
    units_late: list[str] = Field(default_factory=list)
    sentence: str


async def take(session: AsyncSession, p: RepostChecked, now: datetime) -> None:
    """Apply one repost.checked: a repost once found stays found (an upsert by task and target)."""
    row = await session.get(RepostCopy, (p.task_id, p.target_id))
    if row is None:
        session.add(RepostCopy(
            task_id=p.task_id, target_id=p.target_id, title=p.title[:300], published_on=p.published_on,
            due_on=p.due_on, target_type=p.target_type, target_code=p.target_code, target_name=p.target_name,
            organisation_id=p.organisation_id, organisation_name=p.organisation_name,
            region_code=p.region_code, found_url=p.found_url, found_published_at=p.found_published_at,
            received_at=now))
        return
    if row.found_url is None and p.found_url is not None:
        row.found_url, row.found_published_at, row.received_at = p.found_url, p.found_published_at, now


async def paragraph(session: AsyncSession, region_code: str, start: date, end: date,
                    today: date) -> RepostParagraph | None:
    """The region's tasks published in the period (None when there were none)."""
    rows = (await session.execute(select(RepostCopy).where(
        col(RepostCopy.region_code).like(f"{region_prefix(region_code)}%"),
        col(RepostCopy.published_on) >= start, col(RepostCopy.published_on) <= end).order_by(
        col(RepostCopy.region_code), col(RepostCopy.organisation_name)))).scalars().all()
    if not rows:
        return None
    per_task: dict[object, list[str]] = defaultdict(list)
    missing: dict[str, None] = {}
    late: dict[str, None] = {}
    for r in rows:
        status = repost_status(r.found_published_at if r.found_url else None, r.due_on, today)
        per_task[r.task_id].append(status)
        if status == "missing":
            missing[r.organisation_name] = None
        elif status == "late":
            late[r.organisation_name] = None
    reposted = sum(1 for statuses in per_task.values() if all(s in ("on_time", "late") for s in statuses))
    return RepostParagraph(assigned=len(per_task), reposted=reposted, units_missing=list(missing),
                           units_late=list(late),
                           sentence=repost_sentence(len(per_task), reposted, list(missing), list(late)))
