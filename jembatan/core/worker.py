"""The task worker: django-tasks-db's worker plus the guarantees of `jembatan.core.jobs`.

Adds to the library's loop: a heartbeat thread (so a killed worker is noticed), the stale
task reaper, the periodic-job scheduler, and retries with back-off for jobs that declare
them. See docs/adr/0002-task-queue.md.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from jembatan.core import jobs, request_context

logger = logging.getLogger(__name__)

HOUSEKEEPING_EVERY_SECONDS = 15


def housekeeping_interval() -> float:
    """Seconds between two runs of `housekeeping` in a running worker.

    At most 15 s, and at most half the stale threshold, so a task of a dead worker is
    handed back soon after the threshold passes even when the threshold is short.
    """
    return max(1.0, min(HOUSEKEEPING_EVERY_SECONDS, settings.JOBS_STALE_AFTER_SECONDS / 2))


def housekeeping() -> None:
    """Recover tasks of dead workers and enqueue periodic jobs that are due."""
    recovered = jobs.reap_stale_tasks()
    if recovered:
        logger.warning("Recovered %d task(s) from dead workers", recovered)
    jobs.enqueue_due_periodic_jobs()


class JembatanWorker(Worker):
    """A worker that beats, recovers, schedules and retries."""

    def __init__(self, *, heartbeat_seconds: float, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        # A heartbeat slower than a third of the stale threshold would let a live worker look
        # dead (and its task run twice): never beat slower than that, whatever the settings say.
        self.heartbeat_seconds = min(heartbeat_seconds, max(0.5, settings.JOBS_STALE_AFTER_SECONDS / 3))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _beat_forever(self) -> None:
        # `run` has just done housekeeping before starting this thread.
        last_housekeeping = time.monotonic()
        interval = housekeeping_interval()
        while not self._stop.is_set():
            try:
                jobs.heartbeat(self.worker_id)
                if time.monotonic() - last_housekeeping >= interval:
                    housekeeping()
                    last_housekeeping = time.monotonic()
            except Exception:  # the loop must survive a locked database or a lost connection
                logger.exception("Worker heartbeat failed")
            finally:
                close_old_connections()
            self._stop.wait(self.heartbeat_seconds)
        connection.close()

    def run(self) -> None:
        jobs.heartbeat(self.worker_id)
        housekeeping()
        # Beat in batch mode too: a batch worker started by cron runs tasks as long as any
        # other, and without a heartbeat its running task would look abandoned after
        # JOBS_STALE_AFTER_SECONDS and be handed to a second worker while still running.
        self._thread = threading.Thread(target=self._beat_forever, name="jembatan-heartbeat", daemon=True)
        self._thread.start()
        try:
            super().run()
        finally:
            self._stop.set()
            if self._thread is not None:
                self._thread.join(timeout=5)
            jobs.forget_worker(self.worker_id)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        with request_context.bind(actor=None, channel="worker"):
            super().run_task(db_task_result)
        db_task_result.refresh_from_db()
        if db_task_result.status == TaskResultStatus.FAILED and jobs.schedule_retry(db_task_result):
            logger.warning(
                "Task %s (%s) failed on attempt %d; retry scheduled at %s",
                db_task_result.pk,
                db_task_result.task_path,
                len(db_task_result.worker_ids),
                db_task_result.run_after.isoformat(),
            )
