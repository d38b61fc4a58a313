"""The job layer's guarantees, in one process: same-transaction enqueue, retries with
back-off, crash recovery by the reaper, periodic jobs once per period.

The guarantees about worker *processes* (kill -9 mid-task) are in `test_jobs_processes.py`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jembatan.core import jobs
from jembatan.core.models import PeriodicJobRun, WorkerHeartbeat
from jembatan.core.tests import jobs_fixtures
from jembatan.core.worker import JembatanWorker, housekeeping_interval

NOOP_PATH = "jembatan.core.tests.jobs_fixtures.noop_job"


class Rollback(Exception):
    pass


def in_other_connection(fn: Callable[[], Any]) -> Any:
    """Run `fn` in a new thread, hence on its own database connection, and return its result."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised in the caller
            box["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=30)
    if "error" in box:
        raise box["error"]
    return box.get("value")


def run_batch(worker_id: str) -> None:
    """Run the real worker loop in batch mode: everything due now, then return."""
    worker = JembatanWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
        heartbeat_seconds=1,
    )
    worker.run()


def lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def make_due_now(task_id: str) -> None:
    """Let the back-off pass (the test's stand-in for waiting minutes)."""
    DBTaskResult.objects.filter(pk=task_id).update(run_after=timezone.now())


@pytest.fixture
def no_periodic_jobs(settings):
    settings.JOBS_PERIODIC = {}


# --- enqueue is part of the caller's transaction ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_enqueue_in_a_rolled_back_transaction_leaves_no_task():
    """A task enqueued in a transaction that rolls back was never queued."""
    seen: list[str] = []

    def enqueue_then_fail() -> None:
        with transaction.atomic():
            seen.append(jobs.enqueue(jobs_fixtures.noop_job))
            assert DBTaskResult.objects.filter(pk=seen[0]).exists()  # visible to its own transaction
            raise Rollback

    with pytest.raises(Rollback):
        enqueue_then_fail()
    task_id = seen[0]
    assert not DBTaskResult.objects.filter(pk=task_id).exists()
    assert in_other_connection(lambda: DBTaskResult.objects.filter(pk=task_id).exists()) is False


@pytest.mark.django_db(transaction=True)
def test_enqueue_becomes_visible_to_workers_only_when_the_transaction_commits():
    """Inside the transaction no other connection (no worker) sees the task; after commit it is READY."""
    with transaction.atomic():
        task_id = jobs.enqueue(jobs_fixtures.noop_job)
        assert in_other_connection(lambda: DBTaskResult.objects.filter(pk=task_id).exists()) is False
    row = in_other_connection(lambda: DBTaskResult.objects.get(pk=task_id))
    assert row.status == TaskResultStatus.READY
    assert row.task_path == NOOP_PATH
    assert row.worker_ids == []


@pytest.mark.django_db
def test_enqueue_stores_keyword_arguments_and_run_after(tmp_path):
    later = timezone.now() + dt.timedelta(hours=2)
    task_id = jobs.enqueue(jobs_fixtures.no_retry_job, run_after=later, counter_path=str(tmp_path / "x"))
    row = DBTaskResult.objects.get(pk=task_id)
    assert row.args_kwargs == {"args": [], "kwargs": {"counter_path": str(tmp_path / "x")}}
    assert row.run_after == later
    assert not DBTaskResult.objects.ready().filter(pk=task_id).exists()


# --- retries with back-off ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_periodic_jobs")
def test_job_with_two_retries_that_fails_twice_succeeds_on_the_third_claim(tmp_path):
    counter = tmp_path / "runs"
    task_id = jobs.enqueue(jobs_fixtures.flaky_job, counter_path=str(counter), failures=2)

    # First claim fails: the same row goes back to READY with a 60 s back-off.
    before = timezone.now()
    run_batch("worker-a")
    after = timezone.now()
    row = DBTaskResult.objects.get(pk=task_id)
    assert lines(counter) == 1
    assert row.status == TaskResultStatus.READY
    assert row.worker_ids == ["worker-a"]
    assert before + dt.timedelta(seconds=60) <= row.run_after <= after + dt.timedelta(seconds=60)
    assert row.exception_class_path == "builtins.RuntimeError"
    assert "planned failure 1" in row.traceback
    assert row.started_at is None
    assert row.finished_at is None
    assert not DBTaskResult.objects.ready().filter(pk=task_id).exists()  # not before the back-off

    # Running again before the back-off has passed does nothing.
    run_batch("worker-early")
    assert lines(counter) == 1
    assert DBTaskResult.objects.get(pk=task_id).worker_ids == ["worker-a"]

    # Second claim fails: back-off doubles to 120 s.
    make_due_now(task_id)
    before = timezone.now()
    run_batch("worker-b")
    after = timezone.now()
    row = DBTaskResult.objects.get(pk=task_id)
    assert lines(counter) == 2
    assert row.status == TaskResultStatus.READY
    assert row.worker_ids == ["worker-a", "worker-b"]
    assert before + dt.timedelta(seconds=120) <= row.run_after <= after + dt.timedelta(seconds=120)

    # Third claim succeeds.
    make_due_now(task_id)
    run_batch("worker-c")
    row = DBTaskResult.objects.get(pk=task_id)
    assert lines(counter) == 3
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["worker-a", "worker-b", "worker-c"]
    assert row.return_value == 3
    assert row.exception_class_path == ""
    assert DBTaskResult.objects.count() == 1  # retried in place, never copied


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_periodic_jobs")
def test_job_that_always_fails_ends_failed_after_three_claims(tmp_path):
    counter = tmp_path / "runs"
    task_id = jobs.enqueue(jobs_fixtures.always_failing_job, counter_path=str(counter))
    for attempt in (1, 2, 3):
        run_batch(f"worker-{attempt}")
        row = DBTaskResult.objects.get(pk=task_id)
        assert len(row.worker_ids) == attempt
        if attempt < 3:
            assert row.status == TaskResultStatus.READY
            make_due_now(task_id)
    row = DBTaskResult.objects.get(pk=task_id)
    assert row.status == TaskResultStatus.FAILED
    assert row.finished_at is not None
    assert "planned failure 3" in row.traceback
    assert lines(counter) == 3

    # Nothing re-arms a final failure.
    make_due_now(task_id)
    run_batch("worker-4")
    assert lines(counter) == 3
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.FAILED


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_periodic_jobs")
def test_job_without_retries_fails_at_once(tmp_path):
    counter = tmp_path / "runs"
    task_id = jobs.enqueue(jobs_fixtures.no_retry_job, counter_path=str(counter))
    run_batch("worker-a")
    row = DBTaskResult.objects.get(pk=task_id)
    assert row.status == TaskResultStatus.FAILED
    assert row.worker_ids == ["worker-a"]
    assert lines(counter) == 1


def test_retry_policy_backoff_grows_and_is_capped():
    policy = jobs.retry_policy_for("jembatan.core.tests.jobs_fixtures.flaky_job")
    assert policy.max_attempts == 3
    assert policy.delay_for(1) == dt.timedelta(seconds=60)
    assert policy.delay_for(2) == dt.timedelta(seconds=120)
    assert jobs.RetryPolicy(max_attempts=20, backoff_seconds=60).delay_for(12) == dt.timedelta(hours=1)
    assert jobs.retry_policy_for("jembatan.core.tests.jobs_fixtures.no_retry_job").max_attempts == 1
    assert jobs.retry_policy_for("no.such.module.job").max_attempts == 1


# --- crash recovery: the reaper -----------------------------------------------------------


def _running_row(*, worker_ids: list[str], started_ago: float) -> DBTaskResult:
    task_id = jobs.enqueue(jobs_fixtures.noop_job)
    DBTaskResult.objects.filter(pk=task_id).update(
        status=TaskResultStatus.RUNNING, worker_ids=worker_ids, started_at=timezone.now() - dt.timedelta(seconds=started_ago)
    )
    return DBTaskResult.objects.get(pk=task_id)


@pytest.mark.django_db
def test_reaper_hands_back_the_task_of_a_worker_whose_heartbeat_stopped(settings):
    settings.JOBS_STALE_AFTER_SECONDS = 60
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="dead", hostname="h", pid=1, last_seen_at=now - dt.timedelta(seconds=90))
    WorkerHeartbeat.objects.create(worker_id="alive", hostname="h", pid=2, last_seen_at=now - dt.timedelta(seconds=5))
    orphan = _running_row(worker_ids=["dead"], started_ago=120)
    busy = _running_row(worker_ids=["alive"], started_ago=120)
    fresh = _running_row(worker_ids=["dead"], started_ago=10)  # not yet past the threshold
    never_beat = _running_row(worker_ids=["ghost"], started_ago=120)  # no heartbeat row at all

    assert jobs.reap_stale_tasks(now=now) == 2

    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.READY
    assert orphan.started_at is None
    assert orphan.run_after == now
    assert orphan.worker_ids == ["dead"]  # the claim history stays: the next claim is attempt 2
    never_beat.refresh_from_db()
    assert never_beat.status == TaskResultStatus.READY
    busy.refresh_from_db()
    assert busy.status == TaskResultStatus.RUNNING
    fresh.refresh_from_db()
    assert fresh.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_reaper_fails_a_task_whose_claims_are_used_up(settings):
    settings.JOBS_STALE_AFTER_SECONDS = 60
    settings.JOBS_MAX_ATTEMPTS_DEFAULT = 3
    row = _running_row(worker_ids=["w1", "w2", "w3"], started_ago=120)
    assert jobs.reap_stale_tasks() == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "jembatan.core.jobs.WorkerLost"
    assert "w3" in row.traceback


@pytest.mark.django_db
def test_reaper_leaves_a_task_that_a_live_worker_reclaimed_meanwhile(settings, monkeypatch):
    """Two reapers race: between one's scan and its row lock, the other hands the task back and
    a live worker claims it again. The late reaper must not take that claim away (the task
    would run twice at once)."""
    settings.JOBS_STALE_AFTER_SECONDS = 60
    row = _running_row(worker_ids=["dead"], started_ago=120)
    real_atomic = transaction.atomic
    raced = []

    @contextmanager
    def atomic_after_a_rival_reclaim(*args: Any, **kwargs: Any):
        if not raced:
            raced.append(True)
            DBTaskResult.objects.filter(pk=row.pk).update(worker_ids=["dead", "live"], started_at=timezone.now())
            WorkerHeartbeat.objects.create(worker_id="live", hostname="h", pid=3)
        with real_atomic(*args, **kwargs):
            yield

    monkeypatch.setattr(jobs.transaction, "atomic", atomic_after_a_rival_reclaim)
    assert jobs.reap_stale_tasks() == 0
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING
    assert row.worker_ids == ["dead", "live"]


def test_heartbeat_is_never_slower_than_a_third_of_the_stale_threshold(settings):
    settings.JOBS_STALE_AFTER_SECONDS = 3
    worker = JembatanWorker(
        queue_names=["*"],
        interval=1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w",
        excluded_queue_names=[],
        heartbeat_seconds=10,
    )
    assert worker.heartbeat_seconds == 1
    assert housekeeping_interval() == 1.5
    settings.JOBS_STALE_AFTER_SECONDS = 600
    assert housekeeping_interval() == 15


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_periodic_jobs")
def test_batch_worker_beats_while_a_task_runs_and_forgets_itself_on_exit(settings):
    """A batch (cron) worker must beat during a long task, or a second worker would take the
    task over while it still runs."""
    settings.JOBS_STALE_AFTER_SECONDS = 3  # beats every second
    task_id = jobs.enqueue(jobs_fixtures.heartbeat_probe_job, seconds=2.5)
    run_batch("batch-worker")
    row = DBTaskResult.objects.get(pk=task_id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value["batch-worker"] >= 1.5  # it beat while the task was sleeping
    assert not WorkerHeartbeat.objects.filter(worker_id="batch-worker").exists()


# --- periodic jobs ------------------------------------------------------------------------

HOUR = 3600


@pytest.fixture
def one_periodic_job(settings):
    settings.JOBS_PERIODIC = {"tests.noop": (NOOP_PATH, HOUR)}


@pytest.mark.django_db
@pytest.mark.usefixtures("one_periodic_job")
def test_periodic_job_is_enqueued_once_per_period_however_often_the_scheduler_runs():
    now = dt.datetime(2026, 11, 27, 7, 10, tzinfo=dt.UTC)
    assert jobs.enqueue_due_periodic_jobs(now=now) == ["tests.noop"]
    assert jobs.enqueue_due_periodic_jobs(now=now) == []
    assert jobs.enqueue_due_periodic_jobs(now=now + dt.timedelta(minutes=49)) == []  # same hour
    assert DBTaskResult.objects.filter(task_path=NOOP_PATH).count() == 1
    run = PeriodicJobRun.objects.get()
    assert run.period_start == dt.datetime(2026, 11, 27, 7, 0, tzinfo=dt.UTC)
    assert str(DBTaskResult.objects.get(task_path=NOOP_PATH).pk) == run.task_result_id

    # The next period gets its own run.
    assert jobs.enqueue_due_periodic_jobs(now=now + dt.timedelta(minutes=50)) == ["tests.noop"]
    assert DBTaskResult.objects.filter(task_path=NOOP_PATH).count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("one_periodic_job")
def test_after_an_outage_only_the_current_period_is_enqueued_once():
    now = dt.datetime(2026, 11, 27, 7, 10, tzinfo=dt.UTC)
    jobs.enqueue_due_periodic_jobs(now=now)
    later = now + dt.timedelta(hours=5, minutes=3)  # five periods missed
    assert jobs.enqueue_due_periodic_jobs(now=later) == ["tests.noop"]
    assert jobs.enqueue_due_periodic_jobs(now=later) == []
    starts = sorted(PeriodicJobRun.objects.values_list("period_start", flat=True))
    assert starts == [dt.datetime(2026, 11, 27, 7, 0, tzinfo=dt.UTC), dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)]
    assert DBTaskResult.objects.filter(task_path=NOOP_PATH).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("one_periodic_job")
def test_two_workers_scheduling_at_the_same_moment_enqueue_the_period_once():
    """Two schedulers on two connections, released together: the unique (name, period) row
    lets exactly one of them enqueue."""
    now = dt.datetime(2026, 11, 27, 7, 10, tzinfo=dt.UTC)
    barrier = threading.Barrier(2)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(jobs.enqueue_due_periodic_jobs(now=now))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(results) == [[], ["tests.noop"]]
    assert PeriodicJobRun.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path=NOOP_PATH).count() == 1


@pytest.mark.django_db
def test_housekeeping_enqueues_the_configured_periodic_jobs():
    """The real schedule: every listed job resolves to a @job and is enqueued on first run."""
    from django.conf import settings as django_settings

    from jembatan.core.worker import housekeeping

    housekeeping()
    enqueued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert enqueued == {path for path, _every in django_settings.JOBS_PERIODIC.values()}
    assert PeriodicJobRun.objects.count() == len(django_settings.JOBS_PERIODIC)
