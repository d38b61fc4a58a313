"""Signing in through the real allauth pages, and the 2FA requirement of some roles."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from jembatan.accounts.roles import Role
from jembatan.accounts.tests.conftest import totp_code
from jembatan.accounts.tests.factories import TEST_PASSWORD, AgencyFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


@pytest.fixture
def mission_agency(db):
    return AgencyFactory(code="kbri-test", foreign_mission=True)


@pytest.mark.parametrize("path", ["/", "/accounts/users/", "/accounts/profile/"])
def test_administrator_without_totp_is_sent_to_activation_from_every_page(client, login, make_user, agency_a, path):
    login(make_user(roles=[Role.ADMINISTRATOR], agency=agency_a, with_totp=False))
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE


@pytest.mark.parametrize("path", ["/", "/accounts/profile/"])
def test_mission_officer_without_totp_is_sent_to_activation(client, login, make_user, mission_agency, path):
    login(make_user(roles=[Role.MISSION_OFFICER], agency=mission_agency, with_totp=False))
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.MISSION_OFFICER])
def test_api_refuses_session_without_totp_with_403_json(client, login, make_user, agency_a, mission_agency, role):
    agency = mission_agency if role == Role.MISSION_OFFICER else agency_a
    login(make_user(roles=[role], agency=agency, with_totp=False))
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 403
    assert response.json() == {"code": "mfa_required", "message": "Two-factor authentication must be set up first.", "detail": None}


def test_immigration_officer_without_totp_is_not_asked_for_it(client, login, officer_a):
    login(officer_a)
    assert client.get("/accounts/profile/").status_code == 200
    me = client.get("/api/v1/accounts/me")
    assert me.status_code == 200
    assert me.json()["username"] == "officer.a"


def test_totp_activation_page_uses_the_site_layout(client, make_user, agency_a, django_capture_on_commit_callbacks):
    """Right after signing in (no re-authentication needed) the activation page renders."""
    user = make_user(username="new.admin", roles=[Role.ADMINISTRATOR], agency=agency_a, with_totp=False)
    response = client.post("/accounts/login/", {"login": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    page = client.get(ACTIVATE)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="skip-link"' in html
    assert "Jembatan" in html
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    assert "data:image/svg+xml;base64," in html
    # Entering the app's code turns 2FA on; the recovery codes page follows, then every page opens.
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals after commit
        done = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/2fa/recovery-codes/"
    codes = client.get(done["Location"])
    assert codes.status_code == 200
    assert len(codes.context["unused_codes"]) > 0
    assert codes.context["unused_codes"][0] in codes.content.decode()
    assert client.get("/accounts/profile/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.USER_MFA_ACTIVATED, actor=user).exists()


def test_full_login_with_password_then_totp_code_lands_on_home(client, admin_a):
    # Given an administrator enrolled in TOTP
    # When they sign in with username and password through the real form
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'name="login"' in response.content.decode()
    response = client.post("/accounts/login/", {"login": "admin.a", "password": TEST_PASSWORD})
    # Then they are asked for the code, and only the code lets them in
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    page = client.get("/accounts/2fa/authenticate/")
    assert 'autocomplete="one-time-code"' in page.content.decode()
    assert client.get("/").status_code == 302  # not signed in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000" if totp_code(admin_a.totp_secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(admin_a.totp_secret)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert home.context["user"] == admin_a
    assert AuditEvent.objects.filter(action=AuditAction.USER_LOGGED_IN, actor=admin_a).exists()


def test_login_page_extends_site_layout_and_reports_wrong_password_without_saying_which(client, officer_a):
    page = client.get("/accounts/login/")
    html = page.content.decode()
    assert "<title>Masuk ke Jembatan – Jembatan</title>" in html
    assert 'id="skip-link"' in html
    response = client.post("/accounts/login/", {"login": "officer.a", "password": "not-the-password"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Terdapat masalah" in html  # the error summary
    assert "Nama pengguna atau kata sandi salah" in html
    assert 'value="officer.a"' in html  # what the user typed is kept


def test_deactivated_user_sees_account_inactive_page(client, officer_a):
    officer_a.is_active = False
    officer_a.save()
    response = client.post("/accounts/login/", {"login": "officer.a", "password": TEST_PASSWORD}, follow=True)
    html = response.content.decode()
    assert "Akun Anda dinonaktifkan" in html
    assert 'id="skip-link"' in html


def test_session_settings_are_an_idle_timeout():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_each_request_extends_the_session_and_an_expired_one_goes_to_login(client, login, officer_a):
    login(officer_a)
    key = client.session.session_key
    # A session about to expire is pushed back to the full idle timeout by any request.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timezone.timedelta(seconds=30))
    assert client.get("/accounts/profile/").status_code == 200
    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    # Idle for longer than the timeout: the session is gone and the user signs in again.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_logout_confirmation_page_and_logout(client, login, officer_a):
    login(officer_a)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    assert 'id="skip-link"' in page.content.decode()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.USER_LOGGED_OUT, actor=officer_a).exists()
