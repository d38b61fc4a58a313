"""`/api/v1/notifications/`: scope (never another mission's, never the decision to a
mission), acknowledgement with an idempotency key, KPIs equal to the page, access requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jembatan.accounts.models import ApiClient
from jembatan.audit.models import AuditEvent
from jembatan.notifications.models import AccessRequest, NotificationStatus
from jembatan.notifications.tests.pages_support import dispatched

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications/"


def test_list_and_detail_scoped(world, login, client):
    sent = dispatched(world.notification)
    world.notify()  # to check: never shown to a mission
    desk = login(world.desk)
    everything = desk.get(BASE, {"tab": "all"}).json()
    assert everything["count"] == 2
    assert everything["items"][0]["decision"]["reason"] == "requested"
    client.logout()
    mission = login(world.mission_aus)
    mine = mission.get(BASE).json()
    assert [i["id"] for i in mine["items"]] == [str(sent.pk)]
    assert mine["items"][0]["decision"] is None
    detail = mission.get(f"{BASE}{sent.pk}").json()
    assert detail["reference"] == sent.reference
    assert "decision" not in detail or detail["decision"] is None
    client.logout()
    other = login(world.mission_jpn)
    assert other.get(BASE).json() == {"items": [], "count": 0}
    missing = other.get(f"{BASE}{sent.pk}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    client.logout()
    assert login(world.analyst).get(BASE).status_code == 403


def test_acknowledge_is_idempotent_with_a_key(world, login):
    sent = dispatched(world.notification)
    mission = login(world.mission_aus)
    url = f"{BASE}{sent.pk}/acknowledge"
    first = mission.post(url, {"channel": "portal"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="ack-1")
    assert first.status_code == 200, first.content
    assert first.json()["status"] == NotificationStatus.ACKNOWLEDGED
    again = mission.post(url, {"channel": "portal"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="ack-1")
    assert again.status_code == 200
    assert again.json() == first.json()
    twice = mission.post(url, {"channel": "portal"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="ack-2")
    assert twice.status_code == 409


def test_kpi_endpoint_matches_the_page(world, login):
    base = timezone.now() - dt.timedelta(days=3)
    for hours in (5, 9, 40, 80):
        world.notify(
            event_at=base, due_at=base + dt.timedelta(hours=72), status="dispatched", dispatched_at=base + dt.timedelta(hours=hours)
        )
    desk = login(world.desk)
    api = desk.get(f"{BASE}performance").json()
    page = desk.get(reverse("notifications:kpi")).context["report"].as_dict()
    assert api == page
    assert api["detention_to_dispatch"]["median"] == pytest.approx(24.5)
    assert api["dispatched"] == 4
    assert desk.get(f"{BASE}performance", {"country": "JPN"}).json()["notifications"] == 0


def test_access_requests_create_and_list(world, login, client):
    sent = dispatched(world.notification)
    mission = login(world.mission_aus)
    created = mission.post(
        f"{BASE}access-requests",
        {"notification_id": str(sent.pk), "kind": "visit", "proposed_times": ["2026-12-01T10:00:00+08:00"], "officers": "Consul Doe"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="req-1",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "requested"
    assert body["proposed_times"] == ["2026-12-01T02:00:00Z"]
    replay = mission.post(
        f"{BASE}access-requests",
        {"notification_id": str(sent.pk), "kind": "visit", "proposed_times": ["2026-12-01T10:00:00+08:00"], "officers": "Consul Doe"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="req-1",
    )
    assert replay.json()["id"] == body["id"]
    assert AccessRequest.objects.count() == 1
    assert mission.get(f"{BASE}access-requests").json()["count"] == 1
    client.logout()
    other = login(world.mission_jpn)
    assert other.get(f"{BASE}access-requests").json()["count"] == 0
    refused = other.post(f"{BASE}access-requests", {"case_id": str(world.case.pk), "kind": "visit"}, content_type="application/json")
    assert refused.status_code == 404
    client.logout()
    host = login(world.officer)
    assert host.get(f"{BASE}access-requests").json()["items"][0]["id"] == body["id"]
    assert AuditEvent.objects.filter(object_type="notifications.accessrequest", actor_id=world.officer.pk).exists()
    assert host.post(f"{BASE}access-requests", {"case_id": str(world.case.pk)}, content_type="application/json").status_code == 403


def test_api_token_client_of_the_consular_desk(world, client):
    token, prefix, token_hash = ApiClient.new_token()
    ApiClient.objects.create(
        agency=world.kemlu,
        name="kemlu-system",
        token_prefix=prefix,
        token_hash=token_hash,
        permissions=["notifications.view_notification", "cases.view_notifiable_case", "notifications.view_kpi"],
    )
    listed = client.get(BASE, {"tab": "all"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert client.get(f"{BASE}performance", HTTP_AUTHORIZATION=f"Bearer {token}").json()["notifications"] == 1


def test_openapi_documents_the_operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/notifications/performance" in paths
    assert "/api/v1/notifications/{notification_id}/acknowledge" in paths
    out = schema["components"]["schemas"]["DeskNotificationOut"]["properties"]
    assert out["reference"]["description"].startswith("The ministry's number")


def test_systems_record_acknowledgements_with_their_token(world, client):
    """API clients have no `has_perm`: the services ask `has_capability`, for a ministry
    system recording a phoned confirmation and for a mission's own system alike."""
    sent = dispatched(world.notification)
    token, prefix, token_hash = ApiClient.new_token()
    ApiClient.objects.create(
        agency=world.desk.agency,
        name="Kemlu desk system",
        token_prefix=prefix,
        token_hash=token_hash,
        permissions=["notifications.view_notification", "cases.view_notifiable_case", "notifications.record_acknowledgement"],
    )
    response = client.post(
        f"{BASE}{sent.pk}/acknowledge",
        {"channel": "phone", "note": "Consul confirmed by phone"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content
    sent.refresh_from_db()
    assert (sent.status, sent.acknowledgement_channel, sent.acknowledged_by) == (NotificationStatus.ACKNOWLEDGED, "phone", None)
    assert sent.acknowledgement_note == "Consul confirmed by phone"


def test_a_mission_system_cannot_confirm_receipt_a_person_must(world, client):
    """The receipt is evidence of who at the mission received the notice: a token is refused
    (403) and the notification stays unacknowledged."""
    sent = dispatched(world.notification)
    token, prefix, token_hash = ApiClient.new_token()
    ApiClient.objects.create(
        agency=world.mission_aus.agency,
        name="Embassy system",
        token_prefix=prefix,
        token_hash=token_hash,
        permissions=["portal.view_portal", "portal.acknowledge_notification"],
    )
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{BASE}{sent.pk}", headers=headers).json()["reference"] == sent.reference
    response = client.post(f"{BASE}{sent.pk}/acknowledge", {"channel": "portal"}, content_type="application/json", headers=headers)
    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == NotificationStatus.DISPATCHED
