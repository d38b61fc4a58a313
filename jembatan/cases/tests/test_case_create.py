"""`case_create`: numbering, the facts each kind needs, dates, legal bases, art. 86, and
that a refusal names the field in both languages and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.lifecycle import ADMINISTRATIVE_ACTIONS, RIGHTS_ADVICE_KINDS, CaseKind, CaseStatus
from jembatan.cases.models import Case, CaseEvent, CaseSequence
from jembatan.cases.services import case_create
from jembatan.cases.tests.conftest import local, recently, rights_advice
from jembatan.core.exceptions import ApplicationError, NotFound, PermissionDenied
from jembatan.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[int, int, int, list]:
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        AuditEvent.objects.count(),
        list(CaseSequence.objects.values_list("year", "last_number")),
    )


def _refused(callable_, **kwargs) -> ApplicationError:
    """Call a service expecting a refusal; return it (and check nothing was written)."""
    before = _snapshot()
    with pytest.raises(ApplicationError) as info:
        callable_(**kwargs)
    assert _snapshot() == before, "a refused case must leave nothing behind"
    return info.value


def test_officer_records_a_detention(officer, person, refs, detention_data):
    occurred = recently(5)

    case = case_create(
        actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data(occurred_at=occurred, decision_number="W20.IMI/123")
    )

    year = timezone.localdate().year
    assert case.reference == f"JBT-{year}-000001"
    assert case.status == CaseStatus.DETAINED
    assert case.reporting_agency == officer.agency
    assert case.reporting_unit == officer.unit
    assert case.reported_by == officer
    assert case.detention_centre == refs.denpasar
    assert case.time_zone == "Asia/Makassar"  # the centre's zone, not the officer's
    assert case.occurred_at == occurred
    # Art. 85: at most 10 years, counted from the day of detention at the place.
    detained_on = occurred.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert case.detention_ceiling_on == detained_on.replace(year=detained_on.year + 10)
    assert case.immunity_level == ""
    assert case.immunity_match == {}
    first, advised = case.events.order_by("recorded_at")
    assert first.kind == CaseEvent.Kind.CREATED
    assert (advised.kind, advised.data["answer"]) == (CaseEvent.Kind.RIGHTS_ADVISED, "requested")
    assert first.actor == officer
    assert first.agency == officer.agency
    assert first.to_status == CaseStatus.DETAINED
    assert first.occurred_at == occurred
    audit = AuditEvent.objects.get(action=AuditAction.CASE_CREATED)
    assert audit.object_id == str(case.pk)
    assert audit.actor_id == officer.pk
    assert audit.data["reference"] == case.reference
    assert audit.data["kind"] == "detention"


def test_numbers_are_consecutive_per_year(officer, person, detention_data):
    first = case_create(actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data())
    second = case_create(actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data())
    year = timezone.localdate().year
    assert [first.reference, second.reference] == [f"JBT-{year}-000001", f"JBT-{year}-000002"]
    assert CaseSequence.objects.get(year=year).last_number == 2


def test_a_naive_time_is_read_in_the_zone_of_the_place(officer, person, refs, detention_data):
    naive = dt.datetime(2024, 6, 1, 14, 30)
    case = case_create(
        actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data(occurred_at=naive, detention_centre=refs.jayapura)
    )
    assert case.time_zone == "Asia/Jayapura"
    assert case.occurred_at == dt.datetime(2024, 6, 1, 5, 30, tzinfo=dt.UTC)  # 14.30 WIT = 05.30 UTC


def test_place_without_a_centre_uses_the_given_zone(officer, person, detention_data):
    case = case_create(
        actor=officer,
        person=person,
        kind=CaseKind.DETENTION,
        data=detention_data(detention_centre=None, place_description="RS Sanglah (rawat inap)", time_zone="Asia/Makassar"),
    )
    assert case.detention_centre is None
    assert case.place_description == "RS Sanglah (rawat inap)"
    assert case.time_zone == "Asia/Makassar"


@pytest.mark.parametrize(
    ("kind", "overrides", "field"),
    [
        (CaseKind.DETENTION, {"detention_ground": ""}, "detention_ground"),
        (CaseKind.DETENTION, {"detention_ground": "f"}, "detention_ground"),
        (CaseKind.DETENTION, {"detention_centre": None, "place_description": ""}, "detention_centre"),
        (CaseKind.DETENTION, {"detention_centre": "NO-SUCH"}, "detention_centre"),
        (CaseKind.DETENTION, {"occurred_at": None}, "occurred_at"),
        (CaseKind.DETENTION, {"time_zone": "Europe/Paris", "detention_centre": None, "place_description": "x"}, "time_zone"),
        (CaseKind.DETENTION, {"place_description": "x" * 301}, "place_description"),
        (CaseKind.STAY_PERMIT_ACTION, {"legal_basis": None}, "legal_basis"),
        (CaseKind.IMMIGRATION_CRIME, {"legal_basis": None}, "legal_basis"),
        (CaseKind.ENTRY_BAN, {}, "starts_on"),
        (CaseKind.COST_CHARGE, {}, "charge_amount"),
        (CaseKind.COST_CHARGE, {"charge_amount": "-5"}, "charge_amount"),
        (CaseKind.COST_CHARGE, {"charge_amount": "abc"}, "charge_amount"),
        (CaseKind.COST_CHARGE, {"charge_amount": 1_000_000, "overstay_days": -3}, "overstay_days"),
    ],
    ids=lambda v: str(v)[:30] if not isinstance(v, dict) else ",".join(v) or "nothing",
)
def test_each_kind_needs_its_own_facts(officer, person, refs, detention_data, kind, overrides, field):
    data = detention_data(**overrides) if kind == CaseKind.DETENTION else {"occurred_at": recently(), "legal_basis": refs.tak, **overrides}
    if kind == CaseKind.IMMIGRATION_CRIME and "legal_basis" not in overrides:
        data["legal_basis"] = refs.crime
    error = _refused(case_create, actor=officer, person=person, kind=kind, data=data)
    assert error.field == field
    assert field in {p["field"] for p in error.extra["errors"]}


def test_all_problems_are_reported_at_once(officer, person, detention_data):
    error = _refused(
        case_create,
        actor=officer,
        person=person,
        kind=CaseKind.DETENTION,
        data=detention_data(detention_ground="", detention_centre=None, place_description="", occurred_at=None),
    )
    assert {p["field"] for p in error.extra["errors"]} == {"occurred_at", "detention_ground", "detention_centre"}


def test_event_in_the_future_is_refused_in_both_languages(officer, person, detention_data):
    future = timezone.now() + dt.timedelta(hours=2)
    with translation.override("en"):
        error_en = _refused(case_create, actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data(occurred_at=future))
    with translation.override("id"):
        error_id = _refused(case_create, actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data(occurred_at=future))
    assert error_en.field == error_id.field == "occurred_at"
    assert error_en.message == "The date and time must be now or in the past"
    assert error_id.message == "Tanggal dan waktu harus sekarang atau sebelumnya"


def test_event_before_the_persons_birth_is_refused(officer, person, detention_data):
    before_birth = local(1985, 3, 13, 23, 0)
    with translation.override("en"):
        error = _refused(case_create, actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data(occurred_at=before_birth))
    assert error.field == "occurred_at"
    assert error.message == "The date of the event must be on or after the person's date of birth (14 March 1985)"
    with translation.override("id"):
        error = _refused(case_create, actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data(occurred_at=before_birth))
    assert error.message == "Tanggal kejadian harus sama dengan atau setelah tanggal lahir orang tersebut (14 Maret 1985)"
    # On the day of birth itself is possible.
    case_create(
        actor=officer, person=person, kind=CaseKind.DETENTION, data=detention_data(occurred_at=local(1985, 3, 14, 23, 0), legal_basis=None)
    )


def test_partial_birth_date_refuses_only_what_is_certainly_before_it(officer, agencies, detention_data):
    born_1990 = PersonFactory(recorded_by_agency=agencies.imm_a, birth_year=1990, birth_month=None, birth_day=None)
    data = detention_data(legal_basis=None)
    _refused(case_create, actor=officer, person=born_1990, kind=CaseKind.DETENTION, data=data | {"occurred_at": local(1989, 12, 31)})
    case = case_create(actor=officer, person=born_1990, kind=CaseKind.DETENTION, data=data | {"occurred_at": local(1990, 1, 1, 12)})
    assert case.pk


def test_legal_basis_of_the_wrong_kind_is_refused(officer, person, refs):
    with translation.override("en"):
        error = _refused(
            case_create,
            actor=officer,
            person=person,
            kind=CaseKind.DEPORTATION,
            data={"occurred_at": recently(), "legal_basis": refs.crime},
        )
    assert error.field == "legal_basis"
    assert error.message == (
        "Select an article of the kind “Administrative action (TAK)”: “UU 6/2011 Pasal 113” is of the kind “Immigration crime”."
    )
    with translation.override("id"):
        error = _refused(
            case_create,
            actor=officer,
            person=person,
            kind=CaseKind.IMMIGRATION_CRIME,
            data={"occurred_at": recently(), "legal_basis": refs.tak},
        )
    assert error.field == "legal_basis"
    assert "“UU 6/2011 Pasal 75 ayat (2)”" in error.message
    assert error.message.startswith("Pilih pasal")


def test_unknown_legal_basis_is_refused(officer, person):
    error = _refused(
        case_create, actor=officer, person=person, kind=CaseKind.DEPORTATION, data={"occurred_at": recently(), "legal_basis": 999_999}
    )
    assert error.field == "legal_basis"


def test_legal_basis_must_be_in_force_on_the_day_of_the_event(officer, person, refs):
    data = {"occurred_at": recently(), "legal_basis": refs.old_crime}
    with translation.override("en"):
        error = _refused(case_create, actor=officer, person=person, kind=CaseKind.IMMIGRATION_CRIME, data=data)
    assert error.field == "legal_basis"
    assert error.message.startswith("“UU 9/1992 Pasal 48” was not in force on ")
    # An event of 2005 rests on the old law; the new one was not yet in force then.
    old = case_create(
        actor=officer,
        person=person,
        kind=CaseKind.IMMIGRATION_CRIME,
        data={"occurred_at": local(2005, 7, 1), "legal_basis": refs.old_crime, **rights_advice(rights_informed_at=local(2005, 7, 1, 11))},
    )
    assert old.legal_basis == refs.old_crime
    _refused(
        case_create,
        actor=officer,
        person=person,
        kind=CaseKind.IMMIGRATION_CRIME,
        data={"occurred_at": local(2005, 7, 1), "legal_basis": refs.crime},
    )


@pytest.mark.parametrize(
    ("kind", "months_or_years", "ok"),
    [
        (CaseKind.EXIT_BAN, dt.date(2026, 7, 30), True),  # 6 months from 31 January, both days included
        (CaseKind.EXIT_BAN, dt.date(2026, 7, 31), False),
        (CaseKind.ENTRY_BAN, dt.date(2036, 1, 30), True),
        (CaseKind.ENTRY_BAN, dt.date(2036, 1, 31), False),
        (CaseKind.ENTRY_BAN, dt.date(2026, 1, 31), False),  # ends on the day it starts
    ],
)
def test_ban_durations_follow_the_law(officer, person, refs, kind, months_or_years, ok):
    data = {
        "occurred_at": recently(),
        "legal_basis": refs.tak,
        "starts_on": dt.date(2026, 1, 31),
        "ends_on": months_or_years,
        "requesting_agency": "Kejaksaan Agung",
    }
    if ok:
        case = case_create(actor=officer, person=person, kind=kind, data=data)
        assert (case.starts_on, case.ends_on, case.status) == (dt.date(2026, 1, 31), months_or_years, CaseStatus.REQUESTED)
    else:
        assert _refused(case_create, actor=officer, person=person, kind=kind, data=data).field == "ends_on"


def test_ban_needs_the_requesting_agency(officer, person, refs):
    data = {"occurred_at": recently(), "legal_basis": refs.tak, "starts_on": dt.date(2026, 1, 1), "ends_on": dt.date(2026, 3, 1)}
    with translation.override("en"):
        error = _refused(case_create, actor=officer, person=person, kind=CaseKind.EXIT_BAN, data=data)
    assert (error.field, error.message) == ("requesting_agency", "Enter the agency that requested the ban")


def test_cost_charge_and_deportation(officer, person, refs):
    charge = case_create(
        actor=officer,
        person=person,
        kind=CaseKind.COST_CHARGE,
        data={"occurred_at": recently(), "legal_basis": refs.tak, "charge_amount": "15000000", "overstay_days": "15"},
    )
    assert (charge.charge_amount, charge.overstay_days, charge.status) == (15_000_000, 15, CaseStatus.PROPOSED)
    deportation = case_create(
        actor=officer, person=person, kind=CaseKind.DEPORTATION, data={"occurred_at": recently(), "legal_basis": refs.tak}
    )
    assert deportation.starts_on is None
    assert deportation.status == CaseStatus.PLANNED
    planned = case_create(
        actor=officer,
        person=person,
        kind=CaseKind.DEPORTATION,
        data={"occurred_at": recently(), "legal_basis": refs.tak, "starts_on": dt.date(2030, 1, 2)},
    )
    assert planned.starts_on == dt.date(2030, 1, 2)


@pytest.mark.parametrize("kind", sorted(ADMINISTRATIVE_ACTIONS))
def test_no_administrative_action_against_a_trafficking_victim(officer, agencies, refs, kind):
    victim = PersonFactory(recorded_by_agency=agencies.imm_a, is_trafficking_victim=True)
    data = {
        "occurred_at": recently(),
        "legal_basis": refs.tak,
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2026, 2, 1),
        "requesting_agency": "Polri",
        "charge_amount": 1_000_000,
    }
    with translation.override("en"):
        error = _refused(case_create, actor=officer, person=victim, kind=kind, data=data)
    assert error.field == "person"
    assert "victim of trafficking or smuggling" in error.message
    assert "art. 86" in error.message
    with translation.override("id"):
        error = _refused(case_create, actor=officer, person=victim, kind=kind, data=data)
    assert "korban perdagangan orang" in error.message


def test_a_trafficking_victim_may_still_be_placed_in_detention(officer, agencies, detention_data):
    """Art. 87: a victim may be placed in a detention centre (with different treatment)."""
    victim = PersonFactory(recorded_by_agency=agencies.imm_a, is_trafficking_victim=True)
    assert case_create(actor=officer, person=victim, kind=CaseKind.DETENTION, data=detention_data()).status == CaseStatus.DETAINED


def test_every_other_kind_can_be_recorded(officer, person, refs):
    for kind in (
        CaseKind.CRIMINAL_CASE,
        CaseKind.CIVIL_CASE,
        CaseKind.IMPRISONMENT,
        CaseKind.DEATH,
        CaseKind.GUARDIANSHIP,
        CaseKind.WRECK_OR_AIR_ACCIDENT,
    ):
        advice = rights_advice() if kind in RIGHTS_ADVICE_KINDS else {}
        case = case_create(
            actor=officer, person=person, kind=kind, data={"occurred_at": recently(), "place_description": "Denpasar", **advice}
        )
        assert case.events.order_by("recorded_at").first().kind == CaseEvent.Kind.CREATED
        assert case.rights_advice.count() == (1 if advice else 0)


def test_unknown_kind_and_invisible_person_are_refused(officer, agencies, detention_data):
    stranger = PersonFactory(recorded_by_agency=agencies.imm_b)
    with pytest.raises(ApplicationError) as info:
        case_create(actor=officer, person=stranger, kind="picnic", data=detention_data())
    assert info.value.field == "kind"
    with pytest.raises(NotFound) as info:
        case_create(actor=officer, person=stranger, kind=CaseKind.DETENTION, data=detention_data())
    assert info.value.field == "person"
    assert not Case.objects.exists()


def test_only_reporters_may_record_cases(make_user, agencies, person, detention_data):
    from jembatan.accounts.roles import Role

    consular = make_user(roles=[Role.CONSULAR_OFFICER], agency=agencies.kemlu)
    with pytest.raises(PermissionDenied):
        case_create(actor=consular, person=person, kind=CaseKind.DETENTION, data=detention_data())


def test_reporting_agency_is_linked_to_the_person(supervisor, officer, agencies, detention_data):
    """A supervisor records a case about a person another agency recorded: the person is
    linked to the supervisor's agency, so its officers see the person from now on."""
    from jembatan.people.models import PersonAgencyLink
    from jembatan.people.selectors import person_list

    stranger = PersonFactory(surname="OUTSIDER", recorded_by_agency=agencies.imm_b)
    assert not person_list(actor=officer).filter(pk=stranger.pk).exists()

    case = case_create(actor=supervisor, person=stranger, kind=CaseKind.DETENTION, data=detention_data())

    link = PersonAgencyLink.objects.get(person=stranger, agency=agencies.imm_a)
    assert link.reason == f"case {case.reference}"
    assert person_list(actor=officer).filter(pk=stranger.pk).exists()
    # Recording another case changes nothing; the recording agency needs no link.
    case_create(actor=supervisor, person=stranger, kind=CaseKind.DETENTION, data=detention_data())
    assert PersonAgencyLink.objects.filter(person=stranger).count() == 1


@pytest.mark.parametrize(
    ("days", "amount", "expected_amount", "error_field"),
    [
        ("10", "", 10_000_000, None),  # computed from the rule: 10 × Rp1,000,000
        ("59", "59000000", 59_000_000, None),
        ("60", "", 60_000_000, None),  # the default rule charges day 60 itself
        ("12", "5000000", None, "charge_amount"),  # not what the rule says
        ("61", "61000000", None, "overstay_days"),  # above the threshold: deportation, not a charge
    ],
)
def test_overstay_charge_follows_the_rule_in_force(officer, person, refs, days, amount, expected_amount, error_field):
    """UU 6/2011 art. 78 is enforced: a charge below the threshold is days × rate; above it,
    a charge is refused because deportation and an entry ban apply."""
    data = {"occurred_at": recently(), "legal_basis": refs.tak, "charge_amount": amount, "overstay_days": days}
    if error_field is None:
        charge = case_create(actor=officer, person=person, kind=CaseKind.COST_CHARGE, data=data)
        assert charge.charge_amount == expected_amount
        return
    before = Case.objects.count()
    with translation.override("en"):
        error = _refused(case_create, actor=officer, person=person, kind=CaseKind.COST_CHARGE, data=data)
    assert error.field == error_field
    assert ("deportation" in error.message) if error_field == "overstay_days" else ("Rp12.000.000" in error.message)
    assert Case.objects.count() == before
