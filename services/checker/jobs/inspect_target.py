"""Job checker.inspect_target: inspect one target of a run, exactly once, resumably.

The task row is the state: a job claims it (pending → running, attempt + 1), beats a heartbeat
while it works, and writes findings, score and status in one transaction that first checks it
still owns the claim. A job run twice, or after another worker died mid-way, finds the row done
(or re-claims a stale one) and cannot add a duplicate: findings are keyed by fingerprint and
sightings by (run, finding).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlmodel import col, select, update

from services.checker.common.metrics import (
    FINDINGS,
    LINKS_CHECKED,
    PAGES_FETCHED,
    TASKS_HANDED_BACK,
)
from services.checker.finding import service as findings
from services.checker.inspect.scoring import score
from services.checker.jobs.resources import InspectResources, Resources
from services.checker.run.models import Run, Task, provides_services
from services.checker.run.service import INSPECT_JOB, QUEUE
from shared.contracts.events import (
    INSPECTION_COMPLETED,
    TARGET_FAILED,
    TARGET_INSPECTED,
    InspectionCompleted,
    TargetFailed,
)
from shared.logging import run_id_var

log = logging.getLogger("govinspect.checker.inspect")
MAX_ATTEMPTS = 3


async def _claim(res: Resources, task_id: uuid.UUID) -> tuple[Task, Run] | None:
    now = res.clock.now()
    stale = now - timedelta(seconds=res.settings.stale_task_after_s)
    attempt: int | None = None  # set once the claim may be committed
    try:
        async with res.sessionmaker() as s:
            task = await s.get(Task, task_id)
            if task is None:
                log.info("task %s not found; job skipped", task_id)
                return None
            run = await s.get(Run, task.run_id)
            assert run is not None
            if run.status == "cancelled" or task.status in ("done", "failed", "cancelled"):
                log.info("task %s is %s (run %s); job skipped", task_id, task.status, run.status)
                return None
            if task.status == "running" and task.heartbeat_at and task.heartbeat_at > stale:
                log.info("task %s is held by a live worker; job skipped", task_id)
                return None
            claimed = await s.execute(update(Task).where(
                col(Task.id) == task.id, col(Task.status) == task.status,
                col(Task.attempts) == task.attempts).values(
                status="running", attempts=task.attempts + 1, started_at=now, heartbeat_at=now,
                error=None).execution_options(synchronize_session=False))
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                log.info("task %s was claimed by another worker; job skipped", task_id)
                return None
            if run.status == "queued":
                run.status, run.started_at = "running", now
            attempt = task.attempts + 1
            await s.commit()
            await s.refresh(task)
        return task, run
    except asyncio.CancelledError:
        # Stopped once the claim may have been committed (the commit, the refresh, or closing
        # the session): do not hold the task. Before the commit, nothing matches and it is a no-op.
        if attempt is not None:
            await _hand_back_quietly(res, task_id, attempt)
        raise


async def _heartbeat(res: Resources, task_id: uuid.UUID, attempt: int) -> None:
    while True:
        await asyncio.sleep(res.settings.heartbeat_interval_s)
        async with res.sessionmaker() as s:
            await s.execute(update(Task).where(
                col(Task.id) == task_id, col(Task.attempts) == attempt,
                col(Task.status) == "running").values(heartbeat_at=res.clock.now()))
            await s.commit()


async def inspect_target(ctx: dict[str, Any], task_id: str) -> str:
    """Inspect one target; safe to run twice and after a crash."""
    res: InspectResources = ctx["resources"]
    claimed = await _claim(res, uuid.UUID(task_id))
    if claimed is None:
        return "skipped"
    task, run = claimed
    run_id_var.set(str(run.id))  # this job's own task: its log lines name the run
    target = task.snapshot  # the registry's record, read through its contract once
    beat = asyncio.create_task(_heartbeat(res, task.id, task.attempts))
    try:
        try:
            outcome = await asyncio.wait_for(
                res.inspect(target, run),
                timeout=res.settings.politeness(run.profile, target).target_budget_s)
        except Exception as exc:  # recorded on the row; the run goes on with other targets
            log.exception("inspection of %s failed", task.target_code)
            await _fail(res, task, f"{type(exc).__name__}: {exc}"[:2000])
            return "failed"
        finally:
            beat.cancel()
            await asyncio.gather(beat, return_exceptions=True)  # (a cancel of this job still raises)
        return await _finish(res, task, outcome)
    except asyncio.CancelledError:
        # The worker is stopping (or arq's timeout struck) while inspecting or recording: arq
        # runs the job again, so the task goes back to pending at once instead of looking held
        # until its heartbeat turns stale. Once recorded (done, failed), nothing matches.
        await _hand_back_quietly(res, task.id, task.attempts)
        raise


async def _hand_back_quietly(res: Resources, task_id: uuid.UUID, attempt: int) -> None:
    """Hand a task back from a job being cancelled: shielded, so a second cancel does not cut
    it short; a failure (database gone too) is logged and left to the heartbeat recovery."""
    try:
        await asyncio.shield(_hand_back(res, task_id, attempt))
    except asyncio.CancelledError:
        raise
    except Exception:
        log.warning("task %s could not be handed back", task_id, exc_info=True)


async def _hand_back(res: Resources, task_id: uuid.UUID, attempt: int) -> None:
    """Return a claimed task to pending; an interrupted attempt does not count as one."""
    async with res.sessionmaker() as s:
        handed = await s.execute(update(Task).where(
            col(Task.id) == task_id, col(Task.status) == "running",
            col(Task.attempts) == attempt).values(
            status="pending", attempts=attempt - 1, heartbeat_at=None)
            .execution_options(synchronize_session=False))
        await s.commit()
    if handed.rowcount == 1:  # type: ignore[attr-defined]
        TASKS_HANDED_BACK.inc()
        log.info("task %s handed back (worker stopping)", task_id)


async def _fail(res: Resources, task: Task, error: str) -> None:
    async with res.sessionmaker() as s:
        row = await s.get(Task, task.id)
        if row is None or row.status != "running" or row.attempts != task.attempts:
            return
        row.error = error
        if row.attempts < MAX_ATTEMPTS:
            row.status = "pending"
            await s.commit()
            await res.redis.enqueue_job(INSPECT_JOB, str(row.id), _queue_name=QUEUE,
                                        _job_id=f"inspect:{row.id}:{row.attempts}",
                                        _defer_by=timedelta(seconds=5 * row.attempts))
            return
        row.status, row.finished_at = "failed", res.clock.now()
        run = (await s.execute(select(Run).where(Run.id == row.run_id))).scalar_one()
        # Reporting must learn of it too: a re-check that never finishes would otherwise leave
        # its rectification items "rechecking" for good.
        res.outbox.publish(s, TARGET_FAILED, TargetFailed.model_validate({
            "run_id": run.id, "task_id": row.id, "as_of": run.as_of, "run_kind": run.kind,
            "rules": run.rules, "target_type": row.target_type, "target": row.target,
            "error": error, "attempts": row.attempts}))
        await complete_run_if_done(res, s, row.run_id)
        await s.commit()


async def _finish(res: Resources, task: Task, outcome: Any) -> str:
    now = res.clock.now()
    async with res.sessionmaker() as s:
        run = (await s.execute(select(Run).where(Run.id == task.run_id)
                               .with_for_update())).scalar_one()
        row = await s.get(Task, task.id)
        if row is None or row.status != "running" or row.attempts != task.attempts:
            return "superseded"  # cancelled, or taken over by another worker meanwhile
        prints = [findings.fingerprint(row.target_id, d.rule, d.locator) for d in outcome.findings]
        quiet = await findings.silenced(s, prints)
        # A false positive seen again is recorded (still there, not resolved) but not scored.
        live = [(fp, d) for fp, d in zip(prints, outcome.findings, strict=True) if fp not in quiet]
        result = score([d for _, d in live], run.profile["scoring"],
                       provides_services=provides_services(row.snapshot),
                       target_type=row.target_type, judged=outcome.judged)
        row.findings_count = await findings.record(s, row, outcome.findings, now, run.rules)
        row.pages_fetched, row.links_checked = outcome.pages_fetched, outcome.links_checked
        row.uninspected_reason = outcome.uninspected_reason
        if run.kind == "recheck":
            # A re-check looks at a few rules only: it passes when none of them still fails,
            # and it has no score of its own.
            row.score, row.passed, row.vetoes, row.deductions = None, not live, result.vetoes, {}
        else:
            row.score, row.passed, row.vetoes = result.score, result.passed, result.vetoes
            row.deductions = result.deductions
        row.status, row.finished_at = "done", now
        res.outbox.publish(s, TARGET_INSPECTED, findings.result_payload(
            run, row, result, live, feed_status=outcome.feed_status,
            posts_read=outcome.posts_read, notes=outcome.notes))
        await complete_run_if_done(res, s, run.id)
        await s.commit()
    PAGES_FETCHED.inc(outcome.pages_fetched)
    LINKS_CHECKED.inc(outcome.links_checked)
    for _, draft in live:
        FINDINGS.labels(draft.rule).inc()
    return "done"


async def complete_run_if_done(res: Resources, s: Any, run_id: uuid.UUID) -> None:
    """Complete the run when no task is left unfinished; the event goes out exactly once."""
    await s.flush()
    left = (await s.execute(select(Task.id).where(
        Task.run_id == run_id, col(Task.status).in_(("pending", "running"))).limit(1))).first()
    if left is not None:
        return
    now = res.clock.now()
    done = await s.execute(update(Run).where(
        col(Run.id) == run_id, col(Run.completed_event_sent).is_(False),
        col(Run.status) != "cancelled").values(
        status="completed", finished_at=now, completed_event_sent=True)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        return
    tasks = (await s.execute(select(Task).where(Task.run_id == run_id))).scalars().all()
    res.outbox.publish(s, INSPECTION_COMPLETED, InspectionCompleted(
        run_id=run_id, finished_at=now, targets_total=len(tasks),
        targets_done=sum(t.status == "done" for t in tasks),
        targets_failed=sum(t.status == "failed" for t in tasks),
        targets_passed=sum(bool(t.passed) for t in tasks),
        targets_uninspected=sum(t.status == "done" and t.passed is None for t in tasks)))
