"""Job checker.reconcile: make the queue agree with the database.

If Redis lost queued jobs, or a worker died holding a task, the database still says what is
unfinished: pending tasks without a live job are enqueued again, running tasks whose heartbeat
stopped are handed back, and runs whose every task finished are completed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import httpx
from arq.jobs import Job, JobStatus
from sqlmodel import col, or_, select

from services.checker.common.metrics import TASKS_RECOVERED
from services.checker.jobs.inspect_target import complete_run_if_done
from services.checker.jobs.resources import Resources
from services.checker.plan import service as plans
from services.checker.plan.models import Plan
from services.checker.run.models import Run, Task
from services.checker.run.service import INSPECT_JOB, QUEUE, enqueue_pending
from services.checker.watch.service import announce
from shared.errors import ProblemError
from shared.queue import deserialize

log = logging.getLogger("govinspect.checker.reconcile")


async def recover_tasks(ctx: dict[str, Any]) -> int:
    """Take back running tasks whose heartbeat stopped (their worker died) and queue them again.

    Runs every heartbeat interval on every inspection worker (one at a time), so a task held by
    a killed worker is pending again within stale_task_after_s plus one interval.
    """
    res: Resources = ctx["resources"]
    now = res.clock.now()
    stale = now - timedelta(seconds=res.settings.stale_task_after_s)
    async with res.sessionmaker() as s:
        tasks = (await s.execute(select(Task).join(Run, col(Run.id) == col(Task.run_id)).where(
            col(Task.status) == "running", col(Run.status).in_(("queued", "running")),
            or_(col(Task.heartbeat_at).is_(None), col(Task.heartbeat_at) < stale)))
        ).scalars().all()
        for task in tasks:
            log.warning("task %s (%s): heartbeat stopped at %s, taken back from its worker",
                        task.id, task.target_code, task.heartbeat_at)
            task.status, task.heartbeat_at, task.recovered = "pending", None, task.recovered + 1
            await _requeue(res, task, now)
        await s.commit()
    TASKS_RECOVERED.inc(len(tasks))
    return len(tasks)


async def _requeue(res: Resources, task: Task, now: datetime) -> bool:
    """Enqueue a pending task's job unless one is queued or in progress; True if enqueued.

    The job id carries the attempt count, so a task taken from a dead worker (whose job arq
    still lists as in progress) gets a new job rather than waiting for arq's own timeout.
    """
    job_id = f"inspect:{task.id}:{task.attempts}"
    job = Job(job_id, res.redis, _queue_name=QUEUE, _deserializer=deserialize)
    status = await job.status()
    if status in (JobStatus.queued, JobStatus.deferred, JobStatus.in_progress):
        return False
    if status == JobStatus.complete:
        await res.redis.delete(f"arq:result:{job_id}")
    await res.redis.enqueue_job(INSPECT_JOB, str(task.id), _queue_name=QUEUE, _job_id=job_id)
    task.enqueued_at = now
    return True


async def reconcile(ctx: dict[str, Any]) -> dict[str, int]:
    """Re-enqueue lost or abandoned tasks, complete finished runs, start due plans, and
    report what is stuck (services/checker/watch); return counts."""
    res: Resources = ctx["resources"]
    recovered = await recover_tasks(ctx)
    now = res.clock.now()
    requeued = completed = 0
    async with res.sessionmaker() as s:
        runs = (await s.execute(select(Run).where(
            col(Run.status).in_(("queued", "running"))))).scalars().all()
        for run in runs:
            tasks = (await s.execute(select(Task).where(
                Task.run_id == run.id, col(Task.status) == "pending"))).scalars().all()
            for task in tasks:
                requeued += await _requeue(res, task, now)
            unfinished = (await s.execute(select(Task.id).where(
                Task.run_id == run.id, col(Task.status).in_(("pending", "running"))).limit(1))
            ).first()
            if unfinished is None:
                before = run.status
                await complete_run_if_done(res, s, run.id)
                await s.refresh(run)
                completed += int(run.status != before)
        await s.commit()
    started = await start_due_plans(res)
    alerts = await announce(res.sessionmaker, res.redis, res.outbox, res.clock.now(),
                            res.settings)
    return {"requeued": requeued, "recovered": recovered, "completed": completed,
            "plans_started": started, "alerts_sent": alerts}


async def start_due_plans(res: Resources) -> int:
    """Start a run of every enabled plan whose time has come (the registry read in its scope)."""
    now = res.clock.now()
    started = 0
    async with res.sessionmaker() as s:
        due = (await s.execute(select(Plan.id).where(
            col(Plan.enabled).is_(True), col(Plan.next_run_at).is_not(None),
            col(Plan.next_run_at) <= now))).scalars().all()
    for plan_id in due:
        async with res.sessionmaker() as s:  # one plan's failure leaves the others alone
            plan = await s.get(Plan, plan_id)
            if plan is None:
                continue
            try:
                run = await plans.start(s, plan, res.registry_as,
                                        secret=res.settings.principal_secret, now=now,
                                        probes_per_day=res.settings.probes_per_day)
            except (ProblemError, httpx.HTTPError) as exc:
                # Still due: tried again next round (one round at a time, so a plan never fires
                # twice at once) and, past plan_grace_s, reported as overdue by the self-watch.
                # Moving it on a whole interval would skip a weekly inspection unnoticed.
                log.warning("plan %s could not start: %s", plan_id, exc)
                continue
            await s.commit()
            await enqueue_pending(s, res.redis, run.id, now)
            await s.commit()
            started += 1
    return started
