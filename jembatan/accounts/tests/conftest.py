"""Shared fixtures for the accounts tests: two agencies, their administrators and staff."""

from __future__ import annotations

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache

from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory, OrgUnitFactory


def totp_code(secret: str, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (or `offset` periods away) for `secret`."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD + offset
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate limits ("login": 30/min per IP) and used TOTP codes in the cache;
    every test starts from an empty one, as a fresh server would."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agency_a(db):
    return AgencyFactory(code="imigrasi-a", name_id="Ditjen Imigrasi A", name_en="Immigration A")


@pytest.fixture
def agency_b(db):
    return AgencyFactory(code="imigrasi-b", name_id="Ditjen Imigrasi B", name_en="Immigration B")


@pytest.fixture
def unit_a(agency_a):
    return OrgUnitFactory(agency=agency_a, code="kanim-a", name_id="Kanim A", name_en="Office A", time_zone="Asia/Makassar")


@pytest.fixture
def unit_b(agency_b):
    return OrgUnitFactory(agency=agency_b, code="kanim-b", name_id="Kanim B", name_en="Office B")


@pytest.fixture
def admin_a(make_user, agency_a, unit_a):
    return make_user(username="admin.a", roles=[Role.ADMINISTRATOR], agency=agency_a, unit=unit_a, full_name="Admin Satu")


@pytest.fixture
def admin_b(make_user, agency_b, unit_b):
    return make_user(username="admin.b", roles=[Role.ADMINISTRATOR], agency=agency_b, unit=unit_b)


@pytest.fixture
def officer_a(make_user, agency_a, unit_a):
    return make_user(username="officer.a", roles=[Role.IMMIGRATION_OFFICER], agency=agency_a, unit=unit_a, full_name="Budi Santoso")


@pytest.fixture
def officer_b(make_user, agency_b, unit_b):
    return make_user(username="officer.b", roles=[Role.IMMIGRATION_OFFICER], agency=agency_b, unit=unit_b, full_name="Rahmat B")
