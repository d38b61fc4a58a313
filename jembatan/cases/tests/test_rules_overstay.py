"""The overstay rule of UU 6/2011 art. 78: effective-dated, day 60 configurable, every
assessment naming the rule it used; proposals for the case form; the rule's admin."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.lifecycle import CaseKind, CaseStatus
from jembatan.cases.models import Case, OverstayRule
from jembatan.cases.rules import (
    OverstayOutcome,
    format_rupiah,
    overstay_assess,
    overstay_propose,
    overstay_rule_in_force,
    overstay_rule_save,
)
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.people.tests.factories import PersonFactory
from jembatan.reference.models import LegalBasis

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 1)
CHARGE, DEPORT = OverstayOutcome.CHARGE, OverstayOutcome.DEPORT_AND_ENTRY_BAN


def _default_rule() -> OverstayRule:
    return OverstayRule.objects.get(valid_from=dt.date(2019, 1, 1))


def _set_day_60(side: str) -> None:
    rule = _default_rule()
    rule.at_threshold = side
    rule.save()


@pytest.mark.parametrize(
    ("days", "day_60", "outcome", "amount"),
    [
        (0, "charge", CHARGE, Decimal(0)),
        (1, "charge", CHARGE, Decimal(1_000_000)),
        (59, "charge", CHARGE, Decimal(59_000_000)),
        (60, "charge", CHARGE, Decimal(60_000_000)),
        (60, "deport", DEPORT, None),
        (61, "charge", DEPORT, None),
        (61, "deport", DEPORT, None),
        (400, "charge", DEPORT, None),
        (59, "deport", CHARGE, Decimal(59_000_000)),
    ],
)
def test_outcome_by_days(days, day_60, outcome, amount):
    """Below 60 days a charge of Rp1,000,000 a day; above, deportation and entry ban;
    day 60 itself goes the way the rule in force says."""
    _set_day_60(day_60)
    result = overstay_assess(days_over=days, on=DAY)
    assert result.outcome == outcome
    assert result.charge_amount == amount
    assert result.days_over == days
    assert result.threshold_days == 60
    assert result.at_threshold == day_60
    assert result.rule_id == _default_rule().pk
    assert result.charge_per_day == Decimal(1_000_000)
    assert f"#{result.rule_id}" in result.rule_text
    assert "PP 28/2019" in result.rule_text


def test_the_default_rule_charges_day_60():
    """The migration's default row puts day 60 on the charge side."""
    rule = overstay_rule_in_force(DAY)
    assert (rule.threshold_days, rule.at_threshold, rule.charge_per_day) == (60, "charge", Decimal(1_000_000))
    assert overstay_assess(days_over=60, on=DAY).outcome == CHARGE


def test_a_changed_rule_applies_from_its_date_and_earlier_assessments_keep_the_old_one():
    """From 1 July 2026 day 60 means deportation and the rate is Rp1,500,000: an assessment
    dated before the change still uses the old rule, one dated on or after it the new."""
    old = _default_rule()
    old.valid_to = dt.date(2026, 6, 30)
    old.save()
    new = OverstayRule.objects.create(
        valid_from=dt.date(2026, 7, 1), threshold_days=60, at_threshold="deport", charge_per_day=1_500_000, source="test tariff"
    )
    before = overstay_assess(days_over=60, on=dt.date(2026, 6, 30))
    on_change = overstay_assess(days_over=60, on=dt.date(2026, 7, 1))
    assert (before.outcome, before.rule_id, before.charge_amount) == (CHARGE, old.pk, Decimal(60_000_000))
    assert (on_change.outcome, on_change.rule_id, on_change.charge_amount) == (DEPORT, new.pk, None)
    assert overstay_assess(days_over=10, on=dt.date(2026, 7, 1)).charge_amount == Decimal(15_000_000)
    assert overstay_assess(days_over=10, on=dt.date(2026, 6, 30)).charge_amount == Decimal(10_000_000)


def test_the_latest_rule_wins_when_the_old_one_was_not_ended():
    later = OverstayRule.objects.create(valid_from=dt.date(2026, 1, 1), threshold_days=90, at_threshold="charge")
    assert overstay_rule_in_force(dt.date(2025, 12, 31)).pk == _default_rule().pk
    assert overstay_rule_in_force(dt.date(2026, 1, 1)).pk == later.pk
    assert overstay_assess(days_over=75, on=dt.date(2026, 2, 1)).outcome == CHARGE


def test_no_rule_before_the_first_and_no_negative_days():
    with pytest.raises(NotFound):
        overstay_assess(days_over=3, on=dt.date(2018, 12, 31))
    with pytest.raises(ApplicationError) as error:
        overstay_assess(days_over=-1, on=DAY)
    assert error.value.field == "days_over"


def test_explanation_is_bilingual_and_names_the_rule():
    result = overstay_assess(days_over=12, on=DAY)
    rule_id = _default_rule().pk
    assert "Rp12.000.000" in result.explanation_id
    assert "Rp1.000.000" in result.explanation_id
    assert "IDR 12,000,000" in result.explanation_en
    assert "art. 78(1)" in result.explanation_en
    assert f"no. {rule_id}" in result.explanation_en
    assert "kurang dari 60 hari" in result.explanation_id
    with translation.override("en"):
        assert result.explanation == result.explanation_en
    with translation.override("id"):
        assert result.explanation == result.explanation_id
    deport = overstay_assess(days_over=61, on=DAY)
    assert "78(3)" in deport.explanation_en
    assert "more than 60 days" in deport.explanation_en
    assert deport.as_data()["charge_amount"] is None
    assert deport.as_data()["explanation"]["id"] == deport.explanation_id
    assert overstay_assess(days_over=0, on=DAY).explanation_en.startswith("The stay permit has not been exceeded")


def test_format_rupiah():
    assert format_rupiah(Decimal(1_000_000), language="id") == "Rp1.000.000"
    assert format_rupiah(1_000_000, language="en") == "IDR 1,000,000"


# --- proposals for the case form -----------------------------------------------------------


@pytest.fixture
def officer(make_user):
    return make_user(roles=[Role.IMMIGRATION_OFFICER], agency=AgencyFactory(kind=Agency.Kind.IMMIGRATION))


@pytest.fixture
def art_78():
    """The three paragraphs of art. 78 as reference data holds them."""
    return {
        paragraph: LegalBasis.objects.create(
            law="UU 6/2011", article="78", paragraph=paragraph, kind="administrative_action", summary_en="x", summary_id="x"
        )
        for paragraph in ("(1)", "(2)", "(3)")
    }


def test_propose_a_charge_below_the_threshold(officer, art_78):
    person = PersonFactory(recorded_by_agency=officer.agency)
    proposal = overstay_propose(actor=officer, person=person, days_over=12, on=DAY)
    (action,) = proposal.actions
    assert (action.kind, action.status) == (CaseKind.COST_CHARGE, CaseStatus.PROPOSED)
    assert action.initial["charge_amount"] == Decimal(12_000_000)
    assert action.initial["overstay_days"] == 12
    assert action.initial["legal_basis"] == art_78["(1)"].pk
    assert action.initial["person"] == person.pk
    assert proposal.as_data()["actions"][0]["initial"]["charge_amount"] == "12000000"
    assert Case.objects.count() == 0  # nothing written


def test_propose_deportation_and_entry_ban_above_it(officer, art_78):
    person = PersonFactory(recorded_by_agency=officer.agency)
    proposal = overstay_propose(actor=officer, person=person, days_over=61, on=DAY)
    assert [(a.kind, a.status) for a in proposal.actions] == [
        (CaseKind.DEPORTATION, CaseStatus.PLANNED),
        (CaseKind.ENTRY_BAN, CaseStatus.REQUESTED),
    ]
    ban = proposal.actions[1].initial
    assert ban["starts_on"] == DAY
    assert ban["ends_on"] is None
    assert ban["legal_basis"] == art_78["(3)"].pk
    assert ban["requesting_agency"] == officer.agency.name_id
    assert proposal.assessment.outcome == DEPORT
    assert proposal.as_data()["actions"][1]["initial"]["starts_on"] == "2026-03-01"
    assert Case.objects.count() == 0


def test_nothing_to_propose_without_overstay(officer):
    proposal = overstay_propose(actor=officer, person=PersonFactory(recorded_by_agency=officer.agency), days_over=0, on=DAY)
    assert proposal.actions == ()


def test_no_administrative_action_against_a_trafficking_victim(officer):
    """UU 6/2011 art. 86."""
    victim = PersonFactory(recorded_by_agency=officer.agency, is_trafficking_victim=True)
    with pytest.raises(Conflict) as error:
        overstay_propose(actor=officer, person=victim, days_over=75, on=DAY)
    assert error.value.field == "person"


def test_proposals_need_the_capability_and_the_person_in_scope(officer, make_user):
    consular = make_user(roles=[Role.CONSULAR_OFFICER], agency=AgencyFactory(kind=Agency.Kind.FOREIGN_MINISTRY))
    with pytest.raises(PermissionDenied):
        overstay_propose(actor=consular, person=PersonFactory(), days_over=3, on=DAY)
    someone_elses = PersonFactory(recorded_by_agency=AgencyFactory())
    with pytest.raises(NotFound):
        overstay_propose(actor=officer, person=someone_elses, days_over=3, on=DAY)


# --- maintaining the rule ------------------------------------------------------------------


def test_rule_save_is_validated_and_audited(officer):
    rule = OverstayRule(valid_from=dt.date(2027, 1, 1), valid_to=dt.date(2026, 12, 31))
    with pytest.raises(ApplicationError) as error:
        overstay_rule_save(rule=rule, actor=officer)
    assert error.value.field == "valid_to"
    rule.valid_to = None
    overstay_rule_save(rule=rule, actor=officer, changed_fields=["valid_from"])
    event = AuditEvent.objects.filter(action=AuditAction.OVERSTAY_RULE_CREATED).get()
    assert event.object_id == str(rule.pk)
    assert event.data["valid_from"] == "2027-01-01"
    assert event.data["threshold_days"] == "60"
    rule.at_threshold = "deport"
    overstay_rule_save(rule=rule, actor=officer, changed_fields=["at_threshold"])
    changed = AuditEvent.objects.filter(action=AuditAction.OVERSTAY_RULE_CHANGED).get()
    assert changed.data["changed"] == ["at_threshold"]
    assert changed.data["at_threshold"] == "deport"


def test_admin_lets_administrators_add_a_rule_and_nobody_delete_one(make_user, login):
    admin_user = make_user(roles=[Role.ADMINISTRATOR], with_totp=True)
    client = login(admin_user)
    response = client.post(
        "/admin/cases/overstayrule/add/",
        {
            "valid_from": "2027-01-01",
            "valid_to": "",
            "threshold_days": "60",
            "at_threshold": "deport",
            "charge_per_day": "1000000",
            "source": "Peraturan baru (uji)",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    rule = OverstayRule.objects.get(valid_from=dt.date(2027, 1, 1))
    assert rule.at_threshold == "deport"
    assert AuditEvent.objects.filter(action=AuditAction.OVERSTAY_RULE_CREATED, object_id=str(rule.pk), actor_id=admin_user.pk).exists()
    assert client.get(f"/admin/cases/overstayrule/{rule.pk}/delete/").status_code == 403
    refused = client.post(
        "/admin/cases/overstayrule/add/",
        {"valid_from": "2027-02-01", "valid_to": "2027-01-01", "threshold_days": "60", "at_threshold": "charge", "charge_per_day": "1"},
    )
    assert refused.status_code == 200
    assert not OverstayRule.objects.filter(valid_from=dt.date(2027, 2, 1)).exists()


def test_admin_is_closed_to_officers(make_user, login):
    client = login(make_user(roles=[Role.IMMIGRATION_SUPERVISOR]))
    response = client.get("/admin/cases/overstayrule/")
    assert response.status_code in (302, 403)
    assert not OverstayRule.objects.filter(valid_from=dt.date(2030, 1, 1)).exists()
