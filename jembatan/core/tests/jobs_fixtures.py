"""Test-only jobs for the job-guarantee tests (`test_jobs*.py`).

They keep their evidence in files under a directory the test passes in, so a test can read
what a worker *process* did. Importable by a worker subprocess as
`jembatan.core.tests.jobs_fixtures.<name>`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from jembatan.core.jobs import job

# How long the first run of `slow_once_job` waits to be killed before finishing anyway.
FIRST_RUN_SLEEP_SECONDS = 30.0


def _append(path: Path, line: str) -> int:
    """Append `line` and return how many lines the file now has."""
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return len(path.read_text(encoding="utf-8").splitlines())


@job(queue="short")
def slow_once_job(*, marker_dir: str, key: str) -> str:
    """Record a start marker; on the first start, sleep long enough to be killed; then complete.

    Completion is idempotent the way a real handler's must be: the effect ("the business
    row") is applied only if `done-<key>` does not exist yet, and the file is created
    exclusively, so a second run after a crash cannot apply it twice.
    """
    folder = Path(marker_dir)
    starts = _append(folder / "starts.log", f"{os.getpid()}")
    if starts == 1:
        time.sleep(FIRST_RUN_SLEEP_SECONDS)
    try:
        fd = os.open(folder / f"done-{key}", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return "already done"
    os.close(fd)
    _append(folder / "effects.log", f"{key} {os.getpid()}")
    return "done"


def _bump(counter_path: str) -> int:
    return _append(Path(counter_path), "x")


@job(queue="short", retries=2, backoff_seconds=60, backoff_factor=2)
def flaky_job(*, counter_path: str, failures: int) -> int:
    """Fail on the first `failures` runs, then succeed; declares two retries."""
    runs = _bump(counter_path)
    if runs <= failures:
        raise RuntimeError(f"planned failure {runs}")
    return runs


@job(queue="short", retries=2, backoff_seconds=60, backoff_factor=2)
def always_failing_job(*, counter_path: str) -> None:
    """Fail every time; declares two retries."""
    runs = _bump(counter_path)
    raise RuntimeError(f"planned failure {runs}")


@job(queue="short")
def no_retry_job(*, counter_path: str) -> None:
    """Fail; declares no retries, so the first failure is final."""
    runs = _bump(counter_path)
    raise RuntimeError(f"planned failure {runs}")


@job(queue="long")
def noop_job() -> str:
    """Do nothing (a periodic job for the scheduler tests)."""
    return "ok"


@job(queue="short")
def heartbeat_probe_job(*, seconds: float) -> dict[str, float]:
    """Work for `seconds`, then report how long after its start each worker last beat."""
    from jembatan.core.models import WorkerHeartbeat

    time.sleep(seconds)
    return {hb.worker_id: (hb.last_seen_at - hb.started_at).total_seconds() for hb in WorkerHeartbeat.objects.all()}
