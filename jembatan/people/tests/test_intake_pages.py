"""The intake page as an officer uses it: paste the MRZ and read it, check the fields, save;
the duplicate guard's "Possible existing records" page with its two audited choices; the
`next` round trip; errors in both languages that keep what was typed and write nothing;
the link from the people list and the agencies on the person's page."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.people import mrz
from jembatan.people.models import IdentityDocument, Nationality, Person, PersonAgencyLink
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.tests.factories import CountryFactory

pytestmark = pytest.mark.django_db

URL = "/people/new/"
PETROV_MRZ = mrz.compose_td3(
    issuing_state="RUS",
    surname="PETROV",
    given_names="IVAN",
    document_number="751234567",
    nationality="RUS",
    birth_date=dt.date(1979, 5, 14),
    sex="M",
    expiry_date=dt.date(2030, 1, 31),
)
SPECIMEN = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")


@pytest.fixture(autouse=True)
def countries():
    CountryFactory(code="RUS", name_en="Russian Federation", name_id="Rusia")
    CountryFactory(code="UTO", kind="icao", name_en="Utopia", name_id="Utopia")
    CountryFactory(code="IDN", name_en="Indonesia", name_id="Indonesia")
    CountryFactory(code="XXA", kind="icao", name_en="Stateless person", name_id="Orang tanpa kewarganegaraan")


@pytest.fixture
def imigrasi():
    return AgencyFactory(code="t-imigrasi", kind=Agency.Kind.IMMIGRATION, name_en="Immigration", name_id="Imigrasi")


@pytest.fixture
def polri():
    return AgencyFactory(code="t-polri", kind=Agency.Kind.PARTNER_AGENCY, name_en="National Police", name_id="Kepolisian")


@pytest.fixture
def officer(make_user, imigrasi):
    return make_user(roles=[Role.IMMIGRATION_OFFICER], agency=imigrasi)


def _value(html: str, name: str) -> str | None:
    """The value an input, textarea or select of the intake form shows for `name`."""
    if 'id="intake-form"' in html:
        html = html.split('id="intake-form"', 1)[1].split("</form>", 1)[0]
    m = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    if m:
        tag = m.group(0)
        if 'type="checkbox"' in tag:
            return "on" if " checked" in tag else ""
        v = re.search(r'value="([^"]*)"', tag)
        return unescape(v.group(1)) if v else ""
    m = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, flags=re.S)
    if m:
        return unescape(m.group(1)).strip()
    m = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, flags=re.S)
    if m:
        v = re.search(r'<option value="([^"]*)"[^>]*selected', m.group(1))
        return unescape(v.group(1)) if v else ""
    return None


FORM_FIELDS = (
    "mrz",
    "mrz_read",
    "next",
    "surname",
    "given_names",
    "native_name",
    "native_name_lang",
    "sex",
    "birth_day",
    "birth_month",
    "birth_year",
    "nationality",
    "second_nationality",
    "document_type",
    "document_number",
    "issuing_state",
    "issued_day",
    "issued_month",
    "issued_year",
    "expiry_day",
    "expiry_month",
    "expiry_year",
    "is_refugee",
    "is_asylum_seeker",
    "is_stateless",
    "is_trafficking_victim",
)


def _form_data(html: str) -> dict[str, str]:
    """What the browser would post back: every field of the intake form as shown."""
    data = {}
    for name in FORM_FIELDS:
        value = _value(html, name)
        if value:
            data[name] = value
    return data


def _read(client, text: str, language: str = "id", **extra) -> str:
    client.cookies["django_language"] = language
    response = client.post(URL, {"mrz": text, "action": "read_mrz", **extra}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def _petrov_form(**changes) -> dict[str, str]:
    data = {
        "surname": "PETROV",
        "given_names": "IVAN",
        "native_name": "Иван Петров",
        "native_name_lang": "ru",
        "sex": "M",
        "birth_day": "14",
        "birth_month": "5",
        "birth_year": "1979",
        "nationality": "RUS",
        "document_type": "P",
        "document_number": "751234567",
        "issuing_state": "RUS",
        "expiry_day": "31",
        "expiry_month": "1",
        "expiry_year": "2030",
        "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _counts() -> tuple[int, int, int]:
    return Person.objects.count(), Nationality.objects.count(), IdentityDocument.objects.count()


# --- reading the MRZ -------------------------------------------------------------------------------


def test_pasting_the_mrz_and_reading_it_fills_the_form(client, login, officer):
    login(officer)
    html = _read(client, "\n".join(PETROV_MRZ), sex="X", document_type="P")  # the selects' starting values
    form = _form_data(html)
    assert form["surname"] == "PETROV"
    assert form["given_names"] == "IVAN"
    assert form["sex"] == "M"
    assert (form["birth_day"], form["birth_month"], form["birth_year"]) == ("14", "5", "1979")
    assert form["nationality"] == "RUS"
    assert (form["document_type"], form["document_number"], form["issuing_state"]) == ("P", "751234567", "RUS")
    assert (form["expiry_day"], form["expiry_month"], form["expiry_year"]) == ("31", "1", "2030")
    assert form["mrz_read"] == form["mrz"] == "\n".join(PETROV_MRZ)
    assert "12 isian terisi dari MRZ. Periksa kembali dengan dokumen sebelum menyimpan." in html
    assert Person.objects.count() == 0  # reading saves nothing


def test_the_icao_specimen_reads_with_one_line_scanner_input(client, login, officer):
    login(officer)
    html = _read(client, "  " + "".join(SPECIMEN).lower() + "  ", language="en")
    form = _form_data(html)
    assert (form["surname"], form["given_names"], form["sex"]) == ("ERIKSSON", "ANNA MARIA", "F")
    assert (form["birth_day"], form["birth_month"], form["birth_year"]) == ("12", "8", "1974")
    assert (form["document_number"], form["issuing_state"], form["nationality"]) == ("L898902C3", "UTO", "UTO")
    assert "fields filled from the MRZ. Check them against the document before saving." in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("id", "MRZ, tanggal lahir: digit pemeriksa salah (seharusnya 2, tertulis 3). Periksa MRZ, atau isi kolom-kolom secara manual."),
        ("en", "MRZ, date of birth: check digit is wrong (expected 2, found 3). Check the MRZ, or fill in the fields yourself."),
    ],
)
def test_a_bad_check_digit_names_the_mrz_field_and_keeps_what_was_typed(client, login, officer, language, expected):
    login(officer)
    bad = SPECIMEN[1][:19] + "3" + SPECIMEN[1][20:]
    html = _read(client, SPECIMEN[0] + "\n" + bad, language=language, native_name="Анна", surname="TYPED")
    assert expected in unescape(html)
    assert 'class="alert alert-danger jb-error-summary"' in html
    assert 'href="#id_mrz"' in html
    assert 'aria-invalid="true"' in re.search(r"<textarea[^>]*>", html).group(0)
    assert _value(html, "native_name") == "Анна"
    assert _value(html, "surname") == "TYPED"
    assert _value(html, "mrz").endswith(bad)
    assert Person.objects.count() == 0


def test_an_unknown_code_in_the_mrz_is_named(client, login, officer):
    login(officer)
    lines = mrz.compose_td3(
        issuing_state="QQQ",
        surname="X",
        given_names="Y",
        document_number="1234",
        nationality="RUS",
        birth_date=dt.date(1980, 1, 1),
        sex="F",
        expiry_date=dt.date(2030, 1, 1),
    )
    html = unescape(_read(client, "\n".join(lines), language="en"))
    assert "MRZ, issuing state: code 'QQQ' is not a known ICAO/ISO code." in html
    html = unescape(_read(client, "\n".join(lines), language="id"))
    assert "MRZ, negara penerbit: kode 'QQQ' tidak dikenal." in html


def test_reading_again_keeps_the_fields_the_officer_changed(client, login, officer):
    login(officer)
    form = _form_data(_read(client, "\n".join(PETROV_MRZ)))
    form.update({"given_names": "IVAN SERGEEVICH", "action": "read_mrz"})
    html = client.post(URL, form).content.decode()
    assert _value(html, "given_names") == "IVAN SERGEEVICH"
    assert _value(html, "surname") == "PETROV"
    assert "Isian yang Anda ubah tetap dipertahankan" in html


def test_enter_with_no_mrz_keeps_the_form_and_says_so(client, login, officer):
    """Enter in a text field presses the first button, "Read MRZ": nothing may be lost."""
    login(officer)
    html = client.post(URL, {"action": "read_mrz", "surname": "TYPED", "is_refugee": "on"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _value(html, "surname") == "TYPED"
    assert _value(html, "is_refugee") == "on"
    assert "There is no MRZ to read." in html
    assert "jb-error-summary" not in html


def test_saving_with_an_unread_mrz_reads_it_first(client, login, officer):
    login(officer)
    html = client.post(URL, {"mrz": "\n".join(PETROV_MRZ), "action": "save"}).content.decode()
    assert _value(html, "surname") == "PETROV"
    assert Person.objects.count() == 0


# --- saving ---------------------------------------------------------------------------------------


def test_read_then_save_records_the_person_and_document_and_shows_them(client, login, officer, imigrasi):
    login(officer)
    form = _form_data(_read(client, "\n".join(PETROV_MRZ)))
    form.update({"native_name": "Иван Петров", "native_name_lang": "ru", "is_asylum_seeker": "on", "action": "save"})
    response = client.post(URL, form)
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/"
    assert (person.surname, person.given_names, person.native_name, person.sex) == ("PETROV", "IVAN", "Иван Петров", "M")
    assert (person.birth_year, person.birth_month, person.birth_day) == (1979, 5, 14)
    assert person.is_asylum_seeker
    assert person.recorded_by_agency == imigrasi
    document = person.documents.get()
    assert (document.number, document.issuing_state.code, document.expires_on) == ("751234567", "RUS", dt.date(2030, 1, 31))
    assert document.mrz == "\n".join(PETROV_MRZ)  # the MRZ read is kept with its document
    html = client.get(response["Location"]).content.decode()
    assert "PETROV IVAN tercatat." in html
    assert 'role="status"' in html
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_CREATED, object_id=str(person.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field_id", "message_en", "message_id"),
    [
        (
            {"birth_year": "2090"},
            "id_birth_year",
            "Date of birth must be today or in the past",
            "Tanggal lahir harus hari ini atau sebelumnya",
        ),
        (
            {"birth_day": "30", "birth_month": "2", "birth_year": "1980"},
            "id_birth_day",
            "Date of birth must be a real date",
            "Tanggal lahir harus tanggal yang benar",
        ),
        (
            {"issued_day": "1", "issued_month": "2", "issued_year": "2020", "expiry_day": "1", "expiry_month": "1", "expiry_year": "2019"},
            "id_expiry_day",
            "Date of expiry must be after the date of issue",
            "Tanggal habis berlaku harus sesudah tanggal terbit",
        ),
        (
            {"expiry_day": "31", "expiry_month": "2", "expiry_year": "2030"},
            "id_expiry_day",
            "Date of expiry must be a real date",
            "Tanggal habis berlaku harus tanggal yang benar",
        ),
        (
            {"document_number": "751-234"},
            "id_document_number",
            "Document number must only include letters and numbers",
            "Nomor dokumen hanya boleh berisi huruf dan angka",
        ),
        ({"nationality": ""}, "id_nationality", "Select a nationality", "Pilih kewarganegaraan"),
        ({"surname": ""}, "id_surname", "Enter the surname as in the document", "Masukkan nama keluarga sesuai dokumen"),
    ],
)
def test_errors_name_the_field_in_both_languages_keep_the_input_and_write_nothing(
    client, login, officer, changes, field_id, message_en, message_id
):
    login(officer)
    before = _counts()
    for language, message in (("en", message_en), ("id", message_id)):
        client.cookies["django_language"] = language
        response = client.post(URL, _petrov_form(**changes), HTTP_ACCEPT_LANGUAGE=language)
        html = unescape(response.content.decode())
        assert response.status_code == 200
        summary = html.split('jb-error-summary"', 1)[1].split("</div>", 1)[0]
        assert f'href="#{field_id}"' in summary
        assert message in summary
        assert html.count(message) >= 2  # in the summary and at the field
        assert "<title>Error: " in html or "<title>Kesalahan: " in html
        assert _value(html, "native_name") == "Иван Петров"  # what was typed stays
        assert _value(html, "given_names") == "IVAN"
    assert _counts() == before


def test_partial_birth_date_with_00_parts(client, login, officer):
    login(officer)
    response = client.post(URL, _petrov_form(birth_day="00", birth_month="00", birth_year="1979"))
    assert response.status_code == 302
    person = Person.objects.get()
    assert (person.birth_year, person.birth_month, person.birth_day) == (1979, None, None)


def test_page_needs_the_capability(client, login, make_user, imigrasi):
    login(make_user(roles=[Role.CONSULAR_OFFICER], agency=imigrasi))
    assert client.get(URL).status_code == 403
    assert client.post(URL, _petrov_form()).status_code == 403
    assert Person.objects.count() == 0
    client.logout()
    assert client.get(URL).status_code == 302


# --- the duplicate guard on the page ------------------------------------------------------------------


def _recorded_by_police(polri) -> Person:
    person = PersonFactory(
        surname="PETROV", given_names="IVAN", birth_year=1979, birth_month=5, birth_day=14, recorded_by_agency=polri, nationalities=["RUS"]
    )
    IdentityDocumentFactory(person=person, number="751234567", issuing_state=CountryFactory(code="RUS"))
    return person


def test_a_second_intake_of_the_same_passport_proposes_the_existing_person(client, login, officer, polri):
    existing = _recorded_by_police(polri)
    login(officer)
    form = _form_data(_read(client, "\n".join(PETROV_MRZ), language="en"))
    form["action"] = "save"
    response = client.post(URL, form, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html
    assert "Possible existing records</h1>" in html
    row = html.split(f'id="candidate-{existing.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "PETROV IVAN" in row
    assert "same document" in row
    assert "100%" in row
    assert "Recorded by another agency" in row
    assert "******567 (RUS)" in row  # the police record's number, masked
    assert f'name="use_existing" value="{existing.pk}"' in row
    assert Person.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_DUPLICATES_SEARCHED).count() == 1


def test_use_this_person_links_the_agency_and_goes_to_the_record(client, login, officer, polri, imigrasi):
    existing = _recorded_by_police(polri)
    login(officer)
    html = client.post(URL, _petrov_form()).content.decode()
    post = {name: unescape(value) for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}
    post.pop("csrfmiddlewaretoken", None)
    post["use_existing"] = str(existing.pk)
    response = client.post(URL, post)
    assert response.status_code == 302
    assert response["Location"] == f"/people/{existing.pk}/"
    assert Person.objects.count() == 1
    link = PersonAgencyLink.objects.get()
    assert (link.person, link.agency) == (existing, imigrasi)
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_MATCH_CONFIRMED, object_id=str(existing.pk)).count() == 1
    detail = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Anda menggunakan data PETROV IVAN yang sudah ada." in detail
    assert "Imigrasi" in detail.split('id="agency-links"', 1)[1]


def test_this_is_a_new_person_records_the_rejected_candidates(client, login, officer, imigrasi):
    existing = PersonFactory(
        surname="ПЕТРОВ",
        given_names="ИВАН",
        birth_year=1979,
        birth_month=5,
        birth_day=14,
        recorded_by_agency=imigrasi,
        nationalities=["RUS"],
    )
    login(officer)
    html = client.post(URL, _petrov_form(native_name=""), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = html.split(f'id="candidate-{existing.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "similar name" in row
    assert "same date of birth" in row
    assert "same nationality" in row
    post = {name: unescape(value) for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}
    post.pop("csrfmiddlewaretoken", None)
    post["action"] = "confirm_new"
    response = client.post(URL, post)
    assert response.status_code == 302
    assert Person.objects.count() == 2
    created = Person.objects.exclude(pk=existing.pk).get()
    rejected = AuditEvent.objects.get(action=AuditAction.PERSON_MATCH_REJECTED)
    assert rejected.object_id == str(existing.pk)
    assert rejected.data == {"new_person": str(created.pk)}
    assert created.documents.get().number == "751234567"


def test_change_the_details_returns_to_the_filled_form(client, login, officer, imigrasi):
    PersonFactory(
        surname="PETROV",
        given_names="IVAN",
        birth_year=1979,
        birth_month=5,
        birth_day=14,
        recorded_by_agency=imigrasi,
        nationalities=["RUS"],
    )
    login(officer)
    html = client.post(URL, _petrov_form(is_stateless="on")).content.decode()
    post = {name: unescape(value) for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}
    post.pop("csrfmiddlewaretoken", None)
    post["action"] = "edit"
    html = client.post(URL, post).content.decode()
    assert _value(html, "native_name") == "Иван Петров"
    assert _value(html, "is_stateless") == "on"
    assert _value(html, "is_refugee") == ""  # posted back as "False", not ticked
    assert "jb-error-summary" not in html


# --- next -----------------------------------------------------------------------------------------------


def test_next_gets_the_new_person_in_its_query_string(client, login, officer):
    login(officer)
    html = client.get(URL, {"next": "/cases/new/?kind=detention&person=old"}).content.decode()
    assert _value(html, "next") == "/cases/new/?kind=detention&person=old"
    response = client.post(URL, _petrov_form(next="/cases/new/?kind=detention&person=old"))
    person = Person.objects.get()
    assert response["Location"] == f"/cases/new/?kind=detention&person={person.pk}"


def test_next_also_follows_use_this_person(client, login, officer, polri):
    existing = _recorded_by_police(polri)
    login(officer)
    html = client.post(URL, _petrov_form(next="/cases/new/")).content.decode()
    post = {name: unescape(value) for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}
    post.pop("csrfmiddlewaretoken", None)
    post["use_existing"] = str(existing.pk)
    assert client.post(URL, post)["Location"] == f"/cases/new/?person={existing.pk}"


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "cases/new/"])
def test_an_unsafe_next_is_ignored(client, login, officer, unsafe):
    login(officer)
    assert _value(client.get(URL, {"next": unsafe}).content.decode(), "next") == ""
    response = client.post(URL, _petrov_form(next=unsafe))
    person = Person.objects.get()
    assert response["Location"] == f"/people/{person.pk}/"


# --- list and detail ------------------------------------------------------------------------------------


def test_the_list_offers_add_a_person_only_with_the_capability(client, login, officer, make_user, imigrasi):
    login(officer)
    html = client.get("/people/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{URL}"' in html
    assert "Add a person" in html
    login(make_user(roles=[Role.CONSULAR_OFFICER], agency=imigrasi))
    assert f'href="{URL}"' not in client.get("/people/").content.decode()


def test_detail_lists_the_linked_agencies_but_not_to_a_mission(client, login, officer, imigrasi, polri, make_user):
    from jembatan.people.services import person_link_agency
    from jembatan.reference.tests.factories import ForeignMissionFactory

    person = PersonFactory(surname="PETROV", recorded_by_agency=imigrasi, nationalities=["RUS"])
    person_link_agency(person=person, agency=polri, reason="Kasus JBT-2026-000007")
    login(officer)
    html = client.get(f"/people/{person.pk}/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    links = html.split('id="agency-links"', 1)[1].split("</ul>", 1)[0]
    assert "Kepolisian" in links
    assert "Kasus JBT-2026-000007" in links
    assert "<time" in links
    mission = ForeignMissionFactory(country=CountryFactory(code="RUS"))
    envoy = make_user(roles=[Role.MISSION_OFFICER], agency=AgencyFactory(kind=Agency.Kind.FOREIGN_MISSION, mission=mission))
    login(envoy)
    html = client.get(f"/people/{person.pk}/").content.decode()
    assert "Kasus JBT-2026-000007" not in html
    assert 'id="agency-links"' not in html


def test_the_intake_form_is_labelled_and_linked_to_hints(client, login, officer):
    login(officer)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<title>Add a person – Jembatan</title>" in html
    assert re.search(r'<input[^>]*name="native_name"[^>]*dir="auto"', html)
    assert re.search(r'<textarea[^>]*name="mrz"[^>]*aria-describedby="id_mrz-hint"', html)
    assert re.search(r'<input[^>]*name="birth_day"[^>]*aria-describedby="id_birth-hint"', html)
    assert "never disclosed to any foreign mission" in html
    assert '<legend class="form-label fw-semibold fs-6 mb-1">Date of birth</legend>' in html
    assert '<option value="RUS">RUS – Russian Federation</option>' in html
