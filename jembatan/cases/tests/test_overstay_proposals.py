"""Proposing the art. 78 actions for a traffic overstay as cases (charge below 60 days,
deportation and entry ban above), idempotent and audited; the plan shown before; the list's
"art. 78" column and the demo data (moved here from jembatan/traffic/tests/test_overstays.py
with the code: the register's side of overstays lives in jembatan/cases/overstays.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.lifecycle import CaseKind, CaseStatus
from jembatan.cases.models import Case
from jembatan.cases.overstays import overstay_outcomes, overstay_plan, overstay_propose_actions
from jembatan.core.exceptions import Conflict, NotFound, PermissionDenied
from jembatan.people.models import IdentityDocument, Person
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.tests.factories import CountryFactory
from jembatan.traffic.overstays import overstay_outcomes as listed_outcomes
from jembatan.traffic.overstays import overstays
from jembatan.traffic.tests.query_support import at, crossing, permit, tq_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def days_before(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def overstayer(document: str, days: int, *, arrived: dt.date | None = None, **kwargs) -> object:
    """A traveller who arrived and whose permit expired `days` days before TODAY."""
    expires = days_before(days)
    arrived = arrived or expires - dt.timedelta(days=29)
    crossing(
        document,
        at(arrived.year, arrived.month, arrived.day),
        "A",
        **{k: v for k, v in kwargs.items() if k in ("state", "surname", "given_names")},
    )
    return permit(document, arrived, expires, **kwargs)


# --- proposing ------------------------------------------------------------------------------


def test_below_the_threshold_a_cost_charge_of_days_times_one_million(tq):
    stay = overstayer("OVER32", 32, number="VOA-777")
    cases = overstay_propose_actions(actor=tq.supervisor, permit_id=stay.pk, as_of=TODAY)
    assert [(c.kind, c.status) for c in cases] == [(CaseKind.COST_CHARGE, CaseStatus.PROPOSED)]
    charge = cases[0]
    assert charge.charge_amount == Decimal(32_000_000)
    assert charge.overstay_days == 32
    assert charge.legal_basis == tq.bases.charge
    assert "VOA-777" in charge.summary
    assert "32" in charge.summary
    # The traveller was not in the register: recorded from the permit and crossing.
    person = charge.person
    assert (person.surname, person.given_names, person.birth_year) == ("WALKER", "JAMES", 1985)
    assert person.recorded_by_agency == tq.imm
    doc = IdentityDocument.objects.get(person=person)
    assert (doc.number, doc.issuing_state.code, doc.document_type) == ("OVER32", "AUS", "P")
    event = AuditEvent.objects.get(action=AuditAction.OVERSTAY_ACTION_PROPOSED)
    assert event.object_id == str(stay.pk)
    assert event.data["case_references"] == [charge.reference]
    assert event.data["days_over"] == 32
    assert event.data["outcome"] == "charge"
    assert event.data["person_created"] is True


def test_day_60_is_a_charge_under_the_default_rule(tq):
    stay = overstayer("OVER60", 60)
    (charge,) = overstay_propose_actions(actor=tq.supervisor, permit_id=stay.pk, as_of=TODAY)
    assert charge.kind == CaseKind.COST_CHARGE
    assert charge.charge_amount == Decimal(60_000_000)


def test_above_the_threshold_deportation_and_entry_ban_for_the_register_person(tq):
    someone = PersonFactory(surname="WALKER", given_names="JAMES", nationalities=["AUS"], recorded_by_agency=tq.imm)
    IdentityDocumentFactory(person=someone, number="OVER75", issuing_state=CountryFactory(code="AUS"))
    stay = overstayer("OVER75", 75, number="ITK-75")
    cases = overstay_propose_actions(actor=tq.supervisor, permit_id=stay.pk, as_of=TODAY, entry_ban_months=12)
    assert [(c.kind, c.status) for c in cases] == [(CaseKind.DEPORTATION, CaseStatus.PLANNED), (CaseKind.ENTRY_BAN, CaseStatus.REQUESTED)]
    deportation, ban = cases
    assert deportation.person == someone
    assert ban.person == someone
    assert Person.objects.count() == 1
    assert deportation.legal_basis == tq.bases.deport
    assert (ban.starts_on, ban.ends_on) == (TODAY, dt.date(2027, 5, 31))
    assert ban.requesting_agency == "Ditjen Imigrasi"
    assert all("ITK-75" in c.summary for c in cases)
    assert deportation.charge_amount is None


def test_proposing_twice_creates_nothing_more(tq):
    stay = overstayer("OVER32", 32)
    first = overstay_propose_actions(actor=tq.supervisor, permit_id=stay.pk, as_of=TODAY)
    again = overstay_propose_actions(actor=tq.supervisor, permit_id=stay.pk, as_of=TODAY)
    assert [c.pk for c in again] == [c.pk for c in first]
    assert Case.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.OVERSTAY_ACTION_PROPOSED).count() == 1
    (row,) = overstays(actor=tq.supervisor, as_of=TODAY)
    assert row.proposed is True


def test_victim_of_trafficking_gets_no_action_and_nothing_is_written(tq):
    victim = PersonFactory(
        surname="WALKER", given_names="JAMES", nationalities=["AUS"], recorded_by_agency=tq.imm, is_trafficking_victim=True
    )
    IdentityDocumentFactory(person=victim, number="OVER32", issuing_state=CountryFactory(code="AUS"))
    stay = overstayer("OVER32", 32)
    with pytest.raises(Conflict):
        overstay_propose_actions(actor=tq.supervisor, permit_id=stay.pk, as_of=TODAY)
    assert Case.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.OVERSTAY_ACTION_PROPOSED).exists()


def test_only_supervisors_propose_and_only_real_overstays(tq):
    stay = overstayer("OVER32", 32)
    for actor in (tq.officer, tq.consular, tq.mission_officer):
        with pytest.raises(PermissionDenied):
            overstay_propose_actions(actor=actor, permit_id=stay.pk, as_of=TODAY)
    valid = permit("VALID", dt.date(2026, 5, 1), dt.date(2026, 8, 1))
    with pytest.raises(NotFound):
        overstay_propose_actions(actor=tq.supervisor, permit_id=valid.pk, as_of=TODAY)
    with pytest.raises(NotFound):
        overstay_propose_actions(actor=tq.supervisor, permit_id=999_999, as_of=TODAY)
    assert Case.objects.count() == 0


def test_plan_shows_what_will_be_created_without_writing(tq):
    overstayer("OVER32", 32)
    overstayer("OVER75", 75)
    rows = {o.document_number: o for o in overstays(actor=tq.supervisor, as_of=TODAY)}
    charge = overstay_plan(actor=tq.supervisor, overstay=rows["OVER32"])
    assert [(a.kind, a.status, a.charge_amount) for a in charge.actions] == [("cost_charge", "proposed", Decimal(32_000_000))]
    assert charge.creates_person is True
    deport = overstay_plan(actor=tq.supervisor, overstay=rows["OVER75"])
    assert [a.kind for a in deport.actions] == ["deportation", "entry_ban"]
    assert deport.actions[1].ends_on == dt.date(2026, 11, 30)
    assert Case.objects.count() == 0


# --- the list's "art. 78" column ------------------------------------------------------------


def test_the_traffic_list_gets_the_assessment_through_the_setting(tq, settings):
    assert settings.JEMBATAN_OVERSTAY_OUTCOMES == "jembatan.cases.overstays.overstay_outcomes"
    outcomes = listed_outcomes({32, 75}, on=TODAY)
    assert outcomes[32].is_charge is True
    assert outcomes[32].charge_amount == Decimal(32_000_000)
    assert outcomes[75].is_charge is False
    assert outcomes.keys() == overstay_outcomes({32, 75}, on=TODAY).keys()
    settings.JEMBATAN_OVERSTAY_OUTCOMES = ""
    assert listed_outcomes({32}, on=TODAY) == {}


# --- the demo ---------------------------------------------------------------------------------


def test_demo_overstayers_are_listed_and_get_the_right_proposals(client, settings, tmp_path):
    """With the demo data (`seed_demo_traffic`, written with the import pipeline): the
    overstay page lists the six demo overstayers (11, 26 and 46 days; 76, 121 and 201
    days), and proposing creates a charge of days × Rp1,000,000 below the threshold, a
    deportation and an entry ban above it."""
    import io

    from django.core.management import call_command, get_commands
    from django.urls import reverse
    from django.utils import timezone

    from jembatan.accounts.models import User
    from jembatan.accounts.roles import Role

    if "seed_demo_traffic" not in get_commands():
        pytest.skip("seed_demo_traffic is not there yet (traffic-import helper)")
    settings.DATA_DIR = tmp_path
    for command in ("load_reference_data", "seed_demo", "seed_demo_traffic"):
        call_command(command, stdout=io.StringIO())
    supervisor = next(u for u in User.objects.filter(is_active=True).order_by("username") if Role.IMMIGRATION_SUPERVISOR in u.roles)
    today = timezone.localdate()
    rows = overstays(actor=supervisor, as_of=today)
    assert sorted(r.days_over for r in rows) == [11, 26, 46, 76, 121, 201]
    assert all(r.person is not None for r in rows), "the overstayers are demo persons of the register"
    client.force_login(supervisor)
    page = client.get(reverse("traffic:overstays")).content.decode()
    for row in rows:
        assert row.document_number in page
    below = next(r for r in rows if r.days_over < 60 and not r.person.is_trafficking_victim)
    (charge,) = overstay_propose_actions(actor=supervisor, permit_id=below.permit.pk, as_of=today)
    assert (charge.kind, charge.status) == (CaseKind.COST_CHARGE, CaseStatus.PROPOSED)
    assert charge.charge_amount == Decimal(below.days_over * 1_000_000)
    assert charge.person == below.person
    above = next(r for r in rows if r.days_over > 60 and not r.person.is_trafficking_victim)
    cases = overstay_propose_actions(actor=supervisor, permit_id=above.permit.pk, as_of=today)
    assert [(c.kind, c.status) for c in cases] == [(CaseKind.DEPORTATION, CaseStatus.PLANNED), (CaseKind.ENTRY_BAN, CaseStatus.REQUESTED)]
    assert {c.person for c in cases} == {above.person}
    for victim in (r for r in rows if r.person.is_trafficking_victim):
        with pytest.raises(Conflict):
            overstay_propose_actions(actor=supervisor, permit_id=victim.permit.pk, as_of=today)
