"""The consular desk's pages: inbox, detail, review and send, PDF, acknowledgement, cancel,
retry, overdue list, access pages and the home panels. Real dispatch and real PDFs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.tests.factories import CaseFactory
from jembatan.core.home import panels_for
from jembatan.notifications.models import (
    AccessStatus,
    DeliveryChannel,
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    NotificationStatus,
)
from jembatan.notifications.tests.factories import AccessRequestFactory, DetaineeLetterFactory, MissionContactFactory
from jembatan.notifications.tests.pages_support import dispatched
from jembatan.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"


def _get(client, url, **params):
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")


def test_inbox_lists_open_notifications_by_deadline_with_counts_and_is_audited(world, login):
    late = world.notify(due_at=timezone.now() - dt.timedelta(hours=2))
    soon = world.notify(due_at=timezone.now() + dt.timedelta(hours=3))
    sent = dispatched(world.notify())
    client = login(world.desk)
    response = _get(client, reverse("notifications:inbox"))
    assert response.status_code == 200
    page = response.content.decode()
    rows = response.context["items"]
    assert [n.pk for n in rows] == [late.pk, soon.pk, world.notification.pk]  # earliest deadline first
    tabs = {t["key"]: t["count"] for t in response.context["tabs"]}
    assert tabs == {"to_check": 3, "overdue": 1, "soon": 1, "awaiting_ack": 1, "sent": 1, "all": 4}
    assert "To check (3)" in page
    assert "Overdue (1)" in page
    assert "overdue by" in page
    assert "WIB" in page
    assert sent.reference not in page
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_LISTED, actor_id=world.desk.pk).exists()

    sent_tab = _get(client, reverse("notifications:inbox"), tab="awaiting_ack")
    assert [n.pk for n in sent_tab.context["items"]] == [sent.pk]


def test_inbox_filters_and_search_by_name_in_any_script(world, login):
    person = PersonFactory(
        surname="TANAKA", given_names="HANAKO", native_name="田中花子", nationalities=["JPN"], recorded_by_agency=world.imm
    )
    japanese = world.notify(case=CaseFactory(person=person, reporting_agency=world.imm, reporting_unit=world.unit), country=world.jpn)
    client = login(world.desk)
    by_country = _get(client, reverse("notifications:inbox"), country="JPN")
    assert [n.pk for n in by_country.context["items"]] == [japanese.pk]
    assert "Nationality: JPN – Japan" in by_country.content.decode()  # removable filter tag
    by_native = _get(client, reverse("notifications:inbox"), q="田中")
    assert [n.pk for n in by_native.context["items"]] == [japanese.pk]
    by_reference = _get(client, reverse("notifications:inbox"), q=world.notification.reference.lower())
    assert [n.pk for n in by_reference.context["items"]] == [world.notification.pk]
    by_case = _get(client, reverse("notifications:inbox"), q=world.case.reference)
    assert [n.pk for n in by_case.context["items"]] == [world.notification.pk]
    by_office = _get(client, reverse("notifications:inbox"), office=str(world.unit.pk), tab="all")
    assert world.notification in by_office.context["items"]
    none = _get(client, reverse("notifications:inbox"), q="nobody-at-all")
    assert "No notifications match these filters." in none.content.decode()


def test_inbox_empty_state_and_scope(world, login):
    Notification.objects.all().delete()
    empty = _get(login(world.desk), reverse("notifications:inbox"))
    assert "There are no notifications waiting to be checked." in empty.content.decode()
    assert "Dispatched tab" in empty.content.decode()


def test_scope_other_agency_and_missions(world, login, client):
    other_case = world.new_case(agency=world.other)
    theirs = world.notify(case=other_case)
    officer = login(world.officer)
    listed = _get(officer, reverse("notifications:inbox"), tab="all")
    assert [n.pk for n in listed.context["items"]] == [world.notification.pk]
    assert _get(officer, reverse("notifications:detail", args=[theirs.pk])).status_code == 404
    assert _get(officer, reverse("notifications:document", args=[theirs.pk])).status_code == 404
    client.logout()
    mission = login(world.mission_aus)
    assert _get(mission, reverse("notifications:inbox")).status_code == 403
    assert _get(mission, reverse("notifications:detail", args=[world.notification.pk])).status_code == 403
    client.logout()
    assert _get(client, reverse("notifications:inbox")).status_code == 302  # to sign in


def test_detail_shows_decision_deadline_and_facts_and_is_audited(world, login):
    client = login(world.desk)
    response = _get(client, reverse("notifications:detail", args=[world.notification.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert world.notification.reference in page
    assert "Decision" in page
    assert "The person asked for their consulate to be notified" in page
    assert "test" in page  # rule version of the factory decision
    assert "WALKER JAMES" in page  # the facts that will be sent
    assert "Review and send" in page
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_VIEWED, object_id=str(world.notification.pk)).count() == 1


def test_review_and_send_dispatches_for_real(world, login):
    MissionContactFactory(mission=world.embassy_aus, email="consular@aus.example")
    client = login(world.desk)
    url = reverse("notifications:dispatch", args=[world.notification.pk])
    confirm = _get(client, url)
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "consular@aus.example" in body
    assert "Send notification" in body
    assert "Embassy of Australia" in body
    response = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    world.notification.refresh_from_db()
    assert world.notification.status == NotificationStatus.DISPATCHED
    assert world.notification.dispatched_by == world.desk
    assert world.notification.deliveries.filter(channel=DeliveryChannel.EMAIL, recipient="consular@aus.example").exists()
    after = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Notification dispatched" in after
    assert "within the deadline" in after
    # A second POST (double click, back button) does not send again.
    again = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 302
    assert world.notification.deliveries.filter(channel=DeliveryChannel.EMAIL).count() == 1
    # Only the desk dispatches.
    client.logout()
    assert login(world.officer).post(url).status_code == 403


def test_pdf_is_served_as_pdf_and_audited(world, login):
    client = login(world.desk)
    response = _get(client, reverse("notifications:document", args=[world.notification.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    event = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_DOCUMENT_READ)
    assert event.object_id == str(world.notification.pk)
    assert event.data == {"preview": True}


def test_acknowledgement_recorded_by_the_desk(world, login):
    dispatched(world.notification)
    client = login(world.desk)
    url = reverse("notifications:acknowledge", args=[world.notification.pk])
    missing = client.post(url, {"channel": "phone"}, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 400
    assert "There is a problem" in missing.content.decode()
    ok = client.post(
        url,
        {"channel": "phone", "ack_date_0": "", "ack_date_1": "", "ack_date_2": "", "ack_time": "", "note": "Consul Doe by phone"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert ok.status_code == 302, ok.content.decode()[:2000]
    world.notification.refresh_from_db()
    assert world.notification.status == NotificationStatus.ACKNOWLEDGED
    assert world.notification.acknowledgement_channel == "phone"
    assert world.notification.acknowledgement_note == "Consul Doe by phone"


def test_cancel_needs_a_reason(world, login):
    client = login(world.desk)
    url = reverse("notifications:cancel", args=[world.notification.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Recorded twice"}).status_code == 302
    world.notification.refresh_from_db()
    assert world.notification.status == NotificationStatus.CANCELLED


def test_retry_a_failed_delivery(world, login):
    dispatched(world.notification)
    delivery = NotificationDelivery.objects.create(
        notification=world.notification,
        channel="email",
        recipient="x@aus.example",
        status=DeliveryStatus.FAILED,
        attempts=6,
        last_error="550",
    )
    client = login(world.desk)
    page = _get(client, reverse("notifications:detail", args=[world.notification.pk])).content.decode()
    assert "550" in page
    assert "Try again" in page
    response = client.post(reverse("notifications:delivery_retry", args=[world.notification.pk, delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


def test_overdue_list(world, login):
    late = world.notify(due_at=timezone.now() - dt.timedelta(hours=1))
    unacked = dispatched(world.notify(), at=timezone.now() - dt.timedelta(days=5))
    letter = DetaineeLetterFactory(case=world.case, mission=world.embassy_aus, due_at=timezone.now() - dt.timedelta(hours=1))
    waiting = AccessRequestFactory(case=world.case, mission=world.embassy_aus, due_at=timezone.now() - dt.timedelta(hours=1))
    response = _get(login(world.desk), reverse("notifications:overdue"))
    items = response.context["overdue"]
    assert [n.pk for n in items.undispatched] == [late.pk]
    assert [n.pk for n in items.unacknowledged] == [unacked.pk]
    assert [x.pk for x in items.letters] == [letter.pk]
    assert [x.pk for x in items.access_requests] == [waiting.pk]
    assert "4 items are late." in response.content.decode()


def test_access_pages_for_the_detention_side(world, login):
    item = AccessRequestFactory(case=world.case, mission=world.embassy_aus, notification=world.notification)
    AccessRequestFactory(case=world.new_case(agency=world.other), mission=world.embassy_aus)
    client = login(world.officer)
    listed = _get(client, reverse("notifications:access_list"))
    assert [a.pk for a in listed.context["items"]] == [item.pk]
    detail = _get(client, reverse("notifications:access_detail", args=[item.pk]))
    assert "Schedule the visit" in detail.content.decode()
    assert "WITA" in detail.content.decode()
    url = reverse("notifications:access_action", args=[item.pk, "schedule"])
    bad = client.post(url, {"scheduled_date_0": "31", "scheduled_date_1": "2", "scheduled_date_2": "2026", "scheduled_time": "10.00"})
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()
    day = (timezone.now() + dt.timedelta(days=2)).date()
    ok = client.post(
        url, {"scheduled_date_0": day.day, "scheduled_date_1": day.month, "scheduled_date_2": day.year, "scheduled_time": "10.00"}
    )
    assert ok.status_code == 302
    item.refresh_from_db()
    assert item.status == AccessStatus.SCHEDULED
    assert item.scheduled_for.astimezone(dt.timezone(dt.timedelta(hours=8))).hour == 10  # WITA, the place's zone
    visit = reverse("notifications:access_action", args=[item.pk, "visit"])
    today = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=8)))
    earlier = today - dt.timedelta(hours=1)
    done = client.post(
        visit,
        {
            "kind": "visit",
            "visit_date_0": earlier.day,
            "visit_date_1": earlier.month,
            "visit_date_2": earlier.year,
            "visit_time": earlier.strftime("%H.%M"),
            "officers": "Consul Doe",
            "outcome": "Fine",
        },
    )
    assert done.status_code == 302, done.content.decode()[:3000]
    item.refresh_from_db()
    assert item.status == AccessStatus.COMPLETED
    client.logout()
    assert _get(login(world.other_officer), reverse("notifications:access_detail", args=[item.pk])).status_code == 404


def test_home_panels(world):
    world.notify(due_at=timezone.now() - dt.timedelta(hours=1))
    AccessRequestFactory(case=world.case, mission=world.embassy_aus)
    desk = {p.title: p for p in panels_for(world.desk)}
    consular = desk["Notifikasi kekonsuleran"] if "Notifikasi kekonsuleran" in desk else desk["Consular notifications"]
    values = [item.value for item in consular.items]
    assert values[:2] == ["2", "1"]  # to check, overdue
    host = {p.title: p for p in panels_for(world.officer)}
    access_panel = host.get("Akses kekonsuleran") or host["Consular access"]
    assert access_panel.items[0].value == "1"
    assert not any(p.title in ("Consular notifications", "Notifikasi kekonsuleran") for p in panels_for(world.mission_aus))


def test_country_without_mission_is_recorded_as_sent_another_way(world, login):
    orphan = world.notify(mission=None)
    client = login(world.desk)
    url = reverse("notifications:dispatch", args=[orphan.pk])
    page = _get(client, url).content.decode()
    assert "no mission on record" in page
    assert "Record as sent" in page
    missing = client.post(url, {"channel": "note"}, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 400
    assert "There is a problem" in missing.content.decode()
    done = client.post(url, {"channel": "note", "note": "Note 77/2026 via the embassy in Canberra"}, HTTP_ACCEPT_LANGUAGE="en")
    assert done.status_code == 302
    orphan.refresh_from_db()
    assert orphan.status == NotificationStatus.DISPATCHED
    assert orphan.facts["manual"]["channel"] == "note"


def test_detail_links_the_policy_in_force_when_decided(world, login):
    from jembatan.notifications.models import CountryPolicy

    policy = CountryPolicy.objects.create(country=world.aus, valid_from=dt.date(2020, 1, 1), deadline_hours=72)
    world.notification.decision.policy = policy
    world.notification.decision.save(update_fields=["policy"])
    page = _get(login(world.desk), reverse("notifications:detail", args=[world.notification.pk])).content.decode()
    assert f'href="{reverse("notifications:policies:history", kwargs={"code": "AUS"})}"' in page
    assert "1 January 2020" in page
