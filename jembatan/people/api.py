"""API operations of the people app: list, get, record (with the duplicate guard), check.

Reads need `people.view_person` and are scoped and audited by the selectors; a person
outside the caller's scope is a 404, like one that does not exist. Protection flags are
never returned to a foreign mission. Writes need `people.add_person`.

Recording a person (`POST /`) accepts the fields, an `mrz` string, or both (fields given
override what the MRZ says). When the person may already be recorded the answer is 409
`possible_duplicates` with the candidates; send the same data again with
`"confirm_new": true` (a new person; the candidates are recorded as rejected) or
`"use_existing": "<id>"` (the caller's agency is linked to that person). Send an
`Idempotency-Key` header to make retries safe; use a new key for the follow-up request.

No `from __future__ import annotations` here: django-ninja reads the annotations at import
time.
"""

import datetime as dt
import re
import uuid
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from jembatan.core.api import ErrorBody, require_capability
from jembatan.core.exceptions import ApplicationError
from jembatan.core.idempotency import idempotent
from jembatan.people.models import Person
from jembatan.people.permissions import ADD_PERSON, VIEW_PERSON, may_see_agency_links, may_see_protection_flags
from jembatan.people.selectors import person_get, person_list
from jembatan.people.services import (
    DocumentData,
    DuplicateCandidate,
    PersonData,
    person_create,
    person_data_from_mrz,
    person_find_duplicates,
    person_link_existing,
    person_validate,
)

router = Router(tags=["people"])

_PAGE = {"page_size": settings.API_PAGE_SIZE, "max_page_size": 200}
_ERRORS: dict[int, Any] = {401: ErrorBody, 403: ErrorBody}
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


# --- output --------------------------------------------------------------------------------


class DocumentOut(Schema):
    document_type: str
    number: str
    issuing_state: str
    issued_on: dt.date | None
    expires_on: dt.date | None


class ProtectionOut(Schema):
    """Never returned to a foreign mission (the field is null for mission callers)."""

    is_refugee: bool
    is_asylum_seeker: bool
    is_stateless: bool
    is_trafficking_victim: bool


class PersonOut(Schema):
    id: uuid.UUID
    surname: str
    given_names: str
    native_name: str
    native_name_lang: str
    sex: str
    birth_date: str | None  # YYYY-MM-DD with 00 for unknown parts
    nationalities: list[str]  # the primary first
    documents: list[DocumentOut]
    recorded_by: str  # agency code
    linked_agencies: list[str] | None = None  # agency codes; only on GET /{id}, never for missions
    protection: ProtectionOut | None = None

    @staticmethod
    def resolve_birth_date(obj: Any) -> str | None:
        if isinstance(obj, dict):
            return obj.get("birth_date")
        return obj.birth_date_display or None

    @staticmethod
    def resolve_nationalities(obj: Any) -> list[str]:
        if isinstance(obj, dict):
            return list(obj["nationalities"])
        return [n.country.code for n in obj.nationality_links.all()]

    @staticmethod
    def resolve_documents(obj: Any) -> list[dict[str, Any]]:
        if isinstance(obj, dict):
            return list(obj["documents"])
        return [
            {
                "document_type": d.document_type,
                "number": d.number,
                "issuing_state": d.issuing_state.code,
                "issued_on": d.issued_on,
                "expires_on": d.expires_on,
            }
            for d in obj.documents.all()
        ]

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str:
        if isinstance(obj, dict):
            return str(obj["recorded_by"])
        return str(obj.recorded_by_agency.code)

    @staticmethod
    def resolve_protection(obj: Any, context: Any) -> dict[str, bool] | None:
        if isinstance(obj, dict):
            return obj.get("protection")
        request = (context or {}).get("request")
        if request is None or not may_see_protection_flags(request.auth):
            return None
        return _protection(obj)


class CandidateOut(Schema):
    """A recorded person who may be the person sent. For a person outside the caller's
    scope (`visible` false) only these minimal facts are given, document numbers masked."""

    person_id: uuid.UUID
    visible: bool
    score: int
    reasons: list[str]
    reason_labels: list[str]
    document_name: str
    native_name: str
    birth_date: str | None
    nationalities: list[str]
    documents: list[str]


class DuplicatesOut(Schema):
    candidates: list[CandidateOut]


class PossibleDuplicatesDetail(Schema):
    candidates: list[CandidateOut]


class PossibleDuplicatesOut(Schema):
    """409: the person may already be recorded."""

    code: str
    message: str
    detail: PossibleDuplicatesDetail


# --- input -----------------------------------------------------------------------------------


class DocumentIn(Schema):
    document_type: str = "P"
    number: str = ""
    issuing_state: str = ""
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None


class PersonIn(Schema):
    """A person to check or record: fields, an `mrz`, or both (fields override the MRZ).

    `birth_date` is `YYYY-MM-DD`, with `00` for an unknown day or month (`1985-03-00`,
    `1985-00-00`); `YYYY-MM` and `YYYY` are read the same way. `nationalities` are ICAO/ISO
    codes, the primary first.
    """

    mrz: str | None = None
    surname: str | None = None
    given_names: str | None = None
    native_name: str | None = None
    native_name_lang: str | None = None
    sex: str | None = None
    birth_date: str | None = None
    nationalities: list[str] | None = None
    is_refugee: bool | None = None
    is_asylum_seeker: bool | None = None
    is_stateless: bool | None = None
    is_trafficking_victim: bool | None = None
    document: DocumentIn | None = None


class PersonCreateIn(PersonIn):
    confirm_new: bool = False
    use_existing: uuid.UUID | None = None
    reason: str = ""


def _partial_date(value: str) -> tuple[int | None, int | None, int | None]:
    match = _PARTIAL_DATE.match(value.strip())
    if not match:
        raise ApplicationError(
            gettext("Enter the date of birth as YYYY-MM-DD, with 00 for an unknown day or month"),
            field="birth_date",
            extra={"part": "year"},
        )
    year, month, day = (int(g) if g else None for g in match.groups())
    return year or None, month or None, day or None


def _person_data(payload: PersonIn) -> PersonData:
    """The `PersonData` of a request: the MRZ's facts, overridden by the fields sent."""
    data = person_data_from_mrz(text=payload.mrz) if payload.mrz else PersonData()
    changes: dict[str, Any] = {}
    for name in ("surname", "given_names", "native_name", "native_name_lang", "sex"):
        value = getattr(payload, name)
        if value is not None:
            changes[name] = value
    for name in ("is_refugee", "is_asylum_seeker", "is_stateless", "is_trafficking_victim"):
        value = getattr(payload, name)
        if value is not None:
            changes[name] = value
    if payload.birth_date is not None:
        changes["birth_year"], changes["birth_month"], changes["birth_day"] = _partial_date(payload.birth_date)
    if payload.nationalities is not None:
        changes["nationalities"] = tuple(payload.nationalities)
    if payload.document is not None:
        doc = payload.document
        from_mrz = data.document
        same = from_mrz is not None and from_mrz.number == doc.number.upper() and from_mrz.issuing_state == doc.issuing_state.upper()
        changes["document"] = DocumentData(
            document_type=doc.document_type,
            number=doc.number,
            issuing_state=doc.issuing_state,
            issued_on=doc.issued_on,
            expires_on=doc.expires_on if doc.expires_on is not None or not same else from_mrz.expires_on,  # type: ignore[union-attr]
            mrz=from_mrz.mrz if same else "",  # type: ignore[union-attr]
        )
    return replace(data, **changes)


def _protection(person: Person) -> dict[str, bool]:
    return {
        "is_refugee": person.is_refugee,
        "is_asylum_seeker": person.is_asylum_seeker,
        "is_stateless": person.is_stateless,
        "is_trafficking_victim": person.is_trafficking_victim,
    }


def _person_body(person: Person, actor: Any, *, links: bool = False) -> dict[str, Any]:
    """A person as the JSON body of a write's answer (stored for idempotent replays)."""
    body = PersonOut.from_orm(person, context={"request": None}).model_dump(mode="json")
    body["protection"] = _protection(person) if may_see_protection_flags(actor) else None
    if links and may_see_agency_links(actor):
        body["linked_agencies"] = [link.agency.code for link in person.agency_links.select_related("agency")]
    return body


def _candidate_body(candidate: DuplicateCandidate) -> dict[str, Any]:
    return {
        "person_id": str(candidate.person_id),
        "visible": candidate.visible,
        "score": candidate.score,
        "reasons": [r.value for r in candidate.reasons],
        "reason_labels": candidate.reason_labels,
        "document_name": candidate.document_name,
        "native_name": candidate.native_name,
        "birth_date": candidate.birth_date_display or None,
        "nationalities": list(candidate.nationalities),
        "documents": list(candidate.document_numbers),
    }


# --- operations ------------------------------------------------------------------------------


@router.get("/", response={200: list[PersonOut], **_ERRORS}, summary="List people")
@paginate(PageNumberPagination, **_PAGE)
def person_list_api(request: HttpRequest, q: str | None = None) -> Any:
    """The persons the caller may see, sorted by the document name; `q` searches any name in
    any script, or a document number."""
    require_capability(request, VIEW_PERSON)
    return person_list(actor=request.auth, query=q)  # type: ignore[attr-defined]


@router.get("/{uuid:person_id}", response={200: PersonOut, 404: ErrorBody, **_ERRORS}, summary="Get one person")
def person_get_api(request: HttpRequest, person_id: uuid.UUID) -> Any:
    """One person with nationalities, documents, the agencies linked (agency callers) and
    the protection flags (never for a foreign mission)."""
    require_capability(request, VIEW_PERSON)
    actor = request.auth  # type: ignore[attr-defined]
    person = person_get(actor=actor, person_id=person_id)
    body = _person_body(person, actor)
    if may_see_agency_links(actor):
        body["linked_agencies"] = [link.agency.code for link in person.agency_links.all()]
    return body


@router.post(
    "/duplicates",
    response={200: DuplicatesOut, 400: ErrorBody, **_ERRORS},
    summary="Check whether a person is already recorded",
)
def person_duplicates_api(request: HttpRequest, payload: PersonIn) -> Any:
    """The recorded persons who may be the person sent (same document; or similar name in
    any script, compatible birth date and a shared nationality). Records nothing but the
    audited search."""
    require_capability(request, ADD_PERSON)
    candidates = person_find_duplicates(actor=request.auth, data=_person_data(payload))  # type: ignore[attr-defined]
    return {"candidates": [_candidate_body(c) for c in candidates]}


@router.post(
    "/",
    response={200: PersonOut, 201: PersonOut, 400: ErrorBody, 404: ErrorBody, 409: PossibleDuplicatesOut | ErrorBody, **_ERRORS},
    summary="Record a person",
)
def person_create_api(request: HttpRequest, payload: PersonCreateIn) -> Any:
    """Record a person (201), or use an existing record (`use_existing`, 200).

    409 `possible_duplicates` lists the candidates when the person may already be
    recorded; 409 `document_already_recorded` when the document belongs to a person
    already. Honours `Idempotency-Key`.
    """
    require_capability(request, ADD_PERSON)
    actor = request.auth  # type: ignore[attr-defined]

    def produce() -> tuple[int, Any]:
        data = person_validate(data=_person_data(payload))
        if payload.use_existing is not None:
            person = person_link_existing(
                actor=actor,
                person=payload.use_existing,
                reason=payload.reason or gettext("Confirmed as the same person by an agency system"),
                data=data,
            )
            return 200, _person_body(person, actor, links=True)
        candidates = person_find_duplicates(actor=actor, data=data)
        if candidates and not payload.confirm_new:
            return 409, {
                "code": "possible_duplicates",
                "message": gettext(
                    "This person may already be recorded. Send the request again with use_existing "
                    "set to the id of the same person, or with confirm_new set to true."
                ),
                "detail": {"candidates": [_candidate_body(c) for c in candidates]},
            }
        person = person_create(actor=actor, data=data, rejected_candidates=[c.person_id for c in candidates])
        return 201, _person_body(person, actor, links=True)

    status, body = idempotent(request, operation="person_create", payload=payload.model_dump(mode="json"), produce=produce)
    return Status(status, body)
