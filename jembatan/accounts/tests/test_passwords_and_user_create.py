"""Passwords: reset by e-mail, and the set-password e-mail a new user receives."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from jembatan.accounts.models import User
from jembatan.accounts.roles import Role
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "kopi-tubruk-pagi-hari-42"
LINK = re.compile(r"http://testserver(/accounts/password/reset/key/\S+/)")


def _set_password_through_link(client: Client, body: str) -> None:
    path = LINK.search(body).group(1)
    response = client.get(path)
    assert response.status_code == 302  # allauth moves the key into the session
    form_page = client.get(response["Location"])
    assert form_page.status_code == 200
    assert 'id="skip-link"' in form_page.content.decode()
    response = client.post(response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"
    assert client.get(response["Location"]).status_code == 200


def test_password_reset_by_email_lets_the_user_set_a_new_password_and_sign_in(client, officer_a):
    page = client.get("/accounts/password/reset/")
    assert page.status_code == 200
    assert 'id="skip-link"' in page.content.decode()
    response = client.post("/accounts/password/reset/", {"email": "OFFICER.A@example.go.id"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer.a@example.go.id"]
    assert message.subject.startswith("[Jembatan]")
    _set_password_through_link(client, message.body)
    # The old password no longer works; the new one does.
    assert client.post("/accounts/login/", {"login": "officer.a", "password": "correct-horse-battery-staple-9"}).status_code == 200
    response = client.post("/accounts/login/", {"login": "officer.a", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert AuditEvent.objects.filter(action=AuditAction.USER_PASSWORD_CHANGED, actor=officer_a).exists()


def test_a_used_reset_link_no_longer_works(client, officer_a):
    """The link works once."""
    client.post("/accounts/password/reset/", {"email": "officer.a@example.go.id"})
    body = mail.outbox[0].body
    _set_password_through_link(client, body)
    other = Client()
    response = other.get(LINK.search(body).group(1), follow=True)
    assert response.context["token_fail"] is True
    assert 'href="/accounts/password/reset/"' in response.content.decode()


def test_creating_a_user_sends_a_set_password_email_and_is_audited(client, login, admin_a, unit_a, django_capture_on_commit_callbacks):
    login(admin_a)
    form = client.get("/accounts/users/new/")
    assert form.status_code == 200
    assert "novalidate" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/users/new/",
            {
                "username": "siti.rahma",
                "full_name": "Siti Rahma",
                "email": "Siti.Rahma@imigrasi.go.id",
                "unit": str(unit_a.pk),
                "roles": [Role.IMMIGRATION_OFFICER, Role.IMMIGRATION_SUPERVISOR],
                "preferred_language": "en",
                "time_zone_override": "",
            },
        )
    user = User.objects.get(username="siti.rahma")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/users/{user.pk}/"
    # The administrator never set a password: the account has none until the user sets it.
    assert not user.has_usable_password()
    assert user.agency == admin_a.agency
    assert user.unit == unit_a
    assert user.email == "siti.rahma@imigrasi.go.id"
    assert user.roles == ["immigration_officer", "immigration_supervisor"]
    created = AuditEvent.objects.get(action=AuditAction.USER_CREATED, object_id=str(user.pk))
    assert created.actor == admin_a
    assert created.data["roles"] == ["immigration_officer", "immigration_supervisor"]
    assert AuditEvent.objects.filter(action=AuditAction.USER_PASSWORD_RESET_REQUESTED, object_id=str(user.pk)).exists()
    # The e-mail, in the new user's language, carries a working set-password link.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["siti.rahma@imigrasi.go.id"]
    assert "siti.rahma" in message.body
    assert "set your password" in message.subject.lower()
    new_user_client = Client()
    _set_password_through_link(new_user_client, message.body)
    response = new_user_client.post("/accounts/login/", {"login": "siti.rahma", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_create_form_keeps_input_and_shows_errors(client, login, admin_a, officer_a):
    login(admin_a)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "officer.a",
            "full_name": "",
            "email": "someone@imigrasi.go.id",
            "roles": ["immigration_officer"],
            "preferred_language": "id",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "full_name" in form.errors
    html = response.content.decode()
    assert "Terdapat masalah" in html
    assert 'value="someone@imigrasi.go.id"' in html
    assert 'aria-invalid="true"' in html
    assert User.objects.filter(username="officer.a").count() == 1


def test_create_refuses_a_taken_username(client, login, admin_a, officer_a):
    login(admin_a)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "OFFICER.A",
            "full_name": "Dup",
            "email": "dup@imigrasi.go.id",
            "roles": ["immigration_officer"],
            "preferred_language": "id",
        },
    )
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert not User.objects.filter(email="dup@imigrasi.go.id").exists()
    assert len(mail.outbox) == 0


def test_administrator_can_resend_the_set_password_email(client, login, admin_a, officer_a, django_capture_on_commit_callbacks):
    login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/accounts/users/{officer_a.pk}/send-set-password/")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["officer.a@example.go.id"]
    assert LINK.search(mail.outbox[0].body)
