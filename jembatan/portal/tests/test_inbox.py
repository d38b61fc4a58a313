"""The mission's inbox and one notification: scope (Australia never sees Japan's),
unread counts, filters, search, document, facts, timeline, one-click acknowledgement and
consular access requests."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.models import CaseEvent
from jembatan.cases.timeline import case_event_record
from jembatan.notifications.access import visit_record
from jembatan.notifications.models import AccessRequest, Notification, NotificationStatus
from jembatan.people.models import Nationality
from jembatan.people.tests.factories import IdentityDocumentFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> list[str]:
    return re.findall(r'data-reference="([^"]+)"', response.content.decode())


def test_inbox_lists_only_the_missions_dispatched_notifications(portal, login):
    au_1 = portal.notify()
    au_2 = portal.notify()
    jp = portal.notify(portal.case(nationality="JPN", surname="TANAKA", given_names="HIROSHI"))
    not_sent = portal.notify(sent=False)
    response = login(portal.au).get("/portal/")
    assert response.status_code == 200
    assert set(_rows(response)) == {au_1.reference, au_2.reference}
    body = response.content.decode()
    assert "TANAKA" not in body
    assert jp.reference not in body
    assert not_sent.reference not in body
    assert response.context["counts"].total == 2
    assert response.context["counts"].unread == 2
    response = login(portal.jp).get("/portal/")
    assert _rows(response) == [jp.reference]
    assert response.context["counts"].total == 1
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_LISTED, actor=portal.au).exists()


def test_unacknowledged_first_then_newest(portal, login):
    old = portal.notify()
    acked = portal.notify()
    new = portal.notify()
    now = timezone.now()
    Notification.objects.filter(pk=old.pk).update(dispatched_at=now - dt.timedelta(days=2))
    Notification.objects.filter(pk=new.pk).update(dispatched_at=now - dt.timedelta(hours=1))
    Notification.objects.filter(pk=acked.pk).update(
        dispatched_at=now, status=NotificationStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledgement_channel="portal"
    )
    assert _rows(login(portal.au).get("/portal/")) == [new.reference, old.reference, acked.reference]


def test_another_missions_notification_is_not_found_everywhere(portal, login):
    jp = portal.notify(portal.case(nationality="JPN", surname="TANAKA"))
    client = login(portal.au)
    for url in (f"/portal/notifications/{jp.pk}/", f"/portal/notifications/{jp.pk}/document.pdf", f"/portal/notifications/{jp.pk}/access/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/portal/notifications/{jp.pk}/acknowledge").status_code == 404
    assert client.post(f"/portal/notifications/{jp.pk}/messages").status_code == 404
    jp.refresh_from_db()
    assert jp.acknowledged_at is None
    assert jp.read_by_mission_at is None


def test_first_opening_marks_read_once_and_ministry_reading_does_not(portal, login):
    n = portal.notify()
    login(portal.desk)
    # the desk uses its own pages; the portal is for missions only
    assert login(portal.desk).get(f"/portal/notifications/{n.pk}/").status_code == 403
    n.refresh_from_db()
    assert n.read_by_mission_at is None
    client = login(portal.au)
    assert client.get(f"/portal/notifications/{n.pk}/").status_code == 200
    n.refresh_from_db()
    first = n.read_by_mission_at
    assert first is not None
    client.get(f"/portal/notifications/{n.pk}/")
    n.refresh_from_db()
    assert n.read_by_mission_at == first
    assert client.get("/portal/").context["counts"].unread == 0
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_VIEWED, actor=portal.au, object_id=str(n.pk)).count() == 2


def test_search_by_reference_native_name_and_document_never_leaks_other_missions(portal, login):
    wang = portal.notify(portal.case(surname="LI", given_names="MEI", native_name="李梅"))
    IdentityDocumentFactory(person=wang.person, number="PA1234567", issuing_state=portal.aus)
    other = portal.notify()
    jp = portal.notify(portal.case(nationality="JPN", surname="LI", given_names="MEI"))
    IdentityDocumentFactory(person=jp.person, number="TK7654321", issuing_state=portal.jpn)
    client = login(portal.au)
    assert _rows(client.get("/portal/", {"q": wang.reference})) == [wang.reference]
    assert _rows(client.get("/portal/", {"q": "李梅"})) == [wang.reference]
    assert _rows(client.get("/portal/", {"q": "li mei"})) == [wang.reference]
    assert _rows(client.get("/portal/", {"q": "PA 1234567"})) == [wang.reference]
    response = client.get("/portal/", {"q": "TK7654321"})
    assert _rows(response) == []
    assert response.context["page_obj"].paginator.count == 0
    assert other.reference not in _rows(client.get("/portal/", {"q": "li"}))
    response = client.get("/portal/", {"q": jp.reference})
    assert _rows(response) == []
    assert response.context["page_obj"].paginator.count == 0


def test_filters_acknowledged_trigger_and_period(portal, login):
    waiting = portal.notify()
    done = portal.notify()
    death = portal.notify(trigger="death")
    Notification.objects.filter(pk=done.pk).update(status="acknowledged", acknowledged_at=timezone.now(), acknowledgement_channel="portal")
    Notification.objects.filter(pk=waiting.pk).update(dispatched_at=timezone.now() - dt.timedelta(days=10))
    client = login(portal.au)
    assert set(_rows(client.get("/portal/", {"acknowledged": "no"}))) == {waiting.reference, death.reference}
    assert _rows(client.get("/portal/", {"acknowledged": "yes"})) == [done.reference]
    assert _rows(client.get("/portal/", {"trigger": "death"})) == [death.reference]
    since = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    assert waiting.reference not in _rows(client.get("/portal/", {"period_from": since}))
    response = client.get("/portal/", {"period_from": "2026-02-10", "period_to": "2026-02-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "The end of the period must be the same as or after its start" in response.content.decode()


def test_detail_shows_the_facts_sent_never_protection_flags_nor_internal_entries(portal, login):
    case = portal.case(is_trafficking_victim=True, is_stateless=False)
    n = portal.notify(case)
    n.facts = {**n.facts, "decision_reason": "protected_person", "person": {**n.facts["person"], "is_refugee": True}}
    n.save(update_fields=["facts"])
    case_event_record(case=case, kind=CaseEvent.Kind.NOTE, summary="INTERNAL NOTE: do not share with the embassy")
    response = login(portal.au).get(f"/portal/notifications/{n.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert "WALKER JAMES" in body
    assert "Denpasar Immigration Detention Centre" in body or "Rudenim Denpasar" in body
    assert "INTERNAL NOTE" not in body
    assert "protected_person" not in body
    assert "refugee" not in body.lower()
    assert "trafficking" not in body.lower()
    kinds = [e.kind for e in response.context["timeline"]]
    assert kinds == ["notification"]


def test_timeline_of_a_dual_national_shows_only_the_missions_own_entries(portal, login, make_user):
    case = portal.case()
    Nationality.objects.create(person=case.person, country=portal.jpn, is_primary=False)
    au = portal.notify(case, country=portal.aus)
    jp = portal.notify(case, country=portal.jpn)
    AccessRequest.objects.create(case=case, mission=portal.embassy_jpn, notification=jp, kind="visit", due_at=timezone.now())
    response = login(portal.au).get(f"/portal/notifications/{au.pk}/")
    timeline = response.context["timeline"]
    assert [e.title for e in timeline] == [f"Notification sent: {au.reference}"] or all(jp.reference not in e.title for e in timeline)
    assert response.context["access_requests"] == []
    assert jp.reference not in response.content.decode()


def test_confirm_receipt_with_one_click(portal, login):
    n = portal.notify()
    client = login(portal.au)
    response = client.post(f"/portal/notifications/{n.pk}/acknowledge", follow=True)
    assert response.status_code == 200
    n.refresh_from_db()
    assert n.status == NotificationStatus.ACKNOWLEDGED
    assert n.acknowledgement_channel == "portal"
    assert n.acknowledged_by == portal.au
    body = response.content.decode()
    assert 'id="ack-done"' in body
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_ACKNOWLEDGED, object_id=str(n.pk)).count() == 1
    first = n.acknowledged_at
    client.post(f"/portal/notifications/{n.pk}/acknowledge")
    n.refresh_from_db()
    assert n.acknowledged_at == first


def test_document_pdf_is_served_to_its_mission_only_and_audited(portal, login):
    n = portal.notify()
    response = login(portal.au).get(f"/portal/notifications/{n.pk}/document.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_DOCUMENT_READ, object_id=str(n.pk), actor=portal.au).exists()
    assert login(portal.jp).get(f"/portal/notifications/{n.pk}/document.pdf").status_code == 404


def test_request_consular_access_with_times_in_the_missions_zone(portal, login):
    n = portal.notify()
    client = login(portal.au)
    local = (timezone.now().astimezone(ZoneInfo("Asia/Jakarta")) + dt.timedelta(days=2)).replace(
        hour=10, minute=30, second=0, microsecond=0
    )
    response = client.post(
        f"/portal/notifications/{n.pk}/access/",
        {"kind": "visit", "time_1": local.strftime("%Y-%m-%dT%H:%M"), "officers": "Jane Consul, passport D1234567", "interpreter": "on"},
    )
    assert response.status_code == 302
    request = AccessRequest.objects.get()
    assert request.mission == portal.embassy_aus
    assert request.notification == n
    assert request.requested_by == portal.au
    assert request.proposed_times == [local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert request.note.startswith("Diperlukan juru bahasa / An interpreter is needed.")
    assert response["Location"] == f"/portal/access/{request.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Jane Consul" in page.content.decode()
    # the answer and the visit record appear once the detaining side records them
    visit_record(
        actor=portal.immigration_supervisor,
        case=n.case,
        mission=portal.embassy_aus,
        occurred_at=timezone.now() - dt.timedelta(minutes=5),
        officers="Jane Consul",
        outcome="Met the detainee; in good health",
        access_request=request,
    )
    page = client.get(f"/portal/access/{request.pk}/")
    assert "Met the detainee; in good health" in page.content.decode()
    assert login(portal.jp).get(f"/portal/access/{request.pk}/").status_code == 404


def test_access_form_errors_are_shown_gov_uk_style(portal, login):
    n = portal.notify()
    response = login(portal.au).post(f"/portal/notifications/{n.pk}/access/", {"kind": "visit"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter at least one proposed date and time" in body
    assert "Enter the names of the consular officers" in body
    assert not AccessRequest.objects.exists()


def test_agency_staff_cannot_open_the_portal(portal, login):
    for user in (portal.desk, portal.admin, portal.immigration_supervisor):
        assert login(user).get("/portal/").status_code == 403


def test_portal_speaks_indonesian_by_default_and_english_on_request(portal, login):
    portal.notify()
    client = login(portal.au)
    body = client.get("/portal/").content.decode()
    assert '<html lang="id">' in body
    assert "Notifikasi kekonsuleran" in body
    assert "Kedutaan Besar Australia" in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    body = client.get("/portal/").content.decode()
    assert '<html lang="en">' in body
    assert "Consular notifications" in body
    assert "Embassy of Australia" in body


def test_home_panel_counts_the_missions_own_notifications(portal, login):
    portal.notify()
    portal.notify(portal.case(nationality="JPN", surname="TANAKA"))
    response = login(portal.au).get("/")
    panel = next(p for p in response.context["panels"] if p.order == 1)
    assert [item.value for item in panel.items][:2] == ["1", "1"]
    desk_panels = login(portal.desk).get("/").context["panels"]
    assert any(item.url == "/portal/desk/inquiries/" for p in desk_panels for item in p.items)
