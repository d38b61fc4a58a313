"""Job guarantees that are about processes, proved with real `manage.py run_worker` processes.

The tests commit their rows (`transaction=True`) so the worker subprocess, connected to the
same test database, sees them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jembatan.core import jobs
from jembatan.core.models import WorkerHeartbeat
from jembatan.core.tests import jobs_fixtures

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

STALE_AFTER_SECONDS = 2


def database_url_for_subprocess() -> str:
    """A DATABASE_URL naming the database this test runs against."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        credentials = quote(s["USER"] or "", safe="")
        if s.get("PASSWORD"):
            credentials += ":" + quote(s["PASSWORD"], safe="")
        host = s.get("HOST") or "localhost"
        port = s.get("PORT") or "5432"
        return f"postgres://{credentials}@{host}:{port}/{quote(s['NAME'], safe='')}"
    pytest.fail(f"Jembatan runs on SQLite and PostgreSQL only, not {connection.vendor}")


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    tails = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs if p.exists())
    pytest.fail(f"timed out after {timeout} s waiting for {what}\n{tails}")


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[str], tuple[subprocess.Popen, Path]]]:
    """`start_worker(worker_id)` starts `manage.py run_worker` on the test database."""
    started: list[subprocess.Popen] = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.django.test",
        "DATABASE_URL": database_url_for_subprocess(),
        "JOBS_STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS),
        "JOBS_HEARTBEAT_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }

    def _start(worker_id: str) -> tuple[subprocess.Popen, Path]:
        log = tmp_path / f"{worker_id}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--worker-id", worker_id],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(proc)
        return proc, log

    yield _start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def test_task_of_a_killed_worker_is_recovered_by_the_next_worker_and_completes_once(start_worker, tmp_path):
    """kill -9 mid-task, start a fresh worker: the task is handed back, claimed a second time,
    and its effect is applied exactly once."""
    # Given a committed task that marks its start and then works for a long time
    marker_dir = tmp_path / "markers"
    marker_dir.mkdir()
    task_id = jobs.enqueue(jobs_fixtures.slow_once_job, marker_dir=str(marker_dir), key="k1")
    starts, effects = marker_dir / "starts.log", marker_dir / "effects.log"

    # When the first worker has claimed it and is in the middle of it
    first, first_log = start_worker("worker-killed")
    wait_for(starts.exists, timeout=20, what="the job to start in the first worker", logs=[first_log])
    row = DBTaskResult.objects.get(pk=task_id)
    assert row.status == TaskResultStatus.RUNNING
    assert row.worker_ids == ["worker-killed"]
    assert WorkerHeartbeat.objects.filter(worker_id="worker-killed").exists()

    # ... and is killed without any chance to clean up
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.RUNNING  # nobody else knows yet
    time.sleep(STALE_AFTER_SECONDS + 0.5)  # let its heartbeat go stale

    # Then a fresh worker recovers the task and completes it
    second, second_log = start_worker("worker-fresh")
    wait_for(
        lambda: DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.SUCCESSFUL,
        timeout=20,
        what="the recovered task to succeed",
        logs=[first_log, second_log],
    )
    time.sleep(1)  # give a wrong second completion the chance to happen
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=10)

    row = DBTaskResult.objects.get(pk=task_id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["worker-killed", "worker-fresh"]
    assert len(row.worker_ids) == 2
    assert row.return_value == "done"
    # Two starts, one in each worker process.
    assert starts.read_text().split() == [str(first.pid), str(second.pid)]
    assert effects.read_text().splitlines() == [f"k1 {second.pid}"]
    # A gracefully stopped worker removes its heartbeat; the killed one could not.
    assert not WorkerHeartbeat.objects.filter(worker_id="worker-fresh").exists()


def test_task_queued_while_no_worker_runs_is_run_by_the_next_worker(start_worker, tmp_path):
    """The queue is the database: a task committed while the worker is stopped survives the
    restart and runs once the worker is back."""
    # Given a worker that is stopped gracefully before the task exists
    first, first_log = start_worker("worker-before")
    wait_for(
        lambda: WorkerHeartbeat.objects.filter(worker_id="worker-before").exists(),
        timeout=20,
        what="the first worker to start",
        logs=[first_log],
    )
    first.send_signal(signal.SIGTERM)
    first.wait(timeout=10)
    assert first.returncode == 0

    # When a task is committed with no worker running
    counter = tmp_path / "runs"
    task_id = jobs.enqueue(jobs_fixtures.flaky_job, counter_path=str(counter), failures=0)
    time.sleep(0.5)
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.READY

    # Then the restarted worker runs it, once
    second, second_log = start_worker("worker-after")
    wait_for(
        lambda: DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.SUCCESSFUL,
        timeout=20,
        what="the task to succeed",
        logs=[first_log, second_log],
    )
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=10)
    row = DBTaskResult.objects.get(pk=task_id)
    assert row.worker_ids == ["worker-after"]
    assert counter.read_text().splitlines() == ["x"]
