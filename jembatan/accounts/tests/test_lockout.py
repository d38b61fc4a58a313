"""Lock-out after repeated wrong passwords, and unlocking by an administrator."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from jembatan.accounts.tests.factories import TEST_PASSWORD
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"login": username, "password": password})


def test_five_wrong_passwords_lock_the_account_and_the_administrator_unlocks_it(client, login, admin_a, officer_a):
    assert settings.AXES_FAILURE_LIMIT == 5
    # Given four wrong passwords: still the login form, with an error
    for _ in range(4):
        response = _sign_in(client, "officer.a", "wrong-password")
        assert response.status_code == 200
    # When the fifth is wrong too: the lock-out page, HTTP 429
    response = _sign_in(client, "officer.a", "wrong-password")
    assert response.status_code == 429
    html = response.content.decode()
    assert 'id="skip-link"' in html
    assert "tunggu 30 menit" in html  # how long to wait
    assert "Minta administrator instansi Anda untuk membuka kunci akun Anda" in html
    # Then even the right password is refused
    response = _sign_in(client, "officer.a", TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Failures and the lock-out are in the audit log
    failures = AuditEvent.objects.filter(action=AuditAction.USER_LOGIN_FAILED, data__username="officer.a")
    assert failures.count() >= 5
    assert AuditEvent.objects.filter(action=AuditAction.USER_LOCKED_OUT, data__username="officer.a").exists()

    # The administrator sees the lock-out on the user's page, with an Unlock button
    admin_client = Client()
    login(admin_a, the_client=admin_client)
    page = admin_client.get(f"/accounts/users/{officer_a.pk}/")
    assert page.context["state"].locked_out is True
    assert f'action="/accounts/users/{officer_a.pk}/unlock/"' in page.content.decode()
    listed = admin_client.get("/accounts/users/?locked=on")
    assert [row["user"].username for row in listed.context["rows"]] == ["officer.a"]
    response = admin_client.post(f"/accounts/users/{officer_a.pk}/unlock/")
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="officer.a").exists()
    unlocked = AuditEvent.objects.get(action=AuditAction.USER_UNLOCKED, object_id=str(officer_a.pk))
    assert unlocked.actor == admin_a
    assert unlocked.data["attempts_cleared"] >= 1
    assert admin_client.get(f"/accounts/users/{officer_a.pk}/").context["state"].locked_out is False

    # And the user can sign in again
    response = _sign_in(client, "officer.a", TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(officer_a.pk)


def test_lock_out_page_is_in_english_when_english_is_active(client, officer_a):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(5):
        response = _sign_in(client, "officer.a", "wrong-password")
    assert response.status_code == 429
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Your account is locked" in html
    assert "wait 30 minutes" in html


def test_lock_out_is_per_account_not_per_office_network(client, officer_a, make_user, agency_a):
    """Colleagues behind the same NAT address are not locked out by one user's typos."""
    make_user(username="colleague", agency=agency_a)
    for _ in range(5):
        _sign_in(client, "officer.a", "wrong-password")
    response = _sign_in(client, "colleague", TEST_PASSWORD)
    assert response.status_code == 302


def test_unlocking_a_user_of_another_agency_is_not_found(client, login, admin_b, officer_a):
    for _ in range(5):
        _sign_in(Client(), "officer.a", "wrong-password")
    login(admin_b)
    assert client.post(f"/accounts/users/{officer_a.pk}/unlock/").status_code == 404
    assert AccessAttempt.objects.filter(username="officer.a").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.USER_UNLOCKED).exists()
