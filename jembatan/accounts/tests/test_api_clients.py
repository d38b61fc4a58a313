"""API clients: the token is shown once, stored hashed, works as a bearer token, and revokes."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from jembatan.accounts.models import ApiClient
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _create(client: Client, name: str = "SIMKIM Denpasar", permissions=("people.view_person",)):
    return client.post("/accounts/api-clients/new/", {"name": name, "permissions": list(permissions)})


def test_token_is_shown_once_and_only_its_hash_is_stored(client, login, admin_a):
    login(admin_a)
    assert client.get("/accounts/api-clients/new/").status_code == 200
    response = _create(client)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = response.context["token"]
    assert token.startswith("jbt_")
    assert token in response.content.decode()
    stored = ApiClient.objects.get(name="SIMKIM Denpasar")
    assert stored.agency == admin_a.agency
    assert stored.created_by == admin_a
    assert stored.permissions == ["people.view_person"]
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(getattr(stored, f.attname)) for f in ApiClient._meta.fields}
    # The list shows the client but never the token again.
    listing = client.get("/accounts/api-clients/").content.decode()
    assert "SIMKIM Denpasar" in listing
    assert token not in listing
    assert f"jbt_{stored.token_prefix}_" in listing
    event = AuditEvent.objects.get(action=AuditAction.API_CLIENT_CREATED, object_id=str(stored.pk))
    assert token not in str(event.data)
    assert event.actor == admin_a


def test_bearer_token_works_on_me_and_a_revoked_token_gets_401(client, login, admin_a):
    login(admin_a)
    token = _create(client, permissions=["people.view_person", "reference.view_reference"]).context["token"]
    stored = ApiClient.objects.get(name="SIMKIM Denpasar")

    system = Client()
    response = system.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "api_client"
    assert body["client_name"] == "SIMKIM Denpasar"
    assert body["agency"] == "imigrasi-a"
    assert body["capabilities"] == ["people.view_person", "reference.view_reference"]
    stored.refresh_from_db()
    assert stored.last_used_at is not None

    response = client.post(f"/accounts/api-clients/{stored.pk}/revoke/")
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.is_active is False
    assert stored.revoked_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.API_CLIENT_REVOKED, object_id=str(stored.pk)).exists()

    response = system.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": response.json()["message"], "detail": None}
    assert set(response.json()) == {"code", "message", "detail"}


def test_client_without_manage_users_gets_403_on_users_and_with_it_sees_only_its_agency(client, login, admin_a, officer_a, officer_b):
    login(admin_a)
    reader = _create(client, name="Reader").context["token"]
    hr = _create(client, name="HR sync", permissions=["accounts.manage_users"]).context["token"]
    system = Client()
    denied = system.get("/api/v1/accounts/users", HTTP_AUTHORIZATION=f"Bearer {reader}")
    assert denied.status_code == 403
    assert denied.json()["code"] == "permission_denied"
    allowed = system.get("/api/v1/accounts/users", HTTP_AUTHORIZATION=f"Bearer {hr}")
    assert allowed.status_code == 200
    assert {u["username"] for u in allowed.json()["items"]} == {"admin.a", "officer.a"}
    assert system.get(f"/api/v1/accounts/users/{officer_b.pk}", HTTP_AUTHORIZATION=f"Bearer {hr}").status_code == 404


def test_a_client_can_never_be_given_the_right_to_make_clients(client, login, admin_a):
    login(admin_a)
    response = _create(client, permissions=["accounts.manage_api_clients"])
    assert response.status_code == 200
    assert "permissions" in response.context["form"].errors
    assert not ApiClient.objects.exists()


def test_administrator_cannot_revoke_another_agencys_client(client, login, admin_a, admin_b):
    login(admin_b)
    _create(client, name="B system")
    other = ApiClient.objects.get(name="B system")
    client.logout()
    login(admin_a)
    assert client.post(f"/accounts/api-clients/{other.pk}/revoke/").status_code == 404
    assert "B system" not in client.get("/accounts/api-clients/").content.decode()
    other.refresh_from_db()
    assert other.is_active


def test_session_user_me(client, login, admin_a):
    login(admin_a)
    body = client.get("/api/v1/accounts/me").json()
    assert body["kind"] == "user"
    assert body["username"] == "admin.a"
    assert body["agency"] == "imigrasi-a"
    assert "accounts.manage_users" in body["capabilities"]
    assert body["time_zone"] == "Asia/Makassar"
