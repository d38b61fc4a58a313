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
def _default_language_and_zone():
    """Each test starts in the default language and time zone, whatever an earlier test on
    the same worker activated."""
    from django.utils import timezone, translation

    translation.deactivate()
    timezone.deactivate()
    yield
    translation.deactivate()
    timezone.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate limits and used TOTP codes in the cache: no test may see another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --- browser tests ---------------------------------------------------------------------
# Playwright drives Debian's Chromium (STACK.md §1.9), never a browser it downloads.


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    import os
    import shutil
    from pathlib import Path

    # Playwright's sync API keeps an event loop in the test thread; the ORM calls the tests
    # make around it are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("Debian's chromium is missing: run `make system-deps`.")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """An Indonesian workstation: officers' browsers ask for Indonesian (Accept-Language: id)."""
    return {**browser_context_args, "locale": "id-ID"}
