"""The portal API (`/api/v1/portal/`): the same scope as the pages for a mission's API
client and its signed-in officers; idempotent writes; never another mission's rows."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from jembatan.accounts.models import Agency, ApiClient
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.notifications.models import AccessRequest, Notification
from jembatan.portal.models import Message, WhereaboutsInquiry
from jembatan.portal.selectors import FORBIDDEN_FACT_WORDS

pytestmark = pytest.mark.django_db

BASE = "/api/v1/portal"


def _token(agency: Agency, permissions: list[str]) -> str:
    token, prefix, token_hash = ApiClient.new_token()
    ApiClient.objects.create(agency=agency, name=f"system-{prefix}", token_prefix=prefix, token_hash=token_hash, permissions=permissions)
    return f"Bearer {token}"


MISSION_PERMISSIONS = ["people.view_person", "portal.view_portal", "portal.ask_whereabouts", "portal.message_ministry"]


def _post(client, url, data, **headers):
    return client.post(url, json.dumps(data, default=str), content_type="application/json", **headers)


def test_mission_system_reads_its_own_inbox_only(portal, client):
    au_1 = portal.notify()
    au_2 = portal.notify()
    jp = portal.notify(portal.case(nationality="JPN", surname="TANAKA"))
    portal.notify(sent=False)
    auth = _token(portal.au.agency, MISSION_PERMISSIONS)
    response = client.get(f"{BASE}/notifications", HTTP_AUTHORIZATION=auth)
    assert response.status_code == 200
    body = response.json()
    assert {item["reference"] for item in body["items"]} == {au_1.reference, au_2.reference}
    assert body["count"] == 2
    assert body["unread"] == 2
    assert "TANAKA" not in response.content.decode()
    response = client.get(f"{BASE}/notifications", {"q": jp.reference}, HTTP_AUTHORIZATION=auth)
    assert response.json()["count"] == 0
    response = client.get(f"{BASE}/notifications/{jp.pk}", HTTP_AUTHORIZATION=auth)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    detail = client.get(f"{BASE}/notifications/{au_1.pk}", HTTP_AUTHORIZATION=auth).json()
    assert detail["person_name"] == "WALKER JAMES"
    flat = json.dumps(detail["facts"]).lower()
    assert not any(f'"{word}' in flat for word in ("refugee", "asylum", "decision", "reason"))
    assert all(not any(word in key.lower() for word in FORBIDDEN_FACT_WORDS) for key in detail["facts"])
    # a system's read does not mark it read for the mission's people? It does: the mission read it.
    assert Notification.objects.get(pk=au_1.pk).read_by_mission_at is not None


def test_a_system_cannot_confirm_receipt_nor_an_agency_read_the_portal(portal, client, login):
    n = portal.notify()
    auth = _token(portal.au.agency, [*MISSION_PERMISSIONS, "portal.acknowledge_notification"])
    response = _post(client, f"{BASE}/notifications/{n.pk}/acknowledge", {}, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 403
    assert Notification.objects.get(pk=n.pk).acknowledged_at is None
    staff = login(portal.desk)
    assert staff.get(f"{BASE}/notifications").status_code == 403
    imm_auth = _token(portal.imm, ["portal.view_portal", "notifications.view_notification"])
    assert client.get(f"{BASE}/notifications", HTTP_AUTHORIZATION=imm_auth).status_code == 403


def test_officer_acknowledges_idempotently(portal, login):
    n = portal.notify()
    client = login(portal.au)
    first = _post(client, f"{BASE}/notifications/{n.pk}/acknowledge", {"note": ""}, HTTP_IDEMPOTENCY_KEY="ack-1")
    assert first.status_code == 200
    again = _post(client, f"{BASE}/notifications/{n.pk}/acknowledge", {"note": ""}, HTTP_IDEMPOTENCY_KEY="ack-1")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert first.json()["acknowledgement_channel"] == "portal"
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_ACKNOWLEDGED, object_id=str(n.pk)).count() == 1
    other = _post(client, f"{BASE}/notifications/{n.pk}/acknowledge", {"note": "different"}, HTTP_IDEMPOTENCY_KEY="ack-1")
    assert other.status_code == 409
    without_key = _post(client, f"{BASE}/notifications/{n.pk}/acknowledge", {})
    assert without_key.status_code == 409  # already acknowledged
    jp = portal.notify(portal.case(nationality="JPN"))
    assert _post(client, f"{BASE}/notifications/{jp.pk}/acknowledge", {}).status_code == 404


def test_access_requests_through_the_api(portal, login):
    n = portal.notify()
    client = login(portal.au)
    when = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    payload = {"kind": "phone", "proposed_times": [when.isoformat()], "officers": "Jane Consul"}
    response = _post(client, f"{BASE}/notifications/{n.pk}/access-requests", payload, HTTP_IDEMPOTENCY_KEY="acc-1")
    assert response.status_code == 201
    assert _post(client, f"{BASE}/notifications/{n.pk}/access-requests", payload, HTTP_IDEMPOTENCY_KEY="acc-1").json() == response.json()
    assert AccessRequest.objects.count() == 1
    body = response.json()
    assert body["kind"] == "phone"
    assert body["status"] == "requested"
    assert client.get(f"{BASE}/access-requests/{body['id']}").status_code == 200
    listing = client.get(f"{BASE}/notifications/{n.pk}/access-requests").json()
    assert [r["id"] for r in listing] == [body["id"]]
    jp = login(portal.jp)
    assert jp.get(f"{BASE}/access-requests/{body['id']}").status_code == 404
    assert _post(jp, f"{BASE}/notifications/{n.pk}/access-requests", payload).status_code == 404


def test_inquiries_through_the_api(portal, client):
    au_auth = _token(portal.au.agency, MISSION_PERMISSIONS)
    jp_auth = _token(portal.jp.agency, MISSION_PERMISSIONS)
    data = {"surname": "WALKER", "given_names": "JAMES", "birth_year": 1985, "purpose": "legal", "purpose_text": "Court hearing"}
    response = _post(client, f"{BASE}/inquiries", data, HTTP_AUTHORIZATION=au_auth, HTTP_IDEMPOTENCY_KEY="inq-1")
    assert response.status_code == 201
    body = response.json()
    assert body["nationality"] == "AUS"
    assert body["status"] == "open"
    assert _post(client, f"{BASE}/inquiries", data, HTTP_AUTHORIZATION=au_auth, HTTP_IDEMPOTENCY_KEY="inq-1").json()["id"] == body["id"]
    assert WhereaboutsInquiry.objects.count() == 1
    assert WhereaboutsInquiry.objects.get().asked_by is None
    bad = _post(client, f"{BASE}/inquiries", {"surname": "X", "purpose": "family"}, HTTP_AUTHORIZATION=au_auth)
    assert bad.status_code == 400
    assert bad.json()["detail"]["field"] == "birth_year"
    assert client.get(f"{BASE}/inquiries/{body['id']}", HTTP_AUTHORIZATION=au_auth).status_code == 200
    assert client.get(f"{BASE}/inquiries/{body['id']}", HTTP_AUTHORIZATION=jp_auth).status_code == 404
    assert client.get(f"{BASE}/inquiries", HTTP_AUTHORIZATION=jp_auth).json()["count"] == 0


def test_messages_through_the_api(portal, client, login):
    n = portal.notify()
    au_auth = _token(portal.au.agency, MISSION_PERMISSIONS)
    response = _post(client, f"{BASE}/notifications/{n.pk}/messages", {"body": "Hello from Canberra"}, HTTP_AUTHORIZATION=au_auth)
    assert response.status_code == 201
    assert response.json()["side"] == "mission"
    threads = client.get(f"{BASE}/threads", HTTP_AUTHORIZATION=au_auth).json()
    assert len(threads) == 1
    thread_id = threads[0]["id"]
    login(portal.desk).post(f"/portal/desk/messages/{thread_id}/", {"body": "Received"})
    detail = client.get(f"{BASE}/threads/{thread_id}", HTTP_AUTHORIZATION=au_auth).json()
    assert [m["body"] for m in detail["messages"]] == ["Hello from Canberra", "Received"]
    assert detail["unread"] == 1
    jp_auth = _token(portal.jp.agency, MISSION_PERMISSIONS)
    assert client.get(f"{BASE}/threads/{thread_id}", HTTP_AUTHORIZATION=jp_auth).status_code == 404
    assert client.get(f"{BASE}/threads", HTTP_AUTHORIZATION=jp_auth).json() == []
    assert _post(client, f"{BASE}/notifications/{n.pk}/messages", {"body": "x"}, HTTP_AUTHORIZATION=jp_auth).status_code == 404
    assert Message.objects.count() == 2


def test_a_mission_system_requests_access_as_on_the_agencies_api(portal, client):
    """Unlike the receipt, an access request names no person's act: the mission's system may
    make it, scoped to its own mission, with no user recorded."""
    n = portal.notify()
    auth = _token(portal.au.agency, [*MISSION_PERMISSIONS, "portal.request_access"])
    payload = {"kind": "phone", "proposed_times": ["2026-12-03T09:00:00+07:00"], "officers": "Consul A", "note": ""}
    response = _post(client, f"{BASE}/notifications/{n.pk}/access-requests", payload, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 201, response.content
    request = AccessRequest.objects.get()
    assert (request.notification_id, request.mission_id, request.kind, request.requested_by) == (n.pk, n.mission_id, "phone", None)
    other = _token(portal.jp.agency, [*MISSION_PERMISSIONS, "portal.request_access"])
    assert _post(client, f"{BASE}/notifications/{n.pk}/access-requests", payload, HTTP_AUTHORIZATION=other).status_code == 404
