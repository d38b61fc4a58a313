"""`actor_can`: one answer for users and API clients alike."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from jembatan.accounts.models import ApiClient
from jembatan.accounts.permissions import actor_can
from jembatan.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_a_user_holds_the_capabilities_of_their_roles_while_active(make_user):
    officer = make_user(roles=[Role.CONSULAR_OFFICER])
    assert actor_can(officer, "notifications.dispatch_notification")
    assert not actor_can(officer, "traffic.import_traffic")
    officer.is_active = False
    assert not actor_can(officer, "notifications.dispatch_notification")


def test_an_api_client_holds_the_permissions_it_was_given(make_user):
    agency = make_user(roles=[Role.CONSULAR_OFFICER]).agency
    token, prefix, token_hash = ApiClient.new_token()
    client = ApiClient.objects.create(
        agency=agency, name="desk system", token_prefix=prefix, token_hash=token_hash, permissions=["notifications.view_notification"]
    )
    assert actor_can(client, "notifications.view_notification")
    assert not actor_can(client, "notifications.dispatch_notification")
    client.is_active = False
    assert not actor_can(client, "notifications.view_notification")


def test_nobody_holds_anything():
    assert not actor_can(None, "notifications.view_notification")
    assert not actor_can(AnonymousUser(), "notifications.view_notification")
