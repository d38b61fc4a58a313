"""Fixtures of the case tests: agencies of every kind with their staff, reference rows,
a person, and the URLs with the case API mounted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from jembatan.accounts.models import Agency, ApiClient, OrgUnit
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory, OrgUnitFactory
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.models import LegalBasis
from jembatan.reference.tests.factories import CountryFactory, DetentionCentreFactory, ForeignMissionFactory


@pytest.fixture(autouse=True)
def _case_settings(settings, tmp_path):
    settings.ROOT_URLCONF = "jembatan.cases.tests.urls"
    settings.MEDIA_ROOT = tmp_path / "media"


def _basis(law: str, article: str, paragraph: str, kind: str, **extra: Any) -> LegalBasis:
    return LegalBasis.objects.create(
        law=law,
        article=article,
        paragraph=paragraph,
        kind=kind,
        summary_en=f"Art. {article} {kind}",
        summary_id=f"Pasal {article}",
        **extra,
    )


@pytest.fixture
def refs(db) -> SimpleNamespace:
    """Countries, two detention centres and legal bases of each kind (one no longer in force)."""
    for code in ("AUS", "JPN", "IDN", "UTO"):
        CountryFactory(code=code)
    return SimpleNamespace(
        denpasar=DetentionCentreFactory(code="RDN-DPS", name_id="Rudenim Denpasar", name_en="Denpasar IDC", time_zone="Asia/Makassar"),
        jayapura=DetentionCentreFactory(code="RDN-JAP", name_id="Rudenim Jayapura", name_en="Jayapura IDC", time_zone="Asia/Jayapura"),
        detention=_basis("UU 6/2011", "83", "(1)", "detention", valid_from=dt.date(2011, 5, 5)),
        tak=_basis("UU 6/2011", "75", "(2)", "administrative_action", valid_from=dt.date(2011, 5, 5)),
        crime=_basis("UU 6/2011", "113", "", "crime", valid_from=dt.date(2011, 5, 5)),
        old_crime=_basis("UU 9/1992", "48", "", "crime", valid_from=dt.date(1992, 3, 31), valid_to=dt.date(2011, 5, 4)),
        duration=_basis("UU 6/2011", "85", "", "duration_rule"),
    )


@dataclass
class Agencies:
    imm_a: Agency
    imm_b: Agency
    pas: Agency
    polri: Agency
    kemlu: Agency
    mission_aus: Agency
    mission_jpn: Agency
    unit_a: OrgUnit
    unit_b: OrgUnit


@pytest.fixture
def agencies(db, refs) -> Agencies:
    imm_a = AgencyFactory(code="imigrasi-a", kind=Agency.Kind.IMMIGRATION, name_id="Kanwil Imigrasi A", name_en="Immigration A")
    imm_b = AgencyFactory(code="imigrasi-b", kind=Agency.Kind.IMMIGRATION, name_id="Kanwil Imigrasi B", name_en="Immigration B")
    missions = {}
    for code in ("AUS", "JPN"):
        mission = ForeignMissionFactory(country=CountryFactory(code=code), sending_entity=f"State {code}")
        missions[code] = AgencyFactory(code=f"mission-{code.lower()}", kind=Agency.Kind.FOREIGN_MISSION, mission=mission)
    return Agencies(
        imm_a=imm_a,
        imm_b=imm_b,
        pas=AgencyFactory(code="pas", kind=Agency.Kind.CORRECTIONS, name_id="Ditjen PAS", name_en="Corrections"),
        polri=AgencyFactory(code="polri", kind=Agency.Kind.PARTNER_AGENCY, name_id="Polri", name_en="Police"),
        kemlu=AgencyFactory(code="kemlu", kind=Agency.Kind.FOREIGN_MINISTRY, name_id="Kemlu", name_en="Foreign ministry"),
        mission_aus=missions["AUS"],
        mission_jpn=missions["JPN"],
        unit_a=OrgUnitFactory(
            agency=imm_a, code="kanim-denpasar", name_id="Kanim Denpasar", name_en="Denpasar Office", time_zone="Asia/Makassar"
        ),
        unit_b=OrgUnitFactory(agency=imm_b, code="kanim-medan", name_id="Kanim Medan", name_en="Medan Office", time_zone="Asia/Jakarta"),
    )


@pytest.fixture
def officer(make_user, agencies):
    """An immigration officer of agency A, working in WITA."""
    return make_user(
        username="budi", full_name="Budi Santoso", roles=[Role.IMMIGRATION_OFFICER], agency=agencies.imm_a, unit=agencies.unit_a
    )


@pytest.fixture
def supervisor(make_user, agencies):
    return make_user(
        username="sari", full_name="Sari Dewi", roles=[Role.IMMIGRATION_SUPERVISOR], agency=agencies.imm_a, unit=agencies.unit_a
    )


@pytest.fixture
def protocol_officer(make_user, agencies):
    return make_user(username="protokol", full_name="Petugas Protokol", roles=[Role.PROTOCOL_OFFICER], agency=agencies.kemlu)


@pytest.fixture
def person(agencies):
    """An Australian recorded by agency A, with a passport."""
    someone = PersonFactory(
        surname="WALKER",
        given_names="JAMES",
        nationalities=["AUS"],
        recorded_by_agency=agencies.imm_a,
        birth_year=1985,
        birth_month=3,
        birth_day=14,
    )
    IdentityDocumentFactory(person=someone, number="PA1234567", issuing_state=CountryFactory(code="AUS"))
    return someone


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0, zone: str = "Asia/Makassar") -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def recently(hours: int = 3) -> dt.datetime:
    return timezone.now().replace(microsecond=0) - dt.timedelta(hours=hours)


@pytest.fixture
def detention_data(refs):
    """`detention_data(**overrides)`: the facts of a valid detention at Rudenim Denpasar."""

    def _data(**overrides: Any) -> dict[str, Any]:
        data = {
            "occurred_at": recently(),
            "detention_ground": "a",
            "detention_centre": refs.denpasar,
            "legal_basis": refs.detention,
            "summary": "Overstay of 70 days found at a Tim PORA check.",
            **rights_advice(),
        }
        data.update(overrides)
        return data

    return _data


# The consular rights advice a detention, arrest or imprisonment must carry (VCCR art.
# 36(1)(b)): informed two hours ago, in English, asked for the consulate to be notified.
RIGHTS_ADVICE: dict[str, Any] = {
    "rights_informed_at": timezone.now().replace(microsecond=0) - dt.timedelta(hours=2),
    "rights_language": "en",
    "rights_answer": "requested",
}


def rights_advice(**overrides: Any) -> dict[str, Any]:
    return {**RIGHTS_ADVICE, "rights_informed_at": recently(2), **overrides}


def api_client_for(agency: Agency, permissions: list[str]) -> tuple[ApiClient, str]:
    """An agency system's client and its bearer token."""
    token, prefix, token_hash = ApiClient.new_token()
    client = ApiClient.objects.create(
        agency=agency, name=f"system-{agency.code}", token_prefix=prefix, token_hash=token_hash, permissions=permissions
    )
    return client, token
