"""Test data for the traffic queries: agencies and their staff, reference rows, and
crossings and permits written with the ORM (`bulk_create`; the production write path is
the import pipeline's).

Use in a test module: `from jembatan.traffic.tests.query_support import tq_fixture  # noqa: F401`
and take the `tq` fixture.
"""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory, OrgUnitFactory
from jembatan.people.querysets import person_search_key
from jembatan.reference.models import Checkpoint, LegalBasis
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory
from jembatan.traffic.models import Crossing, ImportBatch, StayPermit

UTC = dt.UTC
WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
_keys = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 10, zone: ZoneInfo = WITA) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=zone)


def batch() -> ImportBatch:
    found = ImportBatch.objects.filter(file_sha256="test-queries").first()
    return found or ImportBatch.objects.create(kind="crossings", source="command", file_sha256="test-queries")


def crossing(
    document: str,
    when: dt.datetime,
    direction: str = "A",
    *,
    state: str = "AUS",
    nationality: str | None = None,
    surname: str = "WALKER",
    given_names: str = "JAMES",
    birth: tuple[int | None, int | None, int | None] = (1985, 3, 14),
    checkpoint: str = "DPS",
    permit_type: str = "visa_on_arrival",
    sex: str = "M",
    document_type: str = "P",
) -> Crossing:
    row = Crossing(
        source_key=f"t-{next(_keys)}",
        crossed_at=when,
        direction=direction,
        checkpoint_code=checkpoint,
        document_type=document_type,
        document_number=document,
        issuing_state=state,
        nationality=nationality or state,
        surname=surname,
        given_names=given_names,
        name_key=person_search_key(surname, given_names),
        birth_year=birth[0],
        birth_month=birth[1],
        birth_day=birth[2],
        sex=sex,
        permit_type=permit_type,
        batch=batch(),
    )
    Crossing.objects.bulk_create([row])
    return Crossing.objects.get(source_key=row.source_key)


def permit(
    document: str,
    issued_on: dt.date,
    expires_on: dt.date,
    *,
    state: str = "AUS",
    nationality: str | None = None,
    status: str = StayPermit.Status.ACTIVE,
    permit_type: str = "visa_on_arrival",
    surname: str = "WALKER",
    given_names: str = "JAMES",
    birth: tuple[int | None, int | None, int | None] = (1985, 3, 14),
    province: str = "Bali",
    number: str | None = None,
) -> StayPermit:
    key = next(_keys)
    return StayPermit.objects.create(
        source_key=f"p-{key}",
        permit_number=number or f"VOA{key:06d}",
        permit_type=permit_type,
        document_number=document,
        issuing_state=state,
        nationality=nationality or state,
        surname=surname,
        given_names=given_names,
        name_key=person_search_key(surname, given_names),
        birth_year=birth[0],
        birth_month=birth[1],
        birth_day=birth[2],
        issued_on=issued_on,
        expires_on=expires_on,
        province=province,
        status=status,
        batch=batch(),
    )


def _basis(article: str, paragraph: str, kind: str = "administrative_action") -> LegalBasis:
    return LegalBasis.objects.create(
        law="UU 6/2011",
        article=article,
        paragraph=paragraph,
        kind=kind,
        summary_en=f"Art. {article}{paragraph}",
        summary_id=f"Pasal {article}{paragraph}",
        valid_from=dt.date(2011, 5, 5),
    )


def ensure_default_overstay_rule() -> None:
    """The rule migration `cases.0002` inserts: a transactional test before this one (live
    server, worker processes) flushes the tables, migration data included."""
    import datetime as _dt

    from jembatan.cases.models import OverstayRule

    if not OverstayRule.objects.exists():
        OverstayRule.objects.create(valid_from=_dt.date(2019, 1, 1), threshold_days=60, at_threshold="charge", charge_per_day=1_000_000)


@pytest.fixture(name="tq")
def tq_fixture(db: Any, make_user: Any) -> SimpleNamespace:
    """Agencies (immigration, foreign ministry, the Australian embassy), their staff,
    countries, checkpoints in three zones and the legal bases of art. 78."""
    ensure_default_overstay_rule()
    for code in ("AUS", "JPN", "IDN", "CHN", "RUS", "EGY", "D", "DEU"):
        CountryFactory(code=code)
    from jembatan.reference.models import Country

    Country.objects.filter(code="D").update(kind="icao", iso_equivalent="DEU")
    Checkpoint.objects.create(
        code="DPS",
        kind="airport",
        city="Badung",
        province="Bali",
        time_zone="Asia/Makassar",
        name_id="Bandara Ngurah Rai",
        name_en="Ngurah Rai Airport",
    )
    Checkpoint.objects.create(
        code="CGK",
        kind="airport",
        city="Tangerang",
        province="Banten",
        time_zone="Asia/Jakarta",
        name_id="Bandara Soekarno-Hatta",
        name_en="Soekarno-Hatta Airport",
    )
    Checkpoint.objects.create(
        code="DJJ",
        kind="airport",
        city="Jayapura",
        province="Papua",
        time_zone="Asia/Jayapura",
        name_id="Bandara Sentani",
        name_en="Sentani Airport",
    )
    bases = SimpleNamespace(tak=_basis("75", "(2)"), charge=_basis("78", "(1)"), deport=_basis("78", "(3)"))
    imm = AgencyFactory(code="imigrasi", kind=Agency.Kind.IMMIGRATION, name_id="Ditjen Imigrasi", name_en="Immigration")
    kemlu = AgencyFactory(code="kemlu", kind=Agency.Kind.FOREIGN_MINISTRY, name_id="Kemlu", name_en="Foreign ministry")
    mission = AgencyFactory(
        code="mission-aus",
        kind=Agency.Kind.FOREIGN_MISSION,
        mission=ForeignMissionFactory(country=CountryFactory(code="AUS"), sending_entity="Australia"),
    )
    unit = OrgUnitFactory(agency=imm, code="kanim-dps", name_id="Kanim Denpasar", name_en="Denpasar Office", time_zone="Asia/Makassar")
    return SimpleNamespace(
        bases=bases,
        imm=imm,
        kemlu=kemlu,
        mission=mission,
        unit=unit,
        supervisor=make_user(username="sari", roles=[Role.IMMIGRATION_SUPERVISOR], agency=imm, unit=unit),
        officer=make_user(username="budi", roles=[Role.IMMIGRATION_OFFICER], agency=imm, unit=unit),
        consular=make_user(username="kons", roles=[Role.CONSULAR_OFFICER], agency=kemlu),
        analyst=make_user(username="ana", roles=[Role.ANALYST], agency=kemlu),
        mission_officer=make_user(username="emb", roles=[Role.MISSION_OFFICER], agency=mission),
    )
