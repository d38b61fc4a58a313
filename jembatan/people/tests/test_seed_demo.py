"""`seed_demo` and `demo_logins`: idempotent, deterministic, realistic and usable."""

from __future__ import annotations

import io
import re

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.test import override_settings

from jembatan.accounts.models import Agency, OrgUnit, User
from jembatan.accounts.roles import Role
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.people import mrz
from jembatan.people.management.commands.demo_logins import current_totp
from jembatan.people.management.commands.seed_demo import (
    DEFAULT_DEMO_PASSWORD,
    DEMO_COUNTRY_CODES,
    DEMO_DETENTION_CENTRES,
    DEMO_IMMIGRATION_OFFICES,
    DEMO_MISSION_COUNTRIES,
    demo_totp_secret,
    plan_people,
)
from jembatan.people.models import IdentityDocument, Nationality, Person
from jembatan.people.selectors import person_list
from jembatan.reference.models import Country
from jembatan.reference.tests.factories import CountryFactory, DetentionCentreFactory, ForeignMissionFactory, ImmigrationOfficeFactory

pytestmark = pytest.mark.django_db

ZONES = {"KANIM-SOEKARNO-HATTA": "Asia/Jakarta", "KANIM-JAYAPURA": "Asia/Jayapura", "RDN-JKT": "Asia/Jakarta"}


@pytest.fixture
def reference_rows():
    """The few reference rows the demo needs, made here so these tests do not depend on
    the reference loader (tested on its own, and below when it is installed)."""
    import pycountry

    for code in sorted(DEMO_COUNTRY_CODES | {"DEU"}):
        iso = pycountry.countries.get(alpha_3=code)
        name = iso.name if iso else {"D": "Germany", "XXA": "Stateless person"}[code]
        extra = {} if iso else {"kind": Country.Kind.ICAO, "iso_equivalent": "DEU" if code == "D" else ""}
        CountryFactory(code=code, name_en=name, name_id=name, **extra)
    for code in DEMO_IMMIGRATION_OFFICES:
        ImmigrationOfficeFactory(
            code=code, name_id=f"Kantor Imigrasi {code[6:].title()}", name_en="", time_zone=ZONES.get(code, "Asia/Makassar")
        )
    for code in DEMO_DETENTION_CENTRES:
        DetentionCentreFactory(code=code, time_zone=ZONES.get(code, "Asia/Makassar"))
    for code in DEMO_MISSION_COUNTRIES:
        country = Country.objects.get(code=code)
        ForeignMissionFactory(country=country, sending_entity=country.name_en, mission_type="embassy", city="Jakarta Selatan")
        ForeignMissionFactory(country=country, sending_entity=country.name_en, mission_type="consulate_general", city="Denpasar")


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "persons": Person.objects.count(),
        "nationalities": Nationality.objects.count(),
        "documents": IdentityDocument.objects.count(),
        "users": User.objects.count(),
        "agencies": Agency.objects.count(),
        "units": OrgUnit.objects.count(),
        "authenticators": Authenticator.objects.count(),
    }


def test_second_run_creates_nothing(reference_rows):
    first_output = _seed()
    first = _counts()
    second_output = _seed()
    assert _counts() == first
    assert first["persons"] >= 40
    assert first["users"] == 15
    assert "created 0 agencies, 0 units, 0 users, 0 authenticators, 0 persons" in second_output
    assert "created 6 agencies, 14 units, 15 users, 5 authenticators" in first_output
    events = list(AuditEvent.objects.filter(action=AuditAction.DEMO_DATA_LOADED).order_by("id"))
    assert len(events) == 2
    assert events[0].data["created"]["persons"] == first["persons"]
    assert events[1].data["created"]["persons"] == 0
    assert events[0].channel == "command"
    assert events[0].actor_id is None


def test_plan_is_deterministic():
    first, second = plan_people(), plan_people()
    assert [(p.document_number, p.birth, p.mrz_lines) for p in first] == [(p.document_number, p.birth, p.mrz_lines) for p in second]


def test_demo_people_are_many_nationalities_with_valid_passports(reference_rows):
    _seed()
    people = Person.objects.prefetch_related("nationality_links__country", "documents__issuing_state")
    assert people.count() >= 40
    assert all(p.is_demo for p in people)
    assert Nationality.objects.values("country").distinct().count() >= 30
    assert sum(1 for p in people if p.nationality_links.count() == 2) >= 3
    assert people.filter(is_refugee=True).exists()
    assert people.filter(is_asylum_seeker=True).exists()
    assert people.filter(is_stateless=True, nationality_links__country__code="XXA").exists()
    known = set(Country.objects.values_list("code", flat=True))
    for person in people:
        (document,) = person.documents.all()
        data = mrz.parse(document.mrz, known_codes=known)
        assert data.document_number == document.number
        assert data.issuing_state == document.issuing_state.code
        assert data.nationality == person.nationality_links.all()[0].country.code
        assert data.sex == person.sex
        assert data.expiry_date == document.expires_on
        if person.birth_day:
            assert (data.birth_date.year, data.birth_date.month, data.birth_date.day) == (
                person.birth_year,
                person.birth_month,
                person.birth_day,
            )
        else:
            assert data.birth_date is None
        assert data.surname == mrz.to_mrz_name_part(person.surname).replace("<", " ")
    wang = Person.objects.get(native_name="王秀英")
    assert (wang.surname, wang.given_names, wang.native_name_lang) == ("WANG", "XIUYING", "zh-Hans")
    petrov = Person.objects.get(native_name="Иван Петров")
    assert (petrov.surname, petrov.given_names) == ("PETROV", "IVAN")
    muller = Person.objects.get(surname="MÜLLER")
    assert muller.documents.get().mrz.startswith("P<D<<MUELLER<<JUERGEN<")
    scripts = {p.native_name_lang.split("-")[0] for p in people}
    assert {"zh", "ru", "ar", "th", "ko", "ja", "hi", "bn", "fa", "el", "he", "ka", "hy", "am", "my", "km", "vi"} <= scripts


def test_every_role_has_a_demo_user_that_can_sign_in(reference_rows, client):
    _seed()
    demo_users = User.objects.filter(username__startswith="demo.")
    assert {r for u in demo_users for r in u.roles} == set(Role.values)
    for user in demo_users:
        assert user.check_password(DEFAULT_DEMO_PASSWORD), user.username
        assert user.agency is not None
        assert user.unit is not None
        assert user.unit.agency_id == user.agency_id
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        assert (totp is not None) is user.requires_mfa, user.username
        client.force_login(user)
        response = client.get("/")
        assert response.status_code == 200, (user.username, response.get("Location"))
        client.logout()


def test_mission_user_signs_in_with_password_and_the_printed_totp_code(reference_rows, client):
    _seed()
    response = client.post("/accounts/login/", {"login": "demo.kedubes.au", "password": DEFAULT_DEMO_PASSWORD})
    assert response.status_code == 302
    assert "/2fa/authenticate" in response["Location"]
    code, _ = current_totp(demo_totp_secret("demo.kedubes.au"))
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    response = client.get("/portal/")
    assert response.status_code == 200
    # The person register stays closed to an embassy: it reads what it is sent.
    assert client.get("/people/").status_code == 403


def test_demo_scopes_and_search(reference_rows):
    _seed()
    users = {u.username: u for u in User.objects.filter(username__startswith="demo.")}
    assert not person_list(actor=users["demo.kedubes.au"]).exists()
    assert not person_list(actor=users["demo.kedubes.jp"]).exists()
    everyone = person_list(actor=users["demo.konsuler"])
    assert everyone.count() == Person.objects.count()
    imigrasi = person_list(actor=users["demo.imigrasi"])
    assert 0 < imigrasi.count() < everyone.count()
    assert set(imigrasi.values_list("recorded_by_agency__code", flat=True)) == {"ditjen-imigrasi"}
    assert set(person_list(actor=users["demo.polri"]).values_list("recorded_by_agency__code", flat=True)) == {"polri"}
    assert set(person_list(actor=users["demo.lapas"]).values_list("recorded_by_agency__code", flat=True)) == {"ditjen-pas"}
    assert not person_list(actor=users["demo.analis"]).exists()
    assert [p.native_name for p in person_list(actor=users["demo.konsuler"], query="wang")] == ["王秀英"]
    assert [p.document_name for p in person_list(actor=users["demo.konsuler"], query="Иван")] == ["PETROV IVAN"]


def test_units_follow_reference_places(reference_rows):
    _seed()
    ngurah_rai = OrgUnit.objects.get(code="kanim-ngurah-rai")
    assert ngurah_rai.immigration_office.code == "KANIM-NGURAH-RAI"
    assert ngurah_rai.time_zone == "Asia/Makassar"
    assert OrgUnit.objects.get(code="kanim-jayapura").time_zone == "Asia/Jayapura"
    assert OrgUnit.objects.get(code="rudenim-jakarta").detention_centre.code == "RDN-JKT"
    embassy = Agency.objects.get(code="kedubes-aus").mission
    assert (embassy.country.code, embassy.mission_type, embassy.city) == ("AUS", "embassy", "Jakarta Selatan")


def test_demo_logins_prints_accounts_with_current_codes(reference_rows):
    _seed()
    out = io.StringIO()
    before, _ = current_totp(demo_totp_secret("demo.kedubes.au"))
    call_command("demo_logins", stdout=out)
    after, _ = current_totp(demo_totp_secret("demo.kedubes.au"))
    text = out.getvalue()
    for username in ("demo.imigrasi", "demo.supervisor", "demo.auditor", "demo.kedubes.jp", "demo.admin.kemlu"):
        assert username in text
    line = next(line for line in text.splitlines() if line.startswith("demo.kedubes.au "))
    assert "Mission officer" in line
    assert DEFAULT_DEMO_PASSWORD in line
    assert demo_totp_secret("demo.kedubes.au") in line
    assert re.search(r"\b\d{6}$", line).group(0) in {before, after}
    konsuler = next(line for line in text.splitlines() if line.startswith("demo.konsuler "))
    assert re.search(r"\s-\s+-$", konsuler)  # no 2FA needed: no secret, no code


def test_totp_secret_is_derived_from_the_username():
    secret = demo_totp_secret("demo.kedubes.au")
    assert len(secret) == 32
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert secret != demo_totp_secret("demo.kedubes.jp")


def test_demo_logins_without_demo_users_says_what_to_do():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("demo_logins", stdout=io.StringIO())


def test_missing_reference_rows_are_named(reference_rows):
    from jembatan.reference.models import ForeignMission

    ForeignMission.objects.filter(country__code="JPN").delete()
    with pytest.raises(CommandError, match="embassy of JPN"):
        _seed()
    assert not Person.objects.exists()


@override_settings(SETTINGS_MODULE="config.django.production")
def test_refuses_production_settings(reference_rows):
    with pytest.raises(CommandError, match="production"):
        _seed()
    assert not Person.objects.exists()


@pytest.mark.skipif("load_reference_data" not in get_commands(), reason="the reference loader is not installed yet")
def test_loads_reference_data_first_when_tables_are_empty():
    assert not Country.objects.exists()
    output = _seed()
    assert "running load_reference_data first" in output
    assert Person.objects.count() >= 40
    known = set(Country.objects.values_list("code", flat=True))
    for document in IdentityDocument.objects.all():
        mrz.parse(document.mrz, known_codes=known)
