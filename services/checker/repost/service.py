"""Repost tasks: create and import them, and read their completion per task, per unit and per region.

Completion is judged on read against the task's deadline: a repost published by `due_on`
(Beijing date) is on time, a later one late; none found is missing once the deadline passed
(pending before). Only inspected sites and accounts have a result.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.checker.repost.models import RepostResult, RepostTask
from shared.calendar import SHANGHAI
from shared.clients.base import UpstreamProblem
from shared.clients.registry import RegistryClient
from shared.errors import Conflict, ValidationFailed
from shared.principal import Principal, region_prefix
from shared.reposts import RepostStatus, repost_sentence, repost_status
from shared.scope import ScopedLoader, region_condition, scope_condition

Status = RepostStatus


@dataclass
class TaskInput:
    title: str
    source_url: str
    body: str
    published_on: date
    region_code: str
    regions: list[str]
    organisation_ids: list[str]
    kinds: list[str]
    column: str | None
    deadline_working_days: int
    external_id: str | None = None


def status_of(result: RepostResult, due_on: date, today: date) -> Status:
    """How a target did on a task, judged now."""
    found = (result.found_published_at or result.checked_at) if result.found_url is not None else None
    return repost_status(found, due_on, today)


def _refuse(field: str, value: Any, why: str) -> ValidationFailed:
    return ValidationFailed(f"字段 {field} 的值 {value!r}：{why}",
                            errors=[{"field": field, "value": value, "message": why}])


def _check_scope(principal: Principal, item: TaskInput, where: str) -> None:
    if not principal.sees_region(item.region_code):
        raise _refuse(f"{where}region_code", item.region_code, "不在您的管辖范围内")
    for i, region in enumerate(item.regions):
        if not principal.sees_region(region):
            raise _refuse(f"{where}scope.regions[{i}]", region, "不在您的管辖范围内")
    if not item.regions and not item.organisation_ids and not principal.all_regions:
        raise _refuse(f"{where}scope.regions", [], "须指定转载范围所在区划或单位")


async def _check_units(registry: RegistryClient, items: list[TaskInput], prefix: str) -> None:
    """Every unit a scope names exists and is the caller's to see (asked as the caller): 422 else."""
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"{prefix}[{i}]." if prefix else ""
        for j, unit in enumerate(item.organisation_ids):
            if unit in seen:
                continue
            try:
                await registry.organisation(uuid.UUID(unit))
            except UpstreamProblem as exc:
                if exc.status != 404:
                    raise
                raise _refuse(f"{where}scope.organisation_ids[{j}]", unit,
                              "单位不存在或不在您的管辖范围内") from None
            seen.add(unit)


async def create_tasks(session: AsyncSession, principal: Principal, actor: str, now: datetime,
                       registry: RegistryClient, items: list[TaskInput], *, prefix: str = "",
                       ) -> list[RepostTask]:
    """Add tasks (all or none: a refused item refuses the lot), their deadlines on the registry's
    working-day calendar."""
    for i, item in enumerate(items):
        _check_scope(principal, item, f"{prefix}[{i}]." if prefix else "")
    await _check_units(registry, items, prefix)
    calendar = await registry.working_calendar()
    rows: list[RepostTask] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"{prefix}[{i}]." if prefix else ""
        if item.external_id is not None:
            taken = (await session.execute(select(RepostTask.id).where(
                RepostTask.external_id == item.external_id))).first()
            if taken is not None or item.external_id in seen:
                raise Conflict(f"字段 {where}external_id 的值 {item.external_id!r}：该任务已导入")
            seen.add(item.external_id)
        try:
            due = calendar.add_working_days(item.published_on, item.deadline_working_days)
        except Exception as exc:  # CalendarYearMissing: the year is not on the calendar
            raise _refuse(f"{where}published_on", item.published_on.isoformat(), str(exc)) from None
        rows.append(RepostTask(
            external_id=item.external_id, title=item.title, source_url=item.source_url, body=item.body,
            published_on=item.published_on, region_code=item.region_code,
            scope={"regions": item.regions, "organisation_ids": item.organisation_ids, "kinds": item.kinds},
            column=item.column, deadline_working_days=item.deadline_working_days, due_on=due,
            created_by=actor, created_at=now))
    session.add_all(rows)
    await session.flush()
    return rows


async def list_tasks(session: AsyncSession, principal: Principal, region: str | None) -> list[RepostTask]:
    """Tasks in the caller's regions, newest first (narrowed to a region subtree if given)."""
    stmt = select(RepostTask).where(region_condition(principal, RepostTask.region_code))
    if region:
        stmt = stmt.where(col(RepostTask.region_code).like(f"{region_prefix(region)}%"))
    rows = (await session.execute(stmt.order_by(col(RepostTask.published_on).desc(),
                                                col(RepostTask.created_at).desc()))).scalars().all()
    return list(rows)


TASKS = ScopedLoader(RepostTask, RepostTask.region_code, missing="转载任务 {id} 不存在")


async def get_task(session: AsyncSession, principal: Principal, task_id: uuid.UUID) -> RepostTask:
    """One task issued in the caller's regions, or 404."""
    return await TASKS.get(session, principal, task_id)


async def tasks_for_region(session: AsyncSession, region: str, since: date, until: date) -> list[RepostTask]:
    """Tasks published in the period that bind the region: issued there, above it or below it."""
    rows = (await session.execute(select(RepostTask).where(
        col(RepostTask.published_on) >= since, col(RepostTask.published_on) <= until).order_by(
        col(RepostTask.published_on)))).scalars().all()
    prefix = region_prefix(region)
    return [t for t in rows
            if t.region_code.startswith(prefix) or region.startswith(region_prefix(t.region_code))]


async def region_results(session: AsyncSession, principal: Principal, region: str,
                         tasks: list[RepostTask]) -> list[RepostResult]:
    """The results of these tasks for the region's sites and accounts the caller may see."""
    return [r for r in await results_of(session, principal, [t.id for t in tasks])
            if r.region_code.startswith(region_prefix(region))]


async def results_of(session: AsyncSession, principal: Principal,
                     task_ids: list[uuid.UUID]) -> list[RepostResult]:
    """The results of these tasks for the sites and accounts the caller may see."""
    if not task_ids:
        return []
    rows = (await session.execute(select(RepostResult).where(
        col(RepostResult.task_id).in_(task_ids),
        scope_condition(principal, RepostResult.region_code, RepostResult.organisation_id)).order_by(
        col(RepostResult.region_code), col(RepostResult.target_code)))).scalars().all()
    return list(rows)


@dataclass
class UnitCompletion:
    organisation_id: uuid.UUID
    organisation_name: str
    region_code: str
    assigned: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0


def by_unit(tasks: list[RepostTask], results: list[RepostResult], today: date) -> list[UnitCompletion]:
    """Per unit: how many task × target pairs it had and how each went."""
    due = {t.id: t.due_on for t in tasks}
    units: dict[uuid.UUID, UnitCompletion] = {}
    for r in results:
        unit = units.setdefault(r.organisation_id, UnitCompletion(r.organisation_id, r.organisation_name,
                                                                  r.region_code))
        unit.assigned += 1
        status = status_of(r, due[r.task_id], today)
        setattr(unit, status, getattr(unit, status) + 1)
    return sorted(units.values(), key=lambda u: (u.region_code, u.organisation_name))


@dataclass
class Summary:
    assigned: int  # tasks issued in the period
    reposted: int  # tasks every inspected target reposted (on time or late)
    units_missing: list[str]  # units with a missing repost
    units_late: list[str]
    sentence: str


def summarise(tasks: list[RepostTask], results: list[RepostResult], today: date) -> Summary:
    """What a circular says about the period's tasks: "转载重要信息19篇，全部完成转发" or who did not."""
    due = {t.id: t.due_on for t in tasks}
    per_task: dict[uuid.UUID, list[Status]] = defaultdict(list)
    missing: dict[str, None] = {}
    late: dict[str, None] = {}
    for r in results:
        status = status_of(r, due[r.task_id], today)
        per_task[r.task_id].append(status)
        if status == "missing":
            missing[r.organisation_name] = None
        elif status == "late":
            late[r.organisation_name] = None
    reposted = sum(1 for t in tasks
                   if per_task[t.id] and all(s in ("on_time", "late") for s in per_task[t.id]))
    return Summary(assigned=len(tasks), reposted=reposted, units_missing=list(missing), units_late=list(late),
                   sentence=repost_sentence(len(tasks), reposted, list(missing), list(late)))


def today_of(now: datetime) -> date:
    """The Beijing date of an instant."""
    return now.astimezone(SHANGHAI).date()
