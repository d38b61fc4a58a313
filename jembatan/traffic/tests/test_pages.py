"""Pages of the traffic queries: whereabouts search, overstays with the propose confirm
step, statistics with CSV, the home panel and the person-page section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.core.home import panels_for
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.tests.factories import CountryFactory
from jembatan.traffic.forms_queries import month_label
from jembatan.traffic.models import TrafficMonthly
from jembatan.traffic.tests.query_support import WITA, crossing, permit, tq_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def moment(days_ago: int, hour: int = 10) -> dt.datetime:
    day = ago(days_ago)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=WITA)


def overstayer(document: str, days: int, **kwargs) -> object:
    arrived = ago(days + 29)
    crossing(document, moment(days + 29), "A", **{k: v for k, v in kwargs.items() if k in ("state", "surname", "given_names")})
    return permit(document, arrived, ago(days), **kwargs)


# --- whereabouts ----------------------------------------------------------------------------


def test_whereabouts_by_document_shows_status_since_crossings_and_permit(tq, login, english):
    crossing("PA1234567", moment(40), "A", checkpoint="CGK")
    crossing("PA1234567", moment(30), "D", checkpoint="CGK")
    crossing("PA1234567", moment(5, hour=14), "A", checkpoint="DPS")
    permit("PA1234567", ago(5), ago(-25), number="VOA-555")
    client = login(tq.consular, the_client=english)
    page = client.get(reverse("traffic:whereabouts"))
    assert page.status_code == 200
    assert "Is this person in Indonesia?" in page.content.decode()
    response = client.post(
        reverse("traffic:whereabouts"),
        {"by": "document", "document_number": "pa1234567", "issuing_state": "aus", "purpose": "Inquiry 42 from the embassy"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "In Indonesia" in html
    assert "14:00 WITA" in html  # the arrival in Denpasar's own zone
    assert "WIB" in html  # the earlier crossings in Jakarta's
    assert "VOA-555" in html
    assert "25 days left" in html
    event = AuditEvent.objects.get(action=AuditAction.WHEREABOUTS_QUERIED)
    assert event.purpose == "Inquiry 42 from the embassy"
    assert event.data["document_number"] == "PA1234567"


def test_whereabouts_answer_lists_the_open_cases_of_the_register_person(tq, login, english):
    from jembatan.cases.lifecycle import CaseKind
    from jembatan.cases.tests.factories import CaseFactory

    someone = PersonFactory(surname="WALKER", given_names="JAMES", nationalities=["AUS"], recorded_by_agency=tq.imm)
    IdentityDocumentFactory(person=someone, number="PA1234567", issuing_state=CountryFactory(code="AUS"))
    detention = CaseFactory(person=someone, reporting_agency=tq.imm, kind=CaseKind.DETENTION)
    crossing("PA1234567", moment(5, hour=14), "A", checkpoint="DPS")
    response = login(tq.supervisor, the_client=english).post(
        reverse("traffic:whereabouts"),
        {"by": "document", "document_number": "PA1234567", "issuing_state": "AUS", "purpose": "Inquiry 44"},
    )
    html = response.content.decode()
    assert "Open cases" in html
    link = f'<a class="jb-id" href="{reverse("cases:detail", args=[detention.pk])}">{detention.reference}</a>'
    assert f"{link} ({detention.get_kind_display()}, {detention.get_status_display().lower()})" in html


def test_whereabouts_by_name_in_chinese(tq, login, english):
    crossing("E12345678", moment(3), "A", state="CHN", surname="WANG", given_names="XIUYING", birth=(1990, 7, 1))
    client = login(tq.consular, the_client=english)
    response = client.post(
        reverse("traffic:whereabouts"),
        {"by": "name", "name": "王秀英", "birth_day": "", "birth_month": "7", "birth_year": "1990", "purpose": "Inquiry 7"},
    )
    html = response.content.decode()
    assert "1 traveller found" in html
    assert "E12345678" in html
    assert "WANG XIUYING" in html


def test_whereabouts_needs_a_purpose_and_the_fields_of_the_chosen_search(tq, login, english):
    client = login(tq.consular, the_client=english)
    response = client.post(reverse("traffic:whereabouts"), {"by": "document", "document_number": "", "issuing_state": "AUS"})
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter the purpose of this lookup" in html
    assert "Enter the document number." in html
    assert 'aria-invalid="true"' in html
    # The date of birth is three boxes (GOV.UK date input); only the year is required and
    # each message sits on the box at fault, which the error summary links to.
    for parts, box, message in [
        ({"birth_year": "85"}, "birth_year", "Enter the year of birth with 4 digits, such as 1980."),
        ({"birth_day": "14", "birth_year": "1985"}, "birth_month", "Enter the month of birth when you enter the day."),
        ({"birth_day": "30", "birth_month": "2", "birth_year": "1985"}, "birth_day", "Enter a real date of birth, for example 14 3 1985."),
        ({"birth_month": "13", "birth_year": "1985"}, "birth_month", "Enter a month of birth from 1 to 12, or leave it empty."),
        ({"birth_month": "Mar", "birth_year": "1985"}, "birth_month", "Enter the date of birth as numbers, for example 14 3 1985."),
        ({}, "birth_year", "Enter at least the year of birth, such as 1980."),
    ]:
        response = client.post(reverse("traffic:whereabouts"), {"by": "name", "name": "Walker", "purpose": "x", **parts})
        html = response.content.decode()
        assert f'<a href="#id_{box}">{message}</a>' in html, parts
        assert 'id="id_birth-error"' in html
    assert 'aria-describedby="id_birth-hint id_birth-error"' in html
    assert not AuditEvent.objects.filter(action=AuditAction.WHEREABOUTS_QUERIED).exists()


def test_whereabouts_not_found_says_what_to_do(tq, login, english):
    client = login(tq.consular, the_client=english)
    response = client.post(
        reverse("traffic:whereabouts"), {"by": "document", "document_number": "ZZ0000000", "issuing_state": "D", "purpose": "x"}
    )
    html = response.content.decode()
    assert "0 travellers found" in html
    assert "Search by name and date of birth" in html


@pytest.mark.parametrize("who", ["mission_officer", "analyst"])
def test_whereabouts_refused_without_capability_or_to_missions(tq, login, who):
    client = login(getattr(tq, who))
    assert client.get(reverse("traffic:whereabouts")).status_code == 403


def test_pages_need_sign_in(client):
    for name in ("traffic:whereabouts", "traffic:overstays", "traffic:statistics"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "login" in response["Location"]


# --- overstays ------------------------------------------------------------------------------


def test_overstays_list_with_filters_pagination_and_propose_buttons(tq, login, english, settings):
    settings.UI_PAGE_SIZE = 2
    overstayer("AUS32", 32, state="AUS", surname="WALKER")
    overstayer("JPN75", 75, state="JPN", surname="TANAKA", given_names="YUKI")
    overstayer("AUS5", 5, state="AUS", surname="BROWN")
    client = login(tq.supervisor, the_client=english)
    html = client.get(reverse("traffic:overstays")).content.decode()
    assert "3 overstays" in html
    assert html.index("TANAKA") < html.index("WALKER")
    assert "BROWN" not in html  # on page 2
    assert "Deportation and entry ban" in html
    assert "Propose action" in html
    page2 = client.get(reverse("traffic:overstays") + "?page=2").content.decode()
    assert "BROWN" in page2
    filtered = client.get(reverse("traffic:overstays") + "?nationality=jpn").content.decode()
    assert "1 overstay" in filtered
    assert "TANAKA" in filtered
    assert "WALKER" not in filtered
    band = client.get(reverse("traffic:overstays") + "?band=31-60").content.decode()
    assert "WALKER" in band
    assert "TANAKA" not in band
    assert AuditEvent.objects.filter(action=AuditAction.OVERSTAYS_VIEWED).count() == 4


def test_overstays_empty_state_and_who_may_see(tq, login, english):
    html = login(tq.supervisor, the_client=english).get(reverse("traffic:overstays")).content.decode()
    assert "There are no overstays" in html
    for who in ("officer", "consular", "mission_officer"):
        assert login(getattr(tq, who)).get(reverse("traffic:overstays")).status_code == 403


# --- statistics -----------------------------------------------------------------------------


@pytest.fixture
def monthly(tq):
    jan, feb = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
    TrafficMonthly.objects.bulk_create(
        [
            TrafficMonthly(month=jan, nationality="AUS", checkpoint_code="DPS", arrivals=1200, departures=300),
            TrafficMonthly(month=feb, nationality="JPN", checkpoint_code="CGK", arrivals=40, departures=90),
        ]
    )
    return tq


def test_statistics_page_table_and_svg_bars(monthly, login, english):
    client = login(monthly.analyst, the_client=english)
    html = client.get(reverse("traffic:statistics")).content.decode()
    assert "<svg" in html
    assert "<rect" in html
    assert "1,240 arrivals and 390 departures in total" in html
    # Months are written out ("Jan 2026"), in the table, the chart and the month pickers,
    # which offer the months that have figures.
    assert '<th scope="row" class="text-nowrap">Jan 2026</th>' in html
    assert '<option value="2026-02">Feb 2026</option>' in html
    assert ">2026-01<" not in html
    # Bars scale to the largest figure; each says its series and figure (not colour alone).
    assert '<rect width="100.0%"' in html
    assert 'width="25.0%"' in html
    assert "Arrivals 1,200" in html
    assert "Departures 300" in html
    assert "Departures (hatched bar)" in html
    with translation.override("id"):
        assert month_label(dt.date(2026, 8, 1)) == "Agu 2026"
        assert month_label(dt.date(2025, 12, 1)) == "Des 2025"
    by_nationality = client.get(reverse("traffic:statistics") + "?group_by=nationality&month_from=2026-02").content.decode()
    assert "JPN" in by_nationality
    assert "Negara AUS" not in by_nationality


def test_statistics_csv_download_is_audited(monthly, login):
    client = login(monthly.supervisor)
    response = client.get(reverse("traffic:statistics") + "?group_by=checkpoint&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0] == "checkpoint,label,arrivals,departures,total"
    assert lines[1] == "DPS,Bandara Ngurah Rai,1200,300,1500"
    assert lines[2] == "CGK,Bandara Soekarno-Hatta,40,90,130"
    event = AuditEvent.objects.filter(action=AuditAction.TRAFFIC_STATISTICS_VIEWED).latest("id")
    assert event.data == {"group_by": "checkpoint", "format": "csv"}


def test_statistics_bad_month_and_refusals(monthly, login, english):
    response = login(monthly.analyst, the_client=english).get(reverse("traffic:statistics") + "?month_from=2026-13")
    assert response.status_code == 400
    assert "Choose a month from the list." in response.content.decode()
    assert login(monthly.consular).get(reverse("traffic:statistics")).status_code == 403


def test_statistics_empty_state(tq, login, english):
    html = login(tq.analyst, the_client=english).get(reverse("traffic:statistics")).content.decode()
    assert "No crossings match these filters." in html


# --- home panel and person section ------------------------------------------------------------


@translation.override("en")
def test_home_panel_counts_overstays_for_supervisors(tq):
    overstayer("AUS32", 32)
    overstayer("AUS3", 3)
    panels = {str(p.title): p for p in panels_for(tq.supervisor)}
    panel = panels["Immigration traffic"]
    assert [(str(i.label), i.value, i.urgent) for i in panel.items] == [("Foreign nationals overstaying today", "2", True)]
    assert {i.url for i in panel.actions} == {reverse("traffic:whereabouts"), reverse("traffic:statistics"), reverse("traffic:imports")}
    consular = {str(p.title): p for p in panels_for(tq.consular)}["Immigration traffic"]
    assert consular.items == []
    assert [i.url for i in consular.actions] == [reverse("traffic:whereabouts")]
    assert "Immigration traffic" not in {str(p.title) for p in panels_for(tq.mission_officer)}


def test_home_page_renders_the_panel(tq, login, english):
    overstayer("AUS32", 32)
    html = login(tq.supervisor, the_client=english).get(reverse("home")).content.decode()
    assert "Foreign nationals overstaying today" in html


def test_person_page_shows_whereabouts_to_agencies_never_to_missions(tq, login, english):
    someone = PersonFactory(surname="WALKER", given_names="JAMES", nationalities=["AUS"], recorded_by_agency=tq.imm)
    IdentityDocumentFactory(person=someone, number="PA1234567", issuing_state=CountryFactory(code="AUS"))
    crossing("PA1234567", moment(10, hour=9), "A", checkpoint="DPS")
    url = reverse("people:detail", args=[someone.pk])
    html = login(tq.consular, the_client=english).get(url).content.decode()
    assert "Whereabouts (immigration traffic)" in html
    assert "In Indonesia" in html
    assert "09:00 WITA" in html
    event = AuditEvent.objects.filter(action=AuditAction.WHEREABOUTS_QUERIED).get()
    assert event.purpose == "person page"
    assert event.data["person_id"] == str(someone.pk)
    mission_view = login(tq.mission_officer, the_client=english).get(url)
    # Missions no longer read the person register at all (accounts/roles.py, VCCR art. 36(1)(b)).
    assert mission_view.status_code == 403
    assert "Whereabouts (immigration traffic)" not in mission_view.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.WHEREABOUTS_QUERIED).count() == 1


def test_pages_speak_indonesian_by_default(tq, login):
    client = login(tq.supervisor)
    assert "Apakah orang ini berada di Indonesia?" in client.get(reverse("traffic:whereabouts")).content.decode()
    assert "Tidak ada overstay." in client.get(reverse("traffic:overstays")).content.decode()
