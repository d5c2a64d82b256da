"""The deadline watcher: overdue and due-soon events exactly once, across holidays and restarts."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.common.outbox import OutboxDelivery, OutboxEvent
from services.reporting.config import ReportingSettings
from services.reporting.rectification import service
from shared.calendar import CalendarYearMissing
from shared.clock import FixedClock
from shared.events import Outbox
from tests.reporting.factories_rect import (
    ORG_A,
    ORG_B,
    SUPERVISOR,
    Env,
    calendar_2026,
    local,
    problem,
    publish_items,
    rect_app,
    reporting_settings,
)

# Published on the eve of the National Day holiday (10-01 … 10-07 off); 10-10 is a Saturday
# worked in exchange. Three working days are 10-08 (Thu), 10-09 (Fri) and 10-10 (Sat).
PUBLISHED = local(2026, 9, 30, 10, 0)
DEADLINE = local(2026, 10, 11, 0, 0)
SECOND = timedelta(seconds=1)
OVERDUE, DUE_SOON = "rectification.overdue", "rectification.due_soon"


@pytest.fixture(scope="module")
def settings(database_url: str) -> ReportingSettings:
    return reporting_settings(database_url)


@pytest.fixture
async def env(settings: ReportingSettings) -> AsyncIterator[Env]:
    async with rect_app(settings, FixedClock(PUBLISHED)) as env:
        yield env


def test_deadline_counts_working_days_across_national_day_and_the_adjusted_saturday() -> None:
    calendar = calendar_2026()
    deadline = service.deadline_from_working_days(calendar, PUBLISHED, 3)
    assert deadline == DEADLINE == datetime(2026, 10, 10, 16, 0, tzinfo=UTC)
    assert service.deadline_from_working_days(calendar, PUBLISHED, 1) == local(2026, 10, 9, 0, 0)
    assert service.deadline_from_working_days(calendar, PUBLISHED, 4) == local(2026, 10, 13, 0, 0)
    # Due soon (2 working days): from the start of Friday 10-09, the second-last working day.
    assert service.due_soon_from(calendar, DEADLINE, 2) == local(2026, 10, 9, 0, 0)
    with pytest.raises(CalendarYearMissing) as missing:
        service.deadline_from_working_days(calendar, local(2027, 3, 1, 9, 0), 3)
    assert missing.value.year == 2027 and "2027" in missing.value.detail


async def test_overdue_goes_out_once_the_moment_the_deadline_passes(env: Env) -> None:
    done = problem(ORG_A)
    _, items = await publish_items(env, [problem(ORG_A), problem(ORG_B), done], DEADLINE)
    fixed = next(i for i in items if i.target_id == done.target_id)
    waiting = [i for i in items if i is not fixed]
    await env.ok("POST", f"/rectifications/{fixed.id}/close", SUPERVISOR, json={"note": "已核实"})

    env.clock.set(DEADLINE - SECOND)
    assert (await env.watch())["rectification_overdue"] == 0
    assert await env.events(OVERDUE) == []

    env.clock.set(DEADLINE + SECOND)
    assert (await env.watch())["rectification_overdue"] == 2
    assert (await env.watch())["rectification_overdue"] == 0
    sent = await env.events(OVERDUE)
    assert sorted(p["item_id"] for p in sent) == sorted(str(i.id) for i in waiting)
    assert {p["deadline_at"] for p in sent} == {DEADLINE.astimezone(UTC).isoformat()}
    assert {p["organisation_id"] for p in sent} == {str(ORG_A), str(ORG_B)}


async def test_two_watchers_at_once_send_each_overdue_event_once(env: Env) -> None:
    _, items = await publish_items(env, [problem(ORG_A) for _ in range(40)], DEADLINE)
    env.clock.set(DEADLINE + SECOND)
    one, two = env.resources(), env.resources()
    for res in (one, two):  # connected beforehand, so both scans start together
        async with res.sessionmaker() as s:
            await s.execute(text("SELECT 1"))

    first, second = await asyncio.gather(env.watch(one), env.watch(two))

    assert first["rectification_overdue"] + second["rectification_overdue"] == 40
    sent = [p["item_id"] for p in await env.events(OVERDUE)]
    assert sorted(sent) == sorted(str(i.id) for i in items)
    await asyncio.gather(env.watch(env.resources()), env.watch(env.resources()))
    assert len(await env.events(OVERDUE)) == 40


async def test_due_soon_goes_out_once_two_working_days_before(env: Env) -> None:
    _, items = await publish_items(env, [problem(ORG_A), problem(ORG_B)], DEADLINE)

    env.clock.set(local(2026, 10, 8, 23, 59, 59))  # three working days left: 10-08, 10-09, 10-10
    assert (await env.watch())["rectification_due_soon"] == 0
    env.clock.set(local(2026, 10, 9, 0, 0, 1))
    assert (await env.watch())["rectification_due_soon"] == 2
    env.clock.set(local(2026, 10, 10, 12, 0))
    assert (await env.watch())["rectification_due_soon"] == 0
    sent = await env.events(DUE_SOON)
    assert sorted(p["item_id"] for p in sent) == sorted(str(i.id) for i in items)
    assert {p["working_days_left"] for p in sent} == {2}

    env.clock.set(DEADLINE + SECOND)
    counts = await env.watch()
    assert counts["rectification_due_soon"] == 0 and counts["rectification_overdue"] == 2


class CrashingOutbox(Outbox):
    """An outbox whose process dies at the n-th event, in the middle of the watcher's transaction."""

    def __init__(self, env: Env, crash_at: int) -> None:
        super().__init__("reporting", OutboxEvent, OutboxDelivery, env.settings.event_routes, env.clock)
        self.calls, self.crash_at = 0, crash_at

    def publish(self, session: AsyncSession, name: str, payload: dict[str, Any]) -> uuid.UUID:
        self.calls += 1
        if self.calls == self.crash_at:
            raise RuntimeError("worker killed")
        return super().publish(session, name, payload)


async def test_a_watcher_restarted_in_the_middle_sends_each_event_once(env: Env) -> None:
    _, items = await publish_items(env, [problem(ORG_A) for _ in range(3)], DEADLINE)
    env.clock.set(local(2026, 10, 9, 9, 0))
    with pytest.raises(RuntimeError):
        await env.watch(env.resources(outbox=CrashingOutbox(env, crash_at=2)))
    assert await env.events(DUE_SOON) == []  # the half-done round left nothing behind
    assert [(await env.item(i.id)).due_soon_sent_for for i in items] == [None] * 3

    assert (await env.watch(env.resources()))["rectification_due_soon"] == 3
    env.clock.set(DEADLINE + SECOND)
    with pytest.raises(RuntimeError):
        await env.watch(env.resources(outbox=CrashingOutbox(env, crash_at=3)))
    await env.watch(env.resources())
    await env.watch(env.resources())
    assert sorted(p["item_id"] for p in await env.events(DUE_SOON)) == sorted(str(i.id) for i in items)
    assert sorted(p["item_id"] for p in await env.events(OVERDUE)) == sorted(str(i.id) for i in items)


async def test_an_extended_deadline_is_announced_again(env: Env) -> None:
    _, [item] = await publish_items(env, [problem(ORG_A)], DEADLINE)
    env.clock.set(DEADLINE + SECOND)
    await env.watch()
    extended = service.deadline_from_working_days(calendar_2026(), env.clock.now(), 5)
    assert extended == local(2026, 10, 17, 0, 0)  # Mon 12 … Fri 16
    async with env.sessionmaker() as s:
        row = await s.get(type(item), item.id)
        assert row is not None
        await service.extend_deadline(s, row, extended, "jn-gkb（济南市政务公开办）", env.clock.now(),
                                      "单位申请延期，经同意")
        await s.commit()

    env.clock.set(extended - SECOND)
    assert (await env.watch())["rectification_overdue"] == 0
    env.clock.set(extended + SECOND)
    assert (await env.watch())["rectification_overdue"] == 1
    assert (await env.watch())["rectification_overdue"] == 0
    sent = await env.events(OVERDUE)
    assert [p["deadline_at"] for p in sent] == [DEADLINE.astimezone(UTC).isoformat(),
                                                extended.astimezone(UTC).isoformat()]
    detail = await env.ok("GET", f"/rectifications/{item.id}", SUPERVISOR)
    assert detail["deadline_at"].startswith("2026-10-16T16:00")
    assert "截止时间调整为 2026-10-16 24:00" in detail["events"][-1]["note"]
