"""The immunity check at every new case, through the missions app's real registry and
service: what is stored and alerted, what full immunity blocks, and the supervisor's
override."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from jembatan.accounts.models import Alert
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.lifecycle import CaseKind, CaseStatus
from jembatan.cases.models import Case, CaseEvent
from jembatan.cases.services import case_create
from jembatan.cases.tests.conftest import recently, rights_advice
from jembatan.core.exceptions import ApplicationError
from jembatan.missions.choices import ImmunityLevel

pytestmark = pytest.mark.django_db

missions_models = pytest.importorskip("jembatan.missions.models")
missions_factories = pytest.importorskip("jembatan.missions.tests.factories")


def _accredited(person, **overrides):
    """A registry row for `person`'s passport (a diplomatic agent: full immunity)."""
    values = {
        "surname": person.surname,
        "given_names": person.given_names,
        "birth_date": dt.date(1985, 3, 14),
        "document_number": "PA1234567",
        "card_number": "KD-2026-00042",
        "card_valid_from": dt.date(2025, 1, 1),
        "card_valid_until": dt.date(2099, 12, 31),
    }
    values.update(overrides)
    return missions_factories.AccreditedPersonFactory(**values)


def test_full_immunity_blocks_a_detention_without_override(officer, person, protocol_officer, detention_data):
    _accredited(person)
    with translation.override("en"), pytest.raises(ApplicationError) as info:
        case_create(actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data(immunity_override_reason="I insist"))
    assert info.value.field == "immunity_override_reason"
    assert "full immunity" in info.value.message
    assert "Only an immigration supervisor" in info.value.message
    with translation.override("id"), pytest.raises(ApplicationError) as info:
        case_create(actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data())
    assert "kekebalan penuh" in info.value.message
    # Nothing recorded: no case, no entry, no alert, no audit of the attempt's writes.
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()
    assert not Alert.objects.exists()
    assert not AuditEvent.objects.filter(action__in=[AuditAction.CASE_CREATED, AuditAction.IMMUNITY_CHECKED]).exists()


def test_a_supervisor_must_give_a_reason(supervisor, person, detention_data):
    _accredited(person)
    with translation.override("en"), pytest.raises(ApplicationError) as info:
        case_create(actor=supervisor, person=person, kind=CaseKind.DETENTION, data=detention_data(immunity_override_reason="   "))
    assert (info.value.field, info.value.message) == (
        "immunity_override_reason",
        "Enter the reason for recording the detention despite full immunity",
    )
    assert not Case.objects.exists()


def test_supervisor_override_is_stored_audited_on_the_timeline_and_alerted(supervisor, person, protocol_officer, detention_data):
    row = _accredited(person)
    reason = "Sending State waived immunity in writing (Nota 12/2026); protocol informed by phone."

    case = case_create(actor=supervisor, person=person, kind=CaseKind.DETENTION, data=detention_data(immunity_override_reason=reason))

    assert case.status == CaseStatus.DETAINED
    assert case.immunity_level == ImmunityLevel.FULL
    assert case.immunity_match["accredited_person_id"] == str(row.pk)
    assert case.immunity_match["matched_on"] == "document"
    assert case.immunity_match["card_valid"] is True
    assert case.immunity_override_reason == reason
    assert case.immunity_override_by == supervisor
    assert case.is_immunity_flagged
    kinds = list(case.events.order_by("recorded_at").values_list("kind", flat=True))
    assert kinds == [
        CaseEvent.Kind.CREATED,
        CaseEvent.Kind.RIGHTS_ADVISED,
        CaseEvent.Kind.IMMUNITY_FLAGGED,
        CaseEvent.Kind.IMMUNITY_OVERRIDDEN,
    ]
    override_entry = case.events.get(kind=CaseEvent.Kind.IMMUNITY_OVERRIDDEN)
    assert (override_entry.summary, override_entry.actor, override_entry.agency) == (reason, supervisor, supervisor.agency)
    audit = AuditEvent.objects.get(action=AuditAction.CASE_IMMUNITY_OVERRIDDEN)
    assert audit.actor_id == supervisor.pk
    assert audit.object_id == str(case.pk)
    assert audit.data["reason"] == reason
    alert = Alert.objects.get(recipient=protocol_officer)
    assert alert.level == Alert.Level.URGENT
    assert case.reference in alert.title
    assert alert.url == f"/cases/{case.pk}/"
    assert person.surname in alert.body


def test_expired_card_is_still_flagged_and_alerted(officer, person, protocol_officer, refs):
    """An expired card does not end immunity by itself (VCDR art. 39): the match is
    flagged with the card marked not valid, and protocol is alerted."""
    _accredited(person, card_valid_from=dt.date(2020, 1, 1), card_valid_until=dt.date(2023, 6, 30))

    case = case_create(actor=officer, person=person, kind=CaseKind.DEPORTATION, data={"occurred_at": recently(), "legal_basis": refs.tak})

    assert case.immunity_level == ImmunityLevel.FULL
    assert case.immunity_match["card_valid"] is False
    assert case.immunity_match["card_valid_until"] == "2023-06-30"
    flagged = case.events.get(kind=CaseEvent.Kind.IMMUNITY_FLAGGED)
    assert flagged.data["matches"][0]["card_valid"] is False
    assert Alert.objects.filter(recipient=protocol_officer, url=f"/cases/{case.pk}/").count() == 1


def test_expired_card_still_blocks_detention(officer, person, detention_data):
    _accredited(person, card_valid_from=dt.date(2020, 1, 1), card_valid_until=dt.date(2023, 6, 30))
    with pytest.raises(ApplicationError) as info:
        case_create(actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data())
    assert info.value.field == "immunity_override_reason"


def test_official_acts_immunity_is_flagged_but_does_not_block(officer, person, protocol_officer, detention_data):
    _accredited(person, category=missions_models.Category.CONSULAR_OFFICER)
    case = case_create(actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data())
    assert case.immunity_level == ImmunityLevel.OFFICIAL_ACTS
    assert case.immunity_override_reason == ""
    assert Alert.objects.filter(recipient=protocol_officer).count() == 1


def test_a_name_and_birth_date_match_without_a_document(officer, agencies, protocol_officer, detention_data):
    from jembatan.people.tests.factories import PersonFactory

    no_passport = PersonFactory(
        surname="ERIKSSON", given_names="ANNA", recorded_by_agency=agencies.imm_a, birth_year=1979, birth_month=2, birth_day=1
    )
    _accredited(
        no_passport, document_number="DX0000001", birth_date=dt.date(1979, 2, 1), category=missions_models.Category.ADMINISTRATIVE_TECHNICAL
    )
    case = case_create(actor=officer, person=no_passport, kind=CaseKind.CRIMINAL_CASE, data={"occurred_at": recently(), **rights_advice()})
    assert case.immunity_match["matched_on"] == "name_and_birth_date"
    assert case.immunity_level
    assert Alert.objects.filter(recipient=protocol_officer).exists()


def test_no_match_leaves_the_case_unflagged(officer, person, protocol_officer, detention_data):
    missions_factories.AccreditedPersonFactory(surname="SOMEONE", given_names="ELSE")
    case = case_create(actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data())
    assert (case.immunity_level, case.immunity_match, case.is_immunity_flagged) == ("", {}, False)
    assert not case.events.filter(kind=CaseEvent.Kind.IMMUNITY_FLAGGED).exists()
    assert not Alert.objects.exists()
    # The check itself was run and audited (without the identifiers).
    assert AuditEvent.objects.filter(action=AuditAction.IMMUNITY_CHECKED).exists()


def test_full_immunity_does_not_block_other_kinds(officer, person, protocol_officer):
    """Only detention is blocked; a death or a civil case is recorded and flagged."""
    _accredited(person)
    case = case_create(
        actor=officer, person=person, kind=CaseKind.DEATH, data={"occurred_at": recently(), "place_description": "RSUP Sanglah"}
    )
    assert case.immunity_level == ImmunityLevel.FULL
    assert Alert.objects.filter(recipient=protocol_officer).count() == 1
