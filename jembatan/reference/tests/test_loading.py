"""`load_reference_data`: counts, names, idempotency, corrections kept, bad files refused."""

from __future__ import annotations

import datetime as dt
import io
import re

import pycountry
import pytest
from django.core.management import CommandError, call_command

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.reference.models import Checkpoint, Country, DetentionCentre, ForeignMission, ImmigrationOffice, LegalBasis
from jembatan.reference.services import reference_data_load
from jembatan.reference.services.naming import REQUIRED_ICAO_CODES
from jembatan.reference.tests.conftest import DATA_DIR, read_rows, write_rows

pytestmark = pytest.mark.django_db

HISTORY_MODELS = (Country, ImmigrationOffice, DetentionCentre, Checkpoint, ForeignMission, LegalBasis)


def _history_total() -> int:
    return sum(m.history.count() for m in HISTORY_MODELS)


def test_full_load_counts_names_and_second_run_changes_nothing(settings):
    settings.REFERENCE_DATA_DIR = str(DATA_DIR)

    # when: the command runs on the shipped data
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)

    # then: every table has its rows
    iso_count = len(pycountry.countries)
    assert iso_count >= 249
    assert Country.objects.filter(kind=Country.Kind.ISO).count() == iso_count
    assert Country.objects.filter(kind=Country.Kind.ICAO).count() == 30
    assert ImmigrationOffice.objects.count() == 143
    assert DetentionCentre.objects.count() == 13
    assert Checkpoint.objects.count() == 88
    assert ForeignMission.objects.count() == 194
    assert LegalBasis.objects.count() == 51
    assert re.search(r"detention_centres\s+13 created,\s+0 updated,\s+0 unchanged,\s+0 skipped", out.getvalue())

    # Indonesian names from pycountry's catalogue, with the official overrides
    japan = Country.objects.get(code="JPN")
    assert (japan.name_id, japan.name_en, japan.alpha2, japan.numeric) == ("Jepang", "Japan", "JP", "392")
    assert japan.source == f"ISO 3166-1 via pycountry {pycountry.__version__}"
    assert Country.objects.get(code="TLS").name_id == "Timor-Leste"
    assert Country.objects.get(code="CHN").name_id == "Tiongkok"
    for code in REQUIRED_ICAO_CODES:
        assert Country.objects.get(code=code).kind == Country.Kind.ICAO
    germany_icao = Country.objects.get(code="D")
    assert germany_icao.iso_equivalent == "DEU"
    assert germany_icao.name_id.startswith("Jerman")
    assert Country.objects.get(code="RKS").confidence == "medium"

    # English names built from the Indonesian ones, and the reverse for checkpoints
    aceh = ImmigrationOffice.objects.get(code="KANIM-BANDA-ACEH")
    assert aceh.name_en == "Banda Aceh Immigration Office (Class I TPI)"
    assert (aceh.office_class, aceh.time_zone, aceh.province) == ("I TPI", "Asia/Jakarta", "Aceh")
    new_office = ImmigrationOffice.objects.get(code="KANIM-BANTAENG")
    assert (new_office.name_id, new_office.office_class, new_office.valid_from) == ("Kantor Imigrasi Bantaeng", "", dt.date(2026, 1, 26))
    assert DetentionCentre.objects.get(code="RDN-MDN").name_en == "Medan Immigration Detention Centre"
    assert DetentionCentre.objects.get(code="RDN-DJJ").time_zone == "Asia/Jayapura"
    cgk = Checkpoint.objects.get(code="CGK")
    assert (cgk.name_id, cgk.name_en, cgk.kind) == (
        "Bandar Udara Internasional Soekarno-Hatta",
        "Soekarno-Hatta International Airport",
        "airport",
    )

    # missions: country link, bilingual names, residence, consular district
    embassy = ForeignMission.objects.get(sending_entity="Japan", mission_type="embassy")
    assert (embassy.country, embassy.name_en, embassy.name_id) == (japan, "Embassy of Japan", "Kedutaan Besar Jepang")
    cg = ForeignMission.objects.get(sending_entity="Japan", mission_type="consulate_general", city="Surabaya")
    assert cg.name_id == "Konsulat Jenderal Jepang di Surabaya"
    assert cg.consular_district.startswith("District per Wikidata")
    benin = ForeignMission.objects.get(sending_entity="Benin")
    assert benin.is_resident is False
    assert benin.province.startswith("Outside Indonesia")
    assert ForeignMission.objects.filter(is_resident=False).count() == 44
    assert ForeignMission.objects.get(sending_entity="European Union").country is None

    # legal bases: the superseded and amended wordings of Art. 97 and 102 are dated
    original = LegalBasis.objects.get(law="UU 6/2011 (original text, superseded)", article="97")
    amended = LegalBasis.objects.get(law="UU 6/2011 as amended by UU 63/2024", article="97")
    assert (original.valid_from, original.valid_to) == (None, dt.date(2024, 10, 16))
    assert (amended.valid_from, amended.valid_to) == (dt.date(2024, 10, 17), None)
    assert LegalBasis.objects.filter(valid_from__isnull=True, valid_to__isnull=True).count() == 47

    history_after_first = _history_total()

    # when: it runs again
    report = reference_data_load()

    # then: nothing is created or changed, and no new history is written
    assert report.ok
    for table, counts in report.tables.items():
        assert (counts.created, counts.updated, counts.skipped, counts.refused) == (0, 0, 0, 0), table
    assert report.tables["missions"].unchanged == 194
    assert report.tables["countries"].unchanged == iso_count + 30
    assert _history_total() == history_after_first

    # and each run wrote one audit event with its counts
    events = list(AuditEvent.objects.filter(action=AuditAction.REFERENCE_LOADED).order_by("id"))
    assert len(events) == 2
    assert events[0].data["tables"]["detention_centres"]["created"] == 13
    assert events[1].data["tables"]["detention_centres"] == {"created": 0, "updated": 0, "unchanged": 13, "skipped": 0, "refused": 0}
    assert events[1].actor is None
    assert events[1].actor_label == "system"


def test_in_force_picks_the_amended_article_today_and_the_original_in_2020(load_tables):
    load_tables("legal_bases")

    today = LegalBasis.objects.filter(article="97").in_force()
    in_2020 = LegalBasis.objects.filter(article="97").in_force(dt.date(2020, 6, 1))

    assert [b.law for b in today] == ["UU 6/2011 as amended by UU 63/2024"]
    assert [b.law for b in in_2020] == ["UU 6/2011 (original text, superseded)"]
    # On the day UU 63/2024 was signed the new wording applies; the day before, the old one.
    assert [b.law for b in LegalBasis.objects.filter(article="102").in_force(dt.date(2024, 10, 17))] == [
        "UU 6/2011 as amended by UU 63/2024"
    ]
    assert [b.law for b in LegalBasis.objects.filter(article="102").in_force(dt.date(2024, 10, 16))] == [
        "UU 6/2011 (original text, superseded)"
    ]
    # Articles untouched by the amendment are in force on both dates.
    assert LegalBasis.objects.filter(article="75").in_force(dt.date(2020, 6, 1)).count() == 3


def test_locally_corrected_row_survives_reload_and_others_are_restored(load_tables):
    load_tables("detention_centres")
    corrected = DetentionCentre.objects.get(code="RDN-MDN")
    corrected.name_en = "Medan Detention Centre (corrected)"
    corrected.locally_corrected = True
    corrected.save()
    drifted = DetentionCentre.objects.get(code="RDN-SBY")
    drifted.city = "Sidoarjo"
    drifted.save()

    report = load_tables("detention_centres")

    counts = report.tables["detention_centres"]
    assert (counts.created, counts.updated, counts.unchanged, counts.skipped) == (0, 1, 11, 1)
    corrected.refresh_from_db()
    assert corrected.name_en == "Medan Detention Centre (corrected)"
    assert corrected.locally_corrected is True
    drifted.refresh_from_db()
    assert drifted.city == "Surabaya"
    assert drifted.history.first().history_change_reason == "Loaded from immigration_detention_centres.csv"


def test_a_changed_csv_row_updates_only_that_row(load_tables, data_copy):
    directory = data_copy("immigration_checkpoints.csv")
    load_tables("checkpoints", data_dir=directory)
    header, rows = read_rows("immigration_checkpoints.csv")
    for row in rows:
        if row["code"] == "LND-OPL":
            row["confidence"] = "medium"
    write_rows(directory, "immigration_checkpoints.csv", header, rows)

    report = load_tables("checkpoints", data_dir=directory)

    assert report.tables["checkpoints"].updated == 1
    assert report.tables["checkpoints"].unchanged == 87
    assert Checkpoint.objects.get(code="LND-OPL").confidence == "medium"


def test_a_bad_file_is_refused_whole_with_file_row_and_reason(settings, tmp_path, data_copy):
    # given: a detention-centre file whose 2nd and 4th data rows are wrong, and a good checkpoint file
    header, rows = read_rows("immigration_detention_centres.csv")
    rows[1]["iana_tz"] = "Asia/Tokyo"
    rows[3]["code"] = ""
    write_rows(tmp_path, "immigration_detention_centres.csv", header, rows)
    header, rows = read_rows("foreign_missions_in_indonesia.csv")
    rows[0]["mission_type"] = "legation"
    write_rows(tmp_path, "foreign_missions_in_indonesia.csv", header, rows)
    data_copy("immigration_checkpoints.csv", "icao_special_codes.csv")
    settings.REFERENCE_DATA_DIR = str(tmp_path)

    # when
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "load_reference_data",
            "--table=countries",
            "--table=detention_centres",
            "--table=checkpoints",
            "--table=missions",
            stdout=io.StringIO(),
            stderr=err,
        )

    # then: the problems name file, row (header = row 1) and reason
    messages = err.getvalue()
    assert "immigration_detention_centres.csv, row 3: unknown time zone 'Asia/Tokyo' in iana_tz" in messages
    assert "immigration_detention_centres.csv, row 5: code is empty" in messages
    assert "foreign_missions_in_indonesia.csv, row 2: unknown mission type 'legation'" in messages
    assert "immigration_detention_centres.csv" in str(refused.value)
    # nothing from the refused files was written, not even their good rows
    assert DetentionCentre.objects.count() == 0
    assert ForeignMission.objects.count() == 0
    # the good files of the same run were loaded
    assert Checkpoint.objects.count() == 88
    assert Country.objects.filter(code="JPN").exists()
    event = AuditEvent.objects.filter(action=AuditAction.REFERENCE_LOADED).get()
    assert set(event.data["refused_files"]) == {"immigration_detention_centres.csv", "foreign_missions_in_indonesia.csv"}
    assert event.data["tables"]["detention_centres"]["refused"] == 13


def test_file_level_problems_are_reported(tmp_path):
    (tmp_path / "legal_bases.csv").write_text("law,article\nUU 6/2011,75\n", encoding="utf-8")
    (tmp_path / "immigration_offices.csv").write_bytes(b"code,name_id\n\xff\xfe\n")

    report = reference_data_load(data_dir=tmp_path, tables=["legal_bases", "immigration_offices", "detention_centres"])

    problems = {str(p) for p in report.problems}
    assert (
        "legal_bases.csv: missing column(s) in the header row: paragraph, kind, summary_en, summary_id, max_penalty, source, confidence"
        in problems
    )
    assert any(p.startswith("immigration_offices.csv: not UTF-8 text") for p in problems)
    assert "immigration_detention_centres.csv: file not found" in problems
    assert not report.ok
    assert LegalBasis.objects.count() == 0


def test_duplicate_natural_keys_are_refused(tmp_path):
    header, rows = read_rows("legal_bases.csv")
    write_rows(tmp_path, "legal_bases.csv", header, [rows[0], rows[1], rows[0]])

    report = reference_data_load(data_dir=tmp_path, tables=["legal_bases"])

    assert [str(p) for p in report.problems] == ["legal_bases.csv, row 4: duplicates row 2 (UU 6/2011 / 75 / (1))"]
    assert LegalBasis.objects.count() == 0


def test_required_icao_codes_exist_even_when_the_file_lacks_them(tmp_path):
    header, rows = read_rows("icao_special_codes.csv")
    write_rows(tmp_path, "icao_special_codes.csv", header, [r for r in rows if r["code"] == "GBD"])

    report = reference_data_load(data_dir=tmp_path, tables=["countries"])

    assert report.ok
    for code in ("XXA", "XXB", "XXC", "XXX", "UTO", "D", "EUE", "UNO"):
        row = Country.objects.get(code=code)
        assert row.kind == Country.Kind.ICAO
        assert "built into Jembatan" in row.source
    assert Country.objects.get(code="D").iso_equivalent == "DEU"
    assert Country.objects.get(code="XXA").name_id == "Orang tanpa kewarganegaraan (Konvensi 1954)"
    assert Country.objects.get(code="GBD").iso_equivalent == "GBR"
    # A second run finds them present and creates nothing.
    again = reference_data_load(data_dir=tmp_path, tables=["countries"])
    assert again.tables["countries"].created == 0


def test_icao_row_that_is_an_iso_code_is_refused(tmp_path):
    header, rows = read_rows("icao_special_codes.csv")
    rows[5]["code"] = "JPN"
    write_rows(tmp_path, "icao_special_codes.csv", header, rows)

    report = reference_data_load(data_dir=tmp_path, tables=["countries"])

    assert [str(p) for p in report.problems] == [
        "icao_special_codes.csv, row 7: code JPN is an ISO 3166-1 country code; the ISO row already covers it"
    ]
    # the ISO part (pycountry) loaded; the ICAO file did not, only the built-in required codes
    assert Country.objects.get(code="JPN").kind == Country.Kind.ISO
    assert not Country.objects.filter(code="GBD").exists()
    assert Country.objects.filter(code="XXA").exists()


def test_mission_with_unknown_country_code_is_refused(tmp_path, load_tables):
    load_tables("countries")
    header, rows = read_rows("foreign_missions_in_indonesia.csv")
    rows[2]["country_iso3"] = "QQQ"
    write_rows(tmp_path, "foreign_missions_in_indonesia.csv", header, rows)

    report = reference_data_load(data_dir=tmp_path, tables=["missions"])

    assert [str(p) for p in report.problems] == ["foreign_missions_in_indonesia.csv, row 4: unknown country code 'QQQ' in country_iso3"]
    assert ForeignMission.objects.count() == 0
