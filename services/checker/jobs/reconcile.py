"""Job checker.reconcile: make the queue agree with the database.

If Redis lost queued jobs, or a worker died holding a task, the database still says what is
unfinished: pending tasks without a live job are enqueued again, running tasks whose heartbeat
stopped are handed back, and runs whose every task finished are completed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from arq.jobs import Job, JobStatus
from sqlmodel import col, select

from services.checker.jobs.inspect_target import complete_run_if_done
from services.checker.jobs.resources import Resources
from services.checker.run.models import Run, Task
from services.checker.run.service import INSPECT_JOB, QUEUE
from shared.queue import deserialize


async def reconcile(ctx: dict[str, Any]) -> dict[str, int]:
    """Re-enqueue lost or abandoned tasks and complete finished runs; return counts."""
    res: Resources = ctx["resources"]
    now = res.clock.now()
    stale = now - timedelta(seconds=res.settings.stale_task_after_s)
    requeued = recovered = completed = 0
    async with res.sessionmaker() as s:
        runs = (await s.execute(select(Run).where(
            col(Run.status).in_(("queued", "running"))))).scalars().all()
        for run in runs:
            tasks = (await s.execute(select(Task).where(
                Task.run_id == run.id, col(Task.status).in_(("pending", "running"))))
            ).scalars().all()
            for task in tasks:
                if task.status == "running":
                    if task.heartbeat_at is None or task.heartbeat_at < stale:
                        task.status = "pending"
                        recovered += 1
                    else:
                        continue
                job_id = f"inspect:{task.id}:{task.attempts}"
                job = Job(job_id, res.redis, _queue_name=QUEUE, _deserializer=deserialize)
                status = await job.status()
                if status in (JobStatus.queued, JobStatus.deferred, JobStatus.in_progress):
                    continue
                if status == JobStatus.complete:
                    await res.redis.delete(f"arq:result:{job_id}")
                await res.redis.enqueue_job(INSPECT_JOB, str(task.id), _queue_name=QUEUE,
                                            _job_id=job_id)
                task.enqueued_at = now
                requeued += 1
            if not tasks:
                before = run.status
                await complete_run_if_done(res, s, run.id)
                await s.refresh(run)
                completed += int(run.status != before)
        await s.commit()
    return {"requeued": requeued, "recovered": recovered, "completed": completed}
