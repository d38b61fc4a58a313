"""allauth's forms and MFA adapter with the project's wording (UX.md §2.6, §3.1).

These classes take effect through settings (ACCOUNT_FORMS, MFA_FORMS, MFA_ADAPTER); the
tests set them as production will.
"""

from __future__ import annotations

import pytest

from jembatan.accounts.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

ACCOUNT_FORMS = {
    "login": "jembatan.accounts.forms.LoginForm",
    "reset_password": "jembatan.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "jembatan.accounts.forms.ResetPasswordKeyForm",
    "change_password": "jembatan.accounts.forms.ChangePasswordForm",
}
MFA_FORMS = {
    "authenticate": "jembatan.accounts.forms.MfaAuthenticateForm",
    "activate_totp": "jembatan.accounts.forms.ActivateTotpForm",
}


@pytest.fixture(autouse=True)
def _project_forms(settings):
    settings.ACCOUNT_FORMS = ACCOUNT_FORMS
    settings.MFA_FORMS = MFA_FORMS
    settings.MFA_ADAPTER = "jembatan.accounts.adapters.MfaAdapter"


def test_empty_login_says_what_to_enter(client):
    response = client.post("/accounts/login/", {"login": "", "password": ""})
    html = response.content.decode()
    assert "Masukkan nama pengguna Anda" in html
    assert "Masukkan kata sandi Anda" in html
    assert "Kata sandi" in html  # the glossary term, not allauth's "Sandi"
    assert "placeholder=" not in html


def test_empty_login_in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.post("/accounts/login/", {"login": "", "password": ""}).content.decode()
    assert "Enter your username" in html
    assert "Enter your password" in html


def test_reset_form_wording(client):
    html = client.post("/accounts/password/reset/", {"email": "not-an-address"}).content.decode()
    assert "Masukkan alamat email dengan format seperti nama@imigrasi.go.id" in html


def test_wrong_totp_code_wording(client, admin_a):
    client.post("/accounts/login/", {"login": "admin.a", "password": TEST_PASSWORD})
    empty = client.post("/accounts/2fa/authenticate/", {"code": ""}).content.decode()
    assert "Masukkan kode 6 angka dari aplikasi autentikator Anda" in empty
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "12345x"}).content.decode()
    assert "Kode salah atau sudah kedaluwarsa. Masukkan kode terbaru dari aplikasi Anda." in wrong


def test_change_password_wording(client, officer_a):
    client.post("/accounts/login/", {"login": "officer.a", "password": TEST_PASSWORD})
    html = client.post("/accounts/password/change/", {}).content.decode()
    assert "Masukkan kata sandi Anda saat ini" in html
    assert "Masukkan kata sandi baru" in html
    assert "Masukkan kata sandi baru sekali lagi" in html
