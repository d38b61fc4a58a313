"""API of the traffic sync (`/api/v1/traffic/…`): file upload, import progress, push of
small batches of crossings, and the change feed (docs/traffic-format.md).

* `POST /traffic/imports` (multipart: `file`, `kind`=`crossings`|`permits`) stores the file
  and queues its import as a background job; answers 202 with the ledger row (or 200 with
  the earlier batch when the same content was already imported completely).
* `GET /traffic/imports/{id}` is the ledger row: status, counts, bytes done, per cent.
* `POST /traffic/crossings/push` loads at most 1,000 crossings (exchange-format fields as
  JSON), idempotent by `source_key` and by `Idempotency-Key`; answers the counts and each
  refused row's index and reason.
* `GET /traffic/crossings/changes?after=<cursor>&limit=` returns crossings in id order
  after the cursor and `next_cursor`.

Upload, progress and push need `traffic.import_traffic`; the feed `traffic.read_crossing_feed`.

No `from __future__ import annotations`: django-ninja reads the annotations at import time.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from jembatan.core.api import ErrorBody, require_capability
from jembatan.core.idempotency import idempotent
from jembatan.traffic.importing import services
from jembatan.traffic.models import ImportBatch

router = Router(tags=["traffic sync"])

_ERRORS: dict[int, Any] = {400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody}


class ImportOut(Schema):
    """A ledger row. `percent` is of the file's bytes; `status` is `running`, `completed`
    or `failed` (with `error`)."""

    id: int
    kind: str
    source: str
    status: str
    file_name: str
    file_sha256: str
    file_size: int
    format_version: str
    rows_total: int
    rows_loaded: int
    rows_updated: int
    rows_duplicate: int
    rows_rejected: int
    bytes_done: int
    percent: float
    started_at: dt.datetime
    finished_at: dt.datetime | None
    error: str


def _import_out(batch: ImportBatch) -> dict[str, Any]:
    done = batch.file_size and min(batch.bytes_done / batch.file_size, 1.0)
    return {
        "id": batch.pk,
        "kind": batch.kind,
        "source": batch.source,
        "status": batch.status,
        "file_name": batch.file_name,
        "file_sha256": batch.file_sha256,
        "file_size": batch.file_size,
        "format_version": batch.format_version,
        "rows_total": batch.rows_total,
        "rows_loaded": batch.rows_loaded,
        "rows_updated": batch.rows_updated,
        "rows_duplicate": batch.rows_duplicate,
        "rows_rejected": batch.rows_rejected,
        "bytes_done": batch.bytes_done,
        "percent": round(100.0 * (1.0 if batch.status == ImportBatch.Status.COMPLETED else float(done or 0)), 1),
        "started_at": batch.started_at.astimezone(dt.UTC),
        "finished_at": batch.finished_at.astimezone(dt.UTC) if batch.finished_at else None,
        "error": batch.error,
    }


class CrossingIn(Schema):
    """One crossing in exchange format 1.0 (all values as text, like a CSV row)."""

    source_key: str
    crossed_at: str
    direction: str
    checkpoint_code: str
    document_type: str
    document_number: str
    issuing_state: str
    nationality: str
    surname: str
    given_names: str = ""
    date_of_birth: str
    sex: str
    permit_type: str
    permit_number: str = ""
    carrier: str = ""


class PushIn(Schema):
    crossings: list[CrossingIn]


class RejectedOut(Schema):
    index: int
    source_key: str
    field: str
    reason: str
    reason_id: str


class PushOut(Schema):
    batch_id: int
    received: int
    loaded: int
    duplicate: int
    rejected: list[RejectedOut]


class CrossingOut(Schema):
    id: int
    source_key: str
    crossed_at: dt.datetime
    direction: str
    checkpoint_code: str
    document_type: str
    document_number: str
    issuing_state: str
    nationality: str
    surname: str
    given_names: str
    date_of_birth: str
    sex: str
    permit_type: str
    permit_number: str
    carrier: str
    batch_id: int


class FeedOut(Schema):
    items: list[CrossingOut]
    next_cursor: int
    has_more: bool


@router.post("/imports", response={200: ImportOut, 202: ImportOut, **_ERRORS}, summary="Upload a traffic file to import")
def import_upload_api(request: HttpRequest, file: File[UploadedFile], kind: Form[str] = "crossings") -> Any:
    """CSV or Parquet in exchange format 1.0. The import runs in the background: poll
    `GET /traffic/imports/{id}`. The same content uploaded again is not re-imported."""
    require_capability(request, services.IMPORT_TRAFFIC)
    batch, queued = services.import_upload(actor=request.auth, kind=kind, upload=file)  # type: ignore[attr-defined]
    return Status(202 if queued else 200, _import_out(batch))


@router.get("/imports/{batch_id}", response={200: ImportOut, **_ERRORS}, summary="Progress and counts of an import")
def import_get_api(request: HttpRequest, batch_id: int) -> Any:
    require_capability(request, services.IMPORT_TRAFFIC)
    return _import_out(services.import_batch_get(actor=request.auth, batch_id=batch_id))  # type: ignore[attr-defined]


@router.post("/crossings/push", response={200: PushOut, **_ERRORS}, summary="Push up to 1,000 crossings")
def crossings_push_api(request: HttpRequest, payload: PushIn) -> Any:
    """Idempotent by `source_key` (a row already loaded is a duplicate) and, for the
    answer, by the `Idempotency-Key` header. Bad rows are refused one by one; the rest load."""
    require_capability(request, services.IMPORT_TRAFFIC)

    def produce() -> tuple[int, Any]:
        result = services.crossings_push(actor=request.auth, rows=[row.model_dump() for row in payload.crossings])  # type: ignore[attr-defined]
        body = PushOut(
            batch_id=result.batch.pk,
            received=len(payload.crossings),
            loaded=result.loaded,
            duplicate=result.duplicate,
            rejected=[RejectedOut(**row) for row in result.rejected],
        )
        return 200, body.model_dump(mode="json")

    status, body = idempotent(request, operation="traffic.push", payload=payload.model_dump(mode="json"), produce=produce)
    return Status(status, body)


@router.get("/crossings/changes", response={200: FeedOut, **_ERRORS}, summary="Change feed of crossings")
def crossings_changes_api(request: HttpRequest, after: int = 0, limit: int = services.FEED_DEFAULT_LIMIT) -> Any:
    """Crossings with an id above `after`, in id order, at most `limit` (up to 5,000). Start
    with `after=0`; pass `next_cursor` back. `has_more` says whether to ask again at once."""
    require_capability(request, services.READ_FEED)
    page = services.crossings_changes(actor=request.auth, after=after, limit=limit)  # type: ignore[attr-defined]
    return {"items": page.items, "next_cursor": page.next_cursor, "has_more": page.has_more}
