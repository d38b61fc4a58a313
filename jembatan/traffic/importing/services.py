"""Writes and reads of the traffic sync for pages and the API: upload a file (imported by a
background job), push a small batch of crossings, read the change feed, read the ledger.

Capabilities: `traffic.import_traffic` to upload, push and read the ledger;
`traffic.read_crossing_feed` to pull the change feed. Users and API clients alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jembatan.accounts.models import ApiClient
from jembatan.accounts.selectors import actor_can
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_read, audit_record
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.core.jobs import enqueue, job
from jembatan.traffic.importing import stores
from jembatan.traffic.importing.format import CROSSING_COLUMNS, FORMAT_VERSION
from jembatan.traffic.importing.pipeline import ImportOptions, crossing_validator, import_file, refresh_statistics
from jembatan.traffic.importing.readers import PARQUET_MAGIC
from jembatan.traffic.models import Crossing, Direction, ImportBatch, QuarantinedRow

IMPORT_TRAFFIC = "traffic.import_traffic"
READ_FEED = "traffic.read_crossing_feed"
PUSH_MAX_ROWS = 1000
FEED_MAX_LIMIT = 5000
FEED_DEFAULT_LIMIT = 1000
UPLOAD_DIR_NAME = "traffic-uploads"

_DIRECTION_OUT = {Direction.ARRIVAL.value: "ARRIVAL", Direction.DEPARTURE.value: "DEPARTURE"}


def may_import(actor: Any) -> bool:
    return actor_can(actor, IMPORT_TRAFFIC)


def _require(actor: Any, codename: str) -> None:
    if not actor_can(actor, codename):
        raise PermissionDenied(_("You do not have permission to do this."))


# --- the ledger ---------------------------------------------------------------------------


def batches_visible_to(actor: Any) -> QuerySet[ImportBatch]:
    """Ledger rows `actor` may see: everyone holding `traffic.import_traffic` sees the whole
    national ledger, except an API client, which sees the batches it loaded itself."""
    if not may_import(actor):
        return ImportBatch.objects.none()
    rows = ImportBatch.objects.select_related("imported_by", "api_client", "agency")
    if isinstance(actor, ApiClient):
        return rows.filter(api_client=actor)
    return rows


def import_batch_list(*, actor: Any, kind: str = "", status: str = "") -> QuerySet[ImportBatch]:
    _require(actor, IMPORT_TRAFFIC)
    rows = batches_visible_to(actor).order_by("-started_at", "-id")
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    return rows


def import_batch_get(*, actor: Any, batch_id: int) -> ImportBatch:
    _require(actor, IMPORT_TRAFFIC)
    batch = batches_visible_to(actor).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_("There is no such import."))
    return batch


def rejected_rows(*, actor: Any, batch: ImportBatch, audit: bool = True) -> QuerySet[QuarantinedRow]:
    """The rejected rows of `batch` (they hold travellers' data: the read is audited)."""
    _require(actor, IMPORT_TRAFFIC)
    if audit and batch.rows_rejected:
        audit_read(actor=actor, action=AuditAction.TRAFFIC_IMPORT_REPORT_READ, target=batch, data={"rejected": batch.rows_rejected})
    return QuarantinedRow.objects.filter(batch=batch).order_by("row_number")


# --- upload -------------------------------------------------------------------------------


def upload_dir() -> Path:
    path = Path(getattr(settings, "TRAFFIC_UPLOAD_DIR", "") or Path(settings.DATA_DIR) / UPLOAD_DIR_NAME)
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_upload(*, actor: Any, kind: str, upload: UploadedFile) -> tuple[ImportBatch, bool]:
    """Store an uploaded file and queue its import; returns (batch, queued).

    A file whose content was already imported completely is not queued again: the
    earlier batch is returned with `queued` False. The import runs in a background job
    (`traffic_import_job`); its progress is the batch's counters."""
    _require(actor, IMPORT_TRAFFIC)
    if kind not in ImportBatch.Kind.values:
        raise ApplicationError(_("Choose what the file holds: border crossings or stay permits."), field="kind")
    if upload is None or not upload.size:
        raise ApplicationError(_("Choose a file to upload."), field="file")
    digest = hashlib.sha256()
    target = upload_dir() / f"{uuid.uuid4().hex}.upload"
    head = b""
    with target.open("wb") as out:
        for block in upload.chunks():
            if not head:
                head = block[:4]
            digest.update(block)
            out.write(block)
    if head != PARQUET_MAGIC and not (upload.name or "").lower().endswith((".csv", ".txt")):
        target.unlink(missing_ok=True)
        raise ApplicationError(_("Upload a CSV (.csv) or Parquet file in exchange format 1.0."), field="file")
    sha256 = digest.hexdigest()
    done = ImportBatch.objects.filter(kind=kind, file_sha256=sha256, status=ImportBatch.Status.COMPLETED).order_by("-started_at").first()
    if done is not None:
        target.unlink(missing_ok=True)
        return done, False
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind,
            source=ImportBatch.Source.UPLOAD,
            file_name=(upload.name or "upload")[:300],
            file_sha256=sha256,
            file_size=upload.size or 0,
            format_version=FORMAT_VERSION,
            imported_by=None if isinstance(actor, ApiClient) else actor,
            api_client=actor if isinstance(actor, ApiClient) else None,
            agency=getattr(actor, "agency", None),
        )
        enqueue(traffic_import_job, batch_id=batch.pk, path=str(target))
    return batch, True


@job(queue="long", retries=2, backoff_seconds=60)
def traffic_import_job(batch_id: int, path: str) -> str:
    """Import an uploaded file under its ledger row. Idempotent: a completed batch is left
    alone, an interrupted one resumes after its committed rows (`resume_row`); the stored
    file is deleted once the import completed."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status == ImportBatch.Status.COMPLETED:
        return "nothing to do"
    file = Path(path)
    if not file.exists():
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.FAILED, error="The uploaded file is no longer stored.")
        return "file missing"
    try:
        result = import_file(kind=batch.kind, path=file, actor=batch.imported_by or batch.api_client, batch=batch, options=ImportOptions())
    except ApplicationError as error:
        return f"failed: {error.message}"
    file.unlink(missing_ok=True)
    return f"batch {result.batch.pk}: {result.batch.rows_loaded} loaded"


# --- push ---------------------------------------------------------------------------------


@dataclass
class PushResult:
    batch: ImportBatch
    loaded: int
    duplicate: int
    rejected: list[dict[str, Any]] = field(default_factory=list)


def _as_row(item: Mapping[str, Any]) -> list[str]:
    return ["" if item.get(column) is None else str(item.get(column)) for column in CROSSING_COLUMNS]


def crossings_push(*, actor: Any, rows: Iterable[Mapping[str, Any]]) -> PushResult:
    """Load a small batch (at most 1,000) of crossings sent by an agency system.

    Idempotent by `source_key`: a row already loaded (by any file or push) counts as a
    duplicate. Bad rows are refused one by one (index from 0, field, reason) and the rest
    load. One ledger row per push; `TRAFFIC_PUSHED` is audited; the months touched get
    their statistics refreshed — all in one transaction."""
    _require(actor, IMPORT_TRAFFIC)
    items = list(rows)
    if not items:
        raise ApplicationError(_("Send at least one crossing."), field="crossings")
    if len(items) > PUSH_MAX_ROWS:
        raise ApplicationError(
            _("Send at most %(max)s crossings at a time; upload a file for more.") % {"max": PUSH_MAX_ROWS}, field="crossings"
        )
    if stores.key_index_missing():
        raise Conflict(_("An initial load of crossings is running. Send this batch again when it has finished."), field="crossings")
    validator = crossing_validator()
    valid: list[tuple[Any, ...]] = []
    rejected: list[dict[str, Any]] = []
    raw_rejected: list[tuple[int, Any, list[str]]] = []
    for index, item in enumerate(items):
        values = _as_row(item)
        outcome = validator.check(values)
        if isinstance(outcome, tuple):
            valid.append(outcome)
        else:
            rejected.append(
                {
                    "index": index,
                    "source_key": values[0],
                    "field": outcome.field,
                    "reason": outcome.reason_en,
                    "reason_id": outcome.reason_id,
                }
            )
            raw_rejected.append((index, outcome, values))
    payload = json.dumps([_as_row(item) for item in items], ensure_ascii=False, separators=(",", ":")).encode()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=ImportBatch.Kind.CROSSINGS,
            source=ImportBatch.Source.API_PUSH,
            file_name="push",
            file_sha256=hashlib.sha256(payload).hexdigest(),
            file_size=len(payload),
            format_version=FORMAT_VERSION,
            status=ImportBatch.Status.RUNNING,
            imported_by=None if isinstance(actor, ApiClient) else actor,
            api_client=actor if isinstance(actor, ApiClient) else None,
            agency=getattr(actor, "agency", None),
        )
        loaded = stores.CrossingWriter(batch.pk).write(valid, validator.partition_months)
        if raw_rejected:
            QuarantinedRow.objects.bulk_create(
                [
                    QuarantinedRow(
                        batch=batch,
                        row_number=index,
                        field=outcome.field,
                        reason=outcome.reason,
                        raw=json.dumps(values, ensure_ascii=False),
                    )
                    for index, outcome, values in raw_rejected
                ]
            )
        batch.rows_total = len(items)
        batch.rows_loaded = loaded
        batch.rows_duplicate = len(valid) - loaded
        batch.rows_rejected = len(rejected)
        batch.resume_row = len(items)
        batch.bytes_done = len(payload)
        batch.status = ImportBatch.Status.COMPLETED
        batch.finished_at = timezone.now()
        batch.save(
            update_fields=[
                "rows_total",
                "rows_loaded",
                "rows_duplicate",
                "rows_rejected",
                "resume_row",
                "bytes_done",
                "status",
                "finished_at",
                "updated_at",
            ]
        )
        if loaded:
            refresh_statistics({dt.date(y, m, 1) for y, m in validator.statistics_months})
        audit_record(
            action=AuditAction.TRAFFIC_PUSHED,
            target=batch,
            actor=actor,
            data={"rows": len(items), "loaded": loaded, "duplicate": batch.rows_duplicate, "rejected": len(rejected)},
        )
    return PushResult(batch=batch, loaded=loaded, duplicate=batch.rows_duplicate, rejected=rejected)


# --- change feed --------------------------------------------------------------------------


@dataclass
class FeedPage:
    items: list[dict[str, Any]]
    next_cursor: int
    has_more: bool


def _birth(year: int | None, month: int | None, day: int | None) -> str:
    return f"{year or 0:04d}-{month or 0:02d}-{day or 0:02d}"


def crossings_changes(*, actor: Any, after: int = 0, limit: int = FEED_DEFAULT_LIMIT) -> FeedPage:
    """Crossings loaded after cursor `after` (a crossing id), in id order, at most `limit`
    (1–5,000). `next_cursor` is the last id returned (or `after` when there is nothing
    new): pass it back to get the next page. Ids are handed out and committed in order
    (imports and pushes take one lock), so a page never skips a row that appears later.
    Rows carry the exchange-format columns plus `id` and `batch_id`. Audited
    (`TRAFFIC_FEED_READ`) with the cursor and the count, not the rows."""
    _require(actor, READ_FEED)
    if after < 0:
        raise ApplicationError(_("The cursor must be 0 or a value of next_cursor."), field="after")
    limit = min(max(int(limit), 1), FEED_MAX_LIMIT)
    rows = list(
        Crossing.objects.filter(id__gt=after)
        .order_by("id")
        .values(
            "id",
            "source_key",
            "crossed_at",
            "direction",
            "checkpoint_code",
            "document_type",
            "document_number",
            "issuing_state",
            "nationality",
            "surname",
            "given_names",
            "birth_year",
            "birth_month",
            "birth_day",
            "sex",
            "permit_type",
            "permit_number",
            "carrier",
            "batch_id",
        )[: limit + 1]
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    items: list[dict[str, Any]] = []
    for values in rows:
        row: dict[str, Any] = dict(values)
        row["direction"] = _DIRECTION_OUT.get(row["direction"], row["direction"])
        row["date_of_birth"] = _birth(row.pop("birth_year"), row.pop("birth_month"), row.pop("birth_day"))
        row["crossed_at"] = row["crossed_at"].astimezone(dt.UTC)
        items.append(row)
    next_cursor = rows[-1]["id"] if rows else after
    audit_record(
        action=AuditAction.TRAFFIC_FEED_READ,
        target=("traffic.crossing", "", f"after {after}"),
        actor=actor,
        data={"after": after, "count": len(items), "next_cursor": next_cursor},
    )
    return FeedPage(items=items, next_cursor=next_cursor, has_more=has_more)
