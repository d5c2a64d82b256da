"""Where a circular's facts come from: reporting's results (read a page at a time), and from the
registry the region's names and its running websites and accounts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
from sqlalchemy import case, func
from sqlalchemy import select as core_select
from sqlmodel import col

from services.reporting.circular.accumulate import ProblemIndex
from services.reporting.circular.compute import ResultRow, paused_gc
from services.reporting.circular.coverage import RunningTarget
from services.reporting.common.context import Ctx
from services.reporting.result.models import Result
from shared.calendar import SHANGHAI
from shared.clients.base import UpstreamProblem
from shared.clients.registry import RegistryClient
from shared.errors import ServiceUnavailable
from shared.principal import region_prefix


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time(), SHANGHAI),
            datetime.combine(end + timedelta(days=1), time(), SHANGHAI))


# The columns compute reads, selected as plain rows (no ORM entities: a national circular loads
# ~164,000 results carrying ~2,000,000 problems).
_COLUMNS: tuple[Any, ...] = tuple(col(c) for c in (
    Result.task_id, Result.target_id, Result.target_type, Result.target_code, Result.target_name,
    Result.kind, Result.organisation_id, Result.organisation_name, Result.region_code, Result.score,
    Result.passed, Result.vetoes, Result.problems, Result.as_of, Result.uninspected_reason))


# Rows read per round trip: a page of national results carries ~12 problems each on average
# (Pareto-skewed: some thousands), so 2,000 rows keep the decoded JSON in the tens of megabytes.
PAGE_ROWS = 2_000


def _latest_statement(region_code: str, start: date, end: date, with_problems: bool) -> Any:
    lo, hi = _bounds(start, end)
    columns = [c for c in _COLUMNS if with_problems or c.key not in ("vetoes", "problems")]
    # Ranked on the narrow columns only: sorting the wide rows (problem lists) would spill to disk.
    # A judged result ranks before any not judged (未能检查): the latter counts only alone.
    ranked = core_select(col(Result.task_id), func.row_number().over(
        partition_by=col(Result.target_id),
        order_by=(case((col(Result.passed).is_(None), 1), else_=0), col(Result.as_of).desc(),
                  col(Result.task_id))).label("rank")).where(
        col(Result.region_code).like(f"{region_prefix(region_code)}%"),
        col(Result.as_of) >= lo, col(Result.as_of) < hi).subquery()
    return core_select(*columns).join(ranked, ranked.c.task_id == col(Result.task_id)).where(
        ranked.c.rank == 1).execution_options(yield_per=PAGE_ROWS)


async def result_pages(ctx: Ctx, region_code: str, start: date, end: date,
                       with_problems: bool = True) -> AsyncIterator[list[ResultRow]]:
    """The latest result of each target in the region subtree in the period, a page at a time.

    The database keeps each target's latest result (a window function, on SQLite too) and hands
    the rows over through a server-side cursor, so only one page of problem lists is decoded at
    a time; without problems (a previous period counts only verdicts) they are not read at all.
    """
    stream = await ctx.session.stream(_latest_statement(region_code, start, end, with_problems))
    try:
        async for page in stream.partitions():
            yield _rows(page, with_problems)
    finally:
        await stream.close()


async def results_in(ctx: Ctx, region_code: str, start: date, end: date,
                     with_problems: bool = True, index: ProblemIndex | None = None) -> list[ResultRow]:
    """The latest result of each target in the region subtree with a monitoring point in the period.

    With an `index`, each row's problems are taken into it as its page arrives and then dropped:
    what a circular keeps of 2,000,000 problems, not the problems themselves.
    """
    out: list[ResultRow] = []
    # The collector paused for the whole read: the driver decodes millions of acyclic problem
    # dicts, and each burst would otherwise rescan every row kept so far (reference counting
    # still frees each page's dicts once taken).
    with paused_gc():
        async for page in result_pages(ctx, region_code, start, end, with_problems):
            if index is not None:
                for r in page:
                    index.take(r, drop=True)
            out.extend(page)
    return out


def _rows(rows: Sequence[Any], with_problems: bool) -> list[ResultRow]:
    if not with_problems:
        return [ResultRow(str(task), str(target), ttype, code, name, kind, str(org), org_name, region,
                          score, passed, [], [], as_of, reason)
                for task, target, ttype, code, name, kind, org, org_name, region, score, passed, as_of,
                reason in rows]
    return [ResultRow(str(task), str(target), ttype, code, name, kind, str(org), org_name, region,
                      score, passed, vetoes, problems, as_of, reason)
            for task, target, ttype, code, name, kind, org, org_name, region, score, passed, vetoes,
            problems, as_of, reason in rows]


REGISTRY_PAGE = 1000  # the registry's largest page


async def running_targets(registry: RegistryClient, code: str) -> list[RunningTarget] | None:
    """The region's websites and accounts running in the registry, as the caller sees them.

    None when the registry does not answer: the circular then states no 检查比例 rather than a
    wrong one.
    """
    try:
        sites = await registry.all_websites(REGISTRY_PAGE, region=code, status="running")
        accounts = await registry.all_accounts(REGISTRY_PAGE, region=code, status="running")
    except (httpx.HTTPError, UpstreamProblem, ServiceUnavailable):
        return None
    return [*(RunningTarget(str(w.id), "website", w.site_code, w.name, w.kind.value,
                            w.organisation_name, w.region_code) for w in sites),
            *(RunningTarget(str(a.id), "account", a.platform_account_id, a.name, a.platform.value,
                            a.sponsor_name, a.region_code) for a in accounts)]


async def region_names(registry: RegistryClient, code: str) -> dict[str, str]:
    """Names of the region and its children, from the registry (codes when it is down)."""
    names: dict[str, str] = {}
    try:
        names[code] = (await registry.region(code)).name
        names.update({c.code: c.name for c in (await registry.regions(parent=code)).items})
    except (httpx.HTTPError, UpstreamProblem, ServiceUnavailable):
        pass
    return names
