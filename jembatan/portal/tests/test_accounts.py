"""Mission accounts and contacts: who invites and suspends whom, the set-password e-mail,
2FA before the portal opens, and each lead managing only its own mission."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from jembatan.accounts.models import User
from jembatan.accounts.roles import Role
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.missions.models import MissionContact
from jembatan.portal.services import accounts as svc
from jembatan.reference.tests.factories import ForeignMissionFactory

pytestmark = pytest.mark.django_db


def test_consular_supervisor_invites_an_officer_who_gets_a_set_password_link(portal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = svc.mission_user_invite(
            actor=portal.supervisor,
            mission=portal.embassy_aus,
            username="au.new",
            full_name="Amelia Nguyen",
            email="Amelia.Nguyen@dfat.example",
            site_url="https://jembatan.example",
        )
    user.refresh_from_db()
    assert user.agency.mission == portal.embassy_aus
    assert user.roles == [Role.MISSION_OFFICER]
    assert not user.has_usable_password()
    assert user.requires_mfa
    assert user.email == "amelia.nguyen@dfat.example"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amelia.nguyen@dfat.example"]
    link = re.search(r"https://jembatan.example/accounts/password/reset/key/\S+", message.body)
    assert link, message.body
    assert AuditEvent.objects.filter(action=AuditAction.PORTAL_USER_INVITED, object_id=str(user.pk), actor=portal.supervisor).exists()


def test_the_link_sets_the_password_and_2fa_is_then_required(portal, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        svc.mission_user_invite(
            actor=portal.admin,
            mission=portal.embassy_aus,
            username="au.link",
            full_name="Link Test",
            email="link@dfat.example",
            site_url="http://testserver",
        )
    url = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    response = client.get(url, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else url
    response = client.post(form_url, {"password1": "Portal-Password-2026!x", "password2": "Portal-Password-2026!x"})
    assert response.status_code in (200, 302)
    user = User.objects.get(username="au.link")
    assert user.check_password("Portal-Password-2026!x")
    client.force_login(user)
    response = client.get("/portal/")
    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]


def test_invitation_refuses_bad_input_and_duplicates(portal):
    with pytest.raises(ApplicationError) as exc:
        svc.mission_user_invite(actor=portal.admin, mission=portal.embassy_aus, username="x", full_name="X", email="not-an-address")
    assert exc.value.field == "email"
    with pytest.raises(ApplicationError) as exc:
        svc.mission_user_invite(
            actor=portal.admin, mission=portal.embassy_aus, username="au.officer", full_name="X", email="x@dfat.example"
        )
    assert exc.value.field == "username"
    with pytest.raises(ApplicationError) as exc:
        svc.mission_user_invite(actor=portal.admin, mission=portal.embassy_aus, username="y", full_name="", email="y@dfat.example")
    assert exc.value.field == "full_name"


def test_lead_manages_its_own_mission_only(portal):
    user = svc.mission_user_invite(
        actor=portal.au_lead, mission=portal.embassy_aus, username="au.two", full_name="Two", email="two@dfat.example"
    )
    assert user.agency.mission_id == portal.embassy_aus.pk
    with pytest.raises(NotFound):
        svc.mission_user_invite(
            actor=portal.au_lead, mission=portal.embassy_jpn, username="jp.two", full_name="Two", email="jp2@mofa.example"
        )
    with pytest.raises(NotFound):
        svc.mission_user_suspend(actor=portal.au_lead, user=portal.jp)
    with pytest.raises(PermissionDenied):
        svc.mission_user_suspend(actor=portal.au, user=user)  # an ordinary officer manages nobody
    with pytest.raises(PermissionDenied):
        svc.mission_user_invite(actor=portal.desk, mission=portal.embassy_aus, username="z", full_name="Z", email="z@dfat.example")
    assert not User.objects.filter(username__in=["jp.two", "z"]).exists()


def test_suspend_and_reinstate_are_audited_and_stop_sign_in(portal, login):
    svc.mission_user_suspend(actor=portal.au_lead, user=portal.au)
    portal.au.refresh_from_db()
    assert not portal.au.is_active
    assert login(portal.au).get("/portal/").status_code in (302, 403)
    with pytest.raises(Conflict):
        svc.mission_user_suspend(actor=portal.au_lead, user=portal.au)
    with pytest.raises(Conflict):
        svc.mission_user_suspend(actor=portal.au_lead, user=portal.au_lead)
    svc.mission_user_reinstate(actor=portal.supervisor, user=portal.au)
    portal.au.refresh_from_db()
    assert portal.au.is_active
    actions = list(AuditEvent.objects.filter(object_id=str(portal.au.pk)).values_list("action", flat=True))
    assert AuditAction.PORTAL_USER_SUSPENDED in actions
    assert AuditAction.PORTAL_USER_REINSTATED in actions


def test_mission_agency_is_created_for_a_mission_without_one(portal):
    mission = ForeignMissionFactory(country=portal.aus, city="Surabaya", name_en="Consulate of Australia in Surabaya")
    user = svc.mission_user_invite(actor=portal.admin, mission=mission, username="sby", full_name="S", email="sby@dfat.example", lead=True)
    assert user.agency.kind == "foreign_mission"
    assert user.agency.mission == mission
    assert user.unit is not None
    assert user.unit.agency == user.agency
    assert user.roles == [Role.MISSION_LEAD]


def test_pages_for_the_lead_and_the_ministry(portal, login):
    assert login(portal.au).get("/portal/mission/").status_code == 404  # an ordinary officer
    client = login(portal.au_lead)
    page = client.get("/portal/mission/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "au.officer" in body
    assert "jp.officer" not in body
    response = client.post(
        "/portal/mission/users/invite",
        {"full_name": "New Officer", "username": "au.page", "email": "page@dfat.example", "preferred_language": "en"},
    )
    assert response.status_code == 302
    assert User.objects.get(username="au.page").agency.mission == portal.embassy_aus
    response = client.post(f"/portal/mission/users/{portal.au.pk}/suspend")
    assert response.status_code == 302
    portal.au.refresh_from_db()
    assert not portal.au.is_active
    # another mission's user through the lead's URL: not found
    assert client.post(f"/portal/mission/users/{portal.jp.pk}/suspend").status_code == 404
    assert client.get(f"/portal/admin/missions/{portal.embassy_jpn.pk}/").status_code == 404
    # the ministry side
    admin = login(portal.supervisor)
    assert admin.get("/portal/admin/missions/").status_code == 200
    page = admin.get(f"/portal/admin/missions/{portal.embassy_jpn.pk}/")
    assert page.status_code == 200
    assert "jp.officer" in page.content.decode()
    assert login(portal.desk).get("/portal/admin/missions/").status_code == 403


def test_invite_form_errors_on_the_page(portal, login):
    response = login(portal.au_lead).post(
        "/portal/mission/users/invite", {"full_name": "", "username": "", "email": "bad"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter the officer&#x27;s full name." in body


def test_contacts_by_lead_and_protocol(portal, login, make_user):
    contact = svc.mission_contact_create(
        actor=portal.au_lead, mission=portal.embassy_aus, label="Consular section", email="consular.jakarta@dfat.example"
    )
    assert contact.receives_notifications
    assert contact.is_active
    with pytest.raises(ApplicationError):
        svc.mission_contact_create(actor=portal.au_lead, mission=portal.embassy_aus, label="Dup", email="CONSULAR.jakarta@dfat.example")
    with pytest.raises(NotFound):
        svc.mission_contact_create(actor=portal.au_lead, mission=portal.embassy_jpn, label="X", email="x@mofa.example")
    with pytest.raises(PermissionDenied):
        svc.mission_contact_create(actor=portal.au, mission=portal.embassy_aus, label="X", email="x2@dfat.example")
    protocol = make_user(username="protokol", roles=[Role.PROTOCOL_OFFICER], agency=portal.kemlu)
    svc.mission_contact_update(actor=protocol, contact=contact, data={"receives_notifications": False})
    contact.refresh_from_db()
    assert not contact.receives_notifications
    assert AuditEvent.objects.filter(action=AuditAction.MISSION_CONTACT_CHANGED, object_id=str(contact.pk)).count() == 2
    client = login(portal.au_lead)
    response = client.post(
        "/portal/mission/contacts/add", {"label": "Duty officer", "email": "duty@dfat.example", "receives_notifications": "on"}
    )
    assert response.status_code == 302
    assert MissionContact.objects.filter(mission=portal.embassy_aus, email="duty@dfat.example").exists()
    client.post(f"/portal/mission/contacts/{contact.pk}/toggle", {"field": "is_active"})
    contact.refresh_from_db()
    assert not contact.is_active
    jp_contact = svc.mission_contact_create(actor=protocol, mission=portal.embassy_jpn, label="JP", email="jp@mofa.example")
    assert client.post(f"/portal/mission/contacts/{jp_contact.pk}/toggle", {"field": "is_active"}).status_code == 404
    assert "jp@mofa.example" not in client.get("/portal/mission/").content.decode()
