"""The immunity check as the cases service calls it at every new case: which registry rows
match, why, and what is returned; and the alert it raises at protocol."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail

from jembatan.accounts.alerts import alert_email_job
from jembatan.accounts.models import Alert
from jembatan.accounts.roles import Role
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.missions.choices import ImmunityLevel
from jembatan.missions.immunity import (
    MATCHED_ON_DOCUMENT,
    MATCHED_ON_NAME_AND_BIRTH_DATE,
    ImmunityMatch,
    immunity_alert_protocol,
    immunity_check,
)
from jembatan.missions.models import Category
from jembatan.missions.tests.factories import AccreditedPersonFactory
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)
BORN = dt.date(1981, 10, 30)


@pytest.fixture
def anna():
    """ANNA MARIA ERIKSSON, diplomatic agent of a Swedish embassy, passport DA4701124 (SWE)."""
    swe = CountryFactory(code="SWE", name_en="Sweden", name_id="Swedia")
    mission = ForeignMissionFactory(country=swe, name_en="Embassy of Sweden", name_id="Kedutaan Besar Swedia")
    return AccreditedPersonFactory(
        mission=mission,
        surname="ERIKSSON",
        given_names="ANNA MARIA",
        birth_date=BORN,
        nationality=swe,
        document_number="DA4701124",
        document_issuing_state=swe,
        card_number="KD-2025-00117",
        card_valid_from=dt.date(2025, 1, 1),
        card_valid_until=dt.date(2027, 12, 31),
    )


# (description, check arguments, expected matched_on or None for no match)
CASES = [
    ("document number and issuing state", {"document_number": "DA4701124", "issuing_state": "SWE"}, MATCHED_ON_DOCUMENT),
    ("document with spaces, lower case", {"document_number": " da 470 1124 ", "issuing_state": "swe"}, MATCHED_ON_DOCUMENT),
    ("document with MRZ fillers", {"document_number": "DA4701124<<", "issuing_state": "SWE<"}, MATCHED_ON_DOCUMENT),
    ("document with punctuation", {"document_number": "DA-470.1124", "issuing_state": "SWE"}, MATCHED_ON_DOCUMENT),
    ("right number, wrong issuing state", {"document_number": "DA4701124", "issuing_state": "NOR"}, None),
    ("right number, no issuing state", {"document_number": "DA4701124"}, None),
    ("one digit different", {"document_number": "DA4701125", "issuing_state": "SWE"}, None),
    (
        "same name, same birth date",
        {"surname": "ERIKSSON", "given_names": "ANNA MARIA", "birth_date": BORN},
        MATCHED_ON_NAME_AND_BIRTH_DATE,
    ),
    ("name in other order", {"surname": "ANNA MARIA", "given_names": "ERIKSSON", "birth_date": BORN}, MATCHED_ON_NAME_AND_BIRTH_DATE),
    ("name all in one field, other order", {"surname": "ERIKSSON ANNA MARIA", "birth_date": BORN}, MATCHED_ON_NAME_AND_BIRTH_DATE),
    ("lower case and accents", {"surname": "Eriksson", "given_names": "Änna María", "birth_date": BORN}, MATCHED_ON_NAME_AND_BIRTH_DATE),
    ("one letter missing", {"surname": "ERIKSON", "given_names": "ANNA MARIA", "birth_date": BORN}, MATCHED_ON_NAME_AND_BIRTH_DATE),
    ("similar name, other birth date", {"surname": "ERIKSSON", "given_names": "ANNA MARIA", "birth_date": dt.date(1981, 10, 31)}, None),
    ("similar name, no birth date", {"surname": "ERIKSSON", "given_names": "ANNA MARIA"}, None),
    ("other name, same birth date", {"surname": "JOHANSSON", "given_names": "KARIN", "birth_date": BORN}, None),
    ("other given name, same birth date", {"surname": "ERIKSSON", "given_names": "BRITTA", "birth_date": BORN}, None),
    ("surname only, same birth date", {"surname": "ERIKSSON", "birth_date": BORN}, None),
    ("nothing to compare", {}, None),
]


@pytest.mark.parametrize(("description", "arguments", "expected"), CASES, ids=[c[0] for c in CASES])
def test_matching_rules(anna, description, arguments, expected):
    matches = immunity_check(on=TODAY, **arguments)
    if expected is None:
        assert matches == [], description
        return
    (match,) = matches
    assert match.accredited_person_id == anna.pk
    assert match.matched_on == expected
    assert match.display_name == "ERIKSSON ANNA MARIA"
    assert match.mission_name_en == "Embassy of Sweden"
    assert match.category == Category.DIPLOMATIC_AGENT
    assert match.immunity_level == ImmunityLevel.FULL
    assert match.card_valid is True
    assert match.card_valid_until == dt.date(2027, 12, 31)
    assert match.is_active is True
    if expected == MATCHED_ON_NAME_AND_BIRTH_DATE:
        assert match.name_score >= 92
    else:
        assert match.name_score is None


def test_icao_and_iso_codes_of_the_same_issuer_match():
    """A German passport's MRZ says D; the registry may have recorded DEU."""
    deu = CountryFactory(code="DEU", name_en="Germany")
    CountryFactory(code="D", kind="icao", iso_equivalent="DEU", name_en="Germany (ICAO)")
    person = AccreditedPersonFactory(nationality=deu, document_number="XD0381275", document_issuing_state=deu)
    (match,) = immunity_check(document_number="XD0381275", issuing_state="D<<", on=TODAY)
    assert match.accredited_person_id == person.pk


def test_native_script_name_matches_through_transliteration():
    person = AccreditedPersonFactory(surname="IVANOV", given_names="SERGEI", birth_date=BORN)
    (match,) = immunity_check(surname="Иванов", given_names="Сергей", birth_date=BORN, on=TODAY)
    assert match.accredited_person_id == person.pk


def test_expired_card_is_returned_with_card_valid_false(anna):
    anna.card_valid_until = dt.date(2025, 12, 31)
    anna.save(update_fields=["card_valid_until"])
    (by_document,) = immunity_check(document_number="DA4701124", issuing_state="SWE", on=TODAY)
    (by_name,) = immunity_check(surname="ERIKSSON", given_names="ANNA MARIA", birth_date=BORN, on=TODAY)
    for match in (by_document, by_name):
        assert match.card_valid is False
        assert match.card_valid_until == dt.date(2025, 12, 31)
        assert match.immunity_level == ImmunityLevel.FULL  # the level stays; protocol decides
    # On a day the card was valid, the same row is valid.
    assert immunity_check(document_number="DA4701124", issuing_state="SWE", on=dt.date(2025, 6, 1))[0].card_valid is True
    # A card not valid yet is not valid either.
    assert immunity_check(document_number="DA4701124", issuing_state="SWE", on=dt.date(2024, 12, 31))[0].card_valid is False


def test_inactive_row_matches_only_by_document(anna):
    anna.is_active = False
    anna.save(update_fields=["is_active"])
    (match,) = immunity_check(document_number="DA4701124", issuing_state="SWE", on=TODAY)
    assert match.is_active is False
    assert match.matched_on == MATCHED_ON_DOCUMENT
    assert immunity_check(surname="ERIKSSON", given_names="ANNA MARIA", birth_date=BORN, on=TODAY) == []
    both = immunity_check(document_number="DA4701124", issuing_state="SWE", surname="ERIKSSON", given_names="ANNA MARIA", birth_date=BORN)
    assert [m.matched_on for m in both] == [MATCHED_ON_DOCUMENT]


def test_document_and_name_of_one_person_give_one_match_document_first(anna):
    namesake = AccreditedPersonFactory(surname="ERIKSSON", given_names="ANNA MARIE", birth_date=BORN)
    matches = immunity_check(
        document_number="DA4701124", issuing_state="SWE", surname="ERIKSSON", given_names="ANNA MARIA", birth_date=BORN
    )
    assert [(m.accredited_person_id, m.matched_on) for m in matches] == [
        (anna.pk, MATCHED_ON_DOCUMENT),
        (namesake.pk, MATCHED_ON_NAME_AND_BIRTH_DATE),
    ]


def test_as_dict_is_json_safe_and_round_trips(anna):
    (match,) = immunity_check(document_number="DA4701124", issuing_state="SWE", on=TODAY)
    data = match.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["accredited_person_id"] == str(anna.pk)
    assert data["card_valid_until"] == "2027-12-31"
    assert data["matched_on"] == "document"
    assert data["immunity_level"] == "full"
    assert data["card_valid"] is True
    assert ImmunityMatch.from_dict(data) == match


def test_check_is_audited_without_the_identifiers(anna, make_user):
    officer = make_user(roles=[Role.IMMIGRATION_OFFICER])
    immunity_check(document_number="DA4701124", issuing_state="SWE", on=TODAY, actor=officer, purpose="case intake")
    checked = AuditEvent.objects.get(action=AuditAction.IMMUNITY_CHECKED)
    assert checked.actor == officer
    assert checked.purpose == "case intake"
    assert checked.data == {"by_document": True, "by_name_and_birth_date": False, "on": "2026-03-01", "matches": 1}
    assert "DA4701124" not in json.dumps(checked.data)
    matched = AuditEvent.objects.get(action=AuditAction.IMMUNITY_MATCHED)
    assert matched.object_id == str(anna.pk)
    assert matched.data["matched_on"] == "document"
    immunity_check(document_number="NOPE0000", issuing_state="SWE", on=TODAY, actor=officer)
    assert AuditEvent.objects.filter(action=AuditAction.IMMUNITY_CHECKED).count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.IMMUNITY_MATCHED).count() == 1


# --- the alert to protocol -------------------------------------------------------------


def test_alert_goes_to_holders_of_the_capability_once_per_case(anna, make_user):
    protocol = make_user(roles=[Role.PROTOCOL_OFFICER], email="protokol@kemlu.go.id")
    second = make_user(roles=[Role.PROTOCOL_OFFICER], email="")
    supervisor = make_user(roles=[Role.IMMIGRATION_SUPERVISOR])  # views the registry, is not alerted
    consular = make_user(roles=[Role.CONSULAR_OFFICER])
    make_user(roles=[Role.PROTOCOL_OFFICER], is_active=False)
    matches = immunity_check(document_number="DA4701124", issuing_state="SWE", on=TODAY)

    alerts = immunity_alert_protocol(
        matches=matches, case_reference="JBT-2026-000042", case_url="/cases/abc/", person_name="ERIKSSON ANNA MARIA"
    )
    assert sorted(a.recipient_id for a in alerts) == sorted([protocol.pk, second.pk])
    assert not Alert.objects.filter(recipient__in=[supervisor, consular]).exists()
    alert = Alert.objects.get(recipient=protocol)
    assert alert.level == Alert.Level.URGENT
    assert alert.url == "/cases/abc/"
    assert alert.dedupe_key == "immunity:JBT-2026-000042"
    assert alert.title == "Kecocokan registri kekebalan / Immunity registry match: JBT-2026-000042"
    indonesian, english = alert.body.split("\n\n")
    assert "JBT-2026-000042" in indonesian
    assert "ERIKSSON ANNA MARIA" in indonesian
    assert "Kedutaan Besar Swedia" in indonesian
    assert "Kekebalan penuh" in indonesian
    assert "Embassy of Sweden" in english
    assert "Full immunity (no arrest or detention in any form)" in english
    assert "card KD-2025-00117 valid until 31 December 2027" in english

    # The cases service retries the intake: nobody is alerted twice, not even with a stored result.
    again = immunity_alert_protocol(
        matches=[m.as_dict() for m in matches], case_reference="JBT-2026-000042", case_url="/cases/abc/", person_name="x"
    )
    assert again == []
    assert Alert.objects.filter(dedupe_key="immunity:JBT-2026-000042").count() == 2
    # A later case alerts again.
    assert len(immunity_alert_protocol(matches=matches, case_reference="JBT-2026-000043", case_url="/c/", person_name="x")) == 2


def test_alert_email_names_expired_card_and_inactive_record(anna, make_user):
    protocol = make_user(roles=[Role.PROTOCOL_OFFICER], email="protokol@kemlu.go.id")
    anna.is_active = False
    anna.card_valid_until = dt.date(2025, 6, 30)
    anna.save(update_fields=["is_active", "card_valid_until"])
    matches = immunity_check(document_number="DA4701124", issuing_state="SWE", on=TODAY)
    (alert,) = immunity_alert_protocol(matches=matches, case_reference="JBT-2026-000050", case_url="/cases/x/", person_name="ERIKSSON")
    assert alert.recipient == protocol
    assert "card KD-2025-00117 NOT valid (ended 30 June 2025)" in alert.body
    assert "no longer active in the registry" in alert.body
    assert "kartu KD-2025-00117 TIDAK berlaku (berakhir 30 Juni 2025)" in alert.body
    assert alert_email_job.call(alert_id=alert.pk) == "sent"
    assert mail.outbox[0].subject.startswith("[Jembatan] Kecocokan registri kekebalan / Immunity registry match")


def test_no_match_no_alert(make_user):
    make_user(roles=[Role.PROTOCOL_OFFICER])
    assert immunity_alert_protocol(matches=[], case_reference="JBT-2026-000001", case_url="/", person_name="x") == []
    assert not Alert.objects.exists()
