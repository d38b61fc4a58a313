"""The people API as agency systems call it: scoped list and get (no protection flags for
missions), recording with the duplicate guard (409 with candidates, confirm_new,
use_existing), Idempotency-Key, MRZ input, and errors that name the field."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from jembatan.accounts.models import Agency, ApiClient
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.core.models import IdempotencyRecord
from jembatan.people import mrz
from jembatan.people.models import IdentityDocument, Nationality, Person, PersonAgencyLink
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory

pytestmark = pytest.mark.django_db

PETROV_MRZ = "\n".join(
    mrz.compose_td3(
        issuing_state="RUS",
        surname="PETROV",
        given_names="IVAN",
        document_number="751234567",
        nationality="RUS",
        birth_date=dt.date(1979, 5, 14),
        sex="M",
        expiry_date=dt.date(2030, 1, 31),
    )
)


@pytest.fixture(autouse=True)
def countries():
    for code in ("RUS", "AUS", "UTO"):
        CountryFactory(code=code)


@pytest.fixture
def imigrasi():
    return AgencyFactory(code="t-imigrasi", kind=Agency.Kind.IMMIGRATION)


@pytest.fixture
def polri():
    return AgencyFactory(code="t-polri", kind=Agency.Kind.PARTNER_AGENCY)


def _token(agency, permissions) -> dict[str, str]:
    token, prefix, token_hash = ApiClient.new_token()
    ApiClient.objects.create(agency=agency, name=f"System {prefix}", token_prefix=prefix, token_hash=token_hash, permissions=permissions)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def system(imigrasi):
    """An immigration system that may view and add people."""
    return _token(imigrasi, ["people.view_person", "people.add_person"])


def _petrov(**changes):
    body = {
        "surname": "PETROV",
        "given_names": "IVAN",
        "native_name": "Иван Петров",
        "native_name_lang": "ru",
        "sex": "M",
        "birth_date": "1979-05-14",
        "nationalities": ["RUS"],
        "document": {"document_type": "P", "number": "751234567", "issuing_state": "RUS", "expires_on": "2030-01-31"},
    }
    body.update(changes)
    return body


def _counts() -> tuple[int, int, int]:
    return Person.objects.count(), Nationality.objects.count(), IdentityDocument.objects.count()


# --- reads -------------------------------------------------------------------------------------------


def test_list_is_scoped_paginated_and_searchable(client, people_api, system, imigrasi, polri):
    own = PersonFactory(surname="PETROV", given_names="IVAN", native_name="Иван Петров", recorded_by_agency=imigrasi, nationalities=["RUS"])
    PersonFactory(surname="WANG", recorded_by_agency=imigrasi)
    PersonFactory(surname="HIDDEN", recorded_by_agency=polri)
    body = client.get(f"{people_api}/", headers=system).json()
    assert body["count"] == 2
    assert [p["surname"] for p in body["items"]] == ["PETROV", "WANG"]
    found = client.get(f"{people_api}/", {"q": "Иван"}, headers=system).json()
    assert [p["id"] for p in found["items"]] == [str(own.pk)]
    assert found["items"][0]["nationalities"] == ["RUS"]
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_SEARCHED).exists()


def test_get_outside_scope_is_404_and_inside_has_flags_and_links(client, people_api, system, imigrasi, polri):
    own = PersonFactory(surname="OWN", is_refugee=True, recorded_by_agency=imigrasi, nationalities=["RUS"])
    IdentityDocumentFactory(person=own, number="X1", issuing_state=CountryFactory(code="UTO"))
    other = PersonFactory(surname="OTHER", recorded_by_agency=polri)
    missing = client.get(f"{people_api}/{uuid.uuid4()}", headers=system)
    hidden = client.get(f"{people_api}/{other.pk}", headers=system)
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()
    body = client.get(f"{people_api}/{own.pk}", headers=system).json()
    assert body["protection"] == {"is_refugee": True, "is_asylum_seeker": False, "is_stateless": False, "is_trafficking_victim": False}
    assert body["documents"] == [
        {"document_type": "P", "number": "X1", "issuing_state": "UTO", "issued_on": "2022-01-10", "expires_on": "2032-01-09"}
    ]
    assert body["birth_date"] == "1985-03-14"
    assert body["recorded_by"] == "t-imigrasi"
    assert body["linked_agencies"] == []


def test_a_mission_system_never_reads_the_register_even_with_the_capability(client, people_api):
    mission = ForeignMissionFactory(country=CountryFactory(code="AUS"))
    envoy = _token(AgencyFactory(kind=Agency.Kind.FOREIGN_MISSION, mission=mission), ["people.view_person"])
    person = PersonFactory(surname="AUSSIE", is_stateless=True, nationalities=["AUS"])
    response = client.get(f"{people_api}/{person.pk}", headers=envoy)
    assert response.status_code == 404
    assert "AUSSIE" not in response.content.decode()
    assert client.get(f"{people_api}/", headers=envoy).json()["items"] == []


def test_reads_need_the_capability(client, people_api, imigrasi):
    nobody = _token(imigrasi, [])
    assert client.get(f"{people_api}/", headers=nobody).status_code == 403
    assert client.get(f"{people_api}/").status_code == 401


# --- create --------------------------------------------------------------------------------------------


def test_create_returns_201_with_the_person(client, people_api, system, imigrasi):
    response = client.post(f"{people_api}/", _petrov(is_trafficking_victim=True), content_type="application/json", headers=system)
    assert response.status_code == 201, response.json()
    body = response.json()
    person = Person.objects.get()
    assert body["id"] == str(person.pk)
    assert body["native_name"] == "Иван Петров"
    assert body["protection"]["is_trafficking_victim"] is True
    assert person.recorded_by_agency == imigrasi
    assert person.documents.get().expires_on == dt.date(2030, 1, 31)


def test_create_from_an_mrz_with_fields_added(client, people_api, system):
    response = client.post(
        f"{people_api}/", {"mrz": PETROV_MRZ, "native_name": "Иван Петров"}, content_type="application/json", headers=system
    )
    assert response.status_code == 201, response.json()
    person = Person.objects.get()
    assert (person.surname, person.given_names, person.native_name) == ("PETROV", "IVAN", "Иван Петров")
    assert person.documents.get().mrz == PETROV_MRZ


def test_partial_birth_dates_in_the_exchange_style(client, people_api, system):
    response = client.post(
        f"{people_api}/", _petrov(birth_date="1979-05-00", document=None), content_type="application/json", headers=system
    )
    assert response.status_code == 201
    assert response.json()["birth_date"] == "1979-05-00"
    person = Person.objects.get()
    assert (person.birth_year, person.birth_month, person.birth_day) == (1979, 5, None)


@pytest.mark.parametrize(
    ("changes", "field", "language", "message"),
    [
        ({"mrz": PETROV_MRZ[:60] + "9" + PETROV_MRZ[61:]}, "mrz", "en", "MRZ, date of birth: check digit is wrong"),
        ({"mrz": PETROV_MRZ[:60] + "9" + PETROV_MRZ[61:]}, "mrz", "id", "MRZ, tanggal lahir: digit pemeriksa salah"),
        ({"nationalities": ["QQQ"]}, "nationalities", "en", "Nationality code QQQ is not known"),
        ({"nationalities": ["QQQ"]}, "nationalities", "id", "Kode kewarganegaraan QQQ tidak dikenal"),
        ({"birth_date": "2999-01-01"}, "birth_date", "en", "Date of birth must be today or in the past"),
        ({"birth_date": "14/05/1979"}, "birth_date", "en", "Enter the date of birth as YYYY-MM-DD"),
        (
            {"document": {"number": "751234567", "issuing_state": "RUS", "issued_on": "2020-01-01", "expires_on": "2019-01-01"}},
            "expires_on",
            "id",
            "Tanggal habis berlaku harus sesudah tanggal terbit",
        ),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(client, people_api, system, changes, field, language, message):
    body = _petrov(**changes)
    if "mrz" in changes:
        body = {"mrz": changes["mrz"]}
    response = client.post(f"{people_api}/", body, content_type="application/json", headers={**system, "Accept-Language": language})
    assert response.status_code == 400, response.json()
    error = response.json()
    assert error["code"] in ("application_error", "mrz_invalid")
    assert error["detail"]["field"] == field
    assert message in error["message"]
    assert _counts() == (0, 0, 0)


def test_create_needs_the_capability(client, people_api, imigrasi):
    viewer = _token(imigrasi, ["people.view_person"])
    response = client.post(f"{people_api}/", _petrov(), content_type="application/json", headers=viewer)
    assert response.status_code == 403
    assert Person.objects.count() == 0


# --- the duplicate guard ---------------------------------------------------------------------------------


def _police_record(polri) -> Person:
    person = PersonFactory(
        surname="PETROV", given_names="IVAN", birth_year=1979, birth_month=5, birth_day=14, recorded_by_agency=polri, nationalities=["RUS"]
    )
    IdentityDocumentFactory(person=person, number="751234567", issuing_state=CountryFactory(code="RUS"))
    return person


def test_a_second_intake_of_the_same_passport_is_409_with_the_candidate(client, people_api, system, polri):
    existing = _police_record(polri)
    response = client.post(f"{people_api}/", {"mrz": PETROV_MRZ}, content_type="application/json", headers=system)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "possible_duplicates"
    [candidate] = body["detail"]["candidates"]
    assert candidate["person_id"] == str(existing.pk)
    assert candidate["score"] == 100
    assert candidate["reasons"][0] == "same_document"
    assert candidate["visible"] is False
    assert candidate["documents"] == ["******567 (RUS)"]
    assert set(candidate) == {
        "person_id",
        "visible",
        "score",
        "reasons",
        "reason_labels",
        "document_name",
        "native_name",
        "birth_date",
        "nationalities",
        "documents",
    }  # minimal facts only: no flags, no recording agency
    assert Person.objects.count() == 1


def test_use_existing_links_the_agency(client, people_api, system, polri, imigrasi):
    existing = _police_record(polri)
    response = client.post(
        f"{people_api}/", {"mrz": PETROV_MRZ, "use_existing": str(existing.pk)}, content_type="application/json", headers=system
    )
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == str(existing.pk)
    assert response.json()["linked_agencies"] == ["t-imigrasi"]
    assert PersonAgencyLink.objects.get().agency == imigrasi
    assert client.get(f"{people_api}/{existing.pk}", headers=system).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.PERSON_MATCH_CONFIRMED)
    assert event.actor_label.startswith("api:")


def test_use_existing_of_a_person_who_is_not_a_candidate_is_404(client, people_api, system, polri):
    stranger = PersonFactory(surname="ELSEWHERE", recorded_by_agency=polri, nationalities=["AUS"])
    response = client.post(f"{people_api}/", _petrov(use_existing=str(stranger.pk)), content_type="application/json", headers=system)
    assert response.status_code == 404
    assert PersonAgencyLink.objects.count() == 0


def test_similar_name_in_another_script_is_409_then_confirm_new_records_the_rejection(client, people_api, system, imigrasi):
    existing = PersonFactory(
        surname="",
        given_names="",
        native_name="Иван Петров",
        birth_year=1979,
        birth_month=5,
        birth_day=14,
        recorded_by_agency=imigrasi,
        nationalities=["RUS"],
    )
    body = _petrov(native_name="")
    first = client.post(f"{people_api}/", body, content_type="application/json", headers=system)
    assert first.status_code == 409
    [candidate] = first.json()["detail"]["candidates"]
    assert candidate["person_id"] == str(existing.pk)
    assert candidate["visible"] is True
    assert set(candidate["reasons"]) == {"similar_name", "same_birth_date", "same_nationality"}
    second = client.post(f"{people_api}/", {**body, "confirm_new": True}, content_type="application/json", headers=system)
    assert second.status_code == 201
    new_id = second.json()["id"]
    rejected = AuditEvent.objects.get(action=AuditAction.PERSON_MATCH_REJECTED)
    assert (rejected.object_id, rejected.data) == (str(existing.pk), {"new_person": new_id})


def test_duplicates_check_only(client, people_api, system, polri):
    existing = _police_record(polri)
    response = client.post(f"{people_api}/duplicates", {"mrz": PETROV_MRZ}, content_type="application/json", headers=system)
    assert response.status_code == 200
    assert [c["person_id"] for c in response.json()["candidates"]] == [str(existing.pk)]
    nothing = client.post(
        f"{people_api}/duplicates",
        _petrov(surname="NOBODY", native_name="", document=None),
        content_type="application/json",
        headers=system,
    )
    assert nothing.json() == {"candidates": []}
    assert Person.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_DUPLICATES_SEARCHED).count() == 2


# --- idempotency ---------------------------------------------------------------------------------------------


def test_same_key_twice_records_one_person_and_answers_the_same(client, people_api, system):
    headers = {**system, "Idempotency-Key": "intake-0001"}
    first = client.post(f"{people_api}/", _petrov(), content_type="application/json", headers=headers)
    second = client.post(f"{people_api}/", _petrov(), content_type="application/json", headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Person.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_CREATED).count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_same_key_with_another_body_is_409(client, people_api, system):
    headers = {**system, "Idempotency-Key": "intake-0002"}
    client.post(f"{people_api}/", _petrov(), content_type="application/json", headers=headers)
    other = client.post(f"{people_api}/", _petrov(surname="SOMEONE", document=None), content_type="application/json", headers=headers)
    assert other.status_code == 409
    assert other.json()["detail"]["field"] == "Idempotency-Key"
    assert Person.objects.count() == 1


def test_a_refused_request_does_not_use_up_its_key(client, people_api, system):
    headers = {**system, "Idempotency-Key": "intake-0003"}
    bad = client.post(f"{people_api}/", _petrov(nationalities=["QQQ"]), content_type="application/json", headers=headers)
    assert bad.status_code == 400
    good = client.post(f"{people_api}/", _petrov(nationalities=["QQQ"]), content_type="application/json", headers=headers)
    assert good.status_code == 400  # still refused, not replayed from a stored answer
    assert IdempotencyRecord.objects.count() == 0


def test_openapi_documents_the_people_operations(client, people_api):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").json()
    validate(spec)
    assert "/api/v1/people/" in spec["paths"]
    assert "409" in spec["paths"]["/api/v1/people/"]["post"]["responses"]
    assert "/api/v1/people/duplicates" in spec["paths"]
