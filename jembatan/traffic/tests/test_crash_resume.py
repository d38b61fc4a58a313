"""A crash (kill -9) in the middle of an import, then a re-run: the file's rows exactly,
once each. Real `manage.py import_crossings` processes on the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from jembatan.core.tests.test_jobs_processes import database_url_for_subprocess
from jembatan.reference.models import Checkpoint, Country
from jembatan.traffic.importing import stores
from jembatan.traffic.models import Crossing, CrossingKey, ImportBatch, TrafficMonthly
from jembatan.traffic.tests.import_support import CHECKPOINTS, COUNTRIES, synthetic, write_csv

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROWS = 40_000
CHUNK = 1_000


def _reference() -> None:
    for code in CHECKPOINTS:
        Checkpoint.objects.get_or_create(
            code=code,
            defaults={"kind": "airport", "name_en": code, "name_id": code, "city": "Kota", "province": "Provinsi", "time_zone": "WIB"},
        )
    for code in COUNTRIES:
        Country.objects.get_or_create(code=code, defaults={"name_en": code, "name_id": code})


def _command(path: Path, log: Path, *, initial_load: bool) -> subprocess.Popen:
    env = {
        # 0 bytes: an empty store takes the initial-load path (indexes built at the end).
        "JEMBATAN_TRAFFIC_BULK_LOAD_MIN_BYTES": "0" if initial_load else str(1 << 40),
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.django.test",
        "DATABASE_URL": database_url_for_subprocess(),
        "JEMBATAN_TRAFFIC_CHUNK_ROWS": str(CHUNK),
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "import_crossings", str(path)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.mark.parametrize("initial_load", [False, True], ids=["incremental", "initial-load"])
def test_an_import_killed_mid_file_resumes_and_ends_with_exactly_the_files_rows(tmp_path, initial_load):
    _reference()
    rows = synthetic(ROWS, seed=11)
    path = write_csv(tmp_path / "crossings.csv", rows)

    # Given an import process that has committed some chunks but not all
    first = _command(path, tmp_path / "first.log", initial_load=initial_load)
    deadline = time.monotonic() + 120
    batch = None
    while time.monotonic() < deadline:
        batch = ImportBatch.objects.filter(file_name="crossings.csv").first()
        if batch is not None and batch.resume_row >= 3 * CHUNK:
            break
        if first.poll() is not None:
            pytest.fail("the import finished before it could be killed:\n" + (tmp_path / "first.log").read_text()[-2000:])
        time.sleep(0.02)
    else:
        first.kill()
        pytest.fail("the import did not commit a chunk in time:\n" + (tmp_path / "first.log").read_text()[-2000:])

    # When it is killed without any chance to clean up
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    batch.refresh_from_db()
    committed = batch.resume_row
    assert batch.status == ImportBatch.Status.RUNNING
    assert 0 < committed < ROWS
    assert committed % CHUNK == 0
    assert Crossing.objects.count() == batch.rows_loaded == committed

    # ... and the same file is imported again
    second = _command(path, tmp_path / "second.log", initial_load=initial_load)
    assert second.wait(timeout=300) == 0, (tmp_path / "second.log").read_text()[-3000:]

    # Then the ledger row is resumed and completed, and the store holds the file's rows once
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMPLETED
    assert (batch.rows_total, batch.rows_loaded, batch.rows_duplicate, batch.rows_rejected) == (ROWS, ROWS, 0, 0)
    assert ImportBatch.objects.filter(file_name="crossings.csv").count() == 1
    assert f"resumed after row {committed:,}" in (tmp_path / "second.log").read_text()
    assert Crossing.objects.count() == ROWS == CrossingKey.objects.count()
    assert set(Crossing.objects.values_list("source_key", flat=True)) == {row[0] for row in rows}
    assert stores.missing_indexes() == []
    # The statistics count every row, those of the killed run included.
    totals = TrafficMonthly.objects.values_list("arrivals", "departures")
    assert sum(a + d for a, d in totals) == ROWS
