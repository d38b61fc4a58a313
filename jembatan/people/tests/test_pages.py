"""The people pages as users reach them: list with search and pagination, detail with
protection flags for agencies only, the home panel, and the audit trail of each read."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.people.home import people_panel
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def imigrasi():
    return AgencyFactory(code="t-imigrasi", kind=Agency.Kind.IMMIGRATION)


@pytest.fixture
def officer(make_user, imigrasi):
    return make_user(roles=[Role.IMMIGRATION_OFFICER], agency=imigrasi)


@pytest.fixture
def mission_officer(make_user):
    mission = ForeignMissionFactory(country=CountryFactory(code="AUS", name_en="Australia", name_id="Australia"))
    return make_user(
        roles=[Role.MISSION_OFFICER], agency=AgencyFactory(code="t-kedubes-aus", kind=Agency.Kind.FOREIGN_MISSION, mission=mission)
    )


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


def test_list_shows_names_as_written_with_native_script_isolated(client, login, officer, imigrasi):
    person = PersonFactory(
        surname="NUR AISYAH BINTI AHMAD",
        given_names="",
        native_name="Nur Aisyah binti Ahmad",
        native_name_lang="ms",
        recorded_by_agency=imigrasi,
        nationalities=["MYS"],
    )
    PersonFactory(surname="WANG", given_names="XIUYING", native_name="王秀英", native_name_lang="zh-Hans", recorded_by_agency=imigrasi)
    PersonFactory(surname="COHEN", given_names="NOA", native_name="נועה כהן", native_name_lang="", recorded_by_agency=imigrasi)
    IdentityDocumentFactory(person=person, number="A1234567")
    login(officer)
    html = client.get("/people/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "People you can see, sorted by the name in the document</caption>" in html
    assert '<bdi lang="ms">Nur Aisyah binti Ahmad</bdi>' in html  # never re-cased
    assert '<bdi lang="zh-Hans">王秀英</bdi>' in html
    assert "<bdi>נועה כהן</bdi>" in html  # language unknown: still isolated
    assert '<abbr title="Country MYS">MYS</abbr>' in html
    assert "A1234567" in html
    rows = _rows(html)
    assert [re.search(r"<bdi>(.*?)</bdi>", r).group(1) for r in rows] == ["COHEN NOA", "NUR AISYAH BINTI AHMAD", "WANG XIUYING"]
    assert 'scope="row"' in rows[0]


@pytest.mark.parametrize(
    ("year", "month", "day", "language", "shown", "machine"),
    [
        (1985, None, None, "id", ">1985<", 'datetime="1985"'),
        (1985, 3, None, "en", ">Mar 1985<", 'datetime="1985-03"'),
        (1974, 8, 12, "id", ">12 Agu 1974<", 'datetime="1974-08-12"'),
        (1974, 8, 12, "en", ">12 Aug 1974<", 'datetime="1974-08-12"'),
        (None, None, None, "en", ">—<", ""),
    ],
)
def test_partial_birth_dates(client, login, officer, imigrasi, year, month, day, language, shown, machine):
    PersonFactory(surname="PARTIAL", birth_year=year, birth_month=month, birth_day=day, recorded_by_agency=imigrasi)
    login(officer)
    client.cookies["django_language"] = language
    row = _rows(client.get("/people/", HTTP_ACCEPT_LANGUAGE=language).content.decode())[0]
    assert shown in row
    assert machine in row


def test_search_box_finds_across_scripts_and_says_why(client, login, officer, imigrasi):
    PersonFactory(surname="WANG", given_names="XIUYING", native_name="王秀英", native_name_lang="zh-Hans", recorded_by_agency=imigrasi)
    PersonFactory(surname="PETROV", given_names="IVAN", native_name="Иван Петров", native_name_lang="ru", recorded_by_agency=imigrasi)
    login(officer)
    html = client.get("/people/", {"q": "wang"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = _rows(html)
    assert len(rows) == 1
    assert "WANG XIUYING" in rows[0]
    assert "name in the document" in rows[0]
    assert 'value="wang"' in html  # what the user typed stays in the box
    html = client.get("/people/", {"q": "Иван"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = _rows(html)
    assert len(rows) == 1
    assert "PETROV IVAN" in rows[0]
    assert "name in native script" in rows[0]


def test_empty_states(client, login, officer, imigrasi):
    login(officer)
    html = client.get("/people/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "There are no people you can see yet." in html
    assert "<table" not in html
    PersonFactory(surname="WANG", recorded_by_agency=imigrasi)
    html = client.get("/people/", {"q": "nobody"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No people match “nobody”." in html
    assert "0 people" in html


def test_indonesian_is_the_default(client, login, officer, imigrasi):
    PersonFactory(surname="WANG", recorded_by_agency=imigrasi)
    login(officer)
    html = client.get("/people/").content.decode()
    assert '<html lang="id">' in html
    assert "Nama sesuai dokumen" in html
    assert "1 orang" in html


def test_too_long_query_is_an_error_with_a_summary(client, login, officer):
    login(officer)
    html = client.get("/people/", {"q": "x" * 201}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "There is a problem" in html
    assert "Enter at most 200 characters" in html
    assert "<title>Error:" in html


@override_settings(UI_PAGE_SIZE=50)
def test_pagination_by_fifty_keeps_the_query(client, login, officer, imigrasi):
    for i in range(51):
        PersonFactory(surname=f"SMITH{i:02d}", recorded_by_agency=imigrasi)
    login(officer)
    html = client.get("/people/", {"q": "smith"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert len(_rows(html)) == 50
    assert "51 people" in html
    assert "Page 1 of 2" in html
    assert "?q=smith&amp;page=2" in html
    second = client.get("/people/", {"q": "smith", "page": 2}).content.decode()
    assert len(_rows(second)) == 1
    assert "SMITH50" in second


def test_list_queries_do_not_grow_with_rows(client, login, officer, imigrasi, django_assert_max_num_queries):
    for i in range(20):
        person = PersonFactory(surname=f"ROW{i:02d}", recorded_by_agency=imigrasi, nationalities=["AUS", "GBR"])
        IdentityDocumentFactory(person=person)
    login(officer)
    with django_assert_max_num_queries(20):
        assert client.get("/people/").status_code == 200


def test_detail_shows_protection_flags_to_agencies_with_the_sensitive_tag(client, login, make_user, imigrasi):
    person = PersonFactory(surname="AHMADI", given_names="FATEMA", is_refugee=True, recorded_by_agency=imigrasi, nationalities=["AFG"])
    IdentityDocumentFactory(person=person, number="P01234567")
    consular = make_user(roles=[Role.CONSULAR_OFFICER], agency=AgencyFactory(code="t-kemlu", kind=Agency.Kind.FOREIGN_MINISTRY))
    login(consular)
    html = client.get(f"/people/{person.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1" in html
    assert "<bdi>AHMADI FATEMA</bdi>" in html
    assert "Sensitive: never disclosed to missions" in html
    assert re.search(r"Refugee</dt>\s*<dd[^>]*><strong>Yes</strong>", html)
    assert "P01234567" in html
    assert "AFG</span> – Country AFG" in html
    assert "P&lt;" in html or "P<" in html  # the MRZ is shown


def test_the_register_is_closed_to_a_mission_even_for_its_own_national(client, login, mission_officer, imigrasi):
    person = PersonFactory(surname="MITCHELL", given_names="CHLOE", is_stateless=True, recorded_by_agency=imigrasi, nationalities=["AUS"])
    login(mission_officer)
    response = client.get(f"/people/{person.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 403
    assert "MITCHELL" not in html
    assert "Stateless" not in html
    assert "MITCHELL" not in client.get("/people/").content.decode()


def test_page_reads_are_audited(client, login, officer, imigrasi):
    person = PersonFactory(surname="WANG", recorded_by_agency=imigrasi)
    other = PersonFactory(surname="HIDDEN")  # another agency's
    login(officer)
    client.get("/people/")
    client.get("/people/", {"q": "wang"})
    client.get(f"/people/{person.pk}/")
    client.get(f"/people/{other.pk}/")  # 404: nothing was read
    events = list(AuditEvent.objects.filter(actor=officer).exclude(action=AuditAction.USER_LOGGED_IN).order_by("id"))
    assert [e.action for e in events] == [AuditAction.PERSON_LISTED, AuditAction.PERSON_SEARCHED, AuditAction.PERSON_VIEWED]
    assert events[1].data == {"query": "wang"}
    assert events[2].object_type == "people.person"
    assert events[2].object_id == str(person.pk)
    assert events[2].channel == "web"
    assert events[2].request_id


def test_home_panel_counts_visible_people(client, login, officer, imigrasi, mission_officer):
    PersonFactory(surname="ONE", recorded_by_agency=imigrasi)
    PersonFactory(surname="TWO", recorded_by_agency=imigrasi, nationalities=["AUS"])
    PersonFactory(surname="ELSEWHERE")
    panel = people_panel(officer)
    assert panel.items[0].value == "2"
    assert panel.items[0].url == "/people/"
    assert people_panel(mission_officer) is None  # the register is closed to missions
    login(officer)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "People you can see" in html
    assert 'href="/people/"' in html


def test_home_panel_absent_without_the_capability(make_user):
    assert people_panel(make_user(roles=[Role.ANALYST])) is None
    from django.contrib.auth.models import AnonymousUser

    assert people_panel(AnonymousUser()) is None


def test_home_panel_does_not_audit(officer):
    people_panel(officer)
    assert not AuditEvent.objects.filter(action__in=[AuditAction.PERSON_LISTED, AuditAction.PERSON_SEARCHED]).exists()
