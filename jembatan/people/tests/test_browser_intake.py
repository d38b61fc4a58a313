"""The intake in Debian's Chromium: from the people list, paste or type the MRZ, read it,
check the filled form, save, land on the person's page; a second intake of the same
passport proposes the existing record; a bad check digit is summarised and focused. axe
clean and no sideways scroll at 1280 and 390 px on each page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import TEST_PASSWORD, AgencyFactory, UserFactory
from jembatan.core.tests.browser import axe_violations, check_layouts
from jembatan.people import mrz
from jembatan.people.models import Person
from jembatan.reference.tests.factories import CountryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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


def _sign_in(page, live_server) -> None:
    agency = AgencyFactory(code="t-imigrasi", kind=Agency.Kind.IMMIGRATION, name_id="Direktorat Jenderal Imigrasi")
    UserFactory(username="petugas.intake", roles=[Role.IMMIGRATION_OFFICER.value], agency=agency)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill("petugas.intake")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/")


def test_officer_reads_the_mrz_saves_and_meets_the_duplicate_guard(page, live_server):
    CountryFactory(code="RUS", name_en="Russian Federation", name_id="Rusia")
    CountryFactory(code="IDN", name_en="Indonesia", name_id="Indonesia")
    _sign_in(page, live_server)

    # From the list to the empty form: the cursor waits in the MRZ box.
    page.goto(f"{live_server.url}/people/")
    page.get_by_role("link", name="Tambah orang asing").click()
    page.wait_for_url(f"{live_server.url}/people/new/")
    assert page.locator("h1").inner_text() == "Tambah orang asing"
    assert page.evaluate("document.activeElement.id") == "id_mrz"
    assert axe_violations(page) == []
    check_layouts(page, "people-intake")

    # Type the MRZ, read it: the form fills itself.
    page.locator("#id_mrz").fill(PETROV_MRZ)
    page.get_by_role("button", name="Baca MRZ").click()
    page.wait_for_load_state()
    assert "isian terisi dari MRZ" in page.locator("#mrz-status").inner_text()
    assert page.locator("#id_surname").input_value() == "PETROV"
    assert page.locator("#id_given_names").input_value() == "IVAN"
    assert [page.locator(f"#id_birth_{p}").input_value() for p in ("day", "month", "year")] == ["14", "5", "1979"]
    assert page.locator("#id_nationality").input_value() == "RUS"
    assert page.locator("#id_sex").input_value() == "M"
    assert page.locator("#id_document_number").input_value() == "751234567"
    assert [page.locator(f"#id_expiry_{p}").input_value() for p in ("day", "month", "year")] == ["31", "1", "2030"]
    assert axe_violations(page) == []
    page.locator("#id_native_name").fill("Иван Петров")
    page.locator("#id_native_name_lang").select_option("ru")
    page.get_by_role("button", name="Simpan", exact=True).click()

    # The person's page with the success banner.
    page.wait_for_url(re.compile(rf"{live_server.url}/people/[0-9a-f-]{{36}}/$"))
    person = Person.objects.get()
    assert page.url.endswith(f"/people/{person.pk}/")
    assert page.locator("h1").inner_text() == "PETROV IVAN"
    assert "PETROV IVAN tercatat." in page.locator(".alert-success").inner_text()
    assert page.locator("bdi[lang=ru]").first.inner_text() == "Иван Петров"
    assert axe_violations(page) == []
    check_layouts(page, "people-detail-after-intake")

    # A second intake of the same passport, pasted: read at once, then the guard.
    page.goto(f"{live_server.url}/people/new/")
    page.locator("#id_mrz").fill(PETROV_MRZ)
    with page.expect_navigation():
        page.locator("#id_mrz").dispatch_event("paste")
    assert page.locator("#id_surname").input_value() == "PETROV"
    page.get_by_role("button", name="Simpan", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Kemungkinan data yang sudah ada"
    row = page.locator(f"#candidate-{person.pk}")
    assert "dokumen sama" in row.inner_text()
    assert "100%" in row.inner_text()
    assert axe_violations(page) == []
    check_layouts(page, "people-possible-duplicates")
    row.get_by_role("button", name=re.compile("Gunakan orang ini")).click()
    page.wait_for_url(f"{live_server.url}/people/{person.pk}/")
    assert "Anda menggunakan data PETROV IVAN yang sudah ada." in page.locator(".alert-success").inner_text()
    assert Person.objects.count() == 1


def test_a_bad_check_digit_is_summarised_and_focused(page, live_server):
    CountryFactory(code="RUS", name_en="Russian Federation", name_id="Rusia")
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/people/new/")
    lines = PETROV_MRZ.split("\n")
    bad = lines[1][:19] + str((int(lines[1][19]) + 1) % 10) + lines[1][20:]
    page.locator("#id_mrz").fill(lines[0] + "\n" + bad)
    page.locator("#id_surname").fill("DIKETIK")
    page.get_by_role("button", name="Baca MRZ").click()
    page.wait_for_load_state()
    summary = page.locator(".jb-error-summary")
    assert "MRZ, tanggal lahir: digit pemeriksa salah" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('jb-error-summary')")
    assert page.title().startswith("Kesalahan: ")
    assert page.locator("#id_surname").input_value() == "DIKETIK"
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_mrz"
    assert axe_violations(page) == []
    check_layouts(page, "people-intake-error")
    assert Person.objects.count() == 0
