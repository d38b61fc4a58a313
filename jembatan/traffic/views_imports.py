"""Pages of the traffic import ledger: the list with the upload form, one import with its
progress (refreshed while it runs) and rejected rows, and the rejected rows as CSV."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jembatan.core.exceptions import ApplicationError
from jembatan.core.pages import capability_required, querystring_without_page
from jembatan.traffic.forms_imports import ImportUploadForm
from jembatan.traffic.importing import services
from jembatan.traffic.models import ImportBatch

PAGE_SIZE = 25
REJECTED_PAGE_SIZE = 50


def _progress(batch: ImportBatch) -> dict[str, Any]:
    if batch.status == ImportBatch.Status.COMPLETED:
        percent = 100
    elif batch.file_size:
        percent = int(100 * min(batch.bytes_done / batch.file_size, 1.0))
    else:
        percent = 0
    return {"batch": batch, "percent": percent, "running": batch.status == ImportBatch.Status.RUNNING}


def reason_in_language(reason: str) -> str:
    """A rejected row's reason is stored in both languages, "English / Indonesian"
    (`Rejection.reason`): the part of the active language. Both templates take the same
    values, so the halves hold as many " / " each and the middle one separates them."""
    parts = reason.split(" / ")
    if len(parts) % 2:
        return reason
    middle = len(parts) // 2
    english, indonesian = " / ".join(parts[:middle]), " / ".join(parts[middle:])
    if not english.strip() or not indonesian.strip():
        return reason
    return indonesian if get_language() == "id" else english


@require_http_methods(["GET", "POST"])
@capability_required(services.IMPORT_TRAFFIC)
def import_list_view(request: HttpRequest) -> HttpResponse:
    """The ledger, newest first, and the upload form."""
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch, queued = services.import_upload(actor=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"])
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                if queued:
                    messages.success(request, _("The file was received. Its import runs in the background; this page shows its progress."))
                else:
                    messages.info(request, _("This file was already imported completely; here is that import. Nothing was loaded twice."))
                return redirect("traffic:import_detail", batch_id=batch.pk)
    else:
        form = ImportUploadForm()
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    batches = services.import_batch_list(
        actor=request.user,
        kind=kind if kind in ImportBatch.Kind.values else "",
        status=status if status in ImportBatch.Status.values else "",
    )
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "traffic/imports/list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": [_progress(batch) for batch in page.object_list],
            "querystring_without_page": querystring_without_page(request),
            "kind": kind,
            "status": status,
            "kinds": ImportBatch.Kind.choices,
            "statuses": ImportBatch.Status.choices,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@capability_required(services.IMPORT_TRAFFIC)
def import_detail_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    """One import: counts, a progress bar that refreshes while it runs, the rejected rows."""
    batch = services.import_batch_get(actor=request.user, batch_id=batch_id)
    rejected = services.rejected_rows(actor=request.user, batch=batch, audit=bool(batch.rows_rejected))
    page = Paginator(rejected, REJECTED_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(row, reason_in_language(row.reason)) for row in page.object_list]
    return render(
        request,
        "traffic/imports/detail.html",
        {**_progress(batch), "page_obj": page, "rows": rows, "querystring_without_page": querystring_without_page(request)},
    )


@require_GET
@capability_required(services.IMPORT_TRAFFIC)
def import_progress_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The progress panel alone (htmx polls it every two seconds while the import runs)."""
    batch = services.import_batch_get(actor=request.user, batch_id=batch_id)
    return render(request, "traffic/imports/progress.html", _progress(batch))


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@capability_required(services.IMPORT_TRAFFIC)
def import_report_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The rejected rows as CSV: row, field, reason, row as received."""
    batch = services.import_batch_get(actor=request.user, batch_id=batch_id)
    rows = services.rejected_rows(actor=request.user, batch=batch)
    writer = csv.writer(_Echo())

    def lines() -> Any:
        yield "\ufeff" + writer.writerow(["row", "field", "reason", "row_as_received"])
        for row in rows.iterator(chunk_size=2000):
            yield writer.writerow([row.row_number, row.field, row.reason, row.raw])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="traffic-import-{batch.pk}-rejected.csv"'
    return response  # type: ignore[return-value]  # a streamed download; the decorator passes it through
