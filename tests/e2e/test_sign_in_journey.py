"""End to end in a real browser: officers sign in (with TOTP where required), see their
home page, switch language; the pages pass axe and have no sideways scroll."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

from jembatan.accounts.tests.factories import TEST_PASSWORD, UserFactory
from jembatan.core.tests.browser import axe_violations, check_layouts, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form [type=submit]").last.click()


def test_officer_signs_in_and_switches_language(page, live_server):
    UserFactory(username="budi", full_name="Budi Santoso", roles=["immigration_officer"])
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert axe_violations(page) == []
    screenshot(page, "e2e-01-login-id")
    sign_in(page, live_server.url, "budi")
    page.wait_for_url(f"{live_server.url}/")
    assert "Budi Santoso" in page.content()
    assert axe_violations(page) == []
    check_layouts(page, "e2e-02-home-officer")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Welcome, Budi Santoso" in page.content()
    # The first Tab lands on the skip link, and focus is visible.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "skip-link"


def test_administrator_must_pass_totp(page, live_server):
    admin = UserFactory(username="admin.imigrasi", full_name="Admin Imigrasi", roles=["administrator"], with_totp=True)
    sign_in(page, live_server.url, "admin.imigrasi")
    # Second step: the authenticator code.
    page.locator("input[name=code]").wait_for()
    screenshot(page, "e2e-03-totp-step")
    page.locator("input[name=code]").first.fill(current_code(admin.totp_secret))
    page.get_by_role("button", name="Lanjutkan").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Admin Imigrasi" in page.content()
    screenshot(page, "e2e-04-home-administrator")
