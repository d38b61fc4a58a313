"""API operations of the case register (`/api/v1/cases/`).

Agency systems (bearer token) and signed-in users call the same operations, with the same
capabilities and the same row scope as the pages: a case outside the caller's scope is a
404 exactly like one that does not exist. Lists are paginated by page number (`page`,
`page_size`) and answer `{"items": [...], "count": N}`. Creating a case honours the
`Idempotency-Key` header. Errors are `{code, message, detail}`; a refused field is named
in `detail.field`, and every problem found in `detail.errors`.

No `from __future__ import annotations` here: django-ninja reads the annotations at import
time to build its parameter models.
"""

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from jembatan.cases import services
from jembatan.cases.lifecycle import allowed_targets
from jembatan.cases.models import Case, CaseEvent
from jembatan.cases.permissions import may_add_cases, may_view_cases
from jembatan.cases.selectors import CaseFilters, case_get, case_list, case_timeline
from jembatan.core.api import ErrorBody, api_caller
from jembatan.core.exceptions import ApplicationError, NotFound
from jembatan.core.idempotency import idempotent
from jembatan.people.selectors import person_get

router = Router(tags=["cases"])

_MAX_PAGE_SIZE = 200
_READ_ERRORS: dict[int, Any] = {401: ErrorBody, 403: ErrorBody}
_ONE_ERRORS: dict[int, Any] = {**_READ_ERRORS, 404: ErrorBody}
_WRITE_ERRORS: dict[int, Any] = {**_ONE_ERRORS, 400: ErrorBody, 409: ErrorBody}


class PersonRef(Schema):
    id: uuid.UUID
    document_name: str
    native_name: str
    nationalities: list[str]


class LegalBasisRef(Schema):
    id: int
    law: str
    article: str
    paragraph: str
    kind: str


class CaseOut(Schema):
    """A case as agency systems exchange it. Times are UTC (ISO 8601); `time_zone` is the
    zone of the place, for showing them locally. Codes, not names, for agencies, offices
    and detention centres."""

    id: uuid.UUID
    reference: str
    kind: str
    status: str
    person: PersonRef
    reporting_agency: str
    reporting_office: str | None
    occurred_at: dt.datetime
    time_zone: str
    legal_basis: LegalBasisRef | None
    detention_centre: str | None
    place_description: str
    detention_ground: str
    detention_ceiling_on: dt.date | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    requesting_agency: str
    extension_count: int
    decision_number: str
    charge_amount: int | None
    overstay_days: int | None
    court: str
    summary: str
    immunity_level: str
    immunity_flagged: bool
    immunity_overridden: bool
    origin_case_id: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CasePage(Schema):
    items: list[CaseOut]
    count: int


class EventOut(Schema):
    """One timeline entry: who (user name or `api:<client>`), from which agency (code),
    what, when."""

    id: uuid.UUID
    kind: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    actor: str
    agency: str | None
    from_status: str
    to_status: str
    summary: str
    data: dict[str, Any]


class CaseDetailOut(CaseOut):
    allowed_transitions: list[str]
    timeline: list[EventOut]


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _case_out(case: Case) -> dict[str, Any]:
    person = case.person
    basis = case.legal_basis
    return {
        "id": case.pk,
        "reference": case.reference,
        "kind": case.kind,
        "status": case.status,
        "person": {
            "id": person.pk,
            "document_name": person.document_name,
            "native_name": person.native_name,
            "nationalities": [link.country.code for link in person.nationality_links.all()],
        },
        "reporting_agency": case.reporting_agency.code,
        "reporting_office": case.reporting_unit.code if case.reporting_unit else None,
        "occurred_at": _utc(case.occurred_at),
        "time_zone": case.time_zone,
        "legal_basis": (
            {"id": basis.pk, "law": basis.law, "article": basis.article, "paragraph": basis.paragraph, "kind": basis.kind}
            if basis
            else None
        ),
        "detention_centre": case.detention_centre.code if case.detention_centre else None,
        "place_description": case.place_description,
        "detention_ground": case.detention_ground,
        "detention_ceiling_on": case.detention_ceiling_on,
        "starts_on": case.starts_on,
        "ends_on": case.ends_on,
        "requesting_agency": case.requesting_agency,
        "extension_count": case.extension_count,
        "decision_number": case.decision_number,
        "charge_amount": int(case.charge_amount) if case.charge_amount is not None else None,
        "overstay_days": case.overstay_days,
        "court": case.court,
        "summary": case.summary,
        "immunity_level": case.immunity_level,
        "immunity_flagged": case.is_immunity_flagged,
        "immunity_overridden": bool(case.immunity_override_reason),
        "origin_case_id": case.origin_case_id,
        "created_at": _utc(case.created_at),
        "updated_at": _utc(case.updated_at),
    }


def _event_out(event: CaseEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": event.kind,
        "occurred_at": _utc(event.occurred_at),
        "recorded_at": _utc(event.recorded_at),
        "actor": event.actor_label,
        "agency": event.agency.code if event.agency else None,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "summary": event.summary,
        "data": event.data,
    }


class CaseCreateIn(Schema):
    """The facts of a new case; which fields a kind needs is as on the page (see
    `services.case_create`). `occurred_at` with an offset, or local to `time_zone`."""

    person_id: uuid.UUID
    kind: str
    occurred_at: dt.datetime
    time_zone: str | None = None
    legal_basis: int | None = None
    detention_ground: str = ""
    detention_centre: str | None = None
    place_description: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    requesting_agency: str = ""
    decision_number: str = ""
    charge_amount: int | None = None
    overstay_days: int | None = None
    court: str = ""
    summary: str = ""
    immunity_override_reason: str = ""
    # Required for detention, immigration crime, criminal case and imprisonment (VCCR art.
    # 36(1)(b)): when and in which language (ISO 639-1) the person was informed of the right
    # to consular notification, and the answer: requested, declined or no_answer.
    rights_informed_at: dt.datetime | None = None
    rights_language: str = ""
    rights_answer: str = ""
    rights_objects_to_visits: bool = False
    rights_statement: str = ""
    rights_interpreter: str = ""
    nationality_known_at: dt.datetime | None = None


class TransitionIn(Schema):
    to_status: str
    note: str = ""
    occurred_at: dt.datetime | None = None


class NoteIn(Schema):
    text: str


class EventIn(Schema):
    """`kind`: `transfer` (with `detention_centre` code or `place_description`),
    `serious_illness` (with `summary`), `release` or `death`."""

    kind: str
    summary: str = ""
    occurred_at: dt.datetime | None = None
    detention_centre: str | None = None
    place_description: str = ""


class CaseListFilters(Schema):
    kind: str = ""
    status: str = ""
    nationality: str = ""
    office: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    overdue: bool = False
    ceiling: bool = False
    immunity: bool = False
    open: bool = False
    q: str = ""


def _require_view(request: HttpRequest) -> Any:
    caller = api_caller(request)
    if not may_view_cases(caller):
        raise HttpError(403, "You do not have permission to do this.")
    return caller


def _zone(caller: Any) -> str:
    return getattr(caller, "time_zone", None) or "Asia/Jakarta"


def _detail(case: Case, caller: Any) -> dict[str, Any]:
    """The case with its timeline and the statuses the caller may move it to, as JSON-ready
    data (the same body whether fresh or replayed for an `Idempotency-Key`)."""
    may_change = Case.objects.visible_to(caller, "change").filter(pk=case.pk).exists()
    out = _case_out(case)
    out["allowed_transitions"] = allowed_targets(case.kind, case.status) if may_change else []
    out["timeline"] = [_event_out(event) for event in case_timeline(case=case)]
    return CaseDetailOut.model_validate(out).model_dump(mode="json")


def _renamed(error: ApplicationError, names: dict[str, str]) -> ApplicationError:
    """The service's field names as this API calls them (`person` → `person_id`)."""
    if error.field in names:
        error.field = names[error.field]
    for problem in error.extra.get("errors", []):
        problem["field"] = names.get(problem["field"], problem["field"])
    return error


@router.get("/", response={200: CasePage, **_READ_ERRORS}, summary="List cases")
def case_list_api(request: HttpRequest, filters: Query[CaseListFilters], page: int = 1, page_size: int = settings.API_PAGE_SIZE) -> Any:
    """The cases the caller may see, last updated first, with the filters of the case list
    page; `page` from 1, `page_size` up to 200. `date_from`/`date_to` are whole days in the
    caller's zone (Jakarta for systems)."""
    caller = _require_view(request)
    cases = case_list(
        actor=caller,
        filters=CaseFilters(
            kind=filters.kind,
            status=filters.status,
            nationality=filters.nationality.upper(),
            office_id=filters.office,
            date_from=filters.date_from,
            date_to=filters.date_to,
            overdue=filters.overdue,
            nearing_ceiling=filters.ceiling,
            immunity_flagged=filters.immunity,
            open_only=filters.open,
            query=filters.q,
            zone=_zone(caller),
        ),
    )
    page_size = min(max(page_size, 1), _MAX_PAGE_SIZE)
    start = (max(page, 1) - 1) * page_size
    return {"items": [_case_out(case) for case in cases[start : start + page_size]], "count": cases.count()}


@router.get("/{case_id}", response={200: CaseDetailOut, **_ONE_ERRORS}, summary="Get one case with its timeline")
def case_detail_api(request: HttpRequest, case_id: uuid.UUID) -> Any:
    caller = _require_view(request)
    return _detail(case_get(actor=caller, case_id=case_id), caller)


@router.get("/{case_id}/events", response={200: list[EventOut], **_ONE_ERRORS}, summary="Get the timeline of a case")
def case_events_api(request: HttpRequest, case_id: uuid.UUID) -> Any:
    """Newest first. Entries are never changed; a correction is a new entry."""
    caller = _require_view(request)
    return [_event_out(event) for event in case_timeline(case=case_get(actor=caller, case_id=case_id))]


@router.post("/", response={201: CaseDetailOut, **_WRITE_ERRORS}, summary="Record a case")
def case_create_api(request: HttpRequest, payload: CaseCreateIn) -> Any:
    """Record a case about a person the caller can see (`people.view_person`). The same
    checks as the page: kind-specific fields, legal basis in force, dates, trafficking
    victims (UU 6/2011 art. 86), the immunity registry. Send `Idempotency-Key` to make a
    retry safe."""
    caller = api_caller(request)
    if not may_add_cases(caller):
        raise HttpError(403, "You do not have permission to do this.")

    def produce() -> tuple[int, Any]:
        try:
            person = person_get(actor=caller, person_id=payload.person_id)
        except NotFound:
            raise NotFound("There is no such person. Record the person first, then the case.", field="person_id") from None
        data = payload.model_dump(exclude={"person_id", "kind"})
        data = {k: v for k, v in data.items() if v not in (None, "")} | {"occurred_at": payload.occurred_at}
        try:
            case = services.case_create(actor=caller, person=person, kind=payload.kind, data=data)
        except ApplicationError as error:
            raise _renamed(error, {"person": "person_id"}) from None
        return 201, _detail(case, caller)

    status, body = idempotent(request, operation="cases.create", payload=payload.model_dump(mode="json"), produce=produce)
    return Status(status, body)


@router.post("/{case_id}/transitions", response={200: CaseDetailOut, **_WRITE_ERRORS}, summary="Change the status of a case")
def case_transition_api(request: HttpRequest, case_id: uuid.UUID, payload: TransitionIn) -> Any:
    """Only the transitions of the case's lifecycle; any other is a 409 that names the
    current status and the allowed ones (`detail.allowed`)."""
    caller = _require_view(request)
    case = case_get(actor=caller, case_id=case_id, action="change")
    case = services.case_transition(
        actor=caller, case=case, to_status=payload.to_status, note=payload.note, occurred_at=payload.occurred_at
    )
    return Status(200, _detail(case, caller))


@router.post("/{case_id}/notes", response={201: EventOut, **_WRITE_ERRORS}, summary="Add a note to a case")
def case_note_api(request: HttpRequest, case_id: uuid.UUID, payload: NoteIn) -> Any:
    caller = _require_view(request)
    case = case_get(actor=caller, case_id=case_id, action="change")
    return Status(201, _event_out(services.case_note_add(actor=caller, case=case, text=payload.text)))


@router.post("/{case_id}/events", response={201: EventOut, **_WRITE_ERRORS}, summary="Report an event on a case")
def case_event_api(request: HttpRequest, case_id: uuid.UUID, payload: EventIn) -> Any:
    """Transfer, serious illness, release or death (a death also opens or links the
    person's death case)."""
    caller = _require_view(request)
    case = case_get(actor=caller, case_id=case_id, action="change")
    event = services.case_event_report(
        actor=caller,
        case=case,
        kind=payload.kind,
        summary=payload.summary,
        occurred_at=payload.occurred_at,
        detention_centre=payload.detention_centre,
        place_description=payload.place_description,
    )
    return Status(201, _event_out(event))
