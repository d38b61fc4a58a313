"""Pages for agency staff: the people list with search, and one person's record.

Thin views: capability check, then the selectors (which scope and audit); a person out of
scope is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from jembatan.core.exceptions import NotFound
from jembatan.people.forms import PersonSearchForm
from jembatan.people.models import Person
from jembatan.people.permissions import VIEW_PERSON, may_see_protection_flags
from jembatan.people.querysets import normalise_search_text
from jembatan.people.selectors import person_get, person_list


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
        },
    )
