"""`/api/v1/cases/` as an agency system uses it: idempotent creates, the error contract with
the field named, lifecycle conflicts, filters, reported events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.lifecycle import CaseKind, CaseStatus
from jembatan.cases.models import Case, CaseEvent
from jembatan.cases.tests.conftest import api_client_for, recently
from jembatan.cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases"
REPORTER = ["cases.view_case", "cases.add_case", "cases.change_case", "people.view_person"]


@pytest.fixture
def system(agencies):
    """The immigration agency A's system, with its bearer token."""
    client, token = api_client_for(agencies.imm_a, REPORTER)

    class Api:
        api_client = client

        def __init__(self) -> None:
            self.http = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

        def get(self, path: str, **params):
            return self.http.get(f"{BASE}{path}", params)

        def post(self, path: str, payload: dict, **headers):
            return self.http.post(f"{BASE}{path}", payload, content_type="application/json", **headers)

    return Api()


def _detention(person, refs, **overrides) -> dict:
    payload = {
        "person_id": str(person.pk),
        "kind": "detention",
        "occurred_at": recently().isoformat(),
        "detention_ground": "a",
        "detention_centre": refs.denpasar.code,
        "legal_basis": refs.detention.pk,
        "rights_informed_at": recently(2).isoformat(),
        "rights_language": "en",
        "rights_answer": "requested",
    }
    payload.update(overrides)
    return payload


def test_create_returns_the_case_with_its_timeline(system, person, refs):
    response = system.post("/", _detention(person, refs, decision_number="W20.IMI-123"))

    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get()
    assert body["id"] == str(case.pk)
    assert body["reference"] == case.reference
    assert (body["kind"], body["status"], body["detention_centre"], body["time_zone"]) == (
        "detention",
        "detained",
        "RDN-DPS",
        "Asia/Makassar",
    )
    assert body["person"] == {"id": str(person.pk), "document_name": "WALKER JAMES", "native_name": "", "nationalities": ["AUS"]}
    assert body["reporting_agency"] == "imigrasi-a"
    assert body["legal_basis"]["article"] == "83"
    assert body["allowed_transitions"] == ["deported", "died", "released", "transferred_to_prison"]
    assert sorted(e["kind"] for e in body["timeline"]) == ["created", "rights_advised"]
    body["timeline"] = [e for e in body["timeline"] if e["kind"] == "created"]
    assert body["timeline"][0]["actor"] == f"api:{system.api_client.name}"
    assert body["timeline"][0]["agency"] == "imigrasi-a"
    audit = AuditEvent.objects.get(action=AuditAction.CASE_CREATED)
    assert audit.actor_id is None
    assert audit.actor_label == f"api:{system.api_client.name}"


def test_idempotency_key_makes_a_retry_safe(system, person, refs):
    payload = _detention(person, refs)
    first = system.post("/", payload, HTTP_IDEMPOTENCY_KEY="intake-7781")
    again = system.post("/", payload, HTTP_IDEMPOTENCY_KEY="intake-7781")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Case.objects.count() == 1
    other = system.post("/", {**payload, "summary": "different"}, HTTP_IDEMPOTENCY_KEY="intake-7781")
    assert other.status_code == 409
    assert other.json()["detail"]["field"] == "Idempotency-Key"
    assert Case.objects.count() == 1
    assert system.post("/", payload, HTTP_IDEMPOTENCY_KEY="intake-7782").status_code == 201
    assert Case.objects.count() == 2


def test_a_refusal_names_the_fields_and_is_not_stored_for_the_key(system, person, refs):
    bad = _detention(person, refs, detention_ground="", detention_centre=None, legal_basis=refs.crime.pk)
    response = system.post("/", bad, HTTP_IDEMPOTENCY_KEY="k1", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == "application_error"
    assert body["detail"]["field"] == "legal_basis"
    assert {e["field"] for e in body["detail"]["errors"]} == {"legal_basis", "detention_ground", "detention_centre"}
    assert not Case.objects.exists()
    # Corrected and retried with the same key: accepted.
    assert system.post("/", _detention(person, refs), HTTP_IDEMPOTENCY_KEY="k1").status_code == 201


def test_error_messages_follow_the_callers_language(system, person, refs):
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    english = system.post("/", _detention(person, refs, occurred_at=future), HTTP_ACCEPT_LANGUAGE="en").json()
    indonesian = system.post("/", _detention(person, refs, occurred_at=future), HTTP_ACCEPT_LANGUAGE="id").json()
    assert english["detail"]["field"] == indonesian["detail"]["field"] == "occurred_at"
    assert english["message"] == "The date and time must be now or in the past"
    assert indonesian["message"] == "Tanggal dan waktu harus sekarang atau sebelumnya"


def test_trafficking_victim_refused_through_the_api(system, agencies, refs):
    from jembatan.people.tests.factories import PersonFactory

    victim = PersonFactory(recorded_by_agency=agencies.imm_a, is_trafficking_victim=True)
    response = system.post(
        "/", {"person_id": str(victim.pk), "kind": "deportation", "occurred_at": recently().isoformat(), "legal_basis": refs.tak.pk}
    )
    assert response.status_code == 400
    assert response.json()["detail"]["field"] == "person_id"


def test_a_naive_time_is_local_to_the_given_zone(system, person):
    response = system.post(
        "/",
        {
            "person_id": str(person.pk),
            "kind": "death",
            "occurred_at": "2024-06-01T14:30:00",
            "time_zone": "Asia/Jayapura",
            "place_description": "RSUD",
        },
    )
    assert response.status_code == 201
    assert response.json()["occurred_at"].startswith("2024-06-01T05:30:00")


def test_malformed_input_is_a_validation_error(system, person):
    response = system.post("/", {"person_id": "nope", "kind": "detention"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_illegal_transition_is_a_409_naming_the_allowed_ones(system, agencies):
    case = CaseFactory(reporting_agency=agencies.imm_a)
    response = system.post(f"/{case.pk}/transitions", {"to_status": "closed"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["detail"] == {
        "field": "to_status",
        "current_status": "detained",
        "allowed": ["deported", "died", "released", "transferred_to_prison"],
    }
    assert "“Detained”" in body["message"]
    ok = system.post(f"/{case.pk}/transitions", {"to_status": "deported", "note": "Flight GA-880"})
    assert ok.status_code == 200
    assert ok.json()["status"] == "deported"
    assert ok.json()["timeline"][0]["summary"] == "Flight GA-880"


def test_events_are_reported_and_listed(system, agencies, refs):
    case = CaseFactory(reporting_agency=agencies.imm_a, detention_centre=refs.denpasar, place_description="")
    moved = system.post(f"/{case.pk}/events", {"kind": "transfer", "detention_centre": "RDN-JAP", "summary": "Capacity"})
    assert moved.status_code == 201
    assert moved.json()["data"]["to"]["detention_centre"] == "RDN-JAP"
    died = system.post(f"/{case.pk}/events", {"kind": "death", "summary": "Cardiac arrest"})
    assert died.status_code == 201
    assert died.json()["to_status"] == CaseStatus.DIED
    death_case = Case.objects.get(kind=CaseKind.DEATH)
    assert died.json()["data"]["death_case_reference"] == death_case.reference
    events = system.get(f"/{case.pk}/events").json()
    assert [e["kind"] for e in events] == [CaseEvent.Kind.DEATH, CaseEvent.Kind.TRANSFER, CaseEvent.Kind.CREATED]
    bad = system.post(f"/{case.pk}/events", {"kind": "serious_illness"})
    assert bad.status_code == 409  # the person is no longer held


def test_list_filters_and_pagination(system, agencies, person):
    detention = CaseFactory(reporting_agency=agencies.imm_a, person=person)
    ban = CaseFactory(kind=CaseKind.EXIT_BAN, status=CaseStatus.ACTIVE, reporting_agency=agencies.imm_a, ends_on=dt.date(2020, 1, 1))
    CaseFactory(reporting_agency=agencies.imm_b)
    everything = system.get("/").json()
    assert {c["reference"] for c in everything["items"]} == {detention.reference, ban.reference}
    assert system.get("/", kind="exit_ban").json()["items"][0]["reference"] == ban.reference
    assert [c["reference"] for c in system.get("/", q="walker").json()["items"]] == [detention.reference]
    assert [c["reference"] for c in system.get("/", nationality="aus").json()["items"]] == [detention.reference]
    assert [c["reference"] for c in system.get("/", overdue="true").json()["items"]] == [ban.reference]
    paged = system.get("/", page_size=1, page=2).json()
    assert paged["count"] == 2
    assert len(paged["items"]) == 1


def test_unknown_and_malformed_case_ids(system):
    import uuid

    assert system.get(f"/{uuid.uuid4()}").status_code == 404
    assert system.get("/not-a-uuid").status_code in (404, 422)
