"""The one way to declare, enqueue and run background work.

Contract (docs/adr/0002-task-queue.md):

* `enqueue(job, **kwargs)` writes the task row in the caller's transaction: if the business
  write rolls back, the task was never queued; if it commits, the task is queued. No
  `on_commit` gap in which a crash loses the task.
* At least once: a worker killed mid-task leaves a RUNNING row whose worker heartbeat goes
  stale; `reap_stale_tasks` hands it back to the queue. Every job must therefore be
  idempotent (keep the truth on the business row, check it before acting).
* Retries: a job declares `retries` and a back-off; a failure with attempts left puts the
  same row back to READY with `run_after` in the future. The attempt number is the number
  of times the row was claimed (`len(worker_ids)`), as in Django 6's `TaskContext.attempt`.
* Periodic jobs come from one list, `settings.JOBS_PERIODIC`; each period runs once.

Jobs take ids and plain values, never model instances.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task as _task
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jembatan.core.models import PeriodicJobRun, WorkerHeartbeat

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how late a failed job is tried again."""

    max_attempts: int
    backoff_seconds: float = 30.0
    backoff_factor: float = 2.0
    max_backoff_seconds: float = 3600.0

    def delay_for(self, attempt: int) -> dt.timedelta:
        """The wait before attempt `attempt + 1`, after `attempt` failures."""
        seconds = self.backoff_seconds * (self.backoff_factor ** max(attempt - 1, 0))
        return dt.timedelta(seconds=min(seconds, self.max_backoff_seconds))


_policies: dict[str, RetryPolicy] = {}


def job(*, queue: str = "short", retries: int = 0, backoff_seconds: float = 30.0, backoff_factor: float = 2.0) -> Callable[[F], Task]:
    """Declare a background job.

    `retries` is the number of extra attempts after a failure (0: fail at once). Crash
    recovery does not need `retries`: a task whose worker died is always re-run, up to
    `JOBS_MAX_ATTEMPTS_DEFAULT` claims.
    """

    def decorator(func: F) -> Task:
        wrapped = _task(func, queue_name=queue)
        _policies[wrapped.module_path] = RetryPolicy(
            max_attempts=retries + 1, backoff_seconds=backoff_seconds, backoff_factor=backoff_factor
        )
        return wrapped

    return decorator


def retry_policy_for(task_path: str) -> RetryPolicy:
    if task_path not in _policies:
        # Importing the task registers its policy.
        try:
            import_string(task_path)
        except ImportError:
            pass
    return _policies.get(task_path, RetryPolicy(max_attempts=1))


def enqueue(job_task: Task, *, run_after: dt.datetime | None = None, **kwargs: Any) -> str:
    """Queue `job_task` with keyword arguments, inside the caller's transaction.

    Returns the task id. Arguments must be JSON-serialisable (ids, strings, numbers).
    """
    if run_after is not None:
        job_task = job_task.using(run_after=run_after)
    result = job_task.enqueue(**kwargs)
    return str(result.id)


# --- worker-side machinery -------------------------------------------------------------


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{timezone.now():%H%M%S}"


def heartbeat(worker_id: str) -> None:
    """Record that `worker_id` is alive."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(), "last_seen_at": now},
        )


def forget_worker(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def reap_stale_tasks(*, now: dt.datetime | None = None) -> int:
    """Hand back to the queue every RUNNING task whose worker stopped beating.

    A task is stale when its last claiming worker has no heartbeat newer than
    `JOBS_STALE_AFTER_SECONDS`. It goes back to READY (to be claimed again) while it has
    claims left, otherwise it is marked FAILED with the reason. Returns how many were
    handed back or failed.
    """
    now = now or timezone.now()
    threshold = now - dt.timedelta(seconds=settings.JOBS_STALE_AFTER_SECONDS)
    alive = set(WorkerHeartbeat.objects.filter(last_seen_at__gte=threshold).values_list("worker_id", flat=True))
    count = 0
    # Materialise the candidates first: writing to the rows being iterated is unsafe on
    # SQLite (no isolation between statements of one connection).
    candidates = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=threshold).values_list("pk", "worker_ids")
    )
    for pk, worker_ids in candidates:
        last_worker = worker_ids[-1] if worker_ids else None
        if last_worker in alive:
            continue
        with transaction.atomic():
            # Re-check under the row lock that the row is still the dead worker's claim: another
            # reaper may have handed it back and a live worker claimed it again meanwhile, and
            # re-reaping that claim would run the task twice at the same time.
            fresh = (
                DBTaskResult.objects.select_for_update().filter(pk=pk, status=TaskResultStatus.RUNNING, started_at__lt=threshold).first()
            )
            if fresh is None or (fresh.worker_ids[-1] if fresh.worker_ids else None) != last_worker:
                continue
            policy = retry_policy_for(fresh.task_path)
            limit = max(policy.max_attempts, settings.JOBS_MAX_ATTEMPTS_DEFAULT)
            if len(fresh.worker_ids) >= limit:
                fresh.status = TaskResultStatus.FAILED
                fresh.finished_at = now
                fresh.exception_class_path = "jembatan.core.jobs.WorkerLost"
                fresh.traceback = f"Worker {last_worker} stopped during the task; {len(fresh.worker_ids)} attempts used."
                fresh.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            else:
                fresh.status = TaskResultStatus.READY
                fresh.started_at = None
                fresh.run_after = now
                fresh.save(update_fields=["status", "started_at", "run_after"])
            logger.warning("Recovered task %s (%s) from dead worker %s", fresh.pk, fresh.task_path, last_worker)
            count += 1
    WorkerHeartbeat.objects.filter(last_seen_at__lt=threshold - dt.timedelta(hours=1)).delete()
    return count


def schedule_retry(db_task_result: DBTaskResult, *, now: dt.datetime | None = None) -> bool:
    """After a failure, put the task back with back-off if its policy allows another attempt.

    Returns True when a retry was scheduled (the row is READY again), False when the
    failure is final.
    """
    policy = retry_policy_for(db_task_result.task_path)
    attempts = len(db_task_result.worker_ids)
    if attempts >= policy.max_attempts:
        return False
    now = now or timezone.now()
    db_task_result.status = TaskResultStatus.READY
    db_task_result.run_after = now + policy.delay_for(attempts)
    db_task_result.started_at = None
    db_task_result.finished_at = None
    db_task_result.save(update_fields=["status", "run_after", "started_at", "finished_at"])
    return True


def period_start(now: dt.datetime, every_seconds: int) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % every_seconds, tz=dt.UTC)


def enqueue_due_periodic_jobs(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue each periodic job whose current period has not been enqueued yet.

    Safe to call from several workers at once: the unique (name, period) row decides who
    enqueues. Returns the names enqueued by this call.
    """
    now = now or timezone.now()
    enqueued: list[str] = []
    for name, (path, every) in settings.JOBS_PERIODIC.items():
        start = period_start(now, every)
        if PeriodicJobRun.objects.filter(name=name, period_start=start).exists():
            continue
        try:
            with transaction.atomic():
                run = PeriodicJobRun.objects.create(name=name, period_start=start)
                task_id = enqueue(import_string(path))
                run.task_result_id = task_id
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another worker enqueued this period first
        enqueued.append(name)
    return enqueued
