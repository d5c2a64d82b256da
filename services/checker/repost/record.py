"""What an inspection does for repost tasks: find each open task's repost on the target, record it.

Called by the pipeline with the site's snapshot (its crawled pages: home, column lists and
articles) or the account's posts. The first repost found is kept: a later inspection that no
longer reaches it (the article slid off the crawled lists) does not undo it. The first result of
a task on a target, and a repost found later, are announced as `repost.checked` (the callback
to the issuing system through the gateway's webhooks), in the same transaction.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from services.checker.ground.account import AccountSnapshot
from services.checker.ground.site import SiteSnapshot
from services.checker.net.fetcher import Fetcher
from services.checker.repost.match import Article, Found, Params, find_in_posts, find_on_site
from services.checker.repost.models import RepostResult, RepostTask
from services.checker.repost.search import search_site
from services.checker.repost.service import status_of
from shared.calendar import SHANGHAI
from shared.contracts.events import REPOST_CHECKED, RepostChecked
from shared.events import Outbox
from shared.principal import region_prefix

log = logging.getLogger("govinspect.checker.repost")


def covers(scope: dict[str, Any], *, region_code: str, organisation_id: UUID, kinds: set[str]) -> bool:
    """Whether a task's scope names the target: every criterion given must hold.

    `regions`: the target lies in one of the region subtrees; `organisation_ids`: it is one of
    these units'; `kinds`: its kind (portal / department / account / the account's platform).
    """
    regions = scope.get("regions") or []
    units = scope.get("organisation_ids") or []
    wanted = scope.get("kinds") or []
    return ((not regions or any(region_code.startswith(region_prefix(r)) for r in regions))
            and (not units or str(organisation_id) in units)
            and (not wanted or bool(kinds & set(wanted))))


async def _open_tasks(s: AsyncSession, run: Any, params: Params) -> list[RepostTask]:
    today = run.as_of.astimezone(SHANGHAI).date()
    rows = (await s.execute(select(RepostTask).where(
        col(RepostTask.published_on) <= today,
        col(RepostTask.due_on) >= today - timedelta(days=params.follow_days)))).scalars().all()
    return list(rows)


async def _found_before(s: AsyncSession, task: RepostTask, target_id: UUID) -> bool:
    """Whether an earlier run already found this task's repost on the target (no search then)."""
    row = (await s.execute(select(RepostResult.found_url).where(
        RepostResult.task_id == task.id, RepostResult.target_id == target_id))).first()
    return row is not None and row[0] is not None


async def _record(s: AsyncSession, task: RepostTask, found: Found | None, fields: dict[str, Any],
                  run: Any, outbox: Outbox | None) -> None:
    row = (await s.execute(select(RepostResult).where(
        RepostResult.task_id == task.id, RepostResult.target_id == fields["target_id"]))).scalar_one_or_none()
    if row is not None and row.found_url is not None:
        return
    news = row is None or found is not None  # first judged, or found at last: the issuer hears of it
    if row is None:
        row = RepostResult(task_id=task.id, run_id=run.id, checked_at=run.as_of, **fields)
        s.add(row)
    row.run_id, row.checked_at = run.id, run.as_of
    if found is not None:
        row.found_url, row.found_title = found.url[:2000], found.title[:500]
        row.found_published_at, row.similarity = found.published_at or run.as_of, found.similarity
        if task.column:
            row.in_column = any(task.column in name for name in found.columns)
    if news and outbox is not None:
        outbox.publish(s, REPOST_CHECKED, RepostChecked(
            task_id=task.id, external_id=task.external_id, title=task.title,
            published_on=task.published_on, due_on=task.due_on,
            target_type=row.target_type, target_id=row.target_id, target_code=row.target_code,
            target_name=row.target_name, organisation_id=row.organisation_id,
            organisation_name=row.organisation_name, region_code=row.region_code,
            status=status_of(row, task.due_on, run.as_of.astimezone(SHANGHAI).date()),
            found_url=row.found_url, found_published_at=row.found_published_at, run_id=run.id,
            checked_at=run.as_of))


async def _commit(s: AsyncSession) -> None:
    """Commit the results; when another run recorded the same target at the same moment (the
    unique task × target key), its results stand and these are dropped: the next run judges again."""
    try:
        await s.commit()
    except IntegrityError:
        await s.rollback()
        log.warning("repost results recorded concurrently by another run; kept the other run's")


async def record_site(sessionmaker: async_sessionmaker[AsyncSession], site: SiteSnapshot, run: Any,
                      outbox: Outbox | None = None, fetcher: Fetcher | None = None) -> int:
    """Look for every open task covering the site among its pages; return how many were judged."""
    t = site.target
    params = Params.of(run.profile)
    judged = 0
    async with sessionmaker() as s:
        for task in await _open_tasks(s, run, params):
            if not covers(task.scope, region_code=t.region_code, organisation_id=t.organisation_id,
                          kinds={t.kind, "website"}):
                continue
            article = Article(task.title, task.body, task.source_url)
            found = find_on_site(article, site, params)
            if found is None and fetcher is not None and not await _found_before(s, task, t.id):
                found = await search_site(article, site, fetcher, params)
            await _record(s, task, found, {
                "target_type": "website", "target_id": t.id, "target_code": t.site_code,
                "target_name": t.name, "organisation_id": t.organisation_id,
                "organisation_name": t.organisation_name, "region_code": t.region_code}, run, outbox)
            judged += 1
        await _commit(s)
    return judged


async def record_account(sessionmaker: async_sessionmaker[AsyncSession], account: AccountSnapshot,
                         run: Any, outbox: Outbox | None = None) -> int:
    """Look for every open task covering the account among its posts; return how many were judged."""
    if not account.readable:
        return 0
    t = account.target
    params = Params.of(run.profile)
    judged = 0
    async with sessionmaker() as s:
        for task in await _open_tasks(s, run, params):
            if not covers(task.scope, region_code=t.region_code, organisation_id=t.organisation_id,
                          kinds={t.platform, "account"}):
                continue
            found = find_in_posts(Article(task.title, task.body, task.source_url), account, params)
            await _record(s, task, found, {
                "target_type": "account", "target_id": t.id, "target_code": t.code,
                "target_name": t.name, "organisation_id": t.organisation_id,
                "organisation_name": t.organisation_name, "region_code": t.region_code}, run, outbox)
            judged += 1
        await _commit(s)
    return judged
