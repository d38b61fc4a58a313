"""The audit-log page in Debian's Chromium: axe clean, no sideways scroll at 1280 and 390 px,
keyboard reachable, errors summarised, "Verify now" works."""

from __future__ import annotations

import pytest

from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import TEST_PASSWORD, UserFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.core.tests.browser import ARTIFACTS, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_auditor_browses_filters_and_verifies_the_log(page, live_server):
    UserFactory(username="auditor.kemlu", full_name="Auditor Kemlu", roles=[Role.AUDITOR.value])
    for i in range(3):
        audit_record(
            action=AuditAction.REFERENCE_CHANGED,
            target=("reference.country", f"C{i}", f"Negara {i}"),
            data={"changes": {"name_id": {"before": f"Lama {i}", "after": f"Baru {i}"}}},
        )
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill("auditor.kemlu")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/audit/")
    assert page.locator("h1").inner_text() == "Log audit"
    assert "Rantai hash utuh hingga" in page.locator("#chain-status").inner_text()
    page.locator("tr[id^=event-]", has_text="Negara 2").locator("details summary").click()
    assert page.locator("details[open] td bdi", has_text="Baru 2").count() == 1
    assert axe_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in [(1280, 800), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth + 1"), width
        page.screenshot(path=str(ARTIFACTS / f"audit-list-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "skip-link"

    # An impossible date range: error summary with a link to the field, nothing listed.
    page.locator("#id_date_from").fill("2026-11-27")
    page.locator("#id_date_to").fill("2026-11-01")
    page.get_by_role("button", name="Terapkan filter").click()
    page.wait_for_load_state()
    summary = page.locator(".jb-error-summary")
    assert "Tanggal akhir harus sama dengan atau sesudah tanggal awal" in summary.inner_text()
    assert page.title().startswith("Kesalahan: ")
    assert page.locator("tr[id^=event-]").count() == 0
    assert axe_violations(page) == []

    # Verify now: the result is recorded and shown.
    page.goto(f"{live_server.url}/audit/")
    page.get_by_role("button", name="Verifikasi sekarang").click()
    page.wait_for_load_state()
    assert "Rantai hash diverifikasi" in page.locator(".alert-success").first.inner_text()
