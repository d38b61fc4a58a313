"""The task worker: django-tasks-db's worker plus the guarantees of `jembatan.core.jobs`.

Adds to the library's loop: a heartbeat thread (so a killed worker is noticed), the stale
task reaper, the periodic-job scheduler, and retries with back-off for jobs that declare
them. See docs/adr/0002-task-queue.md.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections, connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from jembatan.core import jobs, request_context

logger = logging.getLogger(__name__)

HOUSEKEEPING_EVERY_SECONDS = 15


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
        self.heartbeat_seconds = heartbeat_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _beat_forever(self) -> None:
        last_housekeeping = 0.0
        while not self._stop.is_set():
            try:
                jobs.heartbeat(self.worker_id)
                if time.monotonic() - last_housekeeping >= HOUSEKEEPING_EVERY_SECONDS:
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
        if not self.batch:
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
