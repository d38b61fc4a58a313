"""Reads of people. Every read of personal data is scoped by `Person.objects.visible_to`
and recorded in the audit log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_read
from jembatan.core.exceptions import NotFound
from jembatan.people.models import IdentityDocument, Nationality, Person, PersonAgencyLink


def _with_details(queryset: QuerySet[Person]) -> QuerySet[Person]:
    return queryset.select_related("recorded_by_agency").prefetch_related(
        Prefetch("nationality_links", queryset=Nationality.objects.select_related("country")),
        Prefetch("documents", queryset=IdentityDocument.objects.select_related("issuing_state")),
    )


def person_list(*, actor: Any, query: str | None = None) -> QuerySet[Person]:
    """The persons `actor` may see, optionally narrowed by a name or document-number search.

    Sorted by the document (Latin) name. Records `PERSON_SEARCHED` (with the query) or
    `PERSON_LISTED` in the audit log, even when nothing matches: the question itself is
    an access to personal data.
    """
    query = (query or "").strip()
    people = Person.objects.visible_to(actor)
    if query:
        people = people.search(query)
        audit_read(actor=actor, action=AuditAction.PERSON_SEARCHED, target=("people.person", "", ""), data={"query": query})
    else:
        audit_read(actor=actor, action=AuditAction.PERSON_LISTED, target=("people.person", "", ""))
    return _with_details(people).order_by("surname", "given_names", "id")


def person_get(*, actor: Any, person_id: Any) -> Person:
    """One person `actor` may see, with nationalities, documents and the agencies linked to
    them; `NotFound` otherwise.

    A person outside the actor's scope and a person that does not exist are the same
    answer, so scope never leaks. Records `PERSON_VIEWED`.
    """
    links = Prefetch("agency_links", queryset=PersonAgencyLink.objects.select_related("agency"))
    try:
        person = _with_details(Person.objects.visible_to(actor)).prefetch_related(links).get(pk=person_id)
    except (Person.DoesNotExist, ValidationError, ValueError):
        raise NotFound() from None
    audit_read(actor=actor, action=AuditAction.PERSON_VIEWED, target=person)
    return person


def person_count(*, actor: Any) -> int:
    """How many persons `actor` may see. A number, not personal data: not audited."""
    return Person.objects.visible_to(actor).count()
