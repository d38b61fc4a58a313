"""Whereabouts: by document and by name (any script, partial dates of birth); in-country
logic, current permit, open cases, scope and audit."""

from __future__ import annotations

import datetime as dt

import pytest

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.lifecycle import CaseKind, CaseStatus
from jembatan.cases.tests.factories import CaseFactory
from jembatan.core.exceptions import ApplicationError, PermissionDenied
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.tests.factories import CountryFactory
from jembatan.traffic.selectors import name_score, parse_partial_birth, whereabouts_by_document, whereabouts_by_name
from jembatan.traffic.tests.query_support import WIB, at, crossing, permit, tq_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)
PURPOSE = "Inquiry KBRI-2026-0042 from the Australian embassy"


def lookup(actor, number="PA1234567", state="AUS", **kwargs):
    return whereabouts_by_document(actor=actor, document_number=number, issuing_state=state, purpose=PURPOSE, today=TODAY, **kwargs)


def test_unknown_document_is_not_found_and_not_in_country(tq):
    answer = lookup(tq.consular)
    assert answer.found is False
    assert answer.in_country is False
    assert answer.crossings == []
    assert answer.permit is None


def test_arrival_means_in_country_since_that_arrival_shown_in_the_checkpoints_zone(tq):
    arrived = at(2026, 5, 2, 14)
    crossing("PA1234567", arrived, "A", checkpoint="DPS")
    crossing("PA1234567", at(2025, 12, 20, 9, WIB), "D", checkpoint="CGK")
    crossing("PA1234567", at(2025, 12, 1, 9, WIB), "A", checkpoint="CGK")
    answer = lookup(tq.consular)
    assert answer.found is True
    assert answer.in_country is True
    assert answer.since == arrived
    assert [(c.direction, c.checkpoint_code) for c in answer.crossings] == [("A", "DPS"), ("D", "CGK"), ("A", "CGK")]
    assert answer.crossings[0].time_zone == "Asia/Makassar"
    assert answer.crossings[0].checkpoint_name == "Bandara Ngurah Rai"
    assert answer.crossings[1].time_zone == "Asia/Jakarta"
    assert (answer.surname, answer.given_names, answer.birth_date_display) == ("WALKER", "JAMES", "1985-03-14")


def test_departed_means_not_in_country(tq):
    crossing("PA1234567", at(2026, 4, 1), "A")
    crossing("PA1234567", at(2026, 4, 20), "D")
    answer = lookup(tq.consular)
    assert answer.in_country is False
    assert answer.since is None
    assert answer.last_crossing.direction == "D"


def test_departed_then_re_arrived_is_in_country_since_the_re_arrival(tq):
    crossing("PA1234567", at(2026, 1, 5), "A")
    crossing("PA1234567", at(2026, 2, 5), "D")
    back = at(2026, 3, 1, 8)
    crossing("PA1234567", back, "A")
    answer = lookup(tq.consular)
    assert answer.in_country is True
    assert answer.since == back


def test_renewed_permit_is_the_current_one_with_days_left(tq):
    crossing("PA1234567", at(2026, 1, 5), "A")
    permit("PA1234567", dt.date(2026, 1, 5), dt.date(2026, 2, 3), number="VOA-OLD", status="expired")
    permit("PA1234567", dt.date(2026, 2, 1), dt.date(2026, 7, 31), number="ITAS-NEW", permit_type="limited_stay")
    answer = lookup(tq.consular)
    assert answer.permit.permit_number == "ITAS-NEW"
    assert answer.permit_days_left == (dt.date(2026, 7, 31) - TODAY).days
    assert answer.permit_valid is True
    assert answer.days_over == 0


def test_expired_permit_while_here_counts_days_over(tq):
    crossing("PA1234567", at(2026, 4, 1), "A")
    permit("PA1234567", dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    answer = lookup(tq.consular)
    assert answer.permit_days_left == -32
    assert answer.days_over == 32
    assert answer.permit_valid is False


def test_no_crossing_but_an_active_permit_is_in_country(tq):
    permit("PA1234567", dt.date(2020, 1, 1), dt.date(2030, 1, 1), permit_type="permanent_stay")
    answer = lookup(tq.consular)
    assert answer.in_country is True
    assert answer.since is None
    assert answer.found is True
    assert answer.surname == "WALKER"


def test_no_crossing_and_an_expired_or_cancelled_permit_is_not_in_country(tq):
    permit("PA1234567", dt.date(2025, 1, 1), dt.date(2025, 3, 1))
    assert lookup(tq.consular).in_country is False
    permit("PB7654321", dt.date(2026, 1, 1), dt.date(2027, 1, 1), status="cancelled")
    assert lookup(tq.consular, number="PB7654321").in_country is False


def test_only_the_last_ten_crossings_newest_first(tq):
    for day in range(1, 13):
        crossing("PA1234567", at(2026, 1, day * 2), "A" if day % 2 else "D")
    answer = lookup(tq.consular)
    assert len(answer.crossings) == 10
    assert answer.crossings[0].crossed_at == at(2026, 1, 24)
    assert answer.in_country is False


def test_document_number_and_state_are_normalised(tq):
    crossing("PA1234567", at(2026, 5, 1), "A")
    answer = whereabouts_by_document(actor=tq.consular, document_number=" pa 123-4567 ", issuing_state="aus", purpose=PURPOSE, today=TODAY)
    assert answer.found
    assert answer.document_number == "PA1234567"


def test_open_cases_of_the_person_holding_the_document(tq):
    someone = PersonFactory(surname="WALKER", given_names="JAMES", nationalities=["AUS"], recorded_by_agency=tq.imm)
    IdentityDocumentFactory(person=someone, number="PA1234567", issuing_state=CountryFactory(code="AUS"))
    open_case = CaseFactory(person=someone, reporting_agency=tq.imm, kind=CaseKind.DETENTION)
    CaseFactory(person=someone, reporting_agency=tq.imm, kind=CaseKind.DETENTION, status=CaseStatus.CLOSED)
    crossing("PA1234567", at(2026, 5, 1), "A")
    answer = lookup(tq.supervisor)
    assert answer.person == someone
    assert answer.person_ids == [someone.pk]
    assert [c["id"] for c in answer.open_cases] == [open_case.pk]
    assert answer.open_cases[0]["reference"] == open_case.reference
    assert (answer.open_cases[0]["kind"], answer.open_cases[0]["status"]) == (open_case.kind, open_case.status)
    assert answer.as_data()["open_cases"] == [
        {"id": open_case.pk, "reference": open_case.reference, "kind": open_case.kind, "status": open_case.status}
    ]
    # The consular officer sees the notifiable detention too.
    assert [c["id"] for c in lookup(tq.consular).open_cases] == [open_case.pk]


# Extension point test doubles: a higher app's callable (actor, person_ids) -> list[dict].
extra_calls: list[tuple[object, list]] = []


def recording_extra(actor, person_ids):
    extra_calls.append((actor, person_ids))
    return [{"id": "x", "reference": "X-1", "kind": "k", "status": "s", "kind_label": "K", "status_label": "S"}]


def test_open_cases_come_through_the_extension_point(tq, settings):
    """Traffic imports no higher app: the open cases are what the callables of
    `JEMBATAN_WHEREABOUTS_EXTRAS` return for the register persons holding the document."""
    assert settings.JEMBATAN_WHEREABOUTS_EXTRAS == ["jembatan.cases.selectors.open_cases_for_whereabouts"]
    someone = PersonFactory(surname="WALKER", given_names="JAMES", nationalities=["AUS"], recorded_by_agency=tq.imm)
    IdentityDocumentFactory(person=someone, number="PA1234567", issuing_state=CountryFactory(code="AUS"))
    CaseFactory(person=someone, reporting_agency=tq.imm, kind=CaseKind.DETENTION)
    crossing("PA1234567", at(2026, 5, 1), "A")
    crossing("NOTINREG", at(2026, 5, 1), "A")
    settings.JEMBATAN_WHEREABOUTS_EXTRAS = [f"{__name__}.recording_extra"]
    extra_calls.clear()
    answer = lookup(tq.supervisor)
    assert [c["reference"] for c in answer.open_cases] == ["X-1"]
    assert extra_calls == [(tq.supervisor, [someone.pk])]
    # Not in the register: no callable is asked.
    stranger = whereabouts_by_document(actor=tq.supervisor, document_number="NOTINREG", issuing_state="AUS", purpose=PURPOSE, today=TODAY)
    assert stranger.person_ids == []
    assert stranger.open_cases == []
    assert len(extra_calls) == 1
    # No extension: the traffic facts alone.
    settings.JEMBATAN_WHEREABOUTS_EXTRAS = []
    bare = lookup(tq.supervisor)
    assert bare.person == someone
    assert bare.open_cases == []


def test_every_lookup_is_audited_with_purpose_and_question_not_answer(tq):
    crossing("PA1234567", at(2026, 5, 1), "A")
    lookup(tq.consular)
    event = AuditEvent.objects.filter(action=AuditAction.WHEREABOUTS_QUERIED).get()
    assert event.actor_id == tq.consular.pk
    assert event.purpose == PURPOSE
    assert event.data == {"by": "document", "document_number": "PA1234567", "issuing_state": "AUS"}
    assert "in_country" not in str(event.data)


def test_benchmark_variant_writes_no_audit(tq):
    lookup(tq.consular, audit=False)
    assert not AuditEvent.objects.filter(action=AuditAction.WHEREABOUTS_QUERIED).exists()


def test_purpose_is_required(tq):
    with pytest.raises(ApplicationError) as caught:
        whereabouts_by_document(actor=tq.consular, document_number="PA1234567", issuing_state="AUS", purpose="  ")
    assert caught.value.field == "purpose"
    assert not AuditEvent.objects.filter(action=AuditAction.WHEREABOUTS_QUERIED).exists()


def test_missions_and_users_without_the_capability_are_refused(tq):
    crossing("PA1234567", at(2026, 5, 1), "A")
    with pytest.raises(PermissionDenied):
        lookup(tq.mission_officer)
    with pytest.raises(PermissionDenied):
        lookup(tq.analyst)
    assert lookup(tq.officer).in_country is True


# --- by name ---------------------------------------------------------------------------------


def by_name(actor, name, birth, **kwargs):
    return whereabouts_by_name(actor=actor, name=name, birth_date=birth, purpose=PURPOSE, today=TODAY, **kwargs)


@pytest.mark.parametrize(
    ("query", "surname", "given", "state"),
    [
        ("Walker James", "WALKER", "JAMES", "AUS"),
        ("james walker", "WALKER", "JAMES", "AUS"),
        ("WALKR JAMES", "WALKER", "JAMES", "AUS"),
        ("Иванов Иван", "IVANOV", "IVAN", "RUS"),
        ("王秀英", "WANG", "XIUYING", "CHN"),
        ("محمد علي", "MUHAMMAD", "ALI", "EGY"),
        ("Müller Jürgen", "MULLER", "JURGEN", "D"),
    ],
)
def test_name_in_any_script_matches_its_latin_transliteration(tq, query, surname, given, state):
    crossing("DOC0001", at(2026, 5, 1), "A", state=state, surname=surname, given_names=given)
    crossing("DOC0002", at(2026, 5, 1), "A", state=state, surname="SMITH", given_names="ANNA")
    answers = by_name(tq.consular, query, "1985-03-14")
    assert [a.document_number for a in answers] == ["DOC0001"]
    assert answers[0].in_country is True
    assert answers[0].score >= 80


def test_partial_birth_dates_on_both_sides(tq):
    crossing("FULL", at(2026, 5, 1), "A", birth=(1985, 3, 14))
    crossing("NOMONTH", at(2026, 5, 1), "A", birth=(1985, None, None))
    crossing("OTHERDAY", at(2026, 5, 1), "A", birth=(1985, 3, 15))
    crossing("OTHERYEAR", at(2026, 5, 1), "A", birth=(1986, 3, 14))
    found = lambda birth: sorted(a.document_number for a in by_name(tq.consular, "WALKER JAMES", birth))  # noqa: E731
    assert found("1985-00-00") == ["FULL", "NOMONTH", "OTHERDAY"]
    assert found("1985") == ["FULL", "NOMONTH", "OTHERDAY"]
    assert found("1985-03") == ["FULL", "NOMONTH", "OTHERDAY"]
    assert found("1985-03-14") == ["FULL", "NOMONTH"]
    assert found("1985-04-00") == ["NOMONTH"]
    assert found(dt.date(1986, 3, 14)) == ["OTHERYEAR"]


def test_nationality_narrows_the_name_search(tq):
    crossing("AUS1", at(2026, 5, 1), "A", state="AUS")
    crossing("JPN1", at(2026, 5, 1), "A", state="JPN")
    assert [a.document_number for a in by_name(tq.consular, "Walker James", "1985", nationality="jpn")] == ["JPN1"]


def test_one_answer_per_document_best_first_and_audited_with_the_question(tq):
    crossing("DOC1", at(2026, 4, 1), "A", surname="WALKER", given_names="JAMES")
    crossing("DOC1", at(2026, 4, 20), "D", surname="WALKER", given_names="JAMES")
    crossing("DOC2", at(2026, 5, 1), "A", surname="WALKER", given_names="JAMES ROBERT")
    answers = by_name(tq.consular, "walker james", "1985-03-14")
    assert [a.document_number for a in answers] == ["DOC1", "DOC2"]
    assert answers[0].in_country is False
    assert answers[1].in_country is True
    event = AuditEvent.objects.get(action=AuditAction.WHEREABOUTS_QUERIED)
    assert event.data == {"by": "name", "name": "walker james", "birth_date": "1985-03-14", "nationality": ""}
    assert event.purpose == PURPOSE


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("", "birth_date"),
        ("14-03-1985", "birth_date"),
        ("1985-13-01", "birth_date"),
        ("1985-02-30", "birth_date"),
        ("1985-00-14", "birth_date"),
    ],
)
def test_bad_birth_dates_are_refused(tq, value, field):
    with pytest.raises(ApplicationError) as caught:
        by_name(tq.consular, "Walker", value)
    assert caught.value.field == field


def test_partial_birth_parsing():
    assert parse_partial_birth("1985-00-00") == (1985, None, None)
    assert parse_partial_birth("1985-03") == (1985, 3, None)
    assert parse_partial_birth(dt.date(1985, 3, 14)) == (1985, 3, 14)
    assert parse_partial_birth((1985, 3, None)) == (1985, 3, None)


def test_name_scores():
    assert name_score("wangxiuying", "wang xiuying") == 100
    assert name_score("ivan ivanov", "ivanov ivan") == 100
    assert name_score("mhmd ly", "muhammad ali", abjad=True) == 100
    assert name_score("smith anna", "walker james") < 50


def test_name_search_refused_to_missions(tq):
    with pytest.raises(PermissionDenied):
        by_name(tq.mission_officer, "Walker", "1985")


def test_icao_and_iso_codes_of_the_same_state_find_each_other(tq):
    crossing("C01X00T47", at(2026, 5, 1), "A", state="D")
    assert lookup(tq.consular, number="C01X00T47", state="DEU").found is True
    assert lookup(tq.consular, number="C01X00T47", state="D").in_country is True
    assert lookup(tq.consular, number="C01X00T47", state="AUS").found is False
