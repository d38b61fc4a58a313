"""The registry pages as users reach them: who may open them, what the list finds and
filters, the record with its family, the add/edit form with GOV.UK errors, the audit trail
of every read, both languages, and the protocol officer's home panel."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.missions.choices import ImmunityLevel
from jembatan.missions.home import protocol_panel
from jembatan.missions.immunity import immunity_alert_protocol, immunity_check
from jembatan.missions.models import AccreditedPerson, Category, ImmunityLevelSource
from jembatan.missions.tests.factories import AccreditedPersonFactory, embassy_of_australia
from jembatan.reference.tests.factories import CountryFactory, ForeignMissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def protocol(make_user):
    return make_user(roles=[Role.PROTOCOL_OFFICER], agency=AgencyFactory(code="t-kemlu", kind=Agency.Kind.FOREIGN_MINISTRY))


@pytest.fixture
def supervisor(make_user):
    return make_user(roles=[Role.IMMIGRATION_SUPERVISOR])


@pytest.fixture
def registry():
    """An Australian diplomat with her spouse, a Japanese A&T staff member with an expired
    card, and an inactive former diplomat."""
    today = timezone.localdate()
    sarah = AccreditedPersonFactory(surname="BRENNAN", given_names="SARAH LOUISE", card_number="KD-2024-00117", document_number="DA4701123")
    thomas = AccreditedPersonFactory(
        category=Category.FAMILY_OF_DIPLOMATIC_AGENT,
        principal=sarah,
        surname="BRENNAN",
        given_names="THOMAS JAMES",
        sex="M",
        card_number="KD-2024-00118",
        card_valid_until=today + dt.timedelta(days=10),
    )
    jpn = CountryFactory(code="JPN", name_en="Japan", name_id="Jepang")
    japan = ForeignMissionFactory(country=jpn, sending_entity="Japan", name_en="Embassy of Japan", name_id="Kedutaan Besar Jepang")
    hiroshi = AccreditedPersonFactory(
        mission=japan,
        category=Category.ADMINISTRATIVE_TECHNICAL,
        surname="YAMAMOTO",
        given_names="HIROSHI",
        native_name="山本 博",
        native_name_lang="ja",
        nationality=jpn,
        document_number="DJ2200419",
        card_number="KD-2024-00305",
        card_valid_until=today - dt.timedelta(days=60),
    )
    robert = AccreditedPersonFactory(
        surname="MCALLISTER",
        given_names="ROBERT JOHN",
        is_active=False,
        card_number="KD-2022-00051",
        card_valid_until=today - dt.timedelta(days=200),
    )
    return {"sarah": sarah, "thomas": thomas, "hiroshi": hiroshi, "robert": robert}


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


def _names(html: str) -> list[str]:
    return [re.search(r"<bdi>(.*?)</bdi>", r).group(1) for r in _rows(html)]


# --- who may open what -----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.IMMIGRATION_OFFICER, Role.CONSULAR_OFFICER, Role.ANALYST, Role.AUDITOR])
def test_pages_are_forbidden_without_the_capability(client, login, make_user, registry, role):
    login(make_user(roles=[role]))
    sarah = registry["sarah"]
    for url in ("/missions/", f"/missions/{sarah.pk}/", "/missions/add/", f"/missions/{sarah.pk}/edit/", "/missions/import/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/missions/add/", {"surname": "X"}).status_code == 403
    assert not AuditEvent.objects.filter(action__in=[AuditAction.ACCREDITED_PERSON_VIEWED, AuditAction.ACCREDITED_PERSON_LISTED]).exists()


def test_anonymous_is_sent_to_sign_in(client, registry):
    response = client.get("/missions/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_mission_officer_never_sees_the_registry(client, login, make_user, registry):
    """Even if a mission agency were given the capability by mistake, its users see nothing."""
    embassy = AgencyFactory(code="t-kedubes", kind=Agency.Kind.FOREIGN_MISSION, mission=embassy_of_australia())
    officer = make_user(roles=[Role.MISSION_OFFICER], agency=embassy)
    assert AccreditedPerson.objects.visible_to(officer).count() == 0
    officer.roles = [Role.MISSION_OFFICER, Role.IMMIGRATION_SUPERVISOR]
    assert officer.has_capability("missions.view_accredited")
    assert AccreditedPerson.objects.visible_to(officer).count() == 0


def test_supervisor_may_view_but_not_change(client, login, supervisor, registry):
    login(supervisor)
    client.cookies["django_language"] = "en"
    html = client.get("/missions/").content.decode()
    assert "BRENNAN SARAH LOUISE" in html
    assert "Add an accredited person" not in html
    assert client.get(f"/missions/{registry['sarah'].pk}/").status_code == 200
    assert client.get(f"/missions/{registry['sarah'].pk}/edit/").status_code == 403
    assert client.get("/missions/add/").status_code == 403


# --- list ------------------------------------------------------------------------------


def test_list_is_a_captioned_table_sorted_by_passport_name_and_audited(client, login, protocol, registry):
    login(protocol)
    client.cookies["django_language"] = "en"
    html = client.get("/missions/").content.decode()
    assert "Accredited persons, sorted by the name in the passport</caption>" in html
    assert "4 accredited persons" in html
    assert _names(html) == ["BRENNAN SARAH LOUISE", "BRENNAN THOMAS JAMES", "MCALLISTER ROBERT JOHN", "YAMAMOTO HIROSHI"]
    yamamoto = _rows(html)[3]
    assert '<bdi lang="ja">山本 博</bdi>' in yamamoto
    assert "Embassy of Japan" in yamamoto
    assert "Full immunity (no arrest or detention in any form)" in yamamoto
    assert "Expired on" in yamamoto
    assert 'scope="row"' in yamamoto
    assert "Inactive" in _rows(html)[2]
    listed = AuditEvent.objects.get(action=AuditAction.ACCREDITED_PERSON_LISTED)
    assert listed.actor == protocol


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("brennan", ["BRENNAN SARAH LOUISE", "BRENNAN THOMAS JAMES"]),
        ("Sarah Brennan", ["BRENNAN SARAH LOUISE"]),
        ("山本", ["YAMAMOTO HIROSHI"]),  # native script, through anyascii
        ("kd 2024 00305", ["YAMAMOTO HIROSHI"]),  # card number, spacing ignored
        ("da4701123", ["BRENNAN SARAH LOUISE"]),  # document number, case ignored
        ("nobody", []),
    ],
)
def test_search_by_name_in_any_script_card_or_document(client, login, protocol, registry, query, expected):
    login(protocol)
    client.cookies["django_language"] = "en"
    html = client.get("/missions/", {"q": query}).content.decode()
    assert (_names(html) if expected else []) == expected
    if not expected:
        assert f"No accredited person matches “{query}” with these filters." in html
    searched = AuditEvent.objects.get(action=AuditAction.ACCREDITED_PERSON_SEARCHED)
    assert searched.data == {"query": query}


def test_filters(client, login, protocol, registry):
    login(protocol)
    client.cookies["django_language"] = "en"
    japan = registry["hiroshi"].mission
    assert _names(client.get("/missions/", {"mission": japan.pk}).content.decode()) == ["YAMAMOTO HIROSHI"]
    assert _names(client.get("/missions/", {"card": "expired"}).content.decode()) == ["MCALLISTER ROBERT JOHN", "YAMAMOTO HIROSHI"]
    assert _names(client.get("/missions/", {"card": "expiring"}).content.decode()) == ["BRENNAN THOMAS JAMES"]
    assert _names(client.get("/missions/", {"card": "valid"}).content.decode()) == ["BRENNAN SARAH LOUISE", "BRENNAN THOMAS JAMES"]
    assert _names(client.get("/missions/", {"active": "no"}).content.decode()) == ["MCALLISTER ROBERT JOHN"]
    assert _names(client.get("/missions/", {"category": "family_diplomatic_agent"}).content.decode()) == ["BRENNAN THOMAS JAMES"]
    html = client.get("/missions/", {"immunity_level": "full", "category": "administrative_technical"}).content.decode()
    assert _names(html) == ["YAMAMOTO HIROSHI"]
    assert "Category: Member of the administrative and technical staff" in html  # removable filter tag
    assert 'href="?immunity_level=full"' in html
    AccreditedPersonFactory(category=Category.SERVICE_STAFF, surname="ZED")
    assert _names(client.get("/missions/", {"immunity_level": "official_acts"}).content.decode()) == ["ZED TEST"]


def test_pagination_by_fifty(client, login, protocol, settings):
    for n in range(53):
        AccreditedPersonFactory(surname=f"P{n:03d}")
    login(protocol)
    client.cookies["django_language"] = "en"
    html = client.get("/missions/", {"active": "yes"}).content.decode()
    assert len(_rows(html)) == 50
    assert "Page 1 of 2" in html
    assert 'href="?active=yes&amp;page=2"' in html
    assert len(_rows(client.get("/missions/", {"active": "yes", "page": 2}).content.decode())) == 3


def test_list_queries_do_not_grow_with_rows(client, login, protocol, registry, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(protocol)
    with CaptureQueriesContext(connection) as few:
        client.get("/missions/")
    for n in range(30):
        principal = AccreditedPersonFactory(surname=f"P{n:03d}")
        AccreditedPersonFactory(category=Category.FAMILY_OF_DIPLOMATIC_AGENT, principal=principal, surname=f"F{n:03d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/missions/").content.decode()
    assert len(_rows(html)) == 50


def test_empty_registry(client, login, protocol):
    login(protocol)
    client.cookies["django_language"] = "en"
    html = client.get("/missions/").content.decode()
    assert "The registry is empty." in html
    assert "<table" not in html


# --- detail ----------------------------------------------------------------------------


def test_detail_shows_the_record_and_family_and_is_audited(client, login, protocol, registry):
    login(protocol)
    client.cookies["django_language"] = "en"
    sarah = registry["sarah"]
    html = client.get(f"/missions/{sarah.pk}/").content.decode()
    assert '<h1 class="h2 mb-1"><bdi>BRENNAN SARAH LOUISE</bdi></h1>' in html
    assert "Embassy of Australia" in html
    assert "Diplomatic agent" in html
    assert "Derived from the category" in html
    assert "KD-2024-00117" in html
    assert "Family members registered with BRENNAN SARAH LOUISE</caption>" in html
    assert f'href="/missions/{registry["thomas"].pk}/"' in html
    assert f'href="/missions/add/?principal={sarah.pk}"' in html  # add a family member
    viewed = AuditEvent.objects.get(action=AuditAction.ACCREDITED_PERSON_VIEWED)
    assert (viewed.actor, viewed.object_id) == (protocol, str(sarah.pk))
    thomas = client.get(f"/missions/{registry['thomas'].pk}/").content.decode()
    assert "Family member of" in thomas
    assert f'href="/missions/{sarah.pk}/"' in thomas


def test_detail_warns_that_expiry_does_not_end_immunity(client, login, protocol, registry):
    login(protocol)
    client.cookies["django_language"] = "en"
    html = client.get(f"/missions/{registry['hiroshi'].pk}/").content.decode()
    assert "An expired card or an inactive record does not end immunity by itself" in html
    assert "Expired on" in html


def test_unknown_record_is_404(client, login, protocol):
    login(protocol)
    assert client.get("/missions/9b2f7c52-0d4c-4c0e-9a57-000000000000/").status_code == 404


# --- add and edit ----------------------------------------------------------------------


def _form_data(**changes):
    data = {
        "mission": str(embassy_of_australia().pk),
        "category": "diplomatic_agent",
        "principal_reference": "",
        "rank": "Second Secretary",
        "surname": "O'CONNOR",
        "given_names": "LIAM",
        "native_name": "",
        "native_name_lang": "",
        "sex": "M",
        "birth_date_day": "7",
        "birth_date_month": "9",
        "birth_date_year": "1987",
        "nationality": str(CountryFactory(code="AUS").pk),
        "document_type": "diplomatic_passport",
        "document_number": "DA 480 0001",
        "document_issuing_state": str(CountryFactory(code="AUS").pk),
        "card_number": "KD-2026-00001",
        "card_valid_from_day": "1",
        "card_valid_from_month": "1",
        "card_valid_from_year": "2026",
        "card_valid_until_day": "31",
        "card_valid_until_month": "12",
        "card_valid_until_year": "2028",
        "immunity_level": "",
        "notes": "",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_add_a_person(client, login, protocol):
    login(protocol)
    client.cookies["django_language"] = "en"
    page = client.get("/missions/add/").content.decode()
    assert '<legend class="form-label fw-semibold fs-6 mb-1">Date of birth</legend>' in page
    assert '<label class="form-label mb-1" for="id_birth_date">Day</label>' in page
    response = client.post("/missions/add/", _form_data())
    person = AccreditedPerson.objects.get()
    assert response["Location"] == f"/missions/{person.pk}/"
    assert person.birth_date == dt.date(1987, 9, 7)
    assert person.document_number_normalised == "DA4800001"
    assert person.immunity_level == ImmunityLevel.FULL
    created = AuditEvent.objects.get(action=AuditAction.ACCREDITED_PERSON_CREATED)
    assert created.actor == protocol
    assert created.data["changes"]["surname"] == [None, "O'CONNOR"]


def test_form_errors_are_named_by_field_in_both_languages(client, login, protocol):
    login(protocol)
    data = _form_data(surname="", birth_date_day="31", birth_date_month="2", card_valid_until_year="", mission="", nationality="")
    client.cookies["django_language"] = "en"
    html = client.post("/missions/add/", data).content.decode()
    assert "<title>Error: Add an accredited person – Jembatan</title>" in html
    assert "There is a problem" in html
    assert '<a href="#id_surname">Enter the surname as in the passport</a>' in html
    assert '<a href="#id_birth_date">Date of birth must be a real date, for example 27 3 1984</a>' in html
    assert '<a href="#id_card_valid_until">The card&#x27;s end date must include a day, month and year</a>' in html
    assert '<a href="#id_mission">Select the mission the person is accredited through</a>' in html
    assert 'name="birth_date_day" value="31"' in html
    assert 'aria-invalid="true" id="id_birth_date"' in html  # the day box has the field's id: the summary link lands on it
    assert 'value="31"' in html  # what was typed stays

    client.cookies["django_language"] = "id"
    html = client.post("/missions/add/", data).content.decode()
    assert "Terdapat masalah" in html
    assert "Masukkan nama keluarga sesuai paspor" in html
    assert not AccreditedPerson.objects.exists()


def test_model_rules_show_on_the_form(client, login, protocol, registry):
    login(protocol)
    client.cookies["django_language"] = "en"
    html = client.post("/missions/add/", _form_data(card_number="kd-2024-00117")).content.decode()
    assert '<a href="#id_card_number">Another person in the registry already has this card number</a>' in html
    html = client.post("/missions/add/", _form_data(category="family_diplomatic_agent", card_number="KD-X")).content.decode()
    assert '<a href="#id_principal_reference">Enter the accredited staff member this person is a family member of</a>' in html
    html = client.post("/missions/add/", _form_data(principal_reference="NOPE-1", category="family_diplomatic_agent")).content.decode()
    assert "No one in the registry has this card or document number" in html
    assert AccreditedPerson.objects.count() == 4


def test_add_a_family_member_from_the_principal(client, login, protocol, registry):
    login(protocol)
    sarah = registry["sarah"]
    html = client.get(f"/missions/add/?principal={sarah.pk}").content.decode()
    assert 'value="KD-2024-00117"' in html
    assert '<option value="family_diplomatic_agent" selected>' in html
    data = _form_data(
        category="family_diplomatic_agent", principal_reference="KD 2024 00117", given_names="OLIVIA", card_number="KD-2024-00119"
    )
    response = client.post("/missions/add/", data)
    assert response.status_code == 302
    olivia = AccreditedPerson.objects.get(card_number="KD-2024-00119")
    assert olivia.principal == sarah
    assert olivia.immunity_level == ImmunityLevel.FULL


def test_edit_sets_the_immunity_and_keeps_history(client, login, protocol, registry):
    login(protocol)
    client.cookies["django_language"] = "en"
    hiroshi = registry["hiroshi"]
    page = client.get(f"/missions/{hiroshi.pk}/edit/").content.decode()
    assert 'name="birth_date_year" value="1980"' in page
    assert 'value="YAMAMOTO"' in page
    data = _form_data(
        mission=str(hiroshi.mission_id),
        category="administrative_technical",
        surname="YAMAMOTO",
        given_names="HIROSHI",
        native_name="山本 博",
        nationality=str(hiroshi.nationality_id),
        document_number="DJ2200419",
        document_issuing_state=str(hiroshi.nationality_id),
        card_number="KD-2024-00305",
        birth_date_day="14",
        birth_date_month="5",
        birth_date_year="1980",
        immunity_level="official_acts",
    )
    response = client.post(f"/missions/{hiroshi.pk}/edit/", data)
    assert response.status_code == 302
    hiroshi.refresh_from_db()
    assert (hiroshi.immunity_level, hiroshi.immunity_level_source) == (ImmunityLevel.OFFICIAL_ACTS, ImmunityLevelSource.PROTOCOL)
    assert hiroshi.history.count() == 2
    updated = AuditEvent.objects.get(action=AuditAction.ACCREDITED_PERSON_UPDATED)
    assert updated.data["changes"]["immunity_level"] == ["", "official_acts"]
    assert "Changes saved." in client.get(f"/missions/{hiroshi.pk}/").content.decode()
    # Saving the same values again changes nothing.
    client.post(f"/missions/{hiroshi.pk}/edit/", data)
    assert hiroshi.history.count() == 2
    assert "Nothing was changed." in client.get(f"/missions/{hiroshi.pk}/").content.decode()


# --- languages -------------------------------------------------------------------------


def test_indonesian_is_the_default(client, login, protocol, registry):
    login(protocol)
    html = client.get("/missions/").content.decode()
    assert '<html lang="id">' in html
    assert "Registri orang yang diakreditasi" in html
    assert "Kekebalan penuh" in html
    assert "Kedaluwarsa pada" in html
    html = client.get(f"/missions/{registry['sarah'].pk}/").content.decode()
    assert "Agen diplomatik" in html
    assert "Anggota keluarga" in html


# --- home panel ------------------------------------------------------------------------


def test_home_panel_for_protocol(client, login, protocol, registry, make_user, settings):
    matches = immunity_check(document_number="DA4701123", issuing_state="AUS")
    immunity_alert_protocol(matches=matches, case_reference="JBT-2026-000007", case_url="/cases/7/", person_name="BRENNAN")
    login(protocol)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        panel = protocol_panel(protocol)
    items = {item.label: item for item in panel.items}
    assert items["Unread immunity alerts"].value == "1"
    assert items["Unread immunity alerts"].urgent
    assert items["Cards ending within 30 days"].value == "1"
    assert items["Cards ending within 30 days"].url == "/missions/?card=expiring&active=yes"
    assert items["Active persons with an expired card"].value == "1"
    assert items["Active persons in the registry"].value == "3"
    assert [a.url for a in panel.actions] == ["/missions/", "/missions/add/", "/missions/import/"]
    assert not AuditEvent.objects.filter(action=AuditAction.ACCREDITED_PERSON_LISTED).exists()  # counts are not reads
    assert protocol_panel(make_user(roles=[Role.IMMIGRATION_OFFICER])) is None
    with translation.override("en"):
        supervisor_panel = protocol_panel(make_user(roles=[Role.IMMIGRATION_SUPERVISOR]))
    assert "Unread immunity alerts" not in [i.label for i in supervisor_panel.items]
    assert [a.url for a in supervisor_panel.actions] == ["/missions/"]
    with translation.override("id"):
        assert protocol_panel(protocol).title == "Registri kekebalan"
    # On the home page itself, once listed in JEMBATAN_HOME_PANELS.
    settings.JEMBATAN_HOME_PANELS = [*settings.JEMBATAN_HOME_PANELS, "jembatan.missions.home.protocol_panel"]
    html = client.get("/").content.decode()
    assert "Immunity registry" in html
    assert 'href="/missions/?card=expiring&amp;active=yes"' in html
