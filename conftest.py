"""Project-wide pytest fixtures."""

from __future__ import annotations

import pytest
from django.test import Client

from jembatan.accounts.tests.factories import UserFactory


@pytest.fixture
def login(client: Client):
    """`login(user)` signs `user` in on the test client, as if they had passed 2FA."""

    def _login(user, *, the_client: Client | None = None) -> Client:
        c = the_client or client
        c.force_login(user)
        return c

    return _login


@pytest.fixture
def make_user():
    """`make_user(roles=[...], agency=..., with_totp=True)`; roles needing 2FA get TOTP by default."""

    def _make(**kwargs):
        from jembatan.accounts.roles import MFA_REQUIRED_ROLES

        roles = kwargs.get("roles", [])
        kwargs.setdefault("with_totp", bool(MFA_REQUIRED_ROLES.intersection(roles)))
        return UserFactory(**kwargs)

    return _make


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate limits and used TOTP codes in the cache: no test may see another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
