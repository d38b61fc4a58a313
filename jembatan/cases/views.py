"""Case register pages for agency staff: the list, one case with its history and actions,
and recording a new case.

Thin views: capability check, parse the form, one selector or service call, render.
A case out of scope is a 404 exactly like one that does not exist; seen but not theirs to
change is a 403. Domain refusals go back onto the form's fields (UX.md §2.6).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jembatan.cases import services
from jembatan.cases.forms import CaseCreateForm, CaseFilterForm, DocumentForm, EventReportForm, NoteForm, TransitionForm
from jembatan.cases.lifecycle import ADMINISTRATIVE_ACTIONS, HELD_STATUSES, CaseKind, CaseStatus, allowed_targets
from jembatan.cases.models import Case
from jembatan.cases.permissions import may_add_cases, may_change_cases, may_override_immunity, may_view_cases
from jembatan.cases.selectors import (
    case_documents,
    case_get,
    case_list,
    case_office_choices,
    case_timeline,
    person_immunity_matches,
    strongest_immunity,
)
from jembatan.core import exceptions as domain
from jembatan.missions.choices import ImmunityLevel
from jembatan.people.models import Nationality
from jembatan.people.permissions import may_see_protection_flags
from jembatan.people.selectors import person_get, person_list
from jembatan.reference.models import ZONE_ABBREVIATIONS, Country


def _require(request: HttpRequest, check: Callable[[Any], bool]) -> None:
    if not check(request.user):
        raise PermissionDenied


def _viewer_zone(request: HttpRequest) -> str:
    return getattr(request.user, "time_zone", None) or "Asia/Jakarta"


def _case_or_404(request: HttpRequest, case_id: Any, action: str = "view") -> Case:
    try:
        return case_get(actor=request.user, case_id=case_id, action=action)
    except domain.NotFound:
        raise Http404 from None
    except domain.PermissionDenied:
        raise PermissionDenied from None


# --- list -----------------------------------------------------------------------------------


@login_required
@require_GET
def case_list_view(request: HttpRequest) -> HttpResponse:
    """The cases the user may see, filtered from the query string, 50 a page."""
    _require(request, may_view_cases)
    zone = _viewer_zone(request)
    visible = Case.objects.visible_to(request.user)
    nationalities = Country.objects.filter(pk__in=Nationality.objects.filter(person__cases__in=visible).values("country_id")).order_by(
        "code"
    )
    form = CaseFilterForm(
        request.GET or None,
        offices=case_office_choices(actor=request.user),
        nationalities=nationalities,
        zone_abbr=ZONE_ABBREVIATIONS.get(zone, zone),
    )
    if form.is_bound:
        form.is_valid()
    filters = form.to_filters(zone=zone)
    cases = case_list(actor=request.user, filters=filters)
    page_obj = Paginator(cases, settings.UI_PAGE_SIZE).get_page(request.GET.get("page"))
    params = [(k, str(v)) for k, v in request.GET.items() if k != "page" and v]
    tags = _filter_tags(form, params)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "cases": list(page_obj),
            "filters": filters,
            "filter_tags": tags,
            "querystring_without_page": (urlencode(params) + "&") if params else "",
            "may_add": may_add_cases(request.user),
            "detention_kind": CaseKind.DETENTION,
        },
    )


def _filter_tags(form: CaseFilterForm, params: list[tuple[str, str]]) -> list[dict[str, str]]:
    """The filters in force as removable tags (MoJ filter pattern): label and the URL
    without that filter."""
    tags = []
    for name, value in params:
        if name not in form.fields or name in form.errors:
            continue
        field = form.fields[name]
        shown = value
        choices = getattr(field, "choices", None)
        if choices:
            shown = str({str(k): v for k, v in choices}.get(value, value))
        elif value in ("1", "on", "true"):
            shown = ""
        label = f"{field.label}: {shown}" if shown else str(field.label)
        rest = [(k, v) for k, v in params if k != name]
        tags.append({"label": label, "url": "?" + urlencode(rest) if rest else "?"})
    return tags


# --- detail and actions ---------------------------------------------------------------------


def _detail_context(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    user = request.user
    may_change = may_change_cases(user) and Case.objects.visible_to(user, "change").filter(pk=case.pk).exists()
    targets = allowed_targets(case.kind, case.status)
    max_bytes = services.document_max_bytes()
    context: dict[str, Any] = {
        "case": case,
        "person": case.person,
        "nationalities": list(case.person.nationality_links.all()),
        "timeline": case_timeline(case=case),
        "documents": case_documents(case=case),
        "may_change": may_change,
        "targets": [(status, CaseStatus(status).label) for status in targets],
        "is_final": not targets,
        "is_held": case.status in HELD_STATUSES,
        "show_protection": may_see_protection_flags(user),
        "immunity": case.immunity_match or None,
        "other_matches": (case.immunity_match or {}).get("other_matches", []),
        "is_full_immunity": case.immunity_level == ImmunityLevel.FULL,
        "is_administrative_action": case.kind in ADMINISTRATIVE_ACTIONS,
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        "document_form": forms.get("document_form") or DocumentForm(max_bytes=max_bytes),
        "event_form": forms.get("event_form") or EventReportForm(prefix="event"),
        "person_url": _person_url(case),
    }
    # The error summary at the top reports the form that was just submitted.
    context["form"] = next((f for f in forms.values() if f is not None and f.errors), None)
    return context


def _person_url(case: Case) -> str:
    try:
        return reverse("people:detail", kwargs={"person_id": case.person_id})
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def case_detail_view(request: HttpRequest, case_id: str) -> HttpResponse:
    """One case: the facts, the person, the immunity banner, what can happen next, the
    documents and the append-only history, newest first."""
    _require(request, may_view_cases)
    case = _case_or_404(request, case_id)
    return render(request, "cases/case_detail.html", _detail_context(request, case))


def _rerender(request: HttpRequest, case_id: str, **forms: Any) -> HttpResponse:
    case = _case_or_404(request, case_id)
    return render(request, "cases/case_detail.html", _detail_context(request, case, **forms))


def _to_detail(case: Case, anchor: str = "") -> HttpResponseRedirect:
    return redirect(reverse("cases:detail", kwargs={"case_id": case.pk}) + anchor)


@login_required
@require_POST
def case_transition_view(request: HttpRequest, case_id: str) -> HttpResponse:
    _require(request, may_view_cases)
    case = _case_or_404(request, case_id, action="change")
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            case = services.case_transition(
                actor=request.user, case=case, to_status=form.cleaned_data["to_status"], note=form.cleaned_data["note"]
            )
        except domain.ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Status changed to “%(status)s”.") % {"status": case.get_status_display()})
            return _to_detail(case)
    return _rerender(request, case_id, transition_form=form)


@login_required
@require_POST
def case_note_view(request: HttpRequest, case_id: str) -> HttpResponse:
    _require(request, may_view_cases)
    case = _case_or_404(request, case_id, action="change")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.case_note_add(actor=request.user, case=case, text=form.cleaned_data["text"])
        except domain.ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Note added to the case history."))
            return _to_detail(case, "#history")
    return _rerender(request, case_id, note_form=form)


@login_required
@require_POST
def case_event_view(request: HttpRequest, case_id: str) -> HttpResponse:
    _require(request, may_view_cases)
    case = _case_or_404(request, case_id, action="change")
    form = EventReportForm(request.POST, prefix="event")
    if form.is_valid():
        data = form.cleaned_data
        try:
            event = services.case_event_report(
                actor=request.user,
                case=case,
                kind=data["kind"],
                summary=data["summary"],
                occurred_at=form.occurred_at(case.time_zone),
                detention_centre=data.get("detention_centre"),
                place_description=data.get("place_description") or "",
            )
        except domain.ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Recorded: %(event)s.") % {"event": event.get_kind_display()})
            return _to_detail(case, "#history")
    return _rerender(request, case_id, event_form=form)


@login_required
@require_POST
def case_document_upload_view(request: HttpRequest, case_id: str) -> HttpResponse:
    _require(request, may_view_cases)
    case = _case_or_404(request, case_id, action="change")
    form = DocumentForm(request.POST, request.FILES, max_bytes=services.document_max_bytes())
    if form.is_valid():
        try:
            document = services.case_document_attach(
                actor=request.user, case=case, uploaded_file=form.cleaned_data["file"], document_type=form.cleaned_data["document_type"]
            )
        except domain.ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Document “%(name)s” attached.") % {"name": document.original_name})
            return _to_detail(case, "#documents")
    return _rerender(request, case_id, document_form=form)


@login_required
@require_GET
def case_document_download_view(request: HttpRequest, case_id: str, document_id: str) -> FileResponse:
    """Serve an attachment to a user who sees its case; audited by the service."""
    _require(request, may_view_cases)
    from jembatan.cases.selectors import case_document_get

    try:
        document = case_document_get(actor=request.user, case_id=case_id, document_id=document_id)
        handle = services.case_document_open(actor=request.user, document=document)
    except domain.NotFound:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=document.original_name, content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- recording a case -----------------------------------------------------------------------


def _intake_url(kind: str) -> str:
    """Person intake, returning here with `?person=<uuid>` added (people app)."""
    back = f"{reverse('cases:create')}?{urlencode({'kind': kind})}"
    try:
        return f"{reverse('people:intake')}?{urlencode({'next': back})}"
    except NoReverseMatch:
        return ""


@login_required
@require_http_methods(["GET", "POST"])
def case_create_view(request: HttpRequest) -> HttpResponse:
    """Record a case: choose the kind, then the person (person intake), then the facts.

    `/cases/new/?kind=detention&person=<uuid>` shows the person and only the fields of
    that kind. A person matching full immunity is flagged before anything is typed; only
    a user who may override immunity gets the field to do so.
    """
    _require(request, may_add_cases)
    kind = request.GET.get("kind", "")
    if kind not in CaseKind.values:
        return render(request, "cases/case_start.html", {"kinds": CaseKind.choices, "step": "kind"})
    person_id = request.GET.get("person", "")
    if not person_id:
        query = request.GET.get("q", "").strip()[:200]
        people = list(person_list(actor=request.user, query=query)[:20]) if query else []
        return render(
            request,
            "cases/case_start.html",
            {
                "step": "person",
                "kind": kind,
                "kind_label": CaseKind(kind).label,
                "intake_url": _intake_url(kind),
                "query": query,
                "people": people,
            },
        )
    try:
        person = person_get(actor=request.user, person_id=person_id)
    except domain.NotFound:
        raise Http404 from None

    matches = person_immunity_matches(actor=request.user, person=person, purpose="case intake (form)") or []
    level = strongest_immunity(matches)
    blocks_detention = kind == CaseKind.DETENTION and level == ImmunityLevel.FULL
    show_override = blocks_detention and may_override_immunity(request.user)
    zone = _viewer_zone(request)
    form = CaseCreateForm(request.POST or None, kind=kind, zone=zone, show_override=show_override)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(actor=request.user, person=person, kind=kind, data=form.to_data())
        except domain.NotFound:
            raise Http404 from None
        except domain.ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Case recorded: %(reference)s.") % {"reference": case.reference})
            return _to_detail(case)
    return render(
        request,
        "cases/case_form.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": CaseKind(kind).label,
            "person": person,
            "nationalities": list(person.nationality_links.all()),
            "documents": list(person.documents.all()),
            "matches": [m.as_dict() for m in matches],
            "immunity_level": level,
            "blocks_detention": blocks_detention,
            "show_override": show_override,
            "trafficking_refusal": kind in ADMINISTRATIVE_ACTIONS and person.is_trafficking_victim,
            "show_protection": may_see_protection_flags(request.user),
            "change_person_url": f"{reverse('cases:create')}?{urlencode({'kind': kind})}",
        },
    )
