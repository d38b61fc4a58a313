"""Pages for agency staff: the people list with search, and one person's record.

Thin views: capability check, then the selectors (which scope and audit); a person out of
scope is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from jembatan.core.exceptions import ApplicationError, NotFound
from jembatan.core.exceptions import PermissionDenied as DomainPermissionDenied
from jembatan.people.forms import PersonIntakeForm, PersonSearchForm, apply_mrz
from jembatan.people.models import Person
from jembatan.people.permissions import ADD_PERSON, VIEW_PERSON, may_see_agency_links, may_see_protection_flags
from jembatan.people.querysets import normalise_search_text
from jembatan.people.selectors import person_get, person_list
from jembatan.people.services import (
    DuplicateCandidate,
    PersonData,
    person_create,
    person_data_from_mrz,
    person_find_duplicates,
    person_link_existing,
    person_validate,
)


@dataclass(frozen=True)
class PersonRow:
    """A row of the people table and, when searching, why it matched (UX.md §2.5)."""

    person: Person
    matched_on: str = ""


def _matched_on(person: Person, query: str) -> str:
    words = normalise_search_text(query).split()
    if not words:
        return ""
    # Literal matches first, so "Иван" reads as a native-name match even though the
    # transliteration also matches the document name.
    literal = query.casefold()
    if person.native_name and literal in person.native_name.casefold():
        return str(_("name in native script"))
    if literal in person.document_name.casefold():
        return str(_("name in the document"))
    if all(w in normalise_search_text(person.document_name) for w in words):
        return str(_("name in the document"))
    if all(w in normalise_search_text(person.native_name) for w in words):
        return str(_("name in native script"))
    compact = "".join(query.split()).upper()
    if any(doc.number == compact for doc in person.documents.all()):
        return str(_("document number"))
    return str(_("names"))


def _require_view_person(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW_PERSON):
        raise PermissionDenied


@login_required
@require_GET
def person_list_view(request: HttpRequest) -> HttpResponse:
    """The persons the user may see, searchable by any name or document number."""
    _require_view_person(request)
    form = PersonSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    people = person_list(actor=request.user, query=query)
    page_obj = Paginator(people, settings.UI_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [PersonRow(person=person, matched_on=_matched_on(person, query)) for person in page_obj]
    return render(
        request,
        "people/person_list.html",
        {
            "form": form,
            "query": query,
            "page_obj": page_obj,
            "rows": rows,
            "querystring_without_page": (urlencode({"q": query}) + "&") if query else "",
        },
    )


@login_required
@require_GET
def person_detail_view(request: HttpRequest, person_id: str) -> HttpResponse:
    """One person's identity, nationalities and documents; protection flags for agencies only."""
    _require_view_person(request)
    try:
        person = person_get(actor=request.user, person_id=person_id)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "nationalities": list(person.nationality_links.all()),
            "documents": list(person.documents.all()),
            "show_protection": may_see_protection_flags(request.user),
            "agency_links": list(person.agency_links.all()) if may_see_agency_links(request.user) else None,
        },
    )


# --- intake --------------------------------------------------------------------------------


def safe_next(request: HttpRequest, value: str | None) -> str:
    """`value` if it is a path on this site (`/cases/new/?x=1`), else "" (never another host,
    never a scheme, never `//host`)."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return ""
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    return value


def _with_person(next_url: str, person: Person) -> str:
    """`next_url` with `person=<uuid>` in its query string (replacing any `person` there)."""
    parts = urlsplit(next_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "person"]
    query.append(("person", str(person.pk)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _done(request: HttpRequest, person: Person, next_url: str, message: str) -> HttpResponse:
    if next_url:
        return HttpResponseRedirect(_with_person(next_url, person))
    messages.success(request, message)
    return HttpResponseRedirect(reverse("people:detail", args=[person.pk]))


def _render_intake(request: HttpRequest, form: PersonIntakeForm, *, status: int = 200, **context: Any) -> HttpResponse:
    form.wire_aria()
    return render(request, "people/person_intake.html", {"form": form, **context}, status=status)


def _read_mrz(request: HttpRequest, form: PersonIntakeForm) -> HttpResponse:
    """Fill the form from the MRZ in the box; nothing is saved.

    "Read MRZ" is the form's first button, so Enter in any text field presses it: with an
    empty box, or the MRZ already read, the page comes back with what the officer typed.
    """
    if not (form.data.get("mrz") or "").strip():
        return _render_intake(
            request,
            PersonIntakeForm(initial=form.values()),
            mrz_status=gettext("There is no MRZ to read. Fill in the fields yourself, then choose “Save person”."),
        )
    try:
        new = person_data_from_mrz(text=form.data.get("mrz", ""))
    except ApplicationError as error:
        form.is_valid()
        form.add_error("mrz", error.message)
        return _render_intake(request, form)
    values, filled = apply_mrz(form.values(), new)
    filled_form = PersonIntakeForm(initial=values)
    if filled:
        status = gettext("%(count)s fields filled from the MRZ. Check them against the document before saving.") % {"count": filled}
    else:
        status = gettext("The MRZ was read again. The fields you changed are kept.")
    return _render_intake(request, filled_form, mrz_status=status)


def _duplicates_page(request: HttpRequest, form: PersonIntakeForm, data: PersonData, candidates: list[DuplicateCandidate]) -> HttpResponse:
    return render(
        request,
        "people/person_duplicates.html",
        {"form": form, "data": data, "candidates": candidates, "hidden_form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_intake_view(request: HttpRequest) -> HttpResponse:
    """Record a foreign national: read the MRZ, check the fields, then save.

    Saving first runs the duplicate guard: if the person may already be recorded, the
    officer sees the possible existing records and either uses one ("Use this person",
    which gives their agency access to it) or confirms a new person; both choices are
    audited. With `?next=<path on this site>` the officer is sent back there with
    `person=<uuid>` added, so another page (a new case) can start with the person.
    """
    if not request.user.has_perm(ADD_PERSON):
        raise PermissionDenied
    if request.method == "GET":
        form = PersonIntakeForm(initial={"next": safe_next(request, request.GET.get("next"))})
        return _render_intake(request, form)

    form = PersonIntakeForm(request.POST)
    action = request.POST.get("action", "save")
    if request.POST.get("use_existing"):
        action = "use"
    if action == "read_mrz" or (action == "save" and form.mrz_pending()):
        return _read_mrz(request, form)
    if action == "edit":
        return _render_intake(request, PersonIntakeForm(initial=form.values()))
    if not form.is_valid():
        return _render_intake(request, form)
    next_url = safe_next(request, form.cleaned_data.get("next"))
    try:
        data = person_validate(data=form.to_person_data())
        if action == "use":
            person = person_link_existing(
                actor=request.user,
                person=request.POST["use_existing"],
                reason=gettext("Confirmed at intake as the same person"),
                data=data,
            )
            return _done(
                request,
                person,
                next_url,
                gettext("You are using the existing record of %(name)s. Your agency can now see it.") % {"name": person.document_name},
            )
        if action != "confirm_new":
            candidates = person_find_duplicates(actor=request.user, data=data)
            if candidates:
                return _duplicates_page(request, form, data, candidates)
        person = person_create(actor=request.user, data=data, rejected_candidates=request.POST.getlist("candidate"))
    except NotFound:
        form.add_error(None, gettext("That record is no longer a possible match. Check the details and save again."))
        return _render_intake(request, form)
    except DomainPermissionDenied:
        raise PermissionDenied from None
    except ApplicationError as error:
        form.add_service_error(error)
        return _render_intake(request, form)
    return _done(request, person, next_url, gettext("%(name)s is recorded.") % {"name": person.document_name})
