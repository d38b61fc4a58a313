"""The audit-log browser (UX.md §3.11): list with filters, chain check, CSV export."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jembatan.audit import exporters
from jembatan.audit import render as audit_render
from jembatan.audit.forms import AuditFilterForm
from jembatan.audit.selectors import (
    EXPORT_CAPABILITY,
    VIEW_CAPABILITY,
    AuditFilters,
    audit_chain_status,
    audit_event_export,
    audit_event_list,
    audit_head_id,
)
from jembatan.audit.services import audit_chain_check


def _zone(request: HttpRequest) -> str:
    return getattr(request.user, "time_zone", None) or "Asia/Jakarta"


def _positive_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and int(value) > 0 else None


def _query_string(params: QueryDict, **changes: object) -> str:
    """The current query string without `page`, with `changes` applied; ends with "&" when not empty."""
    query = params.copy()
    query.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


def _active_filters(form: AuditFilterForm, params: QueryDict) -> list[tuple[str, str]]:
    """(label, link that removes it) for each filter in use, shown as removable tags (UX.md §2.9)."""
    active = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        if name == "action":
            shown = audit_render.action_label(value)
        elif name in ("date_from", "date_to"):
            shown = formats.date_format(value, "SHORT_DATE_FORMAT")
        else:
            shown = str(value)
        # A changed filter starts again from the newest event.
        active.append((f"{field.label}: {shown}", "?" + _query_string(params, **{name: None, "upto": None}).rstrip("&")))
    return active


@require_GET
@login_required
@permission_required(VIEW_CAPABILITY, raise_exception=True)
def audit_list(request: HttpRequest) -> HttpResponse:
    """Every event, newest first, filtered; viewing it is recorded as `AUDIT_VIEWED`."""
    zone = _zone(request)
    zone_abbr = audit_render.zone_abbreviation(zone)
    form = AuditFilterForm(request.GET, zone_abbr=zone_abbr)
    chain_status = audit_chain_status()
    if chain_status is None:
        # Never verified yet (a new installation): verify now so the page can say something true.
        audit_chain_check(actor=request.user)
        chain_status = audit_chain_status()

    context: dict[str, object] = {
        "form": form,
        "chain_status": chain_status,
        "chain_reason": audit_render.chain_reason(chain_status.reason_code) if chain_status and not chain_status.ok else "",
        "zone_abbr": zone_abbr,
        "time_format": audit_render.seconds_format(),
        "can_export": request.user.has_perm(EXPORT_CAPABILITY),
        "filtered": False,
    }
    if form.is_valid():
        filters = form.to_filters(zone=zone)
        page_number = _positive_int(request.GET.get("page")) or 1
        # The first page fixes the newest event shown, so later pages do not shift.
        upto = _positive_int(request.GET.get("upto")) or audit_head_id()
        events = audit_event_list(actor=request.user, filters=filters, upto=upto, page=page_number)
        page = Paginator(events, settings.UI_PAGE_SIZE).get_page(page_number)
        context.update(
            page_obj=page,
            rows=[(event, audit_render.action_label(event.action), audit_render.details(event.data)) for event in page.object_list],
            filtered=bool(filters.as_data()),
            querystring_without_page=_query_string(request.GET, upto=upto),
            export_query=_query_string(request.GET, upto=upto).rstrip("&"),
            active_filters=_active_filters(form, request.GET),
        )
    return render(request, "audit/list.html", context)


@require_POST
@login_required
@permission_required(VIEW_CAPABILITY, raise_exception=True)
def audit_verify(request: HttpRequest) -> HttpResponse:
    """ "Verify now": walk the whole chain and record the result."""
    result = audit_chain_check(actor=request.user)
    if result.ok:
        messages.success(
            request,
            _("Hash chain verified: %(count)s events intact.") % {"count": number_format(result.checked, force_grouping=True)},
        )
    else:
        messages.error(
            request,
            _("Hash chain broken at event #%(id)s: %(reason)s.")
            % {"id": result.first_broken_id, "reason": audit_render.chain_reason(result.reason_code)},
        )
    return redirect("audit:list")


@require_GET
@login_required
@permission_required(EXPORT_CAPABILITY, raise_exception=True)
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered list as CSV, streamed; recorded as `AUDIT_EXPORTED` with the row count."""
    zone = _zone(request)
    form = AuditFilterForm(request.GET, zone_abbr=audit_render.zone_abbreviation(zone))
    if not form.is_valid():
        # The list page shows the same filters with their errors next to the fields.
        return redirect(f"{reverse('audit:list')}?{request.GET.urlencode()}")
    filters: AuditFilters = form.to_filters(zone=zone)
    export = audit_event_export(actor=request.user, filters=filters, upto=_positive_int(request.GET.get("upto")))
    local_now = timezone.now().astimezone(ZoneInfo(zone))
    filename = f"jembatan-audit-{local_now:%Y-%m-%d-%H%M}{audit_render.zone_abbreviation(zone)}.csv"
    response = StreamingHttpResponse(
        exporters.csv_lines(export.events, zone=zone, language=get_language() or settings.LANGUAGE_CODE),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Export-Rows"] = str(export.rows)
    return response
