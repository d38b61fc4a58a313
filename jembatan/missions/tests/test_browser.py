"""The registry in Debian's Chromium, as a protocol officer uses it: add a person with the
keyboard-friendly date boxes, fix errors from the summary, import a CSV file through the
preview, and find the rows; axe clean and no sideways scroll at 1280 and 390 px."""

from __future__ import annotations

import pytest

from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import TEST_PASSWORD, UserFactory
from jembatan.core.tests.browser import axe_violations, check_layouts
from jembatan.missions.models import AccreditedPerson
from jembatan.missions.tests.factories import AccreditedPersonFactory, embassy_of_australia
from jembatan.missions.tests.test_import import GOOD, badrow, csv_bytes
from jembatan.reference.models import ForeignMission
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server) -> None:
    UserFactory(username="protokol.kemlu", full_name="Petugas Protokol", roles=[Role.PROTOCOL_OFFICER.value])
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill("protokol.kemlu")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/")


def test_protocol_officer_adds_imports_and_finds(page, live_server, tmp_path):
    embassy_of_australia()
    for code in ("JPN", "SWE", "UNO"):
        CountryFactory(code=code)
    ForeignMissionFactory(country=CountryFactory(code="JPN"), sending_entity="Japan", name_id="Kedutaan Besar Jepang")
    ForeignMissionFactory(
        country=CountryFactory(code="JPN"),
        sending_entity="Japan",
        mission_type="consulate_general",
        city="Surabaya",
        name_id="KJRI Surabaya",
    )
    ForeignMissionFactory(
        country=None,
        sending_entity="UNHCR (UN Refugee Agency), Representation in Indonesia",
        mission_type=ForeignMission.MissionType.INTERNATIONAL_ORGANISATION,
        city="Jakarta",
    )
    AccreditedPersonFactory(surname="YAMAMOTO", given_names="HIROSHI", native_name="山本 博", native_name_lang="ja")
    _sign_in(page, live_server)

    # Add a person: the empty form first, errors summarised and linked to the fields.
    page.goto(f"{live_server.url}/missions/add/")
    assert page.locator("h1").inner_text() == "Tambah orang yang diakreditasi"
    assert axe_violations(page) == []
    page.get_by_role("button", name="Tambahkan ke registri").click()
    page.wait_for_load_state()
    assert page.title().startswith("Kesalahan: ")
    summary = page.locator(".jb-error-summary")
    assert "Masukkan nama keluarga sesuai paspor" in summary.inner_text()
    assert axe_violations(page) == []
    page.locator(".jb-error-summary a", has_text="Masukkan nama keluarga").click()
    assert page.evaluate("document.activeElement.id") == "id_surname"

    page.locator("#id_mission").select_option(label="Kedutaan Besar Australia")
    page.locator("#id_category").select_option("diplomatic_agent")
    page.locator("#id_surname").fill("O'CONNOR")
    page.locator("#id_given_names").fill("LIAM")
    page.locator("#id_birth_date").fill("7")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_birth_date_month"
    page.keyboard.type("9")
    page.keyboard.press("Tab")
    page.keyboard.type("1987")
    page.locator("#id_nationality").select_option(label="AUS – Australia")
    page.locator("#id_document_number").fill("DA 480 0001")
    page.locator("#id_document_issuing_state").select_option(label="AUS – Australia")
    page.get_by_role("button", name="Tambahkan ke registri").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "O'CONNOR LIAM"
    assert "Kekebalan penuh" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    check_layouts(page, "missions-detail")

    # Import: a file with a bad row is refused with the row and column; a good one is imported.
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(*GOOD, badrow(birth_date="14/05/1979")))
    page.goto(f"{live_server.url}/missions/import/")
    page.locator("#id_file").set_input_files(str(bad))
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_load_state()
    assert "4 baris siap, 1 baris bermasalah" in page.locator("#check-result").inner_text()
    assert page.locator("table tbody tr").first.locator("th").inner_text() == "6"
    assert axe_violations(page) == []
    check_layouts(page, "missions-import-problems")
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(*GOOD))
    page.locator("#id_file").set_input_files(str(good))
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Impor 4 baris").click()
    page.wait_for_url(f"{live_server.url}/missions/")
    assert "Impor selesai: 4 ditambahkan, 0 diperbarui, 0 tidak berubah." in page.locator("main").inner_text()
    assert AccreditedPerson.objects.count() == 6

    # Find by the native-script name.
    page.locator("#id_q").fill("山本")
    page.get_by_role("button", name="Terapkan filter").click()
    page.wait_for_load_state()
    assert page.locator("table tbody tr").count() == 1
    assert "YAMAMOTO HIROSHI" in page.locator("table tbody").inner_text()
    page.goto(f"{live_server.url}/missions/")
    assert axe_violations(page) == []
    check_layouts(page, "missions-list")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "skip-link"
