"""Reads of the accredited-persons registry. Every read of a person's data is scoped by
`AccreditedPerson.objects.visible_to` and recorded in the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_read
from jembatan.core.exceptions import NotFound
from jembatan.missions.models import AccreditedPerson
from jembatan.missions.querysets import document_number_normalise
from jembatan.reference.models import ForeignMission

CARD_VALID = "valid"
CARD_EXPIRING = "expiring"
CARD_EXPIRED = "expired"
CARD_NONE = "none"
EXPIRING_WITHIN_DAYS = 30


@dataclass(frozen=True)
class RegistryFilters:
    """What the registry list may be narrowed by (all optional)."""

    query: str = ""
    mission_id: int | None = None
    immunity_level: str = ""
    category: str = ""
    card: str = ""  # CARD_VALID, CARD_EXPIRING, CARD_EXPIRED or CARD_NONE
    active: str = ""  # "yes", "no" or "" for both

    def as_audit_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


def _with_details(queryset: QuerySet[AccreditedPerson]) -> QuerySet[AccreditedPerson]:
    return queryset.select_related("mission", "mission__country", "nationality", "document_issuing_state", "principal")


def accredited_person_list(*, actor: Any, filters: RegistryFilters | None = None, on: dt.date | None = None) -> QuerySet[AccreditedPerson]:
    """The registry rows `actor` may see, narrowed by `filters`, sorted by the passport name.

    Records `ACCREDITED_PERSON_SEARCHED` (with the query and filters) or
    `ACCREDITED_PERSON_LISTED`, even when nothing matches.
    """
    filters = filters or RegistryFilters()
    on = on or timezone.localdate()
    rows = AccreditedPerson.objects.visible_to(actor)
    query = filters.query.strip()
    if query:
        rows = rows.search(query)
    if filters.mission_id:
        rows = rows.filter(mission_id=filters.mission_id)
    if filters.immunity_level:
        rows = rows.filter(immunity_level=filters.immunity_level)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.card == CARD_VALID:
        rows = rows.card_valid_on(on)
    elif filters.card == CARD_EXPIRING:
        rows = rows.card_expiring(on, EXPIRING_WITHIN_DAYS)
    elif filters.card == CARD_EXPIRED:
        rows = rows.card_expired_on(on)
    elif filters.card == CARD_NONE:
        rows = rows.filter(card_number="")
    if filters.active == "yes":
        rows = rows.filter(is_active=True)
    elif filters.active == "no":
        rows = rows.filter(is_active=False)
    target = ("missions.accreditedperson", "", "")
    if query:
        audit_read(actor=actor, action=AuditAction.ACCREDITED_PERSON_SEARCHED, target=target, data=filters.as_audit_data())
    else:
        audit_read(actor=actor, action=AuditAction.ACCREDITED_PERSON_LISTED, target=target, data=filters.as_audit_data())
    return _with_details(rows).order_by("surname", "given_names", "id")


def accredited_person_get(*, actor: Any, accredited_person_id: Any) -> AccreditedPerson:
    """One registry row `actor` may see, with its mission and principal; `NotFound` when it
    does not exist or is out of scope (the same answer). Records `ACCREDITED_PERSON_VIEWED`.
    """
    try:
        person = _with_details(AccreditedPerson.objects.visible_to(actor)).get(pk=accredited_person_id)
    except (AccreditedPerson.DoesNotExist, ValidationError, ValueError):
        raise NotFound() from None
    audit_read(actor=actor, action=AuditAction.ACCREDITED_PERSON_VIEWED, target=person)
    return person


def accredited_person_family(*, actor: Any, accredited_person: AccreditedPerson) -> list[AccreditedPerson]:
    """The family members registered under `accredited_person` (read with the person's
    record, so covered by its `ACCREDITED_PERSON_VIEWED` event)."""
    rows = AccreditedPerson.objects.visible_to(actor).filter(principal=accredited_person)
    return list(_with_details(rows).order_by("surname", "given_names", "id"))


def accredited_person_by_reference(*, actor: Any, reference: str) -> AccreditedPerson | None:
    """The row whose card or document number is `reference` (normalised), for picking a
    principal by number in the form; None when none or more than one match."""
    number = document_number_normalise(reference)
    if not number:
        return None
    rows = AccreditedPerson.objects.visible_to(actor)
    by_card = list(rows.filter(card_number_normalised=number)[:2])
    if len(by_card) == 1:
        return by_card[0]
    by_document = list(rows.filter(document_number_normalised=number)[:2])
    return by_document[0] if len(by_document) == 1 else None


def registry_missions() -> QuerySet[ForeignMission]:
    """Missions in force, for the pickers (reference data: not personal, not audited)."""
    return ForeignMission.objects.in_force().select_related("country").order_by("sending_entity", "mission_type", "city")


@dataclass(frozen=True)
class RegistryCounts:
    active: int
    expiring: int
    expired_active: int


def registry_counts(*, actor: Any, on: dt.date | None = None) -> RegistryCounts:
    """Counts for the protocol officer's home panel. Numbers only: not audited."""
    on = on or timezone.localdate()
    rows = AccreditedPerson.objects.visible_to(actor).filter(is_active=True)
    return RegistryCounts(
        active=rows.count(),
        expiring=rows.card_expiring(on, EXPIRING_WITHIN_DAYS).count(),
        expired_active=rows.card_expired_on(on).count(),
    )
