"""Scope and capability: an administrator manages only their own agency's users."""

from __future__ import annotations

import pytest

from jembatan.accounts.models import User
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_user_list_shows_only_own_agency(client, login, admin_a, officer_a, officer_b):
    login(admin_a)
    response = client.get("/accounts/users/")
    assert response.status_code == 200
    listed = {row["user"].username for row in response.context["rows"]}
    assert listed == {"admin.a", "officer.a"}
    html = response.content.decode()
    assert "officer.b" not in html
    assert "<caption" in html


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/accounts/users/{pk}/"),
        ("get", "/accounts/users/{pk}/edit/"),
        ("post", "/accounts/users/{pk}/edit/"),
        ("post", "/accounts/users/{pk}/deactivate/"),
        ("post", "/accounts/users/{pk}/unlock/"),
        ("post", "/accounts/users/{pk}/send-set-password/"),
    ],
)
def test_other_agency_user_is_not_found_in_pages(client, login, admin_a, officer_b, method, path):
    """Another agency's user answers exactly like a user id that does not exist."""
    login(admin_a)
    data = {"full_name": "Hijacked", "email": "x@example.go.id", "preferred_language": "id"} if method == "post" else None
    response = getattr(client, method)(path.format(pk=officer_b.pk), data)
    missing = getattr(client, method)(path.format(pk=999999), data)
    assert response.status_code == 404
    assert missing.status_code == 404
    officer_b.refresh_from_db()
    assert officer_b.is_active is True
    assert officer_b.full_name == "Rahmat B"
    assert (
        not AuditEvent.objects.filter(object_type="accounts.user", object_id=str(officer_b.pk))
        .exclude(action=AuditAction.USER_CREATED)
        .exists()
    )


def test_other_agency_user_is_not_found_in_api(client, login, admin_a, officer_a, officer_b):
    login(admin_a)
    response = client.get(f"/api/v1/accounts/users/{officer_b.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert set(response.json()) == {"code", "message", "detail"}
    own = client.get(f"/api/v1/accounts/users/{officer_a.pk}")
    assert own.status_code == 200
    assert own.json()["username"] == "officer.a"
    assert own.json()["agency"] == "imigrasi-a"
    listed = client.get("/api/v1/accounts/users").json()
    assert {item["username"] for item in listed["items"]} == {"admin.a", "officer.a"}
    assert listed["count"] == 2


def test_superuser_sees_every_agency(client, login, make_user, officer_a, officer_b):
    root = make_user(username="root", roles=[], is_superuser=True, is_staff=True, with_totp=True)
    login(root)
    response = client.get("/accounts/users/")
    listed = {row["user"].username for row in response.context["rows"]}
    assert {"officer.a", "officer.b", "root"} <= listed
    assert client.get(f"/accounts/users/{officer_b.pk}/").status_code == 200


def test_administrator_never_sees_a_superuser_of_their_agency(client, login, make_user, admin_a, agency_a):
    root = make_user(username="root.a", roles=[], agency=agency_a, is_superuser=True, with_totp=True)
    login(admin_a)
    assert client.get(f"/accounts/users/{root.pk}/").status_code == 404
    assert "root.a" not in client.get("/accounts/users/").content.decode()


@pytest.mark.parametrize(
    "path",
    ["/accounts/users/", "/accounts/users/new/", "/accounts/api-clients/", "/accounts/api-clients/new/"],
)
def test_non_administrator_gets_403(client, login, officer_a, path):
    login(officer_a)
    response = client.get(path)
    assert response.status_code == 403
    assert "Anda tidak memiliki akses ke halaman ini" in response.content.decode()


def test_non_administrator_cannot_act_on_a_colleague(client, login, officer_a, make_user, agency_a):
    colleague = make_user(username="colleague", agency=agency_a)
    login(officer_a)
    assert client.get(f"/accounts/users/{colleague.pk}/").status_code == 403
    assert client.post(f"/accounts/users/{colleague.pk}/deactivate/").status_code == 403
    colleague.refresh_from_db()
    assert colleague.is_active


def test_non_administrator_gets_403_from_users_api(client, login, officer_a):
    login(officer_a)
    response = client.get("/api/v1/accounts/users")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_anonymous_is_sent_to_login(client, officer_a):
    response = client.get("/accounts/users/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_reading_a_user_and_listing_are_audited(client, login, admin_a, officer_a):
    login(admin_a)
    client.get("/accounts/users/?q=budi")
    client.get(f"/accounts/users/{officer_a.pk}/")
    listed = AuditEvent.objects.filter(action=AuditAction.USER_LISTED, actor=admin_a).first()
    assert listed is not None
    assert listed.data["filters"] == {"q": "budi"}
    viewed = AuditEvent.objects.get(action=AuditAction.USER_VIEWED, actor=admin_a)
    assert viewed.object_id == str(officer_a.pk)


def test_edit_cannot_assign_a_unit_of_another_agency(client, login, admin_a, officer_a, unit_b):
    login(admin_a)
    response = client.post(
        f"/accounts/users/{officer_a.pk}/edit/",
        {
            "full_name": "Budi",
            "email": "officer.a@example.go.id",
            "unit": str(unit_b.pk),
            "roles": ["immigration_officer"],
            "preferred_language": "id",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert response.context["form"].errors["unit"]
    officer_a.refresh_from_db()
    assert officer_a.unit.agency_id == admin_a.agency_id
    assert User.objects.get(pk=officer_a.pk).full_name == "Budi Santoso"
