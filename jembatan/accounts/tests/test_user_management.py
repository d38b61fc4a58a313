"""User list, detail, edit, deactivation, profile and the administrator's home panel."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from jembatan.accounts import services
from jembatan.accounts.home import administrator_panel
from jembatan.accounts.models import User
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import TEST_PASSWORD, AgencyFactory, OrgUnitFactory, UserFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def test_user_list_paginates_by_50_and_searches(client, login, admin_a, agency_a, unit_a):
    assert settings.UI_PAGE_SIZE == 50
    UserFactory.create_batch(55, agency=agency_a, unit=unit_a)
    UserFactory(username="dewi.lestari", full_name="Dewi Lestari", email="dewi@kanim.go.id", agency=agency_a, unit=unit_a)
    login(admin_a)
    first = client.get("/accounts/users/")
    assert first.context["page_obj"].paginator.count == 57
    assert len(first.context["rows"]) == 50
    html = first.content.decode()
    assert "57 pengguna" in html
    assert 'aria-current="page"' in html
    second = client.get("/accounts/users/?page=2")
    assert len(second.context["rows"]) == 7
    names = [r["user"].username for r in first.context["rows"]] + [r["user"].username for r in second.context["rows"]]
    assert len(set(names)) == 57
    assert names == sorted(names)
    for q in ("lestari", "DEWI.LES", "kanim.go.id"):
        found = client.get("/accounts/users/", {"q": q})
        assert [r["user"].username for r in found.context["rows"]] == ["dewi.lestari"], q
    # Filters survive paging links.
    filtered = client.get("/accounts/users/", {"q": "user", "page": "2"})
    assert filtered.context["querystring_without_page"] == "q=user&"


def test_user_list_filters_by_role_and_active_and_shows_empty_state(client, login, admin_a, officer_a, make_user, agency_a):
    make_user(username="sup", roles=[Role.IMMIGRATION_SUPERVISOR], agency=agency_a, is_active=False)
    login(admin_a)
    by_role = client.get("/accounts/users/", {"role": "immigration_officer"})
    assert [r["user"].username for r in by_role.context["rows"]] == ["officer.a"]
    inactive = client.get("/accounts/users/", {"active": "no"})
    assert [r["user"].username for r in inactive.context["rows"]] == ["sup"]
    none = client.get("/accounts/users/", {"q": "no-such-person"})
    assert none.context["rows"] == []
    html = none.content.decode()
    assert "<table" not in html
    assert 'href="/accounts/users/"' in html  # clear filters


def test_mfa_missing_filter(client, login, admin_a, make_user, agency_a):
    make_user(username="admin.nototp", roles=[Role.ADMINISTRATOR], agency=agency_a, with_totp=False)
    login(admin_a)
    rows = client.get("/accounts/users/", {"mfa": "on"}).context["rows"]
    assert [r["user"].username for r in rows] == ["admin.nototp"]


def test_user_detail_summary(client, login, admin_a, officer_a):
    login(admin_a)
    response = client.get(f"/accounts/users/{officer_a.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Budi Santoso" in html
    assert "officer.a" in html
    assert response.context["state"].has_totp is False
    assert response.context["state"].locked_out is False
    assert 'id="mfa-state"' in html
    assert 'id="lock-state"' in html
    assert "WITA" in html  # the unit's zone


def test_edit_user_changes_roles_and_is_audited(client, login, admin_a, officer_a, unit_a):
    login(admin_a)
    page = client.get(f"/accounts/users/{officer_a.pk}/edit/")
    assert page.context["form"].initial["roles"] == ["immigration_officer"]
    response = client.post(
        f"/accounts/users/{officer_a.pk}/edit/",
        {
            "full_name": "Budi Santoso",
            "email": "budi@imigrasi.go.id",
            "unit": str(unit_a.pk),
            "roles": ["immigration_supervisor"],
            "preferred_language": "en",
            "time_zone_override": "Asia/Jayapura",
        },
    )
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.roles == ["immigration_supervisor"]
    assert officer_a.email == "budi@imigrasi.go.id"
    assert officer_a.time_zone == "Asia/Jayapura"
    event = AuditEvent.objects.get(action=AuditAction.USER_UPDATED, object_id=str(officer_a.pk))
    assert event.data["changes"]["roles"] == [["immigration_officer"], ["immigration_supervisor"]]
    assert event.actor == admin_a


def test_deactivate_and_reactivate_through_buttons(client, login, admin_a, officer_a):
    login(admin_a)
    officer_client = Client()
    officer_client.force_login(officer_a)
    assert officer_client.get("/accounts/profile/").status_code == 200
    assert client.get(f"/accounts/users/{officer_a.pk}/deactivate/").status_code == 405  # POST only
    response = client.post(f"/accounts/users/{officer_a.pk}/deactivate/")
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.is_active is False
    assert AuditEvent.objects.filter(action=AuditAction.USER_DEACTIVATED, object_id=str(officer_a.pk)).exists()
    # Their open session stops working at once.
    assert officer_client.get("/accounts/profile/").status_code == 302
    client.post(f"/accounts/users/{officer_a.pk}/reactivate/")
    officer_a.refresh_from_db()
    assert officer_a.is_active is True
    assert AuditEvent.objects.filter(action=AuditAction.USER_REACTIVATED, object_id=str(officer_a.pk)).exists()
    assert Client().post("/accounts/login/", {"login": "officer.a", "password": TEST_PASSWORD}).status_code == 302


def test_administrator_cannot_deactivate_themselves_or_drop_their_own_role(admin_a):
    with pytest.raises(Conflict):
        services.user_deactivate(actor=admin_a, user=admin_a)
    with pytest.raises(Conflict):
        services.user_update(actor=admin_a, user=admin_a, data={"roles": [Role.IMMIGRATION_OFFICER]})
    admin_a.refresh_from_db()
    assert admin_a.is_active
    assert admin_a.roles == ["administrator"]


def test_mission_users_may_only_be_mission_officers(make_user):
    mission = AgencyFactory(code="kbri-x", foreign_mission=True)
    root = make_user(username="root", roles=[], is_superuser=True, with_totp=True)
    with pytest.raises(ApplicationError) as exc:
        services.user_create(
            actor=root,
            username="m1",
            full_name="M One",
            email="m1@embassy.example",
            roles=[Role.CONSULAR_OFFICER],
            agency=mission,
            site_url="http://x/",
        )
    assert exc.value.field == "roles"
    user = services.user_create(
        actor=root,
        username="m2",
        full_name="M Two",
        email="m2@embassy.example",
        roles=[Role.MISSION_OFFICER],
        agency=mission,
        site_url="http://x/",
    )
    assert user.roles == ["mission_officer"]
    with pytest.raises(ApplicationError):
        services.user_update(actor=root, user=user, data={"roles": [Role.MISSION_OFFICER, Role.ADMINISTRATOR]})


def test_administrator_cannot_create_users_in_another_agency(admin_a, agency_b, unit_b):
    with pytest.raises(PermissionDenied):
        services.user_create(actor=admin_a, username="x", full_name="X", email="x@x.go.id", roles=[], agency=agency_b, site_url="http://x/")
    with pytest.raises(ApplicationError) as exc:
        services.user_create(actor=admin_a, username="y", full_name="Y", email="y@x.go.id", roles=[], unit=unit_b, site_url="http://x/")
    assert exc.value.field == "unit"
    with pytest.raises(ApplicationError) as exc:
        services.user_create(actor=admin_a, username="z", full_name="Z", email="z@x.go.id", roles=["wizard"], site_url="http://x/")
    assert exc.value.field == "roles"
    assert not User.objects.filter(username__in=["x", "y", "z"]).exists()


def test_services_refuse_out_of_scope_users_as_not_found(admin_a, officer_b):
    for call in (
        lambda: services.user_update(actor=admin_a, user=officer_b, data={"full_name": "X"}),
        lambda: services.user_deactivate(actor=admin_a, user=officer_b),
        lambda: services.user_unlock(actor=admin_a, user=officer_b),
    ):
        with pytest.raises(NotFound):
            call()


def test_non_administrator_cannot_call_services(officer_a, make_user, agency_a):
    colleague = make_user(username="c", agency=agency_a)
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=officer_a, user=colleague)


def test_profile_shows_own_details_and_saves_preferences(client, login, officer_a):
    login(officer_a)
    page = client.get("/accounts/profile/")
    html = page.content.decode()
    assert "Budi Santoso" in html
    assert 'href="/accounts/2fa/"' in html
    assert 'href="/accounts/password/change/"' in html
    response = client.post("/accounts/profile/", {"preferred_language": "en", "time_zone_override": "Asia/Jayapura"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    officer_a.refresh_from_db()
    assert officer_a.preferred_language == "en"
    assert officer_a.time_zone == "Asia/Jayapura"
    again = client.get("/accounts/profile/")
    assert '<html lang="en">' in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.USER_UPDATED, actor=officer_a, data__self_service=True).exists()
    bad = client.post("/accounts/profile/", {"preferred_language": "fr", "time_zone_override": ""})
    assert bad.status_code == 200
    assert "preferred_language" in bad.context["form"].errors


def test_login_applies_the_preferred_language(client, officer_a):
    officer_a.preferred_language = "en"
    officer_a.save()
    response = client.post("/accounts/login/", {"login": "officer.a", "password": TEST_PASSWORD})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_home_panel_counts_for_administrators_only(make_user, admin_a, officer_a, officer_b, agency_a, client):
    make_user(username="inactive.one", agency=agency_a, is_active=False)
    make_user(username="admin.nototp", roles=[Role.ADMINISTRATOR], agency=agency_a, with_totp=False)
    for _ in range(5):
        client.post("/accounts/login/", {"login": "officer.a", "password": "wrong"})
    panel = administrator_panel(admin_a)
    values = {item.url: item.value for item in panel.items}
    assert values["/accounts/users/"] == "4"  # admin.a, officer.a, inactive.one, admin.nototp
    assert values["/accounts/users/?locked=on"] == "1"
    assert values["/accounts/users/?mfa=on"] == "1"
    assert values["/accounts/users/?active=no"] == "1"
    assert [a.url for a in panel.actions] == ["/accounts/users/new/"]
    assert administrator_panel(officer_a) is None


def test_home_page_shows_the_panel(client, login, admin_a):
    login(admin_a)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/accounts/users/?locked=on"' in html
    assert 'href="/accounts/users/new/"' in html


def test_superuser_may_create_in_any_agency_with_its_units(client, login, make_user, agency_b, unit_b):
    root = make_user(username="root", roles=[], is_superuser=True, with_totp=True)
    login(root)
    page = client.get("/accounts/users/new/")
    assert "agency" in page.context["form"].fields
    unit = OrgUnitFactory(agency=agency_b, code="kanim-b2")
    user = services.user_create(
        actor=root,
        username="b.new",
        full_name="B New",
        email="bnew@x.go.id",
        roles=[Role.ANALYST],
        agency=agency_b,
        unit=unit,
        site_url="http://x/",
    )
    assert user.agency == agency_b
    assert user.unit == unit
