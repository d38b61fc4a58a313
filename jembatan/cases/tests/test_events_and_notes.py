"""Notes and reported events (transfer, serious illness, release, death): each is one
append-only timeline entry saying who, when, what and from which agency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from jembatan.accounts.roles import Role
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.lifecycle import CaseKind, CaseStatus
from jembatan.cases.models import Case, CaseEvent
from jembatan.cases.services import case_event_report, case_note_add, case_transition
from jembatan.cases.tests.factories import CaseFactory
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def corrections_officer(make_user, agencies):
    return make_user(username="lapas", full_name="Petugas Lapas", roles=[Role.CORRECTIONS_OFFICER], agency=agencies.pas)


@pytest.fixture
def prison_case(agencies, refs):
    return CaseFactory(
        kind=CaseKind.IMPRISONMENT, reporting_agency=agencies.pas, place_description="Lapas Kerobokan", time_zone="Asia/Makassar"
    )


def test_note_is_added_and_never_edited(officer, agencies):
    case = CaseFactory(reporting_agency=agencies.imm_a)
    entry = case_note_add(actor=officer, case=case, text="  Detainee asked for a Bahasa interpreter.  ")
    assert (entry.kind, entry.summary, entry.actor, entry.agency) == (
        CaseEvent.Kind.NOTE,
        "Detainee asked for a Bahasa interpreter.",
        officer,
        agencies.imm_a,
    )
    assert AuditEvent.objects.filter(action=AuditAction.CASE_NOTE_ADDED, object_id=str(case.pk)).count() == 1
    entry.summary = "changed"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(pk=entry.pk).update(summary="changed")
    with pytest.raises(TypeError):
        entry.delete()


def test_empty_note_is_refused(officer, agencies):
    case = CaseFactory(reporting_agency=agencies.imm_a)
    with translation.override("en"), pytest.raises(ApplicationError) as info:
        case_note_add(actor=officer, case=case, text="   ")
    assert (info.value.field, info.value.message) == ("text", "Enter the note")
    assert case.events.count() == 1


def test_notes_need_the_case_in_scope(officer, make_user, agencies):
    other = CaseFactory(reporting_agency=agencies.imm_b)
    with pytest.raises(NotFound):
        case_note_add(actor=officer, case=other, text="hello")
    consular = make_user(roles=[Role.CONSULAR_OFFICER], agency=agencies.kemlu)
    with pytest.raises(PermissionDenied):
        case_note_add(actor=consular, case=other, text="hello")  # sees it (notifiable), may not change it


def test_prison_reports_a_transfer(corrections_officer, prison_case, refs):
    entry = case_event_report(
        actor=corrections_officer,
        case=prison_case,
        kind=CaseEvent.Kind.TRANSFER,
        place_description="Lapas Nusakambangan",
        summary="Security",
    )
    prison_case.refresh_from_db()
    assert prison_case.place_description == "Lapas Nusakambangan"
    assert entry.data["from"]["place"] == "Lapas Kerobokan"
    assert entry.data["to"]["place"] == "Lapas Nusakambangan"
    assert (entry.actor, entry.agency) == (corrections_officer, corrections_officer.agency)
    assert (
        AuditEvent.objects.filter(action=AuditAction.CASE_EVENT_REPORTED, object_id=str(prison_case.pk)).get().data["event"] == "transfer"
    )


def test_transfer_to_a_detention_centre(officer, agencies, refs):
    case = CaseFactory(reporting_agency=agencies.imm_a, detention_centre=refs.denpasar, place_description="")
    entry = case_event_report(actor=officer, case=case, kind=CaseEvent.Kind.TRANSFER, detention_centre="RDN-JAP")
    case.refresh_from_db()
    assert case.detention_centre == refs.jayapura
    assert (entry.data["from"]["detention_centre"], entry.data["to"]["detention_centre"]) == ("RDN-DPS", "RDN-JAP")
    with pytest.raises(ApplicationError) as info:
        case_event_report(actor=officer, case=case, kind=CaseEvent.Kind.TRANSFER, detention_centre=refs.jayapura)
    assert info.value.field == "detention_centre"  # already there
    with pytest.raises(ApplicationError) as info:
        case_event_report(actor=officer, case=case, kind=CaseEvent.Kind.TRANSFER)
    assert info.value.field == "detention_centre"


def test_serious_illness_needs_a_description(corrections_officer, prison_case):
    with translation.override("en"), pytest.raises(ApplicationError) as info:
        case_event_report(actor=corrections_officer, case=prison_case, kind=CaseEvent.Kind.SERIOUS_ILLNESS)
    assert (info.value.field, info.value.message) == ("summary", "Describe the illness and where the person is being treated")
    entry = case_event_report(
        actor=corrections_officer, case=prison_case, kind=CaseEvent.Kind.SERIOUS_ILLNESS, summary="Dengue; RSUD Badung"
    )
    assert entry.summary == "Dengue; RSUD Badung"
    prison_case.refresh_from_db()
    assert prison_case.status == CaseStatus.SERVING


def test_transfer_or_illness_only_while_held(corrections_officer, agencies):
    released = CaseFactory(kind=CaseKind.IMPRISONMENT, status=CaseStatus.RELEASED, reporting_agency=agencies.pas)
    with pytest.raises(Conflict):
        case_event_report(actor=corrections_officer, case=released, kind=CaseEvent.Kind.SERIOUS_ILLNESS, summary="Flu")


def test_release_changes_the_status(corrections_officer, prison_case):
    earlier = timezone.now() - dt.timedelta(hours=1)
    entry = case_event_report(
        actor=corrections_officer, case=prison_case, kind=CaseEvent.Kind.RELEASE, occurred_at=earlier, summary="Sentence served"
    )
    prison_case.refresh_from_db()
    assert prison_case.status == CaseStatus.RELEASED
    assert (entry.from_status, entry.to_status, entry.occurred_at) == (CaseStatus.SERVING, CaseStatus.RELEASED, earlier)
    assert AuditEvent.objects.filter(action=AuditAction.CASE_STATUS_CHANGED, object_id=str(prison_case.pk)).exists()
    with pytest.raises(Conflict):
        case_event_report(actor=corrections_officer, case=prison_case, kind=CaseEvent.Kind.RELEASE)


def test_death_opens_the_death_case_once(corrections_officer, prison_case, officer, agencies):
    entry = case_event_report(
        actor=corrections_officer, case=prison_case, kind=CaseEvent.Kind.DEATH, summary="Cardiac arrest in the clinic"
    )

    prison_case.refresh_from_db()
    assert prison_case.status == CaseStatus.DIED
    death = Case.objects.get(kind=CaseKind.DEATH)
    assert (death.person, death.origin_case, death.reporting_agency, death.status) == (
        prison_case.person,
        prison_case,
        agencies.pas,
        CaseStatus.REPORTED,
    )
    assert death.place_description == "Lapas Kerobokan"
    assert death.time_zone == "Asia/Makassar"
    assert entry.data == {"death_case_id": str(death.pk), "death_case_reference": death.reference, "death_case_opened": True}
    assert death.events.get().kind == CaseEvent.Kind.CREATED

    # The same person's detention, reported dead by immigration too: linked, not a second death case.
    detention = CaseFactory(reporting_agency=agencies.imm_a, person=prison_case.person)
    second = case_transition(actor=officer, case=detention, to_status=CaseStatus.DIED, note="Same death")
    assert second.status == CaseStatus.DIED
    assert Case.objects.filter(kind=CaseKind.DEATH).count() == 1
    linked = detention.events.get(kind=CaseEvent.Kind.DEATH)
    assert linked.data["death_case_opened"] is False
    assert linked.data["death_case_reference"] == death.reference


def test_death_on_a_case_without_a_died_status_still_opens_the_death_case(officer, agencies, refs):
    ban = CaseFactory(kind=CaseKind.ENTRY_BAN, status=CaseStatus.ACTIVE, reporting_agency=agencies.imm_a)
    entry = case_event_report(actor=officer, case=ban, kind=CaseEvent.Kind.DEATH)
    ban.refresh_from_db()
    assert ban.status == CaseStatus.ACTIVE
    assert entry.to_status == ""
    assert Case.objects.filter(kind=CaseKind.DEATH, origin_case=ban).exists()


def test_death_case_itself_cannot_report_a_death(officer, agencies):
    death = CaseFactory(kind=CaseKind.DEATH, reporting_agency=agencies.imm_a)
    with pytest.raises(Conflict):
        case_event_report(actor=officer, case=death, kind=CaseEvent.Kind.DEATH)


def test_unknown_event_is_refused(officer, agencies):
    case = CaseFactory(reporting_agency=agencies.imm_a)
    with pytest.raises(ApplicationError) as info:
        case_event_report(actor=officer, case=case, kind="party")
    assert info.value.field == "kind"
