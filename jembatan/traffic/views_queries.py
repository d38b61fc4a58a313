"""Pages of the traffic queries: whereabouts search, overstays and statistics (table, SVG
bars, CSV download). Proposing actions for an overstay is the case register's page
(`cases:overstay_propose`, jembatan/cases/overstay_views.py): the list links to it by name."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jembatan.core.exceptions import ApplicationError
from jembatan.core.pages import capability_required, querystring_without_page
from jembatan.traffic import overstays as overstay_queries
from jembatan.traffic.forms_queries import (
    GROUP_LABELS,
    OverstayFilterForm,
    StatisticsForm,
    WhereaboutsForm,
    month_label,
    parse_month,
)
from jembatan.traffic.selectors import traffic_statistics, whereabouts_by_document, whereabouts_by_name

# --- whereabouts ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capability_required("traffic.view_whereabouts")
def whereabouts_view(request: HttpRequest) -> HttpResponse:
    """Search by document or by name and date of birth; the question (with its purpose)
    is sent by POST so it never lands in a URL or an access log."""
    answers: list[Any] | None = None
    if request.method == "POST":
        form = WhereaboutsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["by"] == WhereaboutsForm.BY_DOCUMENT:
                    answer = whereabouts_by_document(
                        actor=request.user,
                        document_number=data["document_number"],
                        issuing_state=data["issuing_state"],
                        purpose=data["purpose"],
                    )
                    answers = [answer] if answer.found or answer.open_cases else []
                else:
                    answers = whereabouts_by_name(
                        actor=request.user,
                        name=data["name"],
                        birth_date=data["birth_date"],
                        nationality=data["nationality"] or None,
                        purpose=data["purpose"],
                    )
            except ApplicationError as error:
                form.add_service_error(error)
    else:
        keys = ("document_number", "issuing_state", "name", "birth_day", "birth_month", "birth_year", "nationality")
        initial = {k: request.GET.get(k, "") for k in keys}
        initial["by"] = WhereaboutsForm.BY_NAME if initial["name"] and not initial["document_number"] else WhereaboutsForm.BY_DOCUMENT
        form = WhereaboutsForm(initial=initial)
    return render(
        request,
        "traffic/whereabouts.html",
        {"form": form, "answers": answers, "searched": answers is not None, "by": form["by"].value() or WhereaboutsForm.BY_DOCUMENT},
    )


# --- overstays ------------------------------------------------------------------------------


@require_GET
@capability_required("traffic.view_overstays")
def overstays_view(request: HttpRequest) -> HttpResponse:
    """Overstayers today, most days over first; filters by nationality, days over and
    province; 50 a page; what art. 78 calls for and, for supervisors, "Propose action"."""
    form = OverstayFilterForm(request.GET or None)
    filters = form.filters()
    today = timezone.localdate()
    queryset = overstay_queries.overstay_queryset(as_of=today, filters=filters)
    page_obj = Paginator(queryset, settings.UI_PAGE_SIZE).get_page(request.GET.get("page"))
    overstay_queries.overstays_list_audit(actor=request.user, as_of=today, filters=filters, page=page_obj.number)
    rows = overstay_queries.overstays_page(actor=request.user, rows=list(page_obj), as_of=today)
    outcomes = overstay_queries.overstay_outcomes({r.days_over for r in rows}, on=today)
    return render(
        request,
        "traffic/overstays.html",
        {
            "form": form,
            "filtered": bool(filters.as_data()),
            "page_obj": page_obj,
            "rows": [(row, outcomes.get(row.days_over)) for row in rows],
            "today": today,
            "may_propose": overstay_queries.may_propose(request.user),
            "querystring_without_page": querystring_without_page(request),
        },
    )


# --- statistics -----------------------------------------------------------------------------


CHART_ROWS = 40


def _row_label(row: Any, group_by: str) -> str:
    """What a row is called on the page: "Nov 2025" for a month, else the selector's label."""
    if group_by == "month":
        month = parse_month(row.key)
        if month is not None:
            return month_label(month)
    return str(row.label)


def _bars(statistics: Any, group_by: str) -> list[dict[str, Any]]:
    """The bar chart's rows: per row the label and both bars' widths as a share of the
    largest figure. Widths are plain strings ("45.2%") so the template's localisation
    (45,2 in Indonesian) never reaches the SVG attributes."""
    largest = statistics.largest or 1
    return [
        {
            "row": row,
            "label": _row_label(row, group_by) if group_by == "month" or row.label == row.key else f"{row.key} · {row.label}",
            "arrivals_w": f"{100 * row.arrivals / largest:.1f}%",
            "departures_w": f"{100 * row.departures / largest:.1f}%",
        }
        for row in statistics.rows[:CHART_ROWS]
    ]


def _group_texts(group_by: str) -> tuple[str, str]:
    """The heading and the table caption for a grouping (whole sentences, so each
    language words them its own way)."""
    texts = {
        "month": (_("Figures by month"), _("Arrivals and departures by month")),
        "nationality": (_("Figures by nationality"), _("Arrivals and departures by nationality, busiest first")),
        "checkpoint": (_("Figures by checkpoint"), _("Arrivals and departures by checkpoint, busiest first")),
    }
    return texts.get(group_by, texts["month"])


@require_GET
@capability_required("traffic.view_statistics")
def statistics_view(request: HttpRequest) -> HttpResponse:
    """Arrivals and departures by month, nationality or checkpoint from the monthly
    aggregates: a table, SVG bars, and the same figures as CSV (`?format=csv`)."""
    form = StatisticsForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "traffic/statistics.html", {"form": form, "statistics": None}, status=400)
    filters = form.filters()
    wants_csv = request.GET.get("format") == "csv"
    try:
        statistics = traffic_statistics(actor=request.user, filters=filters, export_format="csv" if wants_csv else "")
    except ApplicationError as error:
        form.add_service_error(error)
        return render(request, "traffic/statistics.html", {"form": form, "statistics": None}, status=400)
    if wants_csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([filters.group_by, "label", "arrivals", "departures", "total"])
        for row in statistics.rows:
            writer.writerow([row.key, row.label, row.arrivals, row.departures, row.total])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="traffic-statistics-{filters.group_by}-{stamp}.csv"'
        return response
    params = [(k, v) for k, v in request.GET.items() if k not in ("format", "page") and v]
    return render(
        request,
        "traffic/statistics.html",
        {
            "form": form,
            "statistics": statistics,
            "chart": _bars(statistics, filters.group_by),
            "chart_cut": len(statistics.rows) > CHART_ROWS,
            "table_rows": [(row, _row_label(row, filters.group_by)) for row in statistics.rows],
            "csv_url": "?" + urlencode([*params, ("format", "csv")]),
            "group_label": dict(GROUP_LABELS).get(filters.group_by, filters.group_by),
            "heading": _group_texts(filters.group_by)[0],
            "caption": _group_texts(filters.group_by)[1],
        },
    )
