"""Sign-in, 2FA and user management in Debian's Chromium: axe clean, no sideways scroll at
1280 and 390 px, keyboard reachable, errors summarised."""

from __future__ import annotations

import pytest

from jembatan.accounts.roles import Role
from jembatan.accounts.tests.conftest import totp_code
from jembatan.accounts.tests.factories import TEST_PASSWORD, AgencyFactory, OrgUnitFactory, UserFactory
from jembatan.core.tests.browser import axe_violations, check_layouts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_signs_in_with_totp_and_adds_a_user(page, live_server):
    agency = AgencyFactory(code="imigrasi", name_id="Direktorat Jenderal Imigrasi", name_en="Directorate General of Immigration")
    unit = OrgUnitFactory(
        agency=agency, code="kanim-denpasar", name_id="Kanim Denpasar", name_en="Denpasar Office", time_zone="Asia/Makassar"
    )
    admin = UserFactory(
        username="admin.imigrasi", full_name="Admin Imigrasi", agency=agency, unit=unit, roles=[Role.ADMINISTRATOR.value], with_totp=True
    )
    UserFactory(username="budi", full_name="Budi Santoso", agency=agency, unit=unit)

    # Sign in: password, then the code.
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "Masuk ke Jembatan"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "skip-link"
    page.locator("form [type=submit]").last.click()  # empty: error summary
    assert page.title().startswith("Kesalahan: ")
    assert page.locator(".jb-error-summary").count() == 1
    assert axe_violations(page) == []
    check_layouts(page, "accounts-login")
    page.locator("input[name=login]").fill("admin.imigrasi")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{live_server.url}/accounts/2fa/authenticate/")
    assert page.locator("h1").inner_text() == "Masukkan kode verifikasi"
    assert axe_violations(page) == []
    check_layouts(page, "accounts-2fa")
    page.locator("input[name=code]").fill(totp_code(admin.totp_secret))
    page.get_by_role("button", name="Lanjutkan").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Pengguna yang Anda kelola" in page.content()

    # The user list.
    page.goto(f"{live_server.url}/accounts/users/")
    assert page.locator("table caption").count() == 1
    assert axe_violations(page) == []
    check_layouts(page, "accounts-user-list")

    # Add a user: the error path first, then success.
    page.get_by_role("link", name="Tambah pengguna").first.click()
    page.get_by_role("button", name="Buat pengguna dan kirim email").click()
    page.wait_for_load_state()
    summary = page.locator(".jb-error-summary")
    assert "Masukkan nama pengguna" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('jb-error-summary')")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_username"
    assert axe_violations(page) == []
    check_layouts(page, "accounts-user-create-errors")
    page.locator("#id_username").fill("siti")
    page.locator("#id_full_name").fill("Siti Rahma")
    page.locator("#id_email").fill("siti@imigrasi.go.id")
    page.locator("#id_unit").select_option(label="Kanim Denpasar")
    page.get_by_label("Petugas imigrasi").check()
    page.get_by_role("button", name="Buat pengguna dan kirim email").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Siti Rahma"
    assert "Email pembuatan kata sandi telah dikirim" in page.content()
    assert axe_violations(page) == []
    check_layouts(page, "accounts-user-detail")


def test_lock_out_and_totp_activation_pages(page, live_server):
    agency = AgencyFactory(code="imigrasi")
    UserFactory(username="officer", agency=agency)
    UserFactory(username="new.admin", agency=agency, roles=[Role.ADMINISTRATOR.value])
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("input[name=login]").fill("officer")
        page.locator("input[name=password]").fill("wrong password")
        page.get_by_role("button", name="Masuk").click()
    assert page.locator("h1").inner_text() == "Akun Anda terkunci"
    assert axe_violations(page) == []
    check_layouts(page, "accounts-locked-out")

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill("new.admin")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{live_server.url}/accounts/2fa/totp/activate/")
    assert page.locator("h1").inner_text() == "Pasang autentikasi dua faktor"
    assert axe_violations(page) == []
    check_layouts(page, "accounts-totp-activate")
