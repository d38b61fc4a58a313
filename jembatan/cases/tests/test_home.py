"""The home panel of the case register: counts in the user's scope, links to the filtered
list, and the primary action for those who record cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jembatan.accounts.roles import Role
from jembatan.cases.home import case_panel
from jembatan.cases.lifecycle import CaseKind, CaseStatus
from jembatan.cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(agencies):
    today = timezone.localdate()
    return {
        "near_ceiling": CaseFactory(
            reporting_agency=agencies.imm_a,
            occurred_at=timezone.now() - dt.timedelta(days=9 * 366),
            detention_ceiling_on=today + dt.timedelta(days=200),
        ),
        "fresh": CaseFactory(reporting_agency=agencies.imm_a, detention_ceiling_on=today.replace(year=today.year + 10)),
        "flagged": CaseFactory(
            kind=CaseKind.DEATH, reporting_agency=agencies.imm_a, immunity_level="full", immunity_match={"display_name": "X"}
        ),
        "closed": CaseFactory(kind=CaseKind.CIVIL_CASE, status=CaseStatus.CLOSED, reporting_agency=agencies.imm_a),
        "other_agency": CaseFactory(reporting_agency=agencies.imm_b),
    }


def _items(panel) -> dict[str, tuple[str, str, bool]]:
    return {str(item.label): (item.value, item.url, item.urgent) for item in panel.items}


def test_officer_panel_counts_their_agency_and_offers_to_record(officer, cases):
    panel = case_panel(officer)
    items = _items(panel)
    assert items["Kasus berjalan yang dapat Anda lihat"] == ("3", "/cases/?open=1", False)
    assert items["Pendetensian yang mendekati batas 10 tahun"] == ("1", "/cases/?ceiling=1", True)
    assert items["Kasus berjalan yang ditandai oleh daftar kekebalan"] == ("1", "/cases/?immunity=1&open=1", True)
    assert items["Kasus yang perlu perhatian"][0] == "1"  # the 9-year detention is past 1 year
    assert [(str(a.label), a.url) for a in panel.actions] == [("Catat penahanan baru", "/cases/new/?kind=detention")]


def test_the_links_lead_to_the_same_numbers(client, login, officer, cases):
    login(officer)
    for label, (value, url, _urgent) in _items(case_panel(officer)).items():
        assert f"{value} kasus" in client.get(url).content.decode(), label


def test_consular_officer_sees_all_notifiable_and_gets_search_instead(make_user, agencies, cases):
    consular = make_user(roles=[Role.CONSULAR_OFFICER], agency=agencies.kemlu)
    panel = case_panel(consular)
    assert _items(panel)["Kasus berjalan yang dapat Anda lihat"][0] == "4"
    assert [str(a.label) for a in panel.actions] == ["Cari kasus"]


def test_no_panel_without_a_case_capability(protocol_officer, cases):
    from django.contrib.auth.models import AnonymousUser

    assert case_panel(protocol_officer) is None
    assert case_panel(AnonymousUser()) is None


def test_home_page_shows_the_panel_when_listed(client, login, officer, cases, settings):
    if "jembatan.cases.home.case_panel" not in settings.JEMBATAN_HOME_PANELS:
        settings.JEMBATAN_HOME_PANELS = [*settings.JEMBATAN_HOME_PANELS, "jembatan.cases.home.case_panel"]
    login(officer)
    html = client.get("/").content.decode()
    assert "Catat penahanan baru" in html
    assert 'href="/cases/?ceiling=1"' in html
