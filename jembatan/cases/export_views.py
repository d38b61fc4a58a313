"""Downloads of the filtered case list as CSV or XLSX (UX.md §3.9).

Same query-string filters as the case list page. Only roles with `cases.export_case` may
export (the files carry names, dates of birth and document numbers); everyone else gets
403. Every export is audited by the selector with its filters and row count.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from jembatan.cases import exporters
from jembatan.core.exceptions import ApplicationError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _zone(request: HttpRequest) -> str:
    return getattr(request.user, "time_zone", None) or "Asia/Jakarta"


def _case_list_url(request: HttpRequest) -> str:
    try:
        base = reverse("cases:list")
    except NoReverseMatch:
        base = "/cases/"
    query = request.GET.urlencode()
    return f"{base}?{query}" if query else base


def _filters_or_error(request: HttpRequest) -> exporters.CaseExportFilters | HttpResponse:
    try:
        return exporters.CaseExportFilters.from_query(request.GET, zone=_zone(request))
    except ApplicationError as error:
        return render(
            request,
            "cases/rules/export_error.html",
            {"error": error, "list_url": _case_list_url(request)},
            status=400,
        )


def _attachment(response: HttpResponseBase, *, filename: str, rows: int) -> HttpResponseBase:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Export-Rows"] = str(rows)
    # Personal data: never kept by a shared cache or the browser's back/forward cache.
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
@permission_required(exporters.EXPORT_CAPABILITY, raise_exception=True)
def case_export_csv(request: HttpRequest) -> HttpResponseBase:
    """The filtered case list as CSV, streamed (UTF-8 with BOM, RFC 4180, ISO 8601)."""
    filters = _filters_or_error(request)
    if isinstance(filters, HttpResponse):
        return filters
    export = exporters.case_export(actor=request.user, filters=filters, file_format="csv")
    response = StreamingHttpResponse(exporters.csv_lines(export.cases, zone=filters.zone), content_type="text/csv; charset=utf-8")
    filename = exporters.export_filename(now=timezone.now(), zone=filters.zone, extension="csv")
    return _attachment(response, filename=filename, rows=export.rows)


@require_GET
@login_required
@permission_required(exporters.EXPORT_CAPABILITY, raise_exception=True)
def case_export_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The filtered case list as an XLSX workbook, headers in the active language."""
    filters = _filters_or_error(request)
    if isinstance(filters, HttpResponse):
        return filters
    export = exporters.case_export(actor=request.user, filters=filters, file_format="xlsx")
    content = exporters.xlsx_bytes(export.cases, zone=filters.zone)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = exporters.export_filename(now=timezone.now(), zone=filters.zone, extension="xlsx")
    return _attachment(response, filename=filename, rows=export.rows)
