"""Exports of the case list: CSV for systems, XLSX for people; filtered like the list,
scoped, audited, only for roles allowed to export, never carrying protection flags."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory, OrgUnitFactory
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.exporters import COLUMNS, CaseExportFilters, export_filename, safe_cell
from jembatan.cases.lifecycle import CaseKind, CaseStatus
from jembatan.cases.tests.test_rules_support import make_case
from jembatan.core.exceptions import ApplicationError
from jembatan.people.tests.factories import IdentityDocumentFactory, PersonFactory
from jembatan.reference.tests.factories import DetentionCentreFactory

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
CSV_URL, XLSX_URL = "/cases/export.csv", "/cases/export.xlsx"


@pytest.fixture
def world(make_user):
    """Two immigration agencies; cases of the first (one with a refugee, one whose
    names would run as formulas), one case of the second."""
    mine = AgencyFactory(kind=Agency.Kind.IMMIGRATION, code="imigrasi-a")
    theirs = AgencyFactory(kind=Agency.Kind.IMMIGRATION, code="imigrasi-b")
    office = OrgUnitFactory(agency=mine, code="kanim-denpasar-uji", time_zone="Asia/Makassar")
    other_office = OrgUnitFactory(agency=mine, code="kanim-lain")
    refugee = PersonFactory(
        surname="AHMADI",
        given_names="FATEMA",
        native_name="فاطمه احمدی",
        recorded_by_agency=mine,
        is_refugee=True,
        nationalities=["AFG"],
        birth_year=1990,
        birth_month=None,
        birth_day=None,
    )
    tricky = PersonFactory(
        surname="=HYPERLINK(1)", given_names="@SUM", native_name="王秀英", recorded_by_agency=mine, nationalities=["CHN"]
    )
    IdentityDocumentFactory(person=tricky, number="E12345678")
    detention = make_case(
        kind=CaseKind.DETENTION,
        agency=mine,
        unit=office,
        person=refugee,
        occurred_at=dt.datetime(2026, 3, 2, 23, 30, tzinfo=WITA),
        time_zone="Asia/Makassar",
        detention_centre=DetentionCentreFactory(code="RDN-DPS-T", time_zone="Asia/Makassar"),
        detention_ground="a",
        detention_ceiling_on=dt.date(2036, 3, 2),
        summary="Mengaku pengungsi UNHCR",
    )
    charge = make_case(
        kind=CaseKind.COST_CHARGE,
        status=CaseStatus.DECIDED,
        agency=mine,
        unit=other_office,
        person=tricky,
        occurred_at=dt.datetime(2026, 3, 10, 9, 0, tzinfo=WITA),
        time_zone="Asia/Makassar",
        overstay_days=12,
        charge_amount=12_000_000,
        decision_number="-1+1",
    )
    foreign = make_case(kind=CaseKind.DETENTION, agency=theirs, occurred_at=dt.datetime(2026, 3, 5, 8, 0, tzinfo=WITA))
    supervisor = make_user(roles=[Role.IMMIGRATION_OFFICER, Role.IMMIGRATION_SUPERVISOR], agency=mine, unit=office)
    return {"mine": mine, "office": office, "detention": detention, "charge": charge, "foreign": foreign, "supervisor": supervisor}


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8")
    assert "\r\n" in text
    assert re.search(r"[^\r]\n", text) is None
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _by_reference(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header = rows[0]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def test_csv_carries_stable_codes_iso_times_and_personal_data(world, login):
    # The supervisor sees every case; the ministry-wide export holds all three.
    response = login(world["supervisor"]).get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    rows = _csv(response)
    assert rows[0] == [column.code for column in COLUMNS]
    data = _by_reference(rows)
    assert set(data) == {world["detention"].reference, world["charge"].reference, world["foreign"].reference}
    assert response["X-Export-Rows"] == "3"
    detention = data[world["detention"].reference]
    assert detention["kind"] == "detention"
    assert detention["status"] == "detained"
    assert detention["occurred_at"] == "2026-03-02T23:30:00+08:00"  # the place's time, with its offset
    assert detention["surname"] == "AHMADI"
    assert detention["native_name"] == "فاطمه احمدی"
    assert detention["birth_date"] == "1990-00-00"  # partial dates as in the exchange format
    assert detention["nationalities"] == "AFG"
    assert detention["reporting_unit"] == "kanim-denpasar-uji"
    assert detention["detention_centre"] == "RDN-DPS-T"
    assert detention["detention_ground"] == "a"
    assert detention["detention_ceiling_on"] == "2036-03-02"
    charge = data[world["charge"].reference]
    assert charge["charge_amount"] == "12000000"  # no thousands separator
    assert charge["document_numbers"] == "E12345678"
    # Cells a spreadsheet would run are defused.
    assert charge["surname"] == "'=HYPERLINK(1)"
    assert charge["given_names"] == "'@SUM"
    assert charge["decision_number"] == "'-1+1"
    assert charge["native_name"] == "王秀英"


def test_no_protection_flag_or_free_text_leaves(world, login):
    response = login(world["supervisor"]).get(CSV_URL)
    body = b"".join(response.streaming_content).decode("utf-8").lower()
    for word in ("refugee", "asylum", "pengungsi", "unhcr", "trafficking", "stateless"):
        assert word not in body
    workbook = load_workbook(io.BytesIO(login(world["supervisor"]).get(XLSX_URL).content))
    headers = [cell.value.lower() for cell in next(workbook.active.iter_rows(max_row=1))]
    assert not any(word in header for header in headers for word in ("refugee", "asylum", "pengungsi", "suaka"))


def test_filters_match_the_case_list(world, login):
    client = login(world["supervisor"])

    def references(**query) -> set[str]:
        rows = _csv(client.get(CSV_URL, query))
        return {row[0] for row in rows[1:]}

    d, c, f = world["detention"].reference, world["charge"].reference, world["foreign"].reference
    assert references(kind="detention") == {d, f}
    assert references(status="decided") == {c}
    assert references(nationality="afg") == {d}
    assert references(office=str(world["office"].pk)) == {d}
    assert references(office="kanim-lain") == {c}
    # 2 March 23.30 WITA is 2 March 22.30 WIB: the viewer's zone (WITA here) decides the day.
    assert references(date_from="2026-03-03", date_to="2026-03-31") == {c, f}
    assert references(date_from="2026-03-02", date_to="2026-03-02") == {d}
    assert references(q="ahmadi") == {d}
    assert references(q="王秀英") == {c}
    assert references(q="E12345678") == {c}
    assert references(q=c.lower()) == {c}
    assert references(open="1", kind="cost_charge") == {c}


def test_exports_are_scoped_to_what_the_user_may_see(world, make_user, login):
    officer = make_user(roles=[Role.IMMIGRATION_OFFICER, Role.CONSULAR_OFFICER], agency=AgencyFactory(kind=Agency.Kind.FOREIGN_MINISTRY))
    rows = _csv(login(officer).get(CSV_URL, {"kind": "cost_charge"}))
    assert {row[0] for row in rows[1:]} == {world["charge"].reference}  # a notifiable kind, any agency
    outsider = make_user(roles=[Role.IMMIGRATION_OFFICER, Role.IMMIGRATION_SUPERVISOR], agency=AgencyFactory(is_active=False))
    assert _csv(login(outsider).get(CSV_URL)) == [[column.code for column in COLUMNS]]


def test_roles_without_the_capability_get_403_and_nothing_is_recorded(world, make_user, login):
    for role in (Role.IMMIGRATION_OFFICER, Role.PROTOCOL_OFFICER, Role.ANALYST, Role.PARTNER_OFFICER):
        client = login(make_user(roles=[role], agency=world["mine"]))
        assert client.get(CSV_URL).status_code == 403
        assert client.get(XLSX_URL).status_code == 403
    assert not AuditEvent.objects.filter(action__in=[AuditAction.CASE_EXPORTED_CSV, AuditAction.CASE_EXPORTED_XLSX]).exists()


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(CSV_URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_every_export_is_audited_with_filters_and_rows(world, login):
    client = login(world["supervisor"])
    b"".join(client.get(CSV_URL, {"kind": "detention", "q": "ahmadi"}).streaming_content)
    client.get(XLSX_URL, {"status": "decided", "open": "on"})
    csv_event = AuditEvent.objects.get(action=AuditAction.CASE_EXPORTED_CSV)
    assert csv_event.actor_id == world["supervisor"].pk
    assert csv_event.data["filters"] == {"kind": "detention", "q": "ahmadi"}
    assert csv_event.data["rows"] == 1
    assert csv_event.data["format"] == "csv"
    assert csv_event.channel == "web"
    xlsx_event = AuditEvent.objects.get(action=AuditAction.CASE_EXPORTED_XLSX)
    assert xlsx_event.data["filters"] == {"status": "decided", "open": True}
    assert xlsx_event.data["rows"] == 1


def test_file_names_carry_the_viewers_local_time_and_zone(world, login):
    response = login(world["supervisor"]).get(CSV_URL)
    assert re.fullmatch(r'attachment; filename="jembatan-kasus-\d{4}-\d{2}-\d{2}-\d{4}WITA\.csv"', response["Content-Disposition"])
    moment = dt.datetime(2026, 11, 27, 7, 30, tzinfo=dt.UTC)
    assert export_filename(now=moment, zone="Asia/Jakarta", extension="xlsx") == "jembatan-kasus-2026-11-27-1430WIB.xlsx"
    assert export_filename(now=moment, zone="Asia/Jayapura", extension="csv") == "jembatan-kasus-2026-11-27-1630WIT.csv"


@pytest.mark.parametrize(
    ("language", "first_headers", "kind_label"),
    [
        ("en", ["Case number", "Kind", "Status", "Date and time of the event (WITA)"], "Detention"),
        ("id", ["Nomor kasus", "Jenis", "Status", "Tanggal dan waktu kejadian (WITA)"], "Pendetensian"),
    ],
)
def test_xlsx_for_people(world, login, language, first_headers, kind_label):
    client = login(world["supervisor"])
    client.cookies["django_language"] = language
    response = client.get(XLSX_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('WITA.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:4]) == first_headers
    header = rows[0]
    by_ref = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    detention = by_ref[world["detention"].reference]
    when = header[3]
    assert detention[when] == dt.datetime(2026, 3, 2, 23, 30)  # a real date-time, in the viewer's zone
    assert detention[header[1]] == kind_label
    charge = by_ref[world["charge"].reference]
    surname = header[[c.code for c in COLUMNS].index("surname")]
    assert charge[surname] == "=HYPERLINK(1)"  # intact, stored as text
    as_text = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value == "=HYPERLINK(1)"]
    assert as_text
    assert all(cell.data_type == "s" for cell in as_text)
    assert charge[header[[c.code for c in COLUMNS].index("charge_amount")]] == 12_000_000
    ceiling = header[[c.code for c in COLUMNS].index("detention_ceiling_on")]
    assert detention[ceiling] == dt.datetime(2036, 3, 2)  # a date cell


def test_a_filter_that_is_not_understood_is_refused(world, login):
    client = login(world["supervisor"])
    for query, field in (({"kind": "nope"}, "kind"), ({"date_from": "27/11/2026"}, "date_from"), ({"open": "maybe"}, "open")):
        response = client.get(CSV_URL, query)
        assert response.status_code == 400
        assert f"<code>{field}</code>" in response.content.decode()
        assert reverse("cases:list") in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_EXPORTED_CSV).exists()
    with pytest.raises(ApplicationError) as error:
        CaseExportFilters.from_query({"date_from": "2026-03-02", "date_to": "2026-03-01"}, zone="Asia/Jakarta")
    assert error.value.field == "date_to"


def test_safe_cell():
    for value in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert safe_cell(value) == "'" + value
    assert safe_cell("Ahmadi") == "Ahmadi"
    assert safe_cell(-5) == -5


def test_queries_do_not_grow_with_rows(world, login):
    """Persons, nationalities and documents are fetched in bulk, not once per case."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world["supervisor"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get(CSV_URL).streaming_content)
            client.get(XLSX_URL)
        return len(captured)

    few = queries()
    for _ in range(6):
        person = PersonFactory(recorded_by_agency=world["mine"], nationalities=["AUS", "GBR"])
        IdentityDocumentFactory(person=person)
        make_case(kind=CaseKind.DETENTION, agency=world["mine"], person=person)
    assert queries() == few
