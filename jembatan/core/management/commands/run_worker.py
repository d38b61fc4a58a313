"""`manage.py run_worker`: the task worker with Jembatan's delivery guarantees."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from jembatan.core import jobs
from jembatan.core.worker import JembatanWorker


class Command(BaseCommand):
    help = "Run the background task worker (heartbeat, stale-task recovery, periodic jobs, retries)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="*", help="Comma-separated queue names, or * for all (default).")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds to sleep when the queue is empty.")
        parser.add_argument("--batch", action="store_true", help="Run what is due, then exit (tests, cron).")
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many tasks.")
        parser.add_argument("--worker-id", default=None, help="Unique worker id (default: host-pid-time).")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = JembatanWorker(
            queue_names=options["queues"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"] or jobs.new_worker_id(),
            excluded_queue_names=[],
            heartbeat_seconds=settings.JOBS_HEARTBEAT_SECONDS,
        )
        worker.configure_signals()
        worker.run()
