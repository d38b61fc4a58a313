"""The CSV import, through the command and through the page: a good file loads, the same
file again changes nothing, and a file with any bad row writes nothing and says, by row
and column, what to correct (in both languages)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from jembatan.accounts.roles import Role
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.missions.choices import ImmunityLevel
from jembatan.missions.importing import COLUMN_NAMES, ImportRejected, accredited_import_apply, accredited_import_check
from jembatan.missions.models import AccreditedPerson, Category, ImmunityLevelSource
from jembatan.missions.tests.factories import AccreditedPersonFactory, embassy_of_australia
from jembatan.reference.models import ForeignMission
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def missions():
    for code in ("JPN", "SWE", "UNO", "IDN"):
        CountryFactory(code=code)
    aus = embassy_of_australia()
    jpn = ForeignMissionFactory(country=CountryFactory(code="JPN"), sending_entity="Japan", name_en="Embassy of Japan")
    ForeignMissionFactory(
        country=CountryFactory(code="JPN"),
        sending_entity="Japan",
        mission_type=ForeignMission.MissionType.CONSULATE_GENERAL,
        city="Surabaya",
        name_en="Consulate-General of Japan in Surabaya",
    )
    ForeignMissionFactory(
        country=CountryFactory(code="JPN"),
        sending_entity="Japan",
        mission_type=ForeignMission.MissionType.CONSULATE_GENERAL,
        city="Medan",
        name_en="Consulate-General of Japan in Medan",
    )
    unhcr = ForeignMissionFactory(
        country=None,
        sending_entity="UNHCR (UN Refugee Agency), Representation in Indonesia",
        mission_type=ForeignMission.MissionType.INTERNATIONAL_ORGANISATION,
        city="Jakarta",
        name_en="UNHCR",
    )
    return {"AUS": aus, "JPN": jpn, "UNHCR": unhcr}


def row(**cells: str) -> dict[str, str]:
    base = {
        "mission_country": "AUS",
        "category": "diplomatic_agent",
        "surname": "BRENNAN",
        "given_names": "SARAH LOUISE",
        "sex": "F",
        "birth_date": "1979-05-14",
        "nationality": "AUS",
        "document_type": "diplomatic_passport",
        "document_number": "DA4701123",
        "document_issuing_state": "AUS",
        "card_number": "KD-2024-00117",
        "card_valid_from": "2024-02-01",
        "card_valid_until": "2027-01-31",
    }
    return {**base, **cells}


def csv_bytes(*rows: dict[str, str], delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({name: r.get(name, "") for name in COLUMN_NAMES})
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


GOOD = (
    row(),
    row(
        category="family_diplomatic_agent",
        principal="KD-2024-00117",
        given_names="THOMAS JAMES",
        sex="M",
        birth_date="1977-11-02",
        document_number="DA4701124",
        card_number="KD-2024-00118",
    ),
    row(
        mission_country="JPN",
        mission_type="consulate_general",
        mission_city="surabaya",
        category="consular_officer",
        surname="NAKAMURA",
        given_names="AYAKA",
        native_name="中村 彩花",
        native_name_lang="ja",
        nationality="JPN",
        document_number="DJ2210983",
        document_issuing_state="JPN",
        card_number="KK-2025-00077",
    ),
    row(
        mission_country="",
        mission_organisation="unhcr (un refugee agency), representation in indonesia",
        category="io_official",
        surname="ERIKSSON",
        given_names="ANNA MARIA",
        nationality="SWE",
        document_type="laissez_passer",
        document_number="UN 004 8812",
        document_issuing_state="UNO",
        card_number="",
        card_valid_from="",
        card_valid_until="",
        immunity_level="full",
        is_active="yes",
    ),
)


def test_good_file_loads_everything(missions):
    plan = accredited_import_apply(actor=None, content=csv_bytes(*GOOD, bom=True), filename="registry.csv")
    assert (plan.created, plan.updated, plan.unchanged, plan.problems) == (4, 0, 0, [])
    sarah = AccreditedPerson.objects.get(card_number="KD-2024-00117")
    assert sarah.mission == missions["AUS"]
    assert sarah.birth_date == dt.date(1979, 5, 14)
    assert sarah.immunity_level == ImmunityLevel.FULL
    thomas = AccreditedPerson.objects.get(card_number="KD-2024-00118")
    assert thomas.principal == sarah  # principal named by card number earlier in the same file
    ayaka = AccreditedPerson.objects.get(surname="NAKAMURA")
    assert ayaka.mission.city == "Surabaya"
    assert ayaka.native_name == "中村 彩花"
    assert ayaka.immunity_level == ImmunityLevel.OFFICIAL_ACTS
    anna = AccreditedPerson.objects.get(surname="ERIKSSON")
    assert anna.mission == missions["UNHCR"]
    assert anna.document_number_normalised == "UN0048812"
    assert (anna.immunity_level, anna.immunity_level_source) == (ImmunityLevel.FULL, ImmunityLevelSource.PROTOCOL)
    imported = AuditEvent.objects.get(action=AuditAction.ACCREDITED_PERSON_IMPORTED)
    assert imported.data["created"] == 4
    assert imported.data["filename"] == "registry.csv"
    assert len(imported.data["sha256"]) == 64
    assert AuditEvent.objects.filter(action=AuditAction.ACCREDITED_PERSON_CREATED).count() == 4


def test_reimport_adds_nothing_and_changes_update(missions):
    accredited_import_apply(actor=None, content=csv_bytes(*GOOD), filename="a.csv")
    versions = sum(p.history.count() for p in AccreditedPerson.objects.all())
    plan = accredited_import_apply(actor=None, content=csv_bytes(*GOOD), filename="a.csv")
    assert (plan.created, plan.updated, plan.unchanged) == (0, 0, 4)
    assert AccreditedPerson.objects.count() == 4
    assert sum(p.history.count() for p in AccreditedPerson.objects.all()) == versions
    assert not AuditEvent.objects.filter(action=AuditAction.ACCREDITED_PERSON_UPDATED).exists()
    # A new card validity updates the row found by its card number.
    changed = (row(card_valid_until="2028-01-31"), *GOOD[1:])
    plan = accredited_import_apply(actor=None, content=csv_bytes(*changed), filename="b.csv")
    assert (plan.created, plan.updated, plan.unchanged) == (0, 1, 3)
    assert AccreditedPerson.objects.get(card_number="KD-2024-00117").card_valid_until == dt.date(2028, 1, 31)
    # A row without a card number is found by its document: the UNHCR official gets a card.
    carded = (*changed[:3], {**GOOD[3], "card_number": "KO-2026-00001"})
    plan = accredited_import_apply(actor=None, content=csv_bytes(*carded), filename="c.csv")
    assert (plan.created, plan.updated) == (0, 1)
    assert AccreditedPerson.objects.get(surname="ERIKSSON").card_number == "KO-2026-00001"


def test_semicolon_file_from_indonesian_excel(missions):
    plan = accredited_import_apply(actor=None, content=csv_bytes(*GOOD, delimiter=";", bom=True), filename="excel.csv")
    assert plan.created == 4


def badrow(**cells: str) -> dict[str, str]:
    """A sixth person (own card and passport) with one problem."""
    return row(**{"card_number": "KD-BAD-1", "document_number": "DB0000001", **cells})


BAD_ROWS = [
    (badrow(birth_date="14/05/1979"), "birth_date", "Enter the date as YYYY-MM-DD, for example 1984-03-27"),
    (badrow(category="ambassador"), "category", "ambassador is not a code of column category. Use one of:"),
    (badrow(nationality="XYZ"), "nationality", "XYZ is not a country code Jembatan knows."),
    (badrow(surname=""), "surname", "Enter the surname as in the passport"),
    (badrow(mission_country="", mission_organisation=""), "mission_country", "Enter mission_country"),
    (badrow(mission_country="JPN", mission_type="consulate_general"), "mission_city", "More than one mission matches."),
    (
        badrow(category="family_diplomatic_agent", principal=""),
        "principal",
        "Enter the card number (or document number) of the staff member",
    ),
    (badrow(category="family_diplomatic_agent", principal="KD-9999"), "principal", "No staff member with card or document number KD-9999"),
    (
        badrow(card_valid_from="2027-01-01", card_valid_until="2026-01-01"),
        "card_valid_until",
        "The card's end date must be the same as or after its start date",
    ),
    (
        badrow(card_number="", document_number=""),
        "card_number",
        "Enter a card_number, or a document_number with its document_issuing_state",
    ),
    (badrow(is_active="maybe"), "is_active", "Enter yes or no"),
    (badrow(immunity_level="partial"), "immunity_level", "partial is not a code of column immunity_level"),
]


@pytest.mark.parametrize(("bad", "column", "message"), BAD_ROWS, ids=[b[1] for b in BAD_ROWS])
def test_one_bad_row_writes_nothing_and_says_where(missions, bad, column, message):
    content = csv_bytes(*GOOD, bad)
    plan = accredited_import_check(actor=None, content=content, filename="x.csv")
    assert not plan.ok
    problem = next(p for p in plan.problems if p.row == 6)  # header is row 1, the bad row is the fifth data row
    assert problem.column == column
    assert message in problem.message_in("en")
    assert problem.message_in("id") != problem.message_in("en")  # said in Indonesian too
    assert (plan.rows_ready, plan.rows_with_problems) == (4, 1)
    with pytest.raises(ImportRejected) as rejected:
        accredited_import_apply(actor=None, content=content, filename="x.csv")
    assert rejected.value.plan.problems == plan.problems
    assert not AccreditedPerson.objects.exists()
    assert not AuditEvent.objects.filter(
        action__in=[AuditAction.ACCREDITED_PERSON_CREATED, AuditAction.ACCREDITED_PERSON_IMPORTED]
    ).exists()


def test_registry_rules_are_applied_by_the_check(missions):
    AccreditedPersonFactory(card_number="KD-OTHER", document_number="DA4701123")
    plan = accredited_import_check(actor=None, content=csv_bytes(row()), filename="x.csv")
    assert [(p.row, p.column) for p in plan.problems] == [(2, "document_number")]
    assert "Another person in the registry already has this document" in plan.problems[0].message_in("en")
    assert AccreditedPerson.objects.count() == 1


def test_duplicate_rows_and_missing_columns():
    plan = accredited_import_check(actor=None, content=csv_bytes(row(), row()), filename="x.csv")
    assert any(p.row == 3 and p.column == "card_number" and "Row 2 has the same person" in p.message_in("en") for p in plan.problems)
    plan = accredited_import_check(actor=None, content=b"surname,nationalty\nX,AUS\n", filename="x.csv")
    assert {(p.row, p.column) for p in plan.problems} == {(1, "category"), (1, "nationality"), (1, "nationalty")}
    assert plan.rows_ready == 0
    plan = accredited_import_check(actor=None, content="surname\n".encode("utf-16"), filename="x.csv")
    assert "CSV UTF-8" in plan.problems[0].message_in("en")


def test_sample_file_in_the_docs_is_valid(missions):
    """docs/samples/accredited_persons.csv names missions of the real reference data; here the
    test creates those missions, then the file loads."""
    for code, name in (("DEU", "Germany"), ("NZL", "New Zealand"), ("KOR", "South Korea"), ("NLD", "Netherlands"), ("SGP", "Singapore")):
        ForeignMissionFactory(country=CountryFactory(code=code), sending_entity=name)
    CountryFactory(code="D", kind="icao", iso_equivalent="DEU")
    for code in ("FRA", "EUE"):
        CountryFactory(code=code)
    ForeignMissionFactory(country=CountryFactory(code="SGP"), sending_entity="Singapore", mission_type="consulate_general", city="Batam")
    ForeignMissionFactory(country=CountryFactory(code="NLD"), sending_entity="Netherlands", mission_type="honorary_consulate", city="Bali")
    ForeignMissionFactory(country=None, sending_entity="European Union", mission_type="international_organisation", city="Jakarta Pusat")
    content = (ROOT / "docs" / "samples" / "accredited_persons.csv").read_bytes()
    plan = accredited_import_apply(actor=None, content=content, filename="accredited_persons.csv")
    assert plan.problems == []
    assert plan.created == 8
    wagner = AccreditedPerson.objects.get(card_number="KD-2025-90002")
    assert wagner.principal.card_number == "KD-2025-90001"
    assert AccreditedPerson.objects.get(card_number="KD-2021-90008").is_active is False


# --- the command -------------------------------------------------------------------------


def test_command_imports_and_reimports(missions, tmp_path, capsys):
    path = tmp_path / "registry.csv"
    path.write_bytes(csv_bytes(*GOOD))
    call_command("import_accredited", str(path))
    assert "added 4" in capsys.readouterr().out
    call_command("import_accredited", str(path))
    assert "added 0, updated 0, unchanged 4" in capsys.readouterr().out
    assert AccreditedPerson.objects.count() == 4


def test_command_reports_bad_rows_in_both_languages_and_writes_nothing(missions, tmp_path, capsys):
    path = tmp_path / "registry.csv"
    path.write_bytes(csv_bytes(*GOOD, badrow(birth_date="1979-13-01")))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_accredited", str(path))
    err = capsys.readouterr().err
    assert "row 6, column birth_date: Enter the date as YYYY-MM-DD, for example 1984-03-27 / Masukkan tanggal" in err
    assert not AccreditedPerson.objects.exists()


def test_command_check_only_writes_nothing(missions, tmp_path, capsys, make_user):
    protocol = make_user(roles=[Role.PROTOCOL_OFFICER], username="protokol1")
    path = tmp_path / "registry.csv"
    path.write_bytes(csv_bytes(*GOOD))
    call_command("import_accredited", str(path), "--check", "--user", "protokol1")
    assert "would add 4" in capsys.readouterr().out
    assert not AccreditedPerson.objects.exists()
    call_command("import_accredited", str(path), "--user", "protokol1")
    assert AuditEvent.objects.get(action=AuditAction.ACCREDITED_PERSON_IMPORTED).actor == protocol


# --- the page ----------------------------------------------------------------------------


@pytest.fixture
def protocol(make_user):
    return make_user(roles=[Role.PROTOCOL_OFFICER])


def upload(client, content: bytes, name: str = "registry.csv", language: str = "en"):
    client.cookies["django_language"] = language
    return client.post("/missions/import/", {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def test_page_preview_then_import(client, login, protocol, missions):
    login(protocol)
    client.cookies["django_language"] = "en"
    page = client.get("/missions/import/").content.decode()
    assert "Upload and check" in page
    assert (
        '<dt class="col-sm-5"><code>family_diplomatic_agent</code></dt><dd class="col-sm-7">Family member of a diplomatic agent</dd>'
        in page
    )
    html = upload(client, csv_bytes(*GOOD)).content.decode()
    assert "4 rows ready to import, 0 rows with problems" in html
    assert "Importing will add 4, update 0 and leave 0 unchanged." in html
    assert not AccreditedPerson.objects.exists()  # the check writes nothing
    token = re.search(r'name="token" value="([0-9a-f]{64})"', html).group(1)
    response = client.post("/missions/import/confirm/", {"token": token})
    assert response.status_code == 302
    assert response["Location"] == "/missions/"
    assert AccreditedPerson.objects.count() == 4
    assert "Import finished: 4 added, 0 updated, 0 unchanged." in client.get("/missions/").content.decode()
    # The same confirmation again: the checked file is gone, nothing is imported twice.
    again = client.post("/missions/import/confirm/", {"token": token})
    assert again["Location"] == "/missions/import/"
    assert AccreditedPerson.objects.count() == 4


def test_page_reports_bad_rows_and_offers_no_import(client, login, protocol, missions):
    login(protocol)
    html = upload(client, csv_bytes(*GOOD, badrow(birth_date="14/05/1979"))).content.decode()
    assert "4 rows ready, 1 row with problems" in html
    assert "Nothing has been imported." in html
    assert re.search(r'<th scope="row" class="num">6</th>\s*<td><code>birth_date</code></td>\s*<td>Enter the date as YYYY-MM-DD', html)
    assert 'name="token"' not in html
    assert "<title>Error: Import accredited persons – Jembatan</title>" in html
    assert not AccreditedPerson.objects.exists()
    html = upload(client, csv_bytes(*GOOD, badrow(birth_date="14/05/1979")), language="id").content.decode()
    assert "4 baris siap, 1 baris bermasalah" in html
    assert "Masukkan tanggal dengan format TTTT-BB-HH" in html


def test_page_confirm_checks_the_file_again(client, login, protocol, missions):
    """Between the check and the confirmation someone took a card number: nothing is imported."""
    login(protocol)
    html = upload(client, csv_bytes(*GOOD)).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{64})"', html).group(1)
    AccreditedPersonFactory(card_number="KO-1", document_number="DJ2210983", document_issuing_state=CountryFactory(code="JPN"))
    response = client.post("/missions/import/confirm/", {"token": token})
    assert response.status_code == 200
    assert "row with problems" in response.content.decode()
    assert AccreditedPerson.objects.count() == 1
    # A token the server did not issue imports nothing.
    forged = client.post("/missions/import/confirm/", {"token": "0" * 64})
    assert forged["Location"] == "/missions/import/"


def test_page_upload_errors(client, login, protocol):
    login(protocol)
    client.cookies["django_language"] = "en"
    html = client.post("/missions/import/", {}).content.decode()
    assert "There is a problem" in html
    assert 'href="#id_file">Select a CSV file' in html
    html = upload(client, b"a,b\n", name="registry.xlsx").content.decode()
    assert "The selected file must be a CSV file" in html


def test_import_needs_the_manage_capability(client, login, make_user, missions):
    supervisor = make_user(roles=[Role.IMMIGRATION_SUPERVISOR])  # may view the registry, not change it
    login(supervisor)
    assert client.get("/missions/import/").status_code == 403
    assert upload(client, csv_bytes(*GOOD)).status_code == 403
    assert client.post("/missions/import/confirm/", {"token": "0" * 64}).status_code == 403
    assert client.get("/missions/import/template.csv").status_code == 403
    assert not AccreditedPerson.objects.exists()


def test_template_download(client, login, protocol):
    login(protocol)
    response = client.get("/missions/import/template.csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert text.strip("\ufeff\r\n").split(",") == list(COLUMN_NAMES)
    assert Category.DIPLOMATIC_AGENT.value == "diplomatic_agent"
