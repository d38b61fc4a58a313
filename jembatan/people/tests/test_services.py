"""The intake services: recording a person atomically, refusing bad data with a message that
names the field (Indonesian and English) while writing nothing, the duplicate guard across
agencies and scripts, and the agency links that share one person between agencies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.core.exceptions import ApplicationError, NotFound, PermissionDenied
from jembatan.people import mrz
from jembatan.people.models import IdentityDocument, Nationality, Person, PersonAgencyLink
from jembatan.people.services import (
    DocumentAlreadyRecorded,
    DocumentData,
    MatchReason,
    PersonData,
    person_create,
    person_data_from_mrz,
    person_find_duplicates,
    person_link_agency,
    person_link_existing,
)
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def countries():
    for code in ("UTO", "RUS", "IDN", "AUS", "XXA", "DEU"):
        CountryFactory(code=code)
    CountryFactory(code="D", kind="icao", iso_equivalent="DEU")


@pytest.fixture
def imigrasi():
    return AgencyFactory(code="t-imigrasi", kind=Agency.Kind.IMMIGRATION)


@pytest.fixture
def polri():
    return AgencyFactory(code="t-polri", kind=Agency.Kind.PARTNER_AGENCY)


@pytest.fixture
def officer(make_user, imigrasi):
    return make_user(roles=[Role.IMMIGRATION_OFFICER], agency=imigrasi)


@pytest.fixture
def police_officer(make_user, polri):
    return make_user(roles=[Role.PARTNER_OFFICER], agency=polri)


def petrov(**changes) -> PersonData:
    base = PersonData(
        surname="PETROV",
        given_names="IVAN",
        native_name="Иван Петров",
        native_name_lang="ru",
        sex="M",
        birth_year=1979,
        birth_month=5,
        birth_day=14,
        nationalities=("RUS",),
        document=DocumentData(number="751234567", issuing_state="RUS", issued_on=dt.date(2020, 2, 1), expires_on=dt.date(2030, 1, 31)),
    )
    from dataclasses import replace

    return replace(base, **changes)


def _counts() -> tuple[int, int, int]:
    return Person.objects.count(), Nationality.objects.count(), IdentityDocument.objects.count()


# --- person_create ---------------------------------------------------------------------------


def test_create_writes_person_nationalities_flags_and_document_with_audit(officer, imigrasi):
    person = person_create(
        actor=officer,
        data=petrov(nationalities=("RUS", "d"), is_stateless=False, is_trafficking_victim=True),
        today=TODAY,
    )
    person.refresh_from_db()
    assert (person.surname, person.given_names, person.native_name, person.native_name_lang) == ("PETROV", "IVAN", "Иван Петров", "ru")
    assert (person.birth_year, person.birth_month, person.birth_day, person.sex) == (1979, 5, 14, "M")
    assert person.recorded_by_agency == imigrasi
    assert person.is_trafficking_victim
    assert not person.is_refugee
    assert [(n.country.code, n.is_primary) for n in person.nationality_links.all()] == [("RUS", True), ("D", False)]
    document = person.documents.get()
    assert (document.document_type, document.number, document.issuing_state_id is not None) == ("P", "751234567", True)
    assert (document.issued_on, document.expires_on) == (dt.date(2020, 2, 1), dt.date(2030, 1, 31))
    event = AuditEvent.objects.get(action=AuditAction.PERSON_CREATED)
    assert event.object_id == str(person.pk)
    assert event.actor_id == officer.pk
    assert event.data["nationalities"] == ["RUS", "D"]
    assert event.data["protection_flags"] == ["is_trafficking_victim"]
    assert event.data["document"] == {"type": "P", "issuing_state": "RUS", "from_mrz": False}


@pytest.mark.parametrize(
    ("changes", "field", "message_id", "message_en"),
    [
        ({"nationalities": ("QQQ",)}, "nationalities", "Kode kewarganegaraan QQQ tidak dikenal", "Nationality code QQQ is not known"),
        ({"nationalities": ()}, "nationalities", "Pilih kewarganegaraan", "Select a nationality"),
        (
            {"document": DocumentData(number="751234567", issuing_state="ZZZ")},
            "issuing_state",
            "Kode negara penerbit ZZZ tidak dikenal",
            "Issuing state code ZZZ is not known",
        ),
        ({"birth_year": 2027, "birth_month": 1, "birth_day": 2}, "birth_date", "hari ini atau sebelumnya", "today or in the past"),
        ({"birth_year": 2026, "birth_month": 12, "birth_day": None}, "birth_date", "hari ini atau sebelumnya", "today or in the past"),
        ({"birth_month": 2, "birth_day": 30}, "birth_date", "tanggal yang benar", "must be a real date"),
        ({"birth_month": 13, "birth_day": None}, "birth_date", "angka 1 sampai 12", "number from 1 to 12"),
        ({"birth_month": None, "birth_day": 14}, "birth_date", "Masukkan juga bulan lahir", "Enter the month of birth too"),
        ({"birth_year": 1850}, "birth_date", "1900 atau sesudahnya", "1900 or later"),
        (
            {
                "document": DocumentData(
                    number="751234567", issuing_state="RUS", issued_on=dt.date(2020, 2, 1), expires_on=dt.date(2019, 1, 1)
                )
            },
            "expires_on",
            "Tanggal habis berlaku harus sesudah tanggal terbit",
            "Date of expiry must be after the date of issue",
        ),
        (
            {"document": DocumentData(number="751234567", issuing_state="RUS", issued_on=dt.date(2027, 1, 1))},
            "issued_on",
            "Tanggal terbit harus hari ini atau sebelumnya",
            "Date of issue must be today or in the past",
        ),
        (
            {"document": DocumentData(number="75-123/4567", issuing_state="RUS")},
            "document_number",
            "Nomor dokumen hanya boleh berisi huruf dan angka",
            "Document number must only include letters and numbers",
        ),
        (
            {"document": DocumentData(number="", issuing_state="RUS")},
            "document_number",
            "Masukkan nomor dokumen",
            "Enter the document number",
        ),
        ({"surname": "  "}, "surname", "Masukkan nama keluarga", "Enter the surname as in the document"),
        ({"native_name_lang": "not a tag"}, "native_name_lang", "kode seperti ar, ru atau zh-Hans", "a code such as ar, ru or zh-Hans"),
    ],
)
def test_bad_data_is_refused_naming_the_field_in_both_languages_and_nothing_is_written(officer, changes, field, message_id, message_en):
    before = _counts()
    events = AuditEvent.objects.count()
    for language, expected in (("id", message_id), ("en", message_en)):
        with translation.override(language), pytest.raises(ApplicationError) as excinfo:
            person_create(actor=officer, data=petrov(**changes), today=TODAY)
        assert excinfo.value.field == field
        assert expected in excinfo.value.message, (language, excinfo.value.message)
    assert _counts() == before
    assert AuditEvent.objects.count() == events


def test_a_document_already_recorded_is_refused_and_nothing_is_written(officer, police_officer):
    person_create(actor=police_officer, data=petrov(), today=TODAY)
    before = _counts()
    with translation.override("en"), pytest.raises(DocumentAlreadyRecorded) as excinfo:
        person_create(actor=officer, data=petrov(surname="SOMEONE", native_name=""), today=TODAY)
    assert excinfo.value.field == "document_number"
    assert excinfo.value.status_code == 409
    assert "already recorded" in excinfo.value.message
    assert _counts() == before  # the person row of the refused intake was rolled back too


@pytest.mark.parametrize(
    ("year", "month", "day", "stored", "shown"),
    [
        (1985, None, None, (1985, None, None), "1985-00-00"),
        (1985, 3, None, (1985, 3, None), "1985-03-00"),
        (1985, 3, 0, (1985, 3, None), "1985-03-00"),  # 00 day as in the exchange format
        (1985, 0, 0, (1985, None, None), "1985-00-00"),
        (None, None, None, (None, None, None), ""),
    ],
)
def test_partial_birth_dates_are_kept_as_partial(officer, year, month, day, stored, shown):
    person = person_create(actor=officer, data=petrov(birth_year=year, birth_month=month, birth_day=day), today=TODAY)
    person.refresh_from_db()
    assert (person.birth_year, person.birth_month, person.birth_day) == stored
    assert person.birth_date_display == shown


def test_create_needs_the_capability(make_user, imigrasi):
    consular = make_user(roles=[Role.CONSULAR_OFFICER], agency=imigrasi)
    with pytest.raises(PermissionDenied):
        person_create(actor=consular, data=petrov(), today=TODAY)
    assert Person.objects.count() == 0


def test_create_rolls_back_when_the_actor_could_not_see_the_result(make_user, imigrasi):
    """STYLE rule 11: an actor who may add but not view would record a person outside their
    own scope; the write is undone."""
    actor = make_user(roles=[Role.IMMIGRATION_OFFICER], agency=imigrasi)
    actor.roles = []
    actor.has_capability = lambda codename: codename == "people.add_person"  # type: ignore[method-assign]
    with pytest.raises(PermissionDenied):
        person_create(actor=actor, data=petrov(), today=TODAY)
    assert _counts() == (0, 0, 0)


# --- MRZ ---------------------------------------------------------------------------------------


def test_mrz_gives_the_person_data_and_unknown_codes_are_named():
    lines = mrz.compose_td3(
        issuing_state="RUS",
        surname="PETROV",
        given_names="IVAN",
        document_number="751234567",
        nationality="RUS",
        birth_date="7905<<",
        sex="M",
        expiry_date=dt.date(2030, 1, 31),
    )
    data = person_data_from_mrz(text="\n".join(lines), today=TODAY)
    assert (data.surname, data.given_names, data.sex, data.nationalities) == ("PETROV", "IVAN", "M", ("RUS",))
    assert (data.birth_year, data.birth_month, data.birth_day) == (1979, 5, None)
    assert data.document == DocumentData(
        document_type="P", number="751234567", issuing_state="RUS", expires_on=dt.date(2030, 1, 31), mrz="\n".join(lines)
    )
    unknown = mrz.compose_td3(
        issuing_state="QQQ",
        surname="X",
        given_names="Y",
        document_number="1",
        nationality="RUS",
        birth_date=dt.date(1980, 1, 1),
        sex="F",
        expiry_date=dt.date(2030, 1, 1),
    )
    for language, expected in (("id", "MRZ, negara penerbit: kode 'QQQ' tidak dikenal"), ("en", "MRZ, issuing state: code 'QQQ' is not")):
        with translation.override(language), pytest.raises(ApplicationError) as excinfo:
            person_data_from_mrz(text="\n".join(unknown), today=TODAY)
        assert expected in excinfo.value.message
        assert excinfo.value.field == "mrz"
        assert excinfo.value.extra["mrz_field"] == "issuing_state"


def test_stateless_mrz_ticks_the_stateless_flag():
    lines = mrz.compose_td3(
        document_code="PT" if False else "P",
        issuing_state="IDN",
        surname="NOBODY",
        given_names="",
        document_number="X1234567",
        nationality="XXA",
        birth_date=dt.date(1990, 1, 1),
        sex="X",
        expiry_date=dt.date(2030, 1, 1),
    )
    data = person_data_from_mrz(text="\n".join(lines), today=TODAY)
    assert data.is_stateless
    assert not data.is_refugee
    assert data.sex == "X"


# --- the duplicate guard -------------------------------------------------------------------------


def test_same_document_is_a_certain_match_across_agencies(officer, polri):
    other = PersonFactory(surname="PETROV", given_names="IVAN", recorded_by_agency=polri, nationalities=["RUS"])
    IdentityDocumentFactory(person=other, number="751234567", issuing_state=CountryFactory(code="RUS"))
    candidates = person_find_duplicates(actor=officer, data=petrov(surname="PETROFF", birth_year=1980))
    assert [c.person_id for c in candidates] == [other.pk]
    candidate = candidates[0]
    assert candidate.score == 100
    assert candidate.reasons == (MatchReason.SAME_DOCUMENT,)
    # Recorded by the police, not visible to this officer: minimal facts, masked number.
    assert candidate.visible is False
    assert candidate.person is None
    assert candidate.document_numbers == ("******567 (RUS)",)
    assert candidate.document_name == "PETROV IVAN"


def test_similar_name_in_another_script_same_birth_date_and_nationality_is_proposed(officer, imigrasi):
    recorded = PersonFactory(
        surname="ПЕТРОВ",
        given_names="",
        native_name="Иван Петров",
        birth_year=1979,
        birth_month=5,
        birth_day=14,
        recorded_by_agency=imigrasi,
        nationalities=["RUS"],
    )
    data = petrov(native_name="", document=None)  # only "PETROV IVAN" in Latin
    candidates = person_find_duplicates(actor=officer, data=data)
    assert [c.person_id for c in candidates] == [recorded.pk]
    c = candidates[0]
    assert set(c.reasons) == {MatchReason.SIMILAR_NAME, MatchReason.SAME_BIRTH_DATE, MatchReason.SAME_NATIONALITY}
    assert 85 <= c.score <= 99
    assert c.visible is True
    assert c.person == recorded
    with translation.override("en"):
        assert c.reason_labels == ["similar name", "same date of birth", "same nationality"]
    with translation.override("id"):
        assert c.reason_labels[0] == "nama mirip"


@pytest.mark.parametrize(
    ("changes", "found"),
    [
        ({}, True),
        ({"birth_day": 15}, False),  # a different birth date
        ({"birth_year": 1980}, False),
        ({"nationalities": ("AUS",)}, False),  # no shared nationality
        ({"surname": "SMIRNOV", "given_names": "OLEG", "native_name": ""}, False),  # another name
        ({"birth_day": None}, True),  # partial: same year and month
        ({"birth_month": None, "birth_day": None}, True),  # partial: same year
        ({"birth_year": None, "birth_month": None, "birth_day": None}, False),  # nothing to compare
    ],
)
def test_name_alone_never_matches(officer, imigrasi, changes, found):
    PersonFactory(
        surname="PETROV",
        given_names="IVAN",
        birth_year=1979,
        birth_month=5,
        birth_day=14,
        recorded_by_agency=imigrasi,
        nationalities=["RUS"],
    )
    candidates = person_find_duplicates(actor=officer, data=petrov(document=None, **changes))
    assert bool(candidates) is found


def test_partial_dates_lower_the_score_and_say_what_was_compared(officer, imigrasi):
    PersonFactory(
        surname="PETROV",
        given_names="IVAN",
        birth_year=1979,
        birth_month=5,
        birth_day=None,
        recorded_by_agency=imigrasi,
        nationalities=["RUS"],
    )
    [candidate] = person_find_duplicates(actor=officer, data=petrov(document=None, native_name=""))
    assert MatchReason.SAME_BIRTH_MONTH in candidate.reasons
    assert candidate.score == 94  # a perfect name, less 5 for a month-precision date


def test_icao_and_iso_codes_of_one_country_count_as_the_same_nationality(officer, imigrasi):
    PersonFactory(
        surname="MUELLER", given_names="HANS", birth_year=1970, birth_month=1, birth_day=2, recorded_by_agency=imigrasi, nationalities=["D"]
    )
    data = PersonData(surname="MÜLLER", given_names="HANS", birth_year=1970, birth_month=1, birth_day=2, nationalities=("DEU",))
    [candidate] = person_find_duplicates(actor=officer, data=data)
    assert MatchReason.SAME_NATIONALITY in candidate.reasons


def test_the_search_is_audited_and_needs_the_capability(officer, make_user, imigrasi):
    person = PersonFactory(
        surname="PETROV",
        given_names="IVAN",
        birth_year=1979,
        birth_month=5,
        birth_day=14,
        recorded_by_agency=imigrasi,
        nationalities=["RUS"],
    )
    person_find_duplicates(actor=officer, data=petrov())
    event = AuditEvent.objects.get(action=AuditAction.PERSON_DUPLICATES_SEARCHED)
    assert event.actor_id == officer.pk
    assert event.data["name"] == "PETROV IVAN"
    assert event.data["document"] == "******567"
    assert event.data["candidates"][0]["id"] == str(person.pk)
    mission = ForeignMissionFactory(country=CountryFactory(code="RUS"))
    envoy = make_user(roles=[Role.MISSION_OFFICER], agency=AgencyFactory(kind=Agency.Kind.FOREIGN_MISSION, mission=mission))
    with pytest.raises(PermissionDenied):
        person_find_duplicates(actor=envoy, data=petrov())


# --- links ---------------------------------------------------------------------------------------


def test_link_agency_is_idempotent_audited_and_widens_scope_for_that_agency_only(officer, police_officer, imigrasi, polri, make_user):
    person = PersonFactory(surname="PETROV", recorded_by_agency=polri, nationalities=["RUS"])
    pas_officer = make_user(roles=[Role.CORRECTIONS_OFFICER], agency=AgencyFactory(kind=Agency.Kind.CORRECTIONS))
    assert not Person.objects.visible_to(officer).filter(pk=person.pk).exists()

    first = person_link_agency(person=person, agency=imigrasi, reason="Case JBT-2026-000001", actor=officer)
    again = person_link_agency(person=person, agency=imigrasi, reason="Another case", actor=officer)
    assert first == again
    assert PersonAgencyLink.objects.get().reason == "Case JBT-2026-000001"
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_AGENCY_LINKED).count() == 1
    assert person_link_agency(person=person, agency=polri, reason="own record") is None  # the recorder needs no link

    assert list(Person.objects.visible_to(officer)) == [person]
    assert list(Person.objects.visible_to(police_officer)) == [person]
    assert list(Person.objects.visible_to(pas_officer)) == []


def test_a_link_never_widens_what_a_mission_sees(make_user):
    mission = ForeignMissionFactory(country=CountryFactory(code="AUS"))
    mission_agency = AgencyFactory(kind=Agency.Kind.FOREIGN_MISSION, mission=mission)
    envoy = make_user(roles=[Role.MISSION_OFFICER], agency=mission_agency)
    person = PersonFactory(surname="RUSSKI", nationalities=["RUS"])
    person_link_agency(person=person, agency=mission_agency, reason="wrongly linked")
    assert list(Person.objects.visible_to(envoy)) == []


def test_link_existing_links_the_agency_and_records_the_choice(officer, imigrasi, polri):
    other = PersonFactory(surname="PETROV", given_names="IVAN", recorded_by_agency=polri, nationalities=["RUS"])
    IdentityDocumentFactory(person=other, number="751234567", issuing_state=CountryFactory(code="RUS"))
    chosen = person_link_existing(actor=officer, person=str(other.pk), reason="", data=petrov())
    assert chosen == other
    link = PersonAgencyLink.objects.get()
    assert (link.person, link.agency) == (other, imigrasi)
    event = AuditEvent.objects.get(action=AuditAction.PERSON_MATCH_CONFIRMED)
    assert event.object_id == str(other.pk)
    assert event.data["reasons"] == ["same_document"]
    assert Person.objects.visible_to(officer).filter(pk=other.pk).exists()


def test_link_existing_refuses_a_person_who_is_not_a_candidate(officer, polri):
    """Naming an id is not enough to gain access: the guard decides what may be linked."""
    stranger = PersonFactory(surname="SOMEBODY", given_names="ELSE", recorded_by_agency=polri, nationalities=["AUS"])
    with pytest.raises(NotFound):
        person_link_existing(actor=officer, person=stranger.pk, reason="", data=petrov())
    with pytest.raises(NotFound):
        person_link_existing(actor=officer, person="not-a-uuid", reason="", data=petrov())
    assert PersonAgencyLink.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.PERSON_MATCH_CONFIRMED).exists()


def test_confirming_a_new_person_records_the_rejected_candidates(officer, imigrasi):
    existing = PersonFactory(
        surname="PETROV",
        given_names="IVAN",
        birth_year=1979,
        birth_month=5,
        birth_day=14,
        recorded_by_agency=imigrasi,
        nationalities=["RUS"],
    )
    stranger = PersonFactory(surname="STRANGER", recorded_by_agency=imigrasi, nationalities=["AUS"])
    candidates = person_find_duplicates(actor=officer, data=petrov())
    posted = [c.person_id for c in candidates] + ["junk", str(stranger.pk)]  # only a real candidate counts
    person = person_create(actor=officer, data=petrov(), rejected_candidates=posted, today=TODAY)
    [event] = AuditEvent.objects.filter(action=AuditAction.PERSON_MATCH_REJECTED)
    assert event.object_id == str(existing.pk)
    assert event.data == {"new_person": str(person.pk)}
    created = AuditEvent.objects.get(action=AuditAction.PERSON_CREATED)
    assert created.data["rejected_candidates"] == [str(existing.pk)]
