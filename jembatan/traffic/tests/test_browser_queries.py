"""The traffic queries in Debian's Chromium: a supervisor goes from the home panel to the
overstays, proposes the action for one, looks a traveller up by document and opens the
statistics. axe clean and no sideways scroll at 1280 and 390 px on every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from jembatan.accounts.tests.factories import TEST_PASSWORD
from jembatan.cases.models import Case
from jembatan.core.tests.browser import axe_violations, check_layouts
from jembatan.traffic.aggregates import refresh_all
from jembatan.traffic.tests.query_support import WITA, crossing, permit, tq_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_page(page, name: str) -> None:
    assert axe_violations(page) == [], name
    check_layouts(page, name)


def test_supervisor_reviews_overstays_proposes_and_looks_up(page, live_server, tq):
    today = timezone.localdate()
    arrived = today - dt.timedelta(days=50)
    crossing("PA1234567", dt.datetime(arrived.year, arrived.month, arrived.day, 14, tzinfo=WITA), "A", checkpoint="DPS")
    permit("PA1234567", arrived, today - dt.timedelta(days=20), number="VOA-20")
    refresh_all()

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill("sari")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Orang asing yang melebihi izin tinggal hari ini" in page.locator("main").inner_text()

    page.goto(f"{live_server.url}/traffic/overstays/")
    assert page.locator("h1").inner_text() == "Overstay"
    _check_page(page, "traffic-overstays")
    page.get_by_role("link", name=re.compile("Usulkan tindakan")).first.click()
    page.wait_for_url(re.compile(r".*/cases/overstays/\d+/propose/$"))
    assert "Rp20.000.000" in page.locator("main").inner_text()
    _check_page(page, "traffic-overstay-propose")
    page.get_by_role("button", name="Usulkan tindakan ini").click()
    page.wait_for_url(re.compile(r".*/cases/[0-9a-f-]+/$"))
    charge = Case.objects.get()
    assert charge.kind == "cost_charge"
    assert charge.reference in page.locator("main").inner_text()

    page.goto(f"{live_server.url}/traffic/whereabouts/")
    _check_page(page, "traffic-whereabouts-form")
    page.get_by_label("Nomor dokumen").fill("PA1234567")
    page.get_by_label("Negara penerbit").fill("AUS")
    page.get_by_label("Tujuan pencarian ini").fill("Pemeriksaan overstay")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.wait_for_load_state()
    result = page.locator("main").inner_text()
    assert "Berada di Indonesia" in result
    assert "14.00 WITA" in result
    assert "melebihi 20 hari" in result
    assert charge.reference in result
    _check_page(page, "traffic-whereabouts-result")

    page.goto(f"{live_server.url}/traffic/statistics/?group_by=checkpoint")
    assert "DPS" in page.locator("table").inner_text()
    _check_page(page, "traffic-statistics")
