"""API of the traffic queries: whereabouts (POST, purpose required, never for missions),
overstays, statistics; scoped, audited, in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jembatan.accounts.models import ApiClient
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.traffic.models import TrafficMonthly
from jembatan.traffic.tests.query_support import WITA, crossing, permit, tq_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

BASE = "/api/v1/traffic"


def token_client(agency, permissions: list[str]) -> Client:
    token, prefix, token_hash = ApiClient.new_token()
    ApiClient.objects.create(
        agency=agency, name=f"system-{agency.code}", token_prefix=prefix, token_hash=token_hash, permissions=permissions
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def test_whereabouts_by_document_for_a_system_of_the_foreign_ministry(tq):
    arrived = dt.datetime(2026, 3, 2, 14, tzinfo=WITA)
    crossing("PA1234567", arrived, "A", checkpoint="DPS")
    permit("PA1234567", ago(10), ago(-20), number="VOA-1")
    http = token_client(tq.kemlu, ["traffic.view_whereabouts"])
    response = http.post(
        f"{BASE}/whereabouts/by-document",
        {"document_number": "PA1234567", "issuing_state": "AUS", "purpose": "Inquiry 42"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["in_country"] is True
    assert body["since"] == "2026-03-02T06:00:00Z"
    assert body["crossings"][0] == {
        "crossed_at": "2026-03-02T06:00:00Z",
        "direction": "ARRIVAL",
        "checkpoint_code": "DPS",
        "checkpoint_name": "Bandara Ngurah Rai",
        "time_zone": "Asia/Makassar",
        "permit_type": "visa_on_arrival",
        "carrier": "",
    }
    assert body["permit"]["permit_number"] == "VOA-1"
    assert body["permit"]["days_left"] == 20
    assert body["open_cases"] == []
    event = AuditEvent.objects.get(action=AuditAction.WHEREABOUTS_QUERIED)
    assert event.purpose == "Inquiry 42"
    assert event.actor_label.startswith("api:")


def test_whereabouts_open_cases_in_the_api_answer(tq, login):
    """The open cases (added by the case register through `JEMBATAN_WHEREABOUTS_EXTRAS`)
    keep the API shape: id, reference, kind, status."""
    from jembatan.cases.lifecycle import CaseKind
    from jembatan.cases.tests.factories import CaseFactory
    from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
    from jembatan.reference.models import Country

    someone = PersonFactory(surname="WALKER", given_names="JAMES", nationalities=["AUS"], recorded_by_agency=tq.imm)
    IdentityDocumentFactory(person=someone, number="PA1234567", issuing_state=Country.objects.get(code="AUS"))
    detention = CaseFactory(person=someone, reporting_agency=tq.imm, kind=CaseKind.DETENTION)
    crossing("PA1234567", dt.datetime(2026, 3, 2, 14, tzinfo=WITA), "A", checkpoint="DPS")
    response = login(tq.supervisor).post(
        f"{BASE}/whereabouts/by-document",
        {"document_number": "PA1234567", "issuing_state": "AUS", "purpose": "Inquiry 43"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["person_id"] == str(someone.pk)
    assert body["open_cases"] == [
        {"id": str(detention.pk), "reference": detention.reference, "kind": detention.kind, "status": detention.status}
    ]


def test_whereabouts_by_name_with_session(tq, login):
    crossing("X1", dt.datetime(2026, 3, 2, tzinfo=dt.UTC), "A", state="RUS", surname="IVANOV", given_names="IVAN", birth=(1970, None, None))
    response = login(tq.consular).post(
        f"{BASE}/whereabouts/by-name",
        {"name": "Иванов Иван", "birth_date": "1970-05-06", "purpose": "Inquiry 9"},
        content_type="application/json",
    )
    assert response.status_code == 200
    (hit,) = response.json()
    assert (hit["document_number"], hit["issuing_state"], hit["date_of_birth"]) == ("X1", "RUS", "1970-00-00")
    assert hit["score"] == 100


def test_purpose_required_and_errors_name_the_field(tq):
    http = token_client(tq.kemlu, ["traffic.view_whereabouts"])
    response = http.post(
        f"{BASE}/whereabouts/by-document",
        {"document_number": "PA1", "issuing_state": "AUS", "purpose": " "},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == {"field": "purpose"}
    response = http.post(
        f"{BASE}/whereabouts/by-name", {"name": "X", "birth_date": "nope", "purpose": "p"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == {"field": "birth_date"}


def test_missions_are_refused_even_with_the_capability(tq):
    http = token_client(tq.mission, ["traffic.view_whereabouts", "traffic.view_overstays", "traffic.view_statistics"])
    payload = {"document_number": "PA1234567", "issuing_state": "AUS", "purpose": "curious"}
    assert http.post(f"{BASE}/whereabouts/by-document", payload, content_type="application/json").status_code == 403
    assert http.get(f"{BASE}/overstays").status_code == 403
    assert http.get(f"{BASE}/statistics").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.WHEREABOUTS_QUERIED).exists()


def test_capabilities_are_checked(tq):
    http = token_client(tq.kemlu, ["cases.view_case"])
    assert http.get(f"{BASE}/overstays").status_code == 403
    assert http.get(f"{BASE}/statistics").status_code == 403
    payload = {"document_number": "PA1234567", "issuing_state": "AUS", "purpose": "x"}
    assert http.post(f"{BASE}/whereabouts/by-document", payload, content_type="application/json").status_code == 403
    assert Client().get(f"{BASE}/overstays").status_code == 401


def test_overstays_list_paginated_and_audited(tq, login):
    for days, document in ((10, "A10"), (70, "A70"), (3, "A3")):
        crossing(document, dt.datetime.combine(ago(days + 20), dt.time(10), tzinfo=WITA), "A")
        permit(document, ago(days + 20), ago(days))
    http = login(tq.supervisor)
    body = http.get(f"{BASE}/overstays", {"page_size": 2}).json()
    assert body["count"] == 3
    assert [(i["document_number"], i["days_over"]) for i in body["items"]] == [("A70", 70), ("A10", 10)]
    assert body["items"][0]["proposed"] is False
    page2 = http.get(f"{BASE}/overstays", {"page_size": 2, "page": 2}).json()
    assert [i["document_number"] for i in page2["items"]] == ["A3"]
    band = http.get(f"{BASE}/overstays", {"band": "61-180"}).json()
    assert [i["document_number"] for i in band["items"]] == ["A70"]
    assert AuditEvent.objects.filter(action=AuditAction.OVERSTAYS_VIEWED).count() == 3


def test_statistics(tq):
    TrafficMonthly.objects.create(month=dt.date(2026, 1, 1), nationality="AUS", checkpoint_code="DPS", arrivals=10, departures=4)
    TrafficMonthly.objects.create(month=dt.date(2026, 2, 1), nationality="AUS", checkpoint_code="CGK", arrivals=3, departures=7)
    http = token_client(tq.kemlu, ["traffic.view_statistics"])
    body = http.get(f"{BASE}/statistics", {"group_by": "checkpoint", "month_from": "2026-01-15"}).json()
    assert body == {
        "group_by": "checkpoint",
        "arrivals": 13,
        "departures": 11,
        "rows": [
            {"key": "DPS", "label": "Bandara Ngurah Rai", "arrivals": 10, "departures": 4},
            {"key": "CGK", "label": "Bandara Soekarno-Hatta", "arrivals": 3, "departures": 7},
        ],
    }
    bad = http.get(f"{BASE}/statistics", {"group_by": "sex"})
    assert bad.status_code == 400
    event = AuditEvent.objects.filter(action=AuditAction.TRAFFIC_STATISTICS_VIEWED).first()
    assert event.data["format"] == "api"


def test_documented_in_openapi(tq, login):
    schema = login(tq.supervisor).get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("whereabouts/by-document", "whereabouts/by-name", "overstays", "statistics"):
        assert f"/api/v1/traffic/{path}" in paths
    assert "purpose" in schema["components"]["schemas"]["ByDocumentIn"]["required"]
