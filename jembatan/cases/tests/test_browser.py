"""Recording a detention in Debian's Chromium: "Record a new detention" → person intake
(MRZ) → back to the detention form with the person → the case page with its history.
axe clean and no sideways scroll at 1280 and 390 px on every page of the journey."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import TEST_PASSWORD, AgencyFactory, OrgUnitFactory, UserFactory
from jembatan.cases.models import Case, CaseEvent
from jembatan.core.tests.browser import axe_violations, check_layouts
from jembatan.people import mrz
from jembatan.people.models import Person
from jembatan.people.tests.factories import PersonFactory
from jembatan.reference.models import LegalBasis
from jembatan.reference.tests.factories import CountryFactory, DetentionCentreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WALKER_MRZ = "\n".join(
    mrz.compose_td3(
        issuing_state="AUS",
        surname="WALKER",
        given_names="JAMES",
        document_number="PA1234567",
        nationality="AUS",
        birth_date=dt.date(1985, 3, 14),
        sex="M",
        expiry_date=dt.date(2031, 1, 31),
    )
)


def _setup(page, live_server) -> Agency:
    for code, en, id_ in (("AUS", "Australia", "Australia"), ("IDN", "Indonesia", "Indonesia")):
        CountryFactory(code=code, name_en=en, name_id=id_)
    DetentionCentreFactory(code="RDN-DPS", name_id="Rudenim Denpasar", name_en="Denpasar IDC", time_zone="Asia/Makassar")
    LegalBasis.objects.create(
        law="UU 6/2011",
        article="83",
        paragraph="(1)",
        kind="detention",
        summary_en="Grounds of detention",
        summary_id="Alasan pendetensian",
        valid_from=dt.date(2011, 5, 5),
    )
    agency = AgencyFactory(code="t-imigrasi", kind=Agency.Kind.IMMIGRATION, name_id="Kanwil Imigrasi Bali", name_en="Bali Immigration")
    unit = OrgUnitFactory(agency=agency, code="kanim-dps", name_id="Kanim Denpasar", name_en="Denpasar Office", time_zone="Asia/Makassar")
    UserFactory(username="petugas.detensi", full_name="Budi Santoso", roles=[Role.IMMIGRATION_OFFICER.value], agency=agency, unit=unit)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill("petugas.detensi")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/")
    return agency


def _check_page(page, name: str) -> None:
    assert axe_violations(page) == [], name
    check_layouts(page, name)


def test_officer_records_a_detention_from_the_list(page, live_server):
    agency = _setup(page, live_server)

    page.goto(f"{live_server.url}/cases/")
    assert page.locator("h1").inner_text() == "Kasus"
    assert "Belum ada kasus." in page.locator("main").inner_text()
    _check_page(page, "cases-list-empty")
    page.get_by_role("link", name="Catat penahanan baru").first.click()
    page.wait_for_url(re.compile(r".*/cases/new/\?kind=detention$"))
    _check_page(page, "cases-start-person")

    try:
        reverse("people:intake")
        has_intake = True
    except NoReverseMatch:
        has_intake = False
    if has_intake:
        # Through person intake: read the passport's MRZ, save, come back with the person.
        page.get_by_role("link", name="Cari atau catat orangnya").click()
        page.wait_for_url(re.compile(r".*/people/new/\?next=.*"))
        page.locator("#id_mrz").fill(WALKER_MRZ)
        page.get_by_role("button", name="Baca MRZ").click()
        page.wait_for_load_state()
        page.get_by_role("button", name="Simpan", exact=True).click()
    else:
        PersonFactory(surname="WALKER", given_names="JAMES", recorded_by_agency=agency)
        page.locator("#person-q").fill("walker")
        page.get_by_role("button", name="Cari").click()
        page.get_by_role("link", name="WALKER JAMES").click()
    page.wait_for_url(re.compile(r".*/cases/new/\?kind=detention&person=[0-9a-f-]{36}$"))
    person = Person.objects.get(surname="WALKER")

    # The detention form: the person, only the detention's fields, times in the place's zone.
    assert page.locator("h1").inner_text() == "Catat kasus: Pendetensian"
    assert "WALKER JAMES" in page.locator("main").inner_text()
    assert page.locator("[name=starts_on_0]").count() == 0
    _check_page(page, "cases-detention-form")

    # Submitting it empty: the error summary, focused, linking to the first field.
    page.get_by_role("button", name="Catat kasus").click()
    page.wait_for_load_state()
    assert page.title().startswith("Kesalahan: ")
    assert page.evaluate("document.activeElement.classList.contains('jb-error-summary')")
    page.locator(".jb-error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_occurred_date"
    _check_page(page, "cases-detention-form-errors")

    detained = timezone.localtime(timezone.now() - dt.timedelta(hours=2), dt.timezone(dt.timedelta(hours=8)))
    page.locator("#id_occurred_date").fill(str(detained.day))
    page.locator("#id_occurred_date_month").fill(str(detained.month))
    page.locator("#id_occurred_date_year").fill(str(detained.year))
    page.locator("#id_occurred_time").fill(detained.strftime("%H.%M"))
    page.locator("#id_detention_centre").select_option(label="Rudenim Denpasar (WITA)")
    page.get_by_label("(a) Tidak memiliki izin tinggal yang sah atau izin tinggal telah habis").check()
    page.locator("#id_legal_basis").select_option(index=1)
    page.locator("#id_summary").fill("Ditemukan saat operasi Tim PORA; izin tinggal habis 70 hari.")
    # Consular rights (VCCR art. 36(1)(b)): informed in English, asked for notification.
    page.locator("#id_rights_informed_date").fill(str(detained.day))
    page.locator("#id_rights_informed_date_month").fill(str(detained.month))
    page.locator("#id_rights_informed_date_year").fill(str(detained.year))
    page.locator("#id_rights_informed_time").fill(detained.strftime("%H.%M"))
    page.locator("#id_rights_language").select_option("en")
    page.locator("#id_rights_answer").check()
    page.get_by_role("button", name="Catat kasus").click()

    # The case page: facts, the zone of the place, and the first history entry.
    page.wait_for_url(re.compile(r".*/cases/[0-9a-f-]{36}/(#.*)?$"))
    case = Case.objects.get()
    assert (case.person, case.kind, case.time_zone) == (person, "detention", "Asia/Makassar")
    assert case.occurred_at == detained.replace(second=0, microsecond=0)
    assert case.events.get(kind=CaseEvent.Kind.CREATED).actor is not None
    assert case.rights_advice.get().answer == "requested"
    assert case.reference in page.locator("h1").inner_text()
    assert f"Kasus dicatat: {case.reference}." in page.locator(".alert-success").inner_text()
    history = page.locator("main").inner_text()
    assert "Riwayat tidak dapat diubah. Koreksi ditambahkan sebagai entri baru." in history
    assert "Kasus dicatat" in history
    assert "oleh Budi Santoso, Kanwil Imigrasi Bali" in history
    assert "WITA" in history
    _check_page(page, "cases-detail")

    # A note goes on top of the history.
    page.locator("#id_text").fill("Penerjemah bahasa Inggris sudah dihubungi.")
    page.get_by_role("button", name="Tambah catatan").click()
    page.wait_for_load_state()
    assert page.locator("#history-title ~ ol li").first.inner_text().startswith("Catatan")

    # And the list now shows it.
    page.goto(f"{live_server.url}/cases/")
    assert page.locator("#result-count").inner_text() == "1 kasus"
    assert case.reference in page.locator("table").inner_text()
    _check_page(page, "cases-list")
