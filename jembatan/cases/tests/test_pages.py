"""The case pages as officers use them: record a detention (person chosen → form → case),
act on it (status, note, event, document), and find cases in the list."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from jembatan.accounts.models import Alert
from jembatan.accounts.roles import Role
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.cases.lifecycle import CaseKind, CaseStatus
from jembatan.cases.models import Case, CaseDocument, CaseEvent
from jembatan.cases.tests.factories import CaseFactory
from jembatan.cases.tests.test_documents import PDF, PNG
from jembatan.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _detention_post(refs, when: dt.datetime | None = None, **overrides) -> dict:
    when = when or (timezone.now() - dt.timedelta(hours=3)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    data = {
        "occurred_date_0": str(when.day),
        "occurred_date_1": str(when.month),
        "occurred_date_2": str(when.year),
        "occurred_time": when.strftime("%H.%M"),
        "time_zone": "Asia/Makassar",
        "detention_ground": "a",
        "detention_centre": str(refs.denpasar.pk),
        "legal_basis": str(refs.detention.pk),
        "summary": "Found at a Tim PORA check",
        # Consular rights advice (VCCR art. 36(1)(b)): required for a detention.
        "rights_informed_date_0": str(when.day),
        "rights_informed_date_1": str(when.month),
        "rights_informed_date_2": str(when.year),
        "rights_informed_time": when.strftime("%H.%M"),
        "rights_language": "en",
        "rights_answer": "requested",
    }
    data.update(overrides)
    return data


def test_officer_records_a_detention_through_the_pages(client, login, officer, person, refs):
    login(officer)
    # Given: the officer starts from "Record a new detention" without a person.
    start = client.get("/cases/new/?kind=detention")
    assert start.status_code == 200
    page = _text(start)
    try:
        intake = reverse("people:intake")
    except NoReverseMatch:
        intake = None
    if intake:
        assert f'href="{intake}?next={quote("/cases/new/?kind=detention", safe="")}"' in page
    # The person is found by name and chosen.
    found = _text(client.get("/cases/new/", {"kind": "detention", "q": "walker"}))
    assert f"?kind=detention&amp;person={person.pk}" in found

    # When: the form for that person is filled in.
    form = client.get(f"/cases/new/?kind=detention&person={person.pk}")
    assert form.status_code == 200
    html = _text(form)
    assert "WALKER JAMES" in html
    assert "PA1234567" in html
    assert 'name="detention_ground"' in html
    assert 'name="starts_on_0"' not in html  # only the fields of a detention
    assert 'name="immunity_override_reason"' not in html
    response = client.post(f"/cases/new/?kind=detention&person={person.pk}", _detention_post(refs))

    # Then: the case exists and its page shows the facts and the first history entry.
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.kind == CaseKind.DETENTION
    assert case.person == person
    assert case.detention_centre == refs.denpasar
    assert case.events.get(kind=CaseEvent.Kind.CREATED).actor == officer
    detail = _text(client.get(response["Location"]))
    assert case.reference in detail
    assert "Riwayat tidak dapat diubah. Koreksi ditambahkan sebagai entri baru." in detail
    assert "Budi Santoso" in detail  # who, on the timeline
    assert "WITA" in detail  # the zone of the place

    # And a document is attached to it and can be downloaded.
    upload = client.post(f"/cases/{case.pk}/documents/", {"document_type": "decision", "file": _file("SK detensi.pdf", PDF)})
    assert upload.status_code == 302
    document = CaseDocument.objects.get(case=case)
    download = client.get(f"/cases/{case.pk}/documents/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action=AuditAction.CASE_DOCUMENT_DOWNLOADED).count() == 1


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_time_is_entered_in_the_zone_of_the_place(client, login, officer, person, refs):
    login(officer)
    post = _detention_post(refs, detention_centre=str(refs.jayapura.pk))
    post.update({"occurred_date_0": "1", "occurred_date_1": "6", "occurred_date_2": "2024", "occurred_time": "1430"})
    client.post(f"/cases/new/?kind=detention&person={person.pk}", post)
    case = Case.objects.get()
    assert case.time_zone == "Asia/Jayapura"
    assert case.occurred_at == dt.datetime(2024, 6, 1, 5, 30, tzinfo=dt.UTC)


def test_empty_form_shows_every_problem_and_records_nothing(client, login, officer, person, refs):
    login(officer)
    response = client.post(f"/cases/new/?kind=detention&person={person.pk}", {"time_zone": "Asia/Makassar"})
    assert response.status_code == 200
    html = _text(response)
    assert "<title>Kesalahan:" in html
    assert "Terdapat masalah" in html
    assert 'href="#id_occurred_date"' in html  # lands on the day input
    assert 'id="id_occurred_date"' in html
    assert 'href="#id_detention_ground"' in html
    assert 'href="#id_detention_centre"' in html
    # The consular rights advice is required, each problem on its own field.
    assert 'href="#id_rights_informed_date"' in html
    assert 'href="#id_rights_language"' in html
    assert 'href="#id_rights_answer"' in html
    assert "Masukkan tanggal dan waktu orang tersebut diberi tahu" in html
    assert not Case.objects.exists()


def test_the_consular_rights_advice_is_recorded_with_the_detention(client, login, officer, person, refs):
    login(officer)
    when = (timezone.now() - dt.timedelta(hours=3)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    post = _detention_post(
        refs,
        when,
        rights_answer="declined",
        rights_language="ja",
        rights_interpreter="Yuki Tanaka (JFT)",
        rights_objects_to_visits="on",
        rights_statement="I do not want to see anyone from the embassy.",
    )
    html = _text(client.get(f"/cases/new/?kind=detention&person={person.pk}"))
    assert 'id="consular-rights"' in html
    response = client.post(f"/cases/new/?kind=detention&person={person.pk}", post)
    assert response.status_code == 302
    advice = Case.objects.get().rights_advice.get()
    assert (advice.answer, advice.language, advice.interpreter) == ("declined", "ja", "Yuki Tanaka (JFT)")
    assert advice.objects_to_visits
    assert advice.statement.startswith("I do not want")
    assert advice.informed_at == when.replace(second=0, microsecond=0)
    assert advice.recorded_by == officer
    # An objection to visits needs the person's statement.
    refused = client.post(f"/cases/new/?kind=detention&person={person.pk}", {**post, "rights_statement": ""})
    assert 'href="#id_rights_statement"' in _text(refused)


def test_impossible_dates_are_refused_on_the_form(client, login, officer, person, refs):
    login(officer)
    bad_date = _detention_post(refs, occurred_date_0="31", occurred_date_1="2", occurred_date_2="2024")
    html = _text(client.post(f"/cases/new/?kind=detention&person={person.pk}", bad_date))
    assert "harus berupa tanggal yang benar" in html
    future = timezone.now() + dt.timedelta(days=3)
    html = _text(
        client.post(
            f"/cases/new/?kind=detention&person={person.pk}",
            _detention_post(refs, occurred_date_0=str(future.day), occurred_date_1=str(future.month), occurred_date_2=str(future.year)),
        )
    )
    assert "Tanggal dan waktu harus sekarang atau sebelumnya" in html
    bad_time = _text(client.post(f"/cases/new/?kind=detention&person={person.pk}", _detention_post(refs, occurred_time="25.61")))
    assert "Masukkan waktu dalam jam dan menit" in bad_time
    assert not Case.objects.exists()


def test_each_kind_shows_only_its_fields(client, login, officer, person):
    login(officer)
    ban = _text(client.get(f"/cases/new/?kind=exit_ban&person={person.pk}"))
    assert 'name="starts_on_0"' in ban
    assert 'name="requesting_agency"' in ban
    assert 'name="detention_ground"' not in ban
    charge = _text(client.get(f"/cases/new/?kind=cost_charge&person={person.pk}"))
    assert 'name="charge_amount"' in charge
    assert 'name="starts_on_0"' not in charge


def test_trafficking_victim_is_refused_on_the_page(client, login, officer, agencies, refs):
    victim = PersonFactory(recorded_by_agency=agencies.imm_a, is_trafficking_victim=True)
    login(officer)
    html = _text(client.get(f"/cases/new/?kind=deportation&person={victim.pk}"))
    assert "Tidak ada tindakan administratif terhadap korban perdagangan orang" in html
    post = {
        "occurred_date_0": "1",
        "occurred_date_1": "6",
        "occurred_date_2": "2024",
        "occurred_time": "10.00",
        "time_zone": "Asia/Jakarta",
    }
    post["legal_basis"] = str(refs.tak.pk)
    response = client.post(f"/cases/new/?kind=deportation&person={victim.pk}", post)
    assert response.status_code == 200
    assert "Pasal 86" in _text(response)
    assert not Case.objects.exists()


def test_the_override_field_is_only_for_supervisors_when_full_immunity_matches(
    client, login, officer, supervisor, person, refs, protocol_officer
):
    factories = pytest.importorskip("jembatan.missions.tests.factories")
    factories.AccreditedPersonFactory(surname="WALKER", given_names="JAMES", birth_date=dt.date(1985, 3, 14), document_number="PA1234567")
    url = f"/cases/new/?kind=detention&person={person.pk}"

    login(officer)
    as_officer = _text(client.get(url))
    assert "Orang ini mungkin memiliki kekebalan diplomatik penuh" in as_officer
    assert 'name="immunity_override_reason"' not in as_officer
    refused = client.post(url, _detention_post(refs))
    assert refused.status_code == 200
    assert "Hanya pengawas imigrasi" in _text(refused)
    assert not Case.objects.exists()
    # Not a detention: flagged but not blocked, and no override field.
    assert 'name="immunity_override_reason"' not in _text(client.get(f"/cases/new/?kind=deportation&person={person.pk}"))

    login(supervisor)
    as_supervisor = _text(client.get(url))
    assert 'name="immunity_override_reason"' in as_supervisor
    response = client.post(url, _detention_post(refs, immunity_override_reason="Waiver by the sending State, Nota 12/2026"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.immunity_override_by == supervisor
    detail = _text(client.get(response["Location"]))
    assert "Waiver by the sending State, Nota 12/2026" in detail
    assert "Kekebalan dikesampingkan oleh" in detail
    assert Alert.objects.filter(recipient=protocol_officer, url=f"/cases/{case.pk}/").exists()


def test_start_page_lists_the_kinds(client, login, officer):
    login(officer)
    html = _text(client.get("/cases/new/"))
    assert 'href="?kind=detention"' in html
    assert 'href="?kind=wreck_or_air_accident"' in html
    assert client.get("/cases/new/?kind=detention&person=not-a-uuid").status_code == 404


def test_status_note_and_event_from_the_case_page(client, login, officer, agencies):
    case = CaseFactory(reporting_agency=agencies.imm_a)
    login(officer)
    detail = _text(client.get(f"/cases/{case.pk}/"))
    for status in ("released", "deported", "transferred_to_prison", "died"):
        assert f'name="to_status" value="{status}"' in detail
    assert 'value="closed"' not in detail

    assert client.post(f"/cases/{case.pk}/notes/", {"text": "Interpreter booked"}).status_code == 302
    assert (
        client.post(f"/cases/{case.pk}/events/", {"event-kind": "serious_illness", "event-summary": "Fever, RSUP Sanglah"}).status_code
        == 302
    )
    assert client.post(f"/cases/{case.pk}/transition/", {"to_status": "released", "note": "Bail"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RELEASED
    assert [e.kind for e in case.events.order_by("recorded_at")] == ["created", "note", "serious_illness", "status_changed"]

    # A stale page offering an illegal transition gets a clear message, nothing changes.
    illegal = client.post(f"/cases/{case.pk}/transition/", {"to_status": "deported"})
    assert illegal.status_code == 200
    assert "tidak dapat menjadi" in _text(illegal)
    case.refresh_from_db()
    assert case.status == CaseStatus.RELEASED


def test_refused_upload_names_the_field_on_the_page(client, login, officer, agencies):
    case = CaseFactory(reporting_agency=agencies.imm_a)
    login(officer)
    response = client.post(f"/cases/{case.pk}/documents/", {"document_type": "decision", "file": _file("scan.pdf", PNG)})
    assert response.status_code == 200
    html = _text(response)
    assert 'href="#id_file"' in html
    assert "tidak sesuai dengan namanya" in html
    assert not CaseDocument.objects.exists()


# --- the list ---------------------------------------------------------------------------------


@pytest.fixture
def listed(agencies, refs):
    aus = PersonFactory(
        surname="WALKER", given_names="JAMES", native_name="Джеймс Уокер", nationalities=["AUS"], recorded_by_agency=agencies.imm_a
    )
    jpn = PersonFactory(
        surname="TANAKA", given_names="YUKI", native_name="田中由紀", nationalities=["JPN"], recorded_by_agency=agencies.imm_a
    )
    long_ago = timezone.now() - dt.timedelta(days=800)
    return {
        "old_detention": CaseFactory(reporting_agency=agencies.imm_a, reporting_unit=agencies.unit_a, person=aus, occurred_at=long_ago),
        "new_detention": CaseFactory(reporting_agency=agencies.imm_a, person=jpn, occurred_at=timezone.now() - dt.timedelta(days=1)),
        "stale_ban": CaseFactory(
            kind=CaseKind.ENTRY_BAN,
            status=CaseStatus.ACTIVE,
            reporting_agency=agencies.imm_a,
            person=jpn,
            starts_on=dt.date(2020, 1, 1),
            ends_on=dt.date(2021, 1, 1),
        ),
        "closed": CaseFactory(kind=CaseKind.CIVIL_CASE, status=CaseStatus.CLOSED, reporting_agency=agencies.imm_a, person=aus),
        "elsewhere": CaseFactory(reporting_agency=agencies.imm_b),
    }


def _refs_in(html: str) -> set[str]:
    return set(re.findall(r"JBT-\d{4}-\d{6}", html))


def test_list_shows_only_the_cases_in_scope_with_count_and_caption(client, login, officer, listed):
    login(officer)
    html = _text(client.get("/cases/"))
    assert _refs_in(html) == {listed[k].reference for k in ("old_detention", "new_detention", "stale_ban", "closed")}
    assert "4 kasus" in html
    assert "<caption" in html
    assert "Catat penahanan baru" in html
    assert AuditEvent.objects.filter(action=AuditAction.CASE_LISTED).exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "entry_ban"}, {"stale_ban"}),
        ({"status": "closed"}, {"closed"}),
        ({"nationality": "JPN"}, {"new_detention", "stale_ban"}),
        ({"overdue": "on"}, {"old_detention", "stale_ban"}),
        ({"open": "on"}, {"old_detention", "new_detention", "stale_ban"}),
        ({"q": "уокер"}, {"old_detention", "closed"}),  # the native-script name
        ({"q": "tanaka yuki"}, {"new_detention", "stale_ban"}),
        ({"q": "田中"}, {"new_detention", "stale_ban"}),
    ],
    ids=lambda v: ",".join(f"{k}={w}" for k, w in v.items()) if isinstance(v, dict) else None,
)
def test_list_filters(client, login, officer, listed, query, expected):
    login(officer)
    html = _text(client.get("/cases/", query))
    assert _refs_in(html) == {listed[k].reference for k in expected}


def test_list_filters_by_office_date_and_case_number(client, login, officer, listed, agencies):
    login(officer)
    by_office = _text(client.get("/cases/", {"office": agencies.unit_a.pk}))
    assert _refs_in(by_office) == {listed["old_detention"].reference}
    since = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    recent = _text(client.get("/cases/", {"date_from": since}))
    assert listed["new_detention"].reference in recent
    assert listed["old_detention"].reference not in recent
    reversed_range = _text(client.get("/cases/", {"date_from": "2026-01-02", "date_to": "2026-01-01"}))
    assert "Tanggal akhir harus sama dengan atau" in reversed_range
    assert 'href="#id_date_to"' in reversed_range
    by_number = _text(client.get("/cases/", {"q": listed["closed"].reference}))
    assert _refs_in(by_number) == {listed["closed"].reference}


def test_list_no_match_and_empty_states(client, login, officer, make_user, agencies, listed):
    login(officer)
    html = _text(client.get("/cases/", {"q": "nobody-like-this"}))
    assert "0 kasus" in html
    assert "Tidak ada kasus yang cocok dengan filter ini." in html
    assert "Hapus semua filter" in html
    newcomer = make_user(roles=[Role.PARTNER_OFFICER], agency=agencies.polri)
    login(newcomer)
    empty = _text(client.get("/cases/"))
    assert "Belum ada kasus." in empty


def test_list_is_paginated_by_fifty_with_filters_kept(client, login, officer, agencies):
    person = PersonFactory(recorded_by_agency=agencies.imm_a)
    for _ in range(51):
        CaseFactory(reporting_agency=agencies.imm_a, person=person)
    login(officer)
    first = _text(client.get("/cases/", {"kind": "detention"}))
    assert len(_refs_in(first)) == 50
    assert "51 kasus" in first
    assert "?kind=detention&amp;page=2" in first or "?kind=detention&page=2" in first
    second = _text(client.get("/cases/", {"kind": "detention", "page": 2}))
    assert len(_refs_in(second)) == 1
