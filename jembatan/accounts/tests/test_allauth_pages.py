"""allauth's pages render inside Jembatan's layout, in both languages."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from jembatan.accounts.tests.conftest import totp_code
from jembatan.accounts.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _assert_site_layout(html: str) -> None:
    assert 'id="skip-link"' in html
    assert '<main id="main"' in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert html.count("<h1") == 1
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.endswith(" – Jembatan")
    assert title.strip() != "– Jembatan"
    assert "\n" not in title


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/done/",
        "/accounts/password/reset/key/1-bad-key/",
    ],
)
def test_entrance_pages_use_site_layout(client, path):
    response = client.get(path, follow=True)
    assert response.status_code == 200
    _assert_site_layout(response.content.decode())


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/profile/",
        "/accounts/password/change/",
        "/accounts/logout/",
        "/accounts/2fa/",
        "/accounts/reauthenticate/",
    ],
)
def test_signed_in_pages_use_site_layout(client, login, officer_a, path):
    login(officer_a)
    response = client.get(path)
    assert response.status_code == 200, path
    _assert_site_layout(response.content.decode())


def test_mfa_pages_for_an_enrolled_user(client, admin_a):
    client.post("/accounts/login/", {"login": "admin.a", "password": TEST_PASSWORD})
    _assert_site_layout(client.get("/accounts/2fa/authenticate/").content.decode())
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(admin_a.totp_secret)})
    for path in ("/accounts/2fa/", "/accounts/2fa/recovery-codes/generate/", "/accounts/2fa/totp/deactivate/"):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        _assert_site_layout(response.content.decode())


def test_password_change_through_the_form(client, officer_a):
    client.post("/accounts/login/", {"login": "officer.a", "password": TEST_PASSWORD})
    bad = client.post("/accounts/password/change/", {"oldpassword": "wrong", "password1": "x", "password2": "y"})
    assert bad.status_code == 200
    html = bad.content.decode()
    assert 'aria-invalid="true"' in html
    assert "jb-error-summary" in html
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": TEST_PASSWORD, "password1": "nasi-goreng-kampung-77", "password2": "nasi-goreng-kampung-77"},
    )
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.check_password("nasi-goreng-kampung-77")


def test_login_page_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Sign in to Jembatan" in html
    assert 'href="/accounts/password/reset/"' in html
