"""The import of one exchange-format file: stream, validate, de-duplicate, load in chunks,
ledger, resume (issue #6; docs/traffic-format.md).

* One ledger row (`ImportBatch`) per file, found again by the file's SHA-256: a re-run of a
  file whose import crashed or failed resumes after its last committed chunk
  (`resume_row`); a file already imported completely is skipped (`force=True` reads it
  again, which adds nothing: `source_key` decides).
* Chunks of `chunk_rows` records (default 100,000). Each chunk commits in one transaction
  together with its rejected rows and the ledger counters, so a crash (even `kill -9`)
  loses at most the chunk in flight, and the re-run ends with exactly the file's rows.
* File imports are serialised (PostgreSQL: a session advisory lock; SQLite: a lock file
  beside the database), and inside them each chunk takes the id lock, so crossing ids grow
  in commit order: the change feed relies on it.
* On PostgreSQL, reading and validating (this thread) overlap with loading (a writer
  thread with its own connection, one chunk ahead at most: memory stays constant), except
  when called inside a transaction (tests, API), where everything runs in the caller's.
* After the file: the indexes dropped for an initial load are built, the monthly
  statistics of the months touched are refreshed, and `TRAFFIC_IMPORTED` is audited.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.core.exceptions import ApplicationError
from jembatan.reference.models import Checkpoint, Country
from jembatan.traffic.importing import stores
from jembatan.traffic.importing.format import CROSSING_COLUMNS, FORMAT_VERSION, PERMIT_COLUMNS
from jembatan.traffic.importing.readers import RowSource, file_sha256
from jembatan.traffic.importing.validation import CrossingValidator, PermitValidator, Rejection
from jembatan.traffic.models import ImportBatch, PermitType, QuarantinedRow, StayPermit

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_ROWS = 100_000
# An import into an empty crossings table from a file at least this large drops the
# secondary indexes first and builds them at the end (docs/benchmarks.md).
DEFAULT_BULK_LOAD_MIN_BYTES = 32 * 1024 * 1024
_PROGRESS_EVERY = 8192
_WIB = dt.timedelta(hours=7)

Progress = Callable[["ProgressInfo"], None]


@dataclass
class ProgressInfo:
    rows: int
    bytes_done: int
    bytes_total: int
    started: float
    loaded: int = 0
    duplicate: int = 0
    rejected: int = 0

    @property
    def rate(self) -> float:
        return self.rows / max(time.monotonic() - self.started, 1e-6)


@dataclass
class ImportOptions:
    chunk_rows: int = 0
    force: bool = False
    overlap: bool | None = None
    bulk_load_min_bytes: int | None = None
    progress: Progress | None = None

    def effective_chunk_rows(self) -> int:
        if self.chunk_rows > 0:
            return self.chunk_rows
        configured = os.environ.get("JEMBATAN_TRAFFIC_CHUNK_ROWS") or getattr(settings, "TRAFFIC_IMPORT_CHUNK_ROWS", None)
        return int(configured or 0) or DEFAULT_CHUNK_ROWS

    def effective_bulk_min(self) -> int:
        if self.bulk_load_min_bytes is not None:
            return self.bulk_load_min_bytes
        configured = os.environ.get("JEMBATAN_TRAFFIC_BULK_LOAD_MIN_BYTES") or getattr(settings, "TRAFFIC_BULK_LOAD_MIN_BYTES", None)
        return DEFAULT_BULK_LOAD_MIN_BYTES if configured in (None, "") else int(configured)


@dataclass
class ImportResult:
    batch: ImportBatch
    skipped: bool = False
    resumed_from: int = 0
    indexes_built: list[str] = field(default_factory=list)
    months: set[dt.date] = field(default_factory=set)
    # Seconds per phase (hash, load, indexes, statistics, finish): the benchmark reports them.
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class _Chunk:
    valid: list[tuple[Any, ...]]
    rejects: list[tuple[int, Rejection, list[str]]]
    rows: int
    bytes_done: int
    months: set[tuple[int, int]]


# --- validators ---------------------------------------------------------------------------


def crossing_validator() -> CrossingValidator:
    """A validator with today's reference codes (checkpoints, ICAO codes incl. special ones)."""
    return CrossingValidator(
        checkpoints=Checkpoint.objects.values_list("code", flat=True),
        countries=Country.objects.values_list("code", flat=True),
        permit_types=PermitType.values,
        now=timezone.now(),
    )


def permit_validator() -> PermitValidator:
    return PermitValidator(
        countries=Country.objects.values_list("code", flat=True), permit_types=PermitType.values, statuses=StayPermit.Status.values
    )


# --- locking ------------------------------------------------------------------------------


@contextlib.contextmanager
def import_lock() -> Iterator[None]:
    """One file import at a time (waits for a running one)."""
    if stores.is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [stores.IMPORT_LOCK])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [stores.IMPORT_LOCK])
        return
    import fcntl

    name = str(connection.settings_dict["NAME"])
    path = Path(name + ".traffic-import.lock") if "memory" not in name else Path(settings.DATA_DIR) / "traffic-import.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- the ledger ---------------------------------------------------------------------------


def batch_for_file(*, kind: str, path: Path, sha256: str, actor: Any, source: str, force: bool) -> tuple[ImportBatch, bool, int]:
    """The ledger row to load `path` under: (batch, already_done, resume_from).

    A completed import of the same content is `already_done` unless `force`; an interrupted
    one (running with no process behind it — we hold the import lock — or failed) is
    resumed after its committed rows."""
    previous = ImportBatch.objects.filter(kind=kind, file_sha256=sha256).exclude(source=ImportBatch.Source.API_PUSH).order_by("-started_at")
    done = previous.filter(status=ImportBatch.Status.COMPLETED).first()
    if done is not None and not force:
        return done, True, 0
    interrupted = previous.exclude(status=ImportBatch.Status.COMPLETED).first()
    if interrupted is not None:
        interrupted.status = ImportBatch.Status.RUNNING
        interrupted.error = ""
        interrupted.save(update_fields=["status", "error", "updated_at"])
        return interrupted, False, interrupted.resume_row
    batch = ImportBatch.objects.create(
        kind=kind,
        source=source,
        file_name=path.name[:300],
        file_sha256=sha256,
        file_size=path.stat().st_size,
        format_version=FORMAT_VERSION,
        **_who(actor),
    )
    return batch, False, 0


def _who(actor: Any) -> dict[str, Any]:
    from jembatan.accounts.models import ApiClient, User

    if isinstance(actor, User):
        return {"imported_by": actor, "agency": actor.agency}
    if isinstance(actor, ApiClient):
        return {"api_client": actor, "agency": actor.agency}
    return {}


def _raw(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values)
    return out.getvalue()[:4000]


def _commit_chunk(batch_id: int, kind: str, chunk: _Chunk, writer: Any) -> tuple[int, int, int]:
    """Load one chunk, its rejected rows and the ledger counters in one transaction."""
    with transaction.atomic():
        if kind == ImportBatch.Kind.CROSSINGS:
            loaded, updated = writer.write(chunk.valid, chunk.months), 0
        else:
            loaded, updated = writer.write(chunk.valid)
        duplicate = len(chunk.valid) - loaded - updated
        if chunk.rejects:
            QuarantinedRow.objects.bulk_create(
                [
                    QuarantinedRow(batch_id=batch_id, row_number=number, field=rejection.field, reason=rejection.reason, raw=_raw(values))
                    for number, rejection, values in chunk.rejects
                ],
                batch_size=2000,
            )
        ImportBatch.objects.filter(pk=batch_id).update(
            rows_total=F("rows_total") + chunk.rows,
            rows_loaded=F("rows_loaded") + loaded,
            rows_updated=F("rows_updated") + updated,
            rows_duplicate=F("rows_duplicate") + duplicate,
            rows_rejected=F("rows_rejected") + len(chunk.rejects),
            resume_row=F("resume_row") + chunk.rows,
            bytes_done=chunk.bytes_done,
            updated_at=timezone.now(),
        )
    return loaded, duplicate, len(chunk.rejects)


class _WriterThread(threading.Thread):
    """Loads chunks on its own database connection while the caller reads the next one."""

    def __init__(self, batch_id: int, kind: str, make_writer: Callable[[], Any], on_done: Callable[[tuple[int, int, int]], None]) -> None:
        super().__init__(name=f"traffic-import-{batch_id}", daemon=True)
        self.batch_id, self.kind, self.make_writer, self.on_done = batch_id, kind, make_writer, on_done
        self.inbox: queue.Queue[_Chunk | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            writer = self.make_writer()
            while (chunk := self._take()) is not None:
                if self.error is None:
                    self.on_done(_commit_chunk(self.batch_id, self.kind, chunk, writer))
                del chunk
        except BaseException as error:  # noqa: BLE001 - handed to the reading thread
            self.error = error
            while self._take() is not None:
                pass
        finally:
            connections.close_all()

    def _take(self) -> _Chunk | None:
        chunk = self.inbox.get()
        self.inbox.task_done()
        return chunk

    def submit(self, chunk: _Chunk) -> None:
        """Hand `chunk` over and return once the writer has taken it: the reader starts the
        next chunk only then, so at most two chunks are in memory (one being written, one
        being read), whatever the file size."""
        if self.error is not None:
            raise self.error
        self.inbox.put(chunk)
        self.inbox.join()

    def finish(self) -> None:
        self.inbox.put(None)
        self.join()
        if self.error is not None:
            raise self.error


def _month_of(text: str) -> tuple[int, int] | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    local = moment.astimezone(dt.UTC) + _WIB
    return local.year, local.month


def import_file(
    *,
    kind: str,
    path: Path | str,
    actor: Any = None,
    source: str = ImportBatch.Source.COMMAND,
    options: ImportOptions | None = None,
    batch: ImportBatch | None = None,
) -> ImportResult:
    """Import one file of crossings or stay permits (see the module docstring).

    `batch` is an existing ledger row to load the file under (an upload queued by the page
    or the API); otherwise the ledger is looked up by the file's hash. Raises
    `ApplicationError` when the file cannot be read at all (no header, missing columns);
    the batch is then marked failed with the reason.
    """
    options = options or ImportOptions()
    path = Path(path)
    if kind not in ImportBatch.Kind.values:
        raise ApplicationError(f"Unknown import kind {kind!r}.", field="kind")
    started = time.perf_counter()
    sha256 = file_sha256(path)
    hashed = time.perf_counter() - started
    with import_lock():
        if batch is None:
            batch, done, resume_from = batch_for_file(kind=kind, path=path, sha256=sha256, actor=actor, source=source, force=options.force)
            if done:
                return ImportResult(batch=batch, skipped=True)
        else:
            resume_from = batch.resume_row
            if batch.status == ImportBatch.Status.COMPLETED:
                return ImportResult(batch=batch, skipped=True)
            ImportBatch.objects.filter(pk=batch.pk).update(
                file_sha256=sha256, file_size=path.stat().st_size, status=ImportBatch.Status.RUNNING
            )
        try:
            result = _run(kind=kind, path=path, batch=batch, resume_from=resume_from, options=options)
            result.timings["hash"] = hashed
        except BaseException as error:
            message = str(error.message) if isinstance(error, ApplicationError) else f"{type(error).__name__}: {error}"
            with contextlib.suppress(Exception):
                if kind == ImportBatch.Kind.CROSSINGS and not connection.in_atomic_block and not stores.key_index_missing():
                    # An interrupted initial load keeps its indexes missing until it is
                    # resumed (the key index cannot come back before its file is complete);
                    # any other failure leaves the store fully indexed.
                    with transaction.atomic():
                        stores.ensure_indexes()
                ImportBatch.objects.filter(pk=batch.pk).update(
                    status=ImportBatch.Status.FAILED, error=message[:2000], finished_at=timezone.now()
                )
            raise
    return result


def _run(*, kind: str, path: Path, batch: ImportBatch, resume_from: int, options: ImportOptions) -> ImportResult:
    crossings = kind == ImportBatch.Kind.CROSSINGS
    source = RowSource(path, CROSSING_COLUMNS if crossings else PERMIT_COLUMNS)
    validator: Any = crossing_validator() if crossings else permit_validator()
    check = validator.check
    chunk_rows = options.effective_chunk_rows()
    result = ImportResult(batch=batch, resumed_from=resume_from)
    info = ProgressInfo(rows=resume_from, bytes_done=0, bytes_total=source.size, started=time.monotonic())

    initial_load = False
    if crossings:
        # An initial load (empty store, large file) builds the indexes after loading; so
        # does the resumption of one that was interrupted (its indexes are still missing).
        resuming_initial = stores.key_index_missing()
        initial_load = resuming_initial or (
            source.size >= options.effective_bulk_min() and stores.crossings_empty() and stores.keys_empty()
        )
        if initial_load or stores.missing_indexes():
            with transaction.atomic():
                stores.drop_indexes(keys=initial_load)

    def make_writer() -> Any:
        return stores.CrossingWriter(batch.pk, initial_load=initial_load) if crossings else stores.PermitWriter(batch.pk)

    def on_done(counts: tuple[int, int, int]) -> None:
        info.loaded += counts[0]
        info.duplicate += counts[1]
        info.rejected += counts[2]

    overlap = options.overlap
    if overlap is None:
        overlap = stores.is_postgres() and crossings
    if connection.in_atomic_block:
        overlap = False
    thread = _WriterThread(batch.pk, kind, make_writer, on_done) if overlap else None
    writer = None if thread else make_writer()
    if thread:
        thread.start()

    def submit(chunk: _Chunk) -> None:
        if thread:
            thread.submit(chunk)
        else:
            on_done(_commit_chunk(batch.pk, kind, chunk, writer))

    loading = time.perf_counter()
    statistics_months: set[tuple[int, int]] = set()
    valid: list[tuple[Any, ...]] = []
    rejects: list[tuple[int, Rejection, list[str]]] = []
    count = 0
    progress = options.progress
    try:
        rows = source.rows()
        for number, values in rows:
            if number - 1 <= resume_from:
                # Committed by the interrupted run: only note its month for the statistics.
                if crossings and len(values) > 1 and (month := _month_of(values[1])):
                    statistics_months.add(month)
                if progress and number % _PROGRESS_EVERY == 0:
                    info.rows, info.bytes_done = number - 1, source.bytes_read
                    progress(info)
                continue
            outcome = check(values)
            if type(outcome) is tuple:
                valid.append(outcome)
            else:
                rejects.append((number, outcome, values))  # type: ignore[arg-type]
            count += 1
            if count >= chunk_rows:
                months = set(getattr(validator, "partition_months", ()))
                statistics_months |= months
                if crossings:
                    validator.partition_months.clear()
                chunk = _Chunk(valid, rejects, count, source.bytes_read, months)
                valid, rejects, count = [], [], 0
                submit(chunk)
                del chunk
            if progress and number % _PROGRESS_EVERY == 0:
                info.rows, info.bytes_done = number - 1, source.bytes_read
                progress(info)
        if count:
            months = set(getattr(validator, "partition_months", ()))
            statistics_months |= months
            submit(_Chunk(valid, rejects, count, source.size, months))
        if thread:
            thread.finish()
    except BaseException:
        if thread and thread.is_alive():
            with contextlib.suppress(BaseException):
                thread.finish()
        raise

    clock = time.perf_counter()
    result.timings["load"] = clock - loading
    if crossings:
        with transaction.atomic():
            result.indexes_built, removed = stores.ensure_indexes()
            if removed:
                # Keys the file repeated across chunks of an initial load: duplicates after all.
                ImportBatch.objects.filter(pk=batch.pk).update(
                    rows_loaded=F("rows_loaded") - removed, rows_duplicate=F("rows_duplicate") + removed
                )
        result.timings["indexes"] = time.perf_counter() - clock
        clock = time.perf_counter()
        result.months = {dt.date(y, m, 1) for y, m in statistics_months}
        refresh_statistics(result.months)
        result.timings["statistics"] = time.perf_counter() - clock
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.COMPLETED, finished_at=timezone.now(), bytes_done=source.size, updated_at=timezone.now()
        )
        batch.refresh_from_db()
        audit_record(
            action=AuditAction.TRAFFIC_IMPORTED,
            target=batch,
            actor=batch.imported_by or batch.api_client,
            data={
                "kind": batch.kind,
                "file": batch.file_name,
                "sha256": batch.file_sha256,
                "rows": batch.rows_total,
                "loaded": batch.rows_loaded,
                "updated": batch.rows_updated,
                "duplicate": batch.rows_duplicate,
                "rejected": batch.rows_rejected,
                "resumed_from": resume_from,
            },
        )
    info.rows, info.bytes_done = batch.rows_total, source.size
    if progress:
        progress(info)
    return result


def refresh_statistics(months: set[dt.date]) -> None:
    """Refresh the monthly figures (`aggregates.refresh_monthly`) of `months`."""
    if not months:
        return
    from jembatan.traffic.aggregates import refresh_monthly

    refresh_monthly(months)
