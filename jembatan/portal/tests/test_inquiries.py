"""Whereabouts inquiries: the mission asks (validated), the desk searches the register
among the mission's nationals only (never a refugee or asylum seeker), answers or forwards,
everything audited; overdue inquiries are reminded and escalated once per step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jembatan.accounts.models import Alert
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.notifications.models import NotificationReminder
from jembatan.people.tests.factories import IdentityDocumentFactory
from jembatan.portal.models import INQUIRY_ANSWER_HOURS, InquiryStatus, WhereaboutsInquiry
from jembatan.portal.selectors import inquiry_get
from jembatan.portal.services import inquiries as svc

pytestmark = pytest.mark.django_db


def _ask(portal, actor=None, **kwargs):
    data = {"surname": "WALKER", "given_names": "JAMES", "birth_year": 1985, "purpose": "family"}
    data.update(kwargs)
    return svc.inquiry_create(actor=actor or portal.au, **data)


def test_mission_asks_through_the_form(portal, login):
    client = login(portal.au)
    response = client.post(
        "/portal/inquiries/new/",
        {
            "surname": "WALKER",
            "given_names": "JAMES",
            "birth_day": "14",
            "birth_month": "3",
            "birth_year": "1985",
            "document_number": "pa 123 4567",
            "purpose": "welfare",
        },
    )
    assert response.status_code == 302
    inquiry = WhereaboutsInquiry.objects.get()
    assert inquiry.mission == portal.embassy_aus
    assert inquiry.nationality == portal.aus
    assert inquiry.asked_by == portal.au
    assert inquiry.document_number == "PA1234567"
    assert inquiry.birth_date_text == "1985-03-14"
    assert inquiry.due_at - inquiry.asked_at == dt.timedelta(hours=INQUIRY_ANSWER_HOURS)
    assert inquiry.reference.startswith(f"WA-{timezone.localdate().year}-")
    assert response["Location"] == f"/portal/inquiries/{inquiry.pk}/"
    assert AuditEvent.objects.filter(action=AuditAction.INQUIRY_CREATED, object_id=str(inquiry.pk)).exists()
    assert Alert.objects.filter(recipient=portal.desk, url=f"/portal/desk/inquiries/{inquiry.pk}/").exists()
    assert not Alert.objects.filter(recipient=portal.jp).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"surname": "", "purpose": "family", "birth_year": "1985"}, "surname", "Enter the surname as written in the passport"),
        ({"surname": "X", "birth_year": "1985"}, "purpose", "Select the purpose of the inquiry"),
        ({"surname": "X", "purpose": "other", "birth_year": "1985"}, "purpose_text", "Describe the purpose of the inquiry"),
        (
            {"surname": "X", "purpose": "family"},
            "birth_year",
            "Enter a year of birth or a document number, so the person can be identified",
        ),
        (
            {"surname": "X", "purpose": "family", "birth_year": "1985", "birth_month": "2", "birth_day": "30"},
            "birth_day",
            "Date of birth must be a real date",
        ),
        (
            {"surname": "X", "purpose": "family", "document_number": "AB-12/3"},
            "document_number",
            "Document number must only include letters and numbers",
        ),
    ],
)
def test_form_validation(portal, login, data, field, message):
    response = login(portal.au).post("/portal/inquiries/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert field in response.context["form"].errors
    assert not WhereaboutsInquiry.objects.exists()


def test_inquiries_are_scoped_to_the_asking_mission(portal, login):
    au = _ask(portal)
    jp = _ask(portal, actor=portal.jp, surname="TANAKA")
    client = login(portal.jp)
    assert client.get(f"/portal/inquiries/{au.pk}/").status_code == 404
    body = client.get("/portal/inquiries/").content.decode()
    assert jp.reference in body
    assert au.reference not in body
    assert jp.nationality == portal.jpn
    with pytest.raises(PermissionDenied):
        _ask(portal, actor=portal.desk)
    assert login(portal.desk).get(f"/portal/inquiries/{au.pk}/").status_code == 403
    with pytest.raises(PermissionDenied):
        svc.inquiry_search(actor=portal.au, inquiry=au)


def test_desk_search_finds_nationals_only_never_protected_persons(portal, login):
    walker = portal.case(surname="WALKER", given_names="JAMES", birth_year=1985)
    IdentityDocumentFactory(person=walker.person, number="PA1234567", issuing_state=portal.aus)
    japanese_namesake = portal.case(nationality="JPN", surname="WALKER", given_names="JAMES", birth_year=1985)
    refugee_namesake = portal.case(surname="WALKER", given_names="JAMES", birth_year=1985, is_refugee=True)
    other_year = portal.case(surname="WALKER", given_names="JAMES", birth_year=1990)
    inquiry = _ask(portal)
    response = login(portal.desk).get(f"/portal/desk/inquiries/{inquiry.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    result = response.context["result"]
    found = {p["id"] for p in result["persons"]}
    assert found == {str(walker.person_id)}
    assert str(japanese_namesake.person_id) not in found
    assert str(refugee_namesake.person_id) not in found
    assert str(other_year.person_id) not in found
    assert result["persons"][0]["open_cases"][0]["reference"] == walker.reference
    inquiry.refresh_from_db()
    assert inquiry.result["persons"][0]["id"] == str(walker.person_id)
    event = AuditEvent.objects.get(action=AuditAction.INQUIRY_SEARCHED, object_id=str(inquiry.pk))
    assert event.data["person_ids"] == [str(walker.person_id)]
    assert event.data["case_ids"] == [str(walker.pk)]
    assert event.data["withheld_protected"] == 1
    prefilled = response.context["form"].initial["answer"]
    assert "WALKER JAMES" in prefilled
    assert "Rudenim Denpasar" in prefilled or "Denpasar Immigration Detention Centre" in prefilled
    # by document number alone
    by_doc = _ask(portal, surname="UNKNOWN", given_names="", birth_year=None, document_number="PA1234567")
    result = svc.inquiry_search(actor=portal.desk, inquiry=by_doc)
    assert [p["matched_by"] for p in result["persons"]] == ["document"]


def test_answer_reaches_the_mission_and_is_audited(portal, login):
    inquiry = _ask(portal)
    client = login(portal.desk)
    client.get(f"/portal/desk/inquiries/{inquiry.pk}/")
    response = client.post(f"/portal/desk/inquiries/{inquiry.pk}/", {"answer": "The person is held at Rudenim Denpasar."})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ANSWERED
    assert inquiry.answered_by == portal.desk
    assert inquiry.answered_at
    assert AuditEvent.objects.filter(action=AuditAction.INQUIRY_ANSWERED, object_id=str(inquiry.pk)).exists()
    assert Alert.objects.filter(recipient=portal.au, url=f"/portal/inquiries/{inquiry.pk}/").exists()
    assert not Alert.objects.filter(recipient=portal.jp).exists()
    page = login(portal.au).get(f"/portal/inquiries/{inquiry.pk}/")
    assert "The person is held at Rudenim Denpasar." in page.content.decode()
    with pytest.raises(Conflict):  # already answered
        svc.inquiry_answer(actor=portal.desk, inquiry=inquiry, answer="again")


def test_answer_may_not_mention_protection_status(portal):
    inquiry = _ask(portal)
    with pytest.raises(ApplicationError) as exc:
        svc.inquiry_answer(actor=portal.desk, inquiry=inquiry, answer="He has applied for asylum with UNHCR.")
    assert exc.value.field == "answer"
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.OPEN


def test_forward_to_immigration_alerts_its_supervisors(portal, login):
    inquiry = _ask(portal)
    response = login(portal.desk).post(f"/portal/desk/inquiries/{inquiry.pk}/forward", {"note": "Check the Bali offices"})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.FORWARDED
    assert inquiry.forwarded_by == portal.desk
    alert = Alert.objects.get(recipient=portal.immigration_supervisor)
    assert "WALKER JAMES" in alert.body
    assert "Check the Bali offices" in alert.body
    assert AuditEvent.objects.filter(action=AuditAction.INQUIRY_FORWARDED, object_id=str(inquiry.pk)).exists()
    # still answerable by the desk once immigration replies
    svc.inquiry_answer(actor=portal.desk, inquiry=inquiry, answer="Not known to immigration.")


def test_desk_list_by_due_date_and_other_roles_refused(portal, login):
    later = _ask(portal, surname="LATER")
    sooner = _ask(portal, actor=portal.jp, surname="SOONER")
    WhereaboutsInquiry.objects.filter(pk=sooner.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    response = login(portal.desk).get("/portal/desk/inquiries/")
    assert [i.reference for i in response.context["inquiries"]] == [sooner.reference, later.reference]
    assert login(portal.immigration_supervisor).get("/portal/desk/inquiries/").status_code == 403
    assert login(portal.au).get("/portal/desk/inquiries/").status_code == 403
    with pytest.raises(NotFound):
        inquiry_get(actor=portal.jp, inquiry_id=later.pk)


def test_reminders_and_escalations_are_sent_once_per_step(portal):
    inquiry = _ask(portal)
    due = inquiry.due_at
    assert svc.inquiries_remind(now=due - dt.timedelta(hours=30)) == 0
    assert svc.inquiries_remind(now=due - dt.timedelta(hours=10)) == 1
    assert svc.inquiries_remind(now=due - dt.timedelta(hours=9)) == 0
    assert Alert.objects.filter(recipient=portal.desk, level=Alert.Level.WARNING).count() == 1  # the reminder, once
    assert svc.inquiries_remind(now=due + dt.timedelta(hours=1)) == 1
    assert svc.inquiries_remind(now=due + dt.timedelta(hours=2)) == 0
    assert Alert.objects.filter(recipient=portal.supervisor, level=Alert.Level.URGENT).count() == 1
    assert svc.inquiries_remind(now=due + dt.timedelta(hours=25)) == 1
    steps = list(NotificationReminder.objects.filter(subject_id=str(inquiry.pk)).order_by("kind", "step").values_list("kind", "step"))
    assert steps == [("escalation", 1), ("escalation", 2), ("reminder", 1)]
    svc.inquiry_answer(actor=portal.desk, inquiry=inquiry, answer="Not known.")
    assert svc.inquiries_remind(now=due + dt.timedelta(hours=60)) == 0


def test_border_crossings_of_the_missions_nationals_only(portal):
    from jembatan.traffic.tests.query_support import at, crossing

    crossing("PA7777777", at(2026, 1, 5), state="AUS")
    crossing("PA7777777", at(2026, 1, 20), direction="D", state="AUS")
    crossing("PA7777777", at(2026, 2, 1), state="JPN")  # same number, another State's document
    by_doc = _ask(portal, surname="WALKER", document_number="PA7777777")
    result = svc.inquiry_search(actor=portal.desk, inquiry=by_doc)
    assert result["traffic_available"] is True
    assert len(result["crossings"]) == 2
    assert {c["direction"] for c in result["crossings"]} == {"ARRIVAL", "DEPARTURE"}
    event = AuditEvent.objects.get(action=AuditAction.INQUIRY_SEARCHED, object_id=str(by_doc.pk))
    assert len(event.data["crossing_ids"]) == 2
    # by name and year of birth, filtered on the mission's nationality
    crossing("JP1111111", at(2026, 1, 5), state="JPN", surname="WALKER", given_names="JAMES")
    by_name = _ask(portal, surname="WALKER", given_names="JAMES", birth_year=1985)
    result = svc.inquiry_search(actor=portal.desk, inquiry=by_name)
    assert all(c["document_number"] != "JP1111111" for c in result["crossings"])
