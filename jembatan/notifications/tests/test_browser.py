"""The consular desk in Debian's Chromium: inbox → notification → review and send →
dispatched, axe clean and no sideways scroll at 1280 and 390 px on every page; then the
KPI page and the case page's consular section."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import TEST_PASSWORD, AgencyFactory, OrgUnitFactory, UserFactory
from jembatan.cases.tests.factories import CaseFactory
from jembatan.core.tests.browser import axe_violations, check_layouts
from jembatan.notifications.models import NotificationStatus
from jembatan.notifications.tests.factories import AccessRequestFactory, MissionContactFactory, NotificationFactory, RightsAdviceFactory
from jembatan.people.tests.factories import PersonFactory
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _check(page, name: str) -> None:
    assert axe_violations(page) == [], name
    check_layouts(page, name)


def _login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/")


def test_desk_dispatches_from_the_inbox(page, live_server):
    aus = CountryFactory(code="AUS", name_en="Australia", name_id="Australia")
    embassy = ForeignMissionFactory(
        country=aus, sending_entity="Australia", name_en="Embassy of Australia", name_id="Kedutaan Besar Australia"
    )
    MissionContactFactory(mission=embassy, email="consular@aus.example")
    imm = AgencyFactory(code="b-imigrasi", kind=Agency.Kind.IMMIGRATION, name_id="Kanwil Imigrasi Bali", name_en="Bali Immigration")
    unit = OrgUnitFactory(agency=imm, code="b-kanim-dps", name_id="Kanim Denpasar", name_en="Denpasar Office", time_zone="Asia/Makassar")
    kemlu = AgencyFactory(code="b-kemlu", kind=Agency.Kind.FOREIGN_MINISTRY, name_id="Kemlu", name_en="MFA")
    UserFactory(username="konsuler", full_name="Siti Rahma", roles=[Role.CONSULAR_OFFICER.value], agency=kemlu)
    UserFactory(username="petugas.detensi", full_name="Budi Santoso", roles=[Role.IMMIGRATION_OFFICER.value], agency=imm, unit=unit)
    person = PersonFactory(surname="WALKER", given_names="JAMES", native_name="", nationalities=["AUS"], recorded_by_agency=imm)
    case = CaseFactory(
        person=person,
        reporting_agency=imm,
        reporting_unit=unit,
        time_zone="Asia/Makassar",
        occurred_at=timezone.now() - dt.timedelta(hours=5),
    )
    RightsAdviceFactory(case=case)
    notification = NotificationFactory(case=case, country=aus, mission=embassy)

    _login(page, live_server, "konsuler")
    page.get_by_role("link", name="Notifikasi kekonsuleran").first.click()
    page.wait_for_url(re.compile(r".*/notifications/$"))
    assert page.locator("h1").inner_text() == "Notifikasi kekonsuleran"
    assert "Menunggu pemeriksaan (1)" in page.locator("main").inner_text()
    assert notification.reference in page.locator("table").inner_text()
    _check(page, "notifications-inbox")

    page.get_by_role("link", name=notification.reference, exact=True).click()
    page.wait_for_url(re.compile(rf".*/notifications/{notification.pk}/$"))
    text = page.locator("main").inner_text()
    assert "Keputusan" in text
    assert "WALKER JAMES" in text
    assert "WIB" in text
    _check(page, "notifications-detail")

    page.get_by_role("link", name="Periksa dan kirim").first.click()
    page.wait_for_url(re.compile(r".*/dispatch/$"))
    assert "consular@aus.example" in page.locator("main").inner_text()
    _check(page, "notifications-review-and-send")
    page.get_by_role("button", name="Kirim notifikasi").click()
    page.wait_for_url(re.compile(rf".*/notifications/{notification.pk}/$"))
    assert f"Notifikasi terkirim: {notification.reference}." in page.locator(".alert-success").inner_text()
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DISPATCHED
    _check(page, "notifications-dispatched")

    # The case page carries the consular section; the KPI page counts the dispatch.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert "Notifikasi dan akses kekonsuleran" in page.locator("main").inner_text()
    _check(page, "notifications-case-section")
    page.goto(f"{live_server.url}/notifications/performance/")
    assert page.locator('[data-kpi="dispatched"]').inner_text() == "1"
    _check(page, "notifications-kpi")
    page.goto(f"{live_server.url}/notifications/overdue/")
    _check(page, "notifications-overdue")

    # The detention side answers a request for access: the empty form shows the error
    # summary, focused; then the visit is scheduled.
    item = AccessRequestFactory(case=case, mission=embassy, notification=notification)
    page.get_by_role("button", name="Keluar").click()
    _login(page, live_server, "petugas.detensi")
    page.goto(f"{live_server.url}/notifications/access/")
    _check(page, "notifications-access-list")
    page.get_by_role("link", name=case.reference).click()
    page.wait_for_url(re.compile(rf".*/notifications/access/{item.pk}/$"))
    assert "WITA" in page.locator("main").inner_text()
    _check(page, "notifications-access-detail")
    page.get_by_role("button", name="Jadwalkan").click()
    page.wait_for_load_state()
    assert page.title().startswith("Kesalahan: ")
    assert page.evaluate("document.activeElement.classList.contains('jb-error-summary')")
    _check(page, "notifications-access-errors")
    day = timezone.localtime(timezone.now() + dt.timedelta(days=1), dt.timezone(dt.timedelta(hours=8)))
    page.locator("#id_scheduled_date").fill(str(day.day))
    page.locator("#id_scheduled_date_month").fill(str(day.month))
    page.locator("#id_scheduled_date_year").fill(str(day.year))
    page.locator("#id_scheduled_time").fill("10.00")
    page.get_by_role("button", name="Jadwalkan").click()
    page.wait_for_url(re.compile(rf".*/notifications/access/{item.pk}/$"))
    assert "Kunjungan dijadwalkan" in page.locator(".alert-success").inner_text()
    item.refresh_from_db()
    assert item.status == "scheduled"
