"""The consular section of the case page and its forms: rights advice, letters, access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jembatan.cases.models import CaseEvent, ConsularRightsAdvice
from jembatan.notifications.models import AccessRequest, AccessStatus, DetaineeLetter
from jembatan.notifications.tests.factories import AccessRequestFactory, DetaineeLetterFactory, RightsAdviceFactory
from jembatan.notifications.tests.pages_support import dispatched

pytestmark = pytest.mark.django_db

WITA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


def _case_page(client, case) -> str:
    response = client.get(reverse("cases:detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def _date(prefix: str, moment: dt.datetime, time_field: str) -> dict[str, str]:
    local = moment.astimezone(WITA)
    return {
        f"{prefix}_0": str(local.day),
        f"{prefix}_1": str(local.month),
        f"{prefix}_2": str(local.year),
        time_field: local.strftime("%H.%M"),
    }


def test_section_for_the_detaining_officer(world, login):
    RightsAdviceFactory(case=world.case, answer="requested", language="en")
    AccessRequestFactory(case=world.case, mission=world.embassy_aus)
    page = _case_page(login(world.officer), world.case)
    assert 'id="consular"' in page
    assert "Asked for the consulate to be notified" in page
    assert world.notification.reference in page
    assert "Record a changed answer" in page
    assert "Log a letter from the detainee" in page
    assert "Record the visit" in page
    assert "Refuse access" in page
    assert "Record an access request received from a mission" not in page  # the desk's job
    # Field ids are unique on the page (several forms share field names).
    assert page.count('id="acc0-refuse-reason"') == 1


def test_section_for_the_desk_and_nobody_else(world, login, client):
    page = _case_page(login(world.desk), world.case)
    assert "Record an access request received from a mission" in page
    assert "Log a letter from the detainee" not in page
    client.logout()
    # A user without notifications.view_notification sees the case but not the section.
    from jembatan.accounts.roles import Role
    from jembatan.accounts.tests.factories import UserFactory

    reporter = UserFactory(roles=[Role.PARTNER_OFFICER.value], agency=world.imm)
    assert 'id="consular"' not in _case_page(login(reporter), world.case)


def test_changed_answer_is_recorded(world, login):
    RightsAdviceFactory(case=world.case, answer="declined")
    client = login(world.officer)
    url = reverse("notifications:case_rights", args=[world.case.pk])
    bad = client.post(url, {"answer": "requested", "language": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()
    when = timezone.now() - dt.timedelta(hours=1)
    ok = client.post(url, {"answer": "requested", "language": "en", **_date("informed_date", when, "informed_time")})
    assert ok.status_code == 302, ok.content.decode()[:3000]
    assert ok["Location"].endswith("#consular")
    latest = ConsularRightsAdvice.objects.filter(case=world.case).order_by("-informed_at").first()
    assert latest.answer == "requested"
    assert CaseEvent.objects.filter(case=world.case, kind=CaseEvent.Kind.RIGHTS_ADVISED).exists()


def test_letter_logged_then_forwarded(world, login, client):
    dispatched(world.notification)
    officer = login(world.officer)
    when = timezone.now() - dt.timedelta(hours=2)
    logged = officer.post(
        reverse("notifications:case_letter", args=[world.case.pk]),
        {"description": "Sealed letter, 2 pages", **_date("received_date", when, "received_time")},
    )
    assert logged.status_code == 302, logged.content.decode()[:3000]
    letter = DetaineeLetter.objects.get(case=world.case)
    client.logout()
    desk = login(world.desk)
    assert "Record as forwarded" in _case_page(desk, world.case)
    url = reverse("notifications:letter_forward", args=[letter.pk])
    assert desk.post(url, {"note": ""}).status_code == 400
    assert desk.post(url, {"note": "Scan e-mailed to the consular section"}).status_code == 302
    letter.refresh_from_db()
    assert letter.forwarded_at is not None
    assert desk.get(reverse("notifications:letter_forward", args=[DetaineeLetterFactory().pk])).status_code == 200  # desk sees all
    client.logout()
    assert login(world.other_officer).get(url).status_code == 403  # no forward_letter


def test_desk_records_access_request_and_officer_schedules_from_the_case(world, login, client):
    desk = login(world.desk)
    url = reverse("notifications:case_access_request", args=[world.case.pk])
    assert desk.post(url, {"kind": "visit"}).status_code == 400  # no mission chosen
    created = desk.post(url, {"mission": world.embassy_aus.pk, "kind": "visit", "officers": "Consul Doe"})
    assert created.status_code == 302
    item = AccessRequest.objects.get(case=world.case)
    client.logout()
    officer = login(world.officer)
    day = timezone.now() + dt.timedelta(days=1)
    scheduled = officer.post(
        reverse("notifications:access_action", args=[item.pk, "schedule"]), _date("scheduled_date", day, "scheduled_time")
    )
    assert scheduled.status_code == 302
    item.refresh_from_db()
    assert item.status == AccessStatus.SCHEDULED
    declined = officer.post(reverse("notifications:access_action", args=[item.pk, "decline"]), {"statement": "Saya tidak mau."})
    assert declined.status_code == 302
    item.refresh_from_db()
    assert item.status == AccessStatus.DECLINED_BY_DETAINEE
    assert "Saya tidak mau." in _case_page(officer, world.case)
