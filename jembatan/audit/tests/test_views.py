"""The audit-log browser as an auditor uses it: list, filters, chain check, export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.urls import reverse

from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import AgencyFactory
from jembatan.audit import services
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.audit.services import audit_record
from jembatan.audit.tests.test_chain import tamper

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")
EXPORT = reverse("audit:export")
VERIFY = reverse("audit:verify")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def event_ids(response) -> list[int]:
    return [int(n) for n in re.findall(r'id="event-(\d+)"', response.content.decode())]


def last_event(action: AuditAction) -> AuditEvent | None:
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


@contextmanager
def clock(at: dt.datetime) -> Iterator[None]:
    """Events recorded inside happen at `at`."""
    original = services.timezone.now
    services.timezone.now = lambda: at  # type: ignore[assignment]
    try:
        yield
    finally:
        services.timezone.now = original  # type: ignore[assignment]


@pytest.fixture
def auditor(make_user):
    return make_user(roles=[Role.AUDITOR], username="auditor1")


@pytest.fixture
def auditor_client(client, login, auditor):
    login(auditor)
    return client


# --- access -------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert client.get(EXPORT).status_code == 302


def test_officer_without_the_capability_is_refused_and_nothing_is_recorded(client, login, make_user):
    login(make_user(roles=[Role.IMMIGRATION_OFFICER]))
    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.post(VERIFY).status_code == 403
    assert not AuditEvent.objects.filter(
        action__in=[AuditAction.AUDIT_VIEWED, AuditAction.AUDIT_EXPORTED, AuditAction.AUDIT_CHAIN_VERIFIED]
    ).exists()


# --- the list -----------------------------------------------------------------------------


def test_auditor_sees_events_and_the_view_is_recorded(auditor_client, auditor, make_user):
    officer = make_user(roles=[Role.IMMIGRATION_OFFICER], username="officer7")
    target = audit_record(action=AuditAction.PERSON_VIEWED, target=("people.person", "p-1", "DOE John"), actor=officer, purpose="case 12")

    response = auditor_client.get(LIST, **EN)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html
    assert "Audit log</h1>" in html
    assert target.pk in event_ids(response)
    row = html[html.index(f'id="event-{target.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "officer7" in row
    assert officer.agency.name_en in row
    assert "Person record viewed" in row
    assert "DOE John" in row
    assert "people.person" in row
    assert "case 12" in row
    assert "Viewing this log is recorded in the log too" in html

    viewed = last_event(AuditAction.AUDIT_VIEWED)
    assert viewed.actor_id == auditor.pk
    assert viewed.data == {"filters": {}, "page": 1, "upto": viewed.pk - 1}


def test_the_page_is_in_indonesian_by_default(auditor_client):
    with clock(dt.datetime(2026, 11, 27, 7, 30, 5, tzinfo=dt.UTC)):
        audit_record(action=AuditAction.PERSON_CREATED, target=("people.person", "p1", "A"), data={"source": "intake"})
    html = auditor_client.get(LIST).content.decode()
    assert "<title>Log audit – Jembatan</title>" in html
    head = AuditEvent.objects.filter(action=AuditAction.PERSON_CREATED).get().pk
    assert f'Rantai hash utuh hingga <time datetime="2026-11-27T07:30:05Z">27 Nov 2026, 14.30.05 WIB</time> (peristiwa #{head}).' in html
    for text in ("Waktu", "Pengguna", "Instansi", "Tindakan", "Objek", "Tujuan", "ID permintaan", "Rincian", "Terapkan filter"):
        assert f">{text}<" in html, text
    assert "Data orang asing ditambahkan" in html
    assert "Setiap kali log ini dilihat, hal itu juga dicatat dalam log" in html
    assert "Ekspor data pribadi dicatat dalam log audit." in html


def test_first_visit_verifies_the_chain_and_shows_the_result(auditor_client):
    audit_record(action=AuditAction.DEMO_DATA_LOADED)
    assert last_event(AuditAction.AUDIT_CHAIN_VERIFIED) is None

    response = auditor_client.get(LIST, **EN)

    check = last_event(AuditAction.AUDIT_CHAIN_VERIFIED)
    assert check is not None
    html = response.content.decode()
    assert "Hash chain intact up to" in html
    assert f"(event #{check.data['last_id']})" in html
    # The next visit reuses the recorded result.
    auditor_client.get(LIST, **EN)
    assert AuditEvent.objects.filter(action=AuditAction.AUDIT_CHAIN_VERIFIED).count() == 1


def test_times_have_seconds_and_the_viewers_zone(auditor_client, auditor):
    with clock(dt.datetime(2026, 11, 27, 7, 30, 5, tzinfo=dt.UTC)):
        event = audit_record(action=AuditAction.DEMO_DATA_LOADED)

    html_en = auditor_client.get(LIST, **EN).content.decode()
    row = html_en[html_en.index(f'id="event-{event.pk}"') :]
    assert '<time datetime="2026-11-27T07:30:05Z">27 Nov 2026, 14:30:05 WIB</time>' in row

    html_id = auditor_client.get(LIST, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "27 Nov 2026, 14.30.05 WIB" in html_id

    auditor.time_zone_override = "Asia/Jayapura"
    auditor.save(update_fields=["time_zone_override"])
    html_wit = auditor_client.get(LIST, **EN).content.decode()
    assert "27 Nov 2026, 16:30:05 WIT" in html_wit


def test_each_filter_narrows_the_list_and_is_recorded(auditor_client, make_user):
    immigration = AgencyFactory(code="ditjenim", name_en="Immigration DG")
    ministry = AgencyFactory(code="kemlu", name_en="Foreign Ministry")
    alice = make_user(username="alice.santoso", agency=immigration)
    bob = make_user(username="bob.wijaya", agency=ministry)
    e_alice = audit_record(action=AuditAction.PERSON_VIEWED, target=("people.person", "p-1", "A"), actor=alice)
    e_bob = audit_record(action=AuditAction.PERSON_CREATED, target=("people.person", "p-2", "B"), actor=bob)
    e_ref = audit_record(action=AuditAction.REFERENCE_CHANGED, target=("reference.country", "IDN", "Indonesia"), actor=bob)

    cases = [
        ({"user": "SANTOSO"}, [e_alice], {"user": "SANTOSO"}),
        ({"agency": str(ministry.pk)}, [e_ref, e_bob], {"agency": ministry.pk}),
        ({"action": str(int(AuditAction.PERSON_CREATED))}, [e_bob], {"action": 400}),
        ({"object_type": "people.person"}, [e_bob, e_alice], {"object_type": "people.person"}),
        ({"object_type": "people.person", "object_id": "p-2"}, [e_bob], {"object_type": "people.person", "object_id": "p-2"}),
        ({"user": "bob", "object_type": "reference.country"}, [e_ref], {"user": "bob", "object_type": "reference.country"}),
    ]
    for params, expected, recorded in cases:
        response = auditor_client.get(LIST, params, **EN)
        assert response.status_code == 200
        assert event_ids(response) == [e.pk for e in expected], params
        assert last_event(AuditAction.AUDIT_VIEWED).data["filters"] == recorded


def test_request_id_filter_finds_every_event_of_one_request(auditor_client):
    from jembatan.core import request_context

    with request_context.bind(request_id="abc123def456"):
        one = audit_record(action=AuditAction.PERSON_CREATED, target=("people.person", "p-1", "A"))
        two = audit_record(action=AuditAction.PERSON_VIEWED, target=("people.person", "p-1", "A"))
    audit_record(action=AuditAction.DEMO_DATA_LOADED)
    response = auditor_client.get(LIST, {"request_id": "abc123def456"}, **EN)
    assert event_ids(response) == [two.pk, one.pk]


@pytest.mark.parametrize(
    ("zone", "expected_labels"),
    [
        # 00.00–23.59.59 on 27 November WIB is 26 Nov 17:00 – 27 Nov 16:59:59 UTC.
        ("Asia/Jakarta", ["start-of-day", "end-of-day"]),
        # WITA is one hour ahead: the day starts and ends an hour earlier in UTC.
        ("Asia/Makassar", ["wita-start", "start-of-day"]),
    ],
)
def test_date_range_is_whole_days_in_the_viewers_zone_both_ends_included(auditor_client, auditor, zone, expected_labels):
    auditor.time_zone_override = zone
    auditor.save(update_fields=["time_zone_override"])
    times = {
        "before": dt.datetime(2026, 11, 26, 15, 59, 59, tzinfo=dt.UTC),
        "wita-start": dt.datetime(2026, 11, 26, 16, 0, 0, tzinfo=dt.UTC),
        "start-of-day": dt.datetime(2026, 11, 26, 17, 0, 0, tzinfo=dt.UTC),
        "end-of-day": dt.datetime(2026, 11, 27, 16, 59, 59, 999999, tzinfo=dt.UTC),
        "next-day": dt.datetime(2026, 11, 27, 17, 0, 0, tzinfo=dt.UTC),
    }
    ids = {}
    for label, at in times.items():
        with clock(at):
            ids[audit_record(action=AuditAction.DEMO_DATA_LOADED, target=("test.mark", label, label)).pk] = label

    response = auditor_client.get(LIST, {"date_from": "2026-11-27", "date_to": "2026-11-27", "action": "900"}, **EN)

    assert sorted(ids[i] for i in event_ids(response)) == sorted(expected_labels)
    assert last_event(AuditAction.AUDIT_VIEWED).data["filters"] == {
        "action": 900,
        "date_from": "2026-11-27",
        "date_to": "2026-11-27",
        "zone": zone,
    }


def test_an_end_date_before_the_start_date_is_an_error_and_nothing_is_listed(auditor_client):
    audit_record(action=AuditAction.DEMO_DATA_LOADED)
    response = auditor_client.get(LIST, {"date_from": "2026-11-27", "date_to": "2026-11-20"}, **EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_date_to"' in html
    assert "The end date must be the same as or after the start date" in html
    assert 'aria-invalid="true"' in html
    assert "<title>Error: Audit log" in html
    assert event_ids(response) == []
    assert last_event(AuditAction.AUDIT_VIEWED) is None


def test_pages_of_fifty_stay_stable_while_the_log_grows(auditor_client):
    for i in range(120):
        audit_record(action=AuditAction.REFERENCE_CHANGED, target=("reference.country", str(i), str(i)))
    first = auditor_client.get(LIST, **EN)
    page1 = event_ids(first)
    assert len(page1) == 50
    assert page1 == sorted(page1, reverse=True)
    upto = last_event(AuditAction.AUDIT_VIEWED).data["upto"]
    assert page1[0] == upto
    assert f"upto={upto}&amp;page=2" in first.content.decode()

    # New events arrive (each page view adds one) but page 2 and 3 continue where page 1 ended.
    audit_record(action=AuditAction.DEMO_DATA_LOADED)
    page2 = event_ids(auditor_client.get(LIST, {"upto": upto, "page": 2}, **EN))
    page3 = event_ids(auditor_client.get(LIST, {"upto": upto, "page": 3}, **EN))
    assert page2 == list(range(page1[-1] - 1, page1[-1] - 51, -1))
    shown = page1 + page2 + page3
    assert sorted(shown, reverse=True) == list(range(upto, 0, -1))
    assert last_event(AuditAction.AUDIT_VIEWED).data["page"] == 3


def test_details_show_changes_before_and_after(auditor_client):
    event = audit_record(
        action=AuditAction.REFERENCE_CHANGED,
        target=("reference.country", "IDN", "Indonesia"),
        data={"changes": {"name_en": {"before": "Indonesia", "after": "Republic of Indonesia"}}, "source": "manual"},
    )
    html = auditor_client.get(LIST, **EN).content.decode()
    row = html[html.index(f'id="event-{event.pk}"') :]
    row = row[: row.index("</details>")]
    assert "<details" in row
    assert "View changes" in row
    assert '<th scope="row">name_en</th><td><bdi>Indonesia</bdi></td><td><bdi>Republic of Indonesia</bdi></td>' in row
    assert "source" in row
    assert "manual" in row


# --- chain check --------------------------------------------------------------------------


def test_verify_now_records_the_result_and_a_broken_chain_is_shown(auditor_client):
    events = [audit_record(action=AuditAction.REFERENCE_CHANGED, target=("reference.country", str(i), str(i))) for i in range(4)]
    response = auditor_client.post(VERIFY, **EN)
    assert response.status_code == 302
    assert last_event(AuditAction.AUDIT_CHAIN_VERIFIED).actor_label == "auditor1"

    tamper("UPDATE audit_auditevent SET object_repr = 'x' WHERE id = %s", [events[2].pk])
    response = auditor_client.post(VERIFY, follow=True, **EN)
    html = response.content.decode()
    broken = last_event(AuditAction.AUDIT_CHAIN_BROKEN)
    assert broken.data["first_broken_id"] == events[2].pk
    assert f"Hash chain broken at event #{events[2].pk}: its content does not match its hash" in html
    assert "alert-danger" in html


def test_verify_now_only_accepts_post(auditor_client):
    assert auditor_client.get(VERIFY).status_code == 405


# --- export -------------------------------------------------------------------------------


def read_csv(response) -> tuple[str, list[list[str]]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return body, list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_export_streams_the_filtered_list_as_excel_safe_csv_and_is_recorded(auditor_client, auditor):
    with clock(dt.datetime(2026, 11, 27, 7, 30, 5, tzinfo=dt.UTC)):
        risky = audit_record(
            action=AuditAction.PERSON_CREATED,
            target=("people.person", "@p1", '=HYPERLINK("http://evil")'),
            purpose="+62 811",
            data={"note": "ok"},
        )
        tabbed = audit_record(action=AuditAction.PERSON_CREATED, target=("people.person", "p2", "\tTab"), purpose="-1")
    audit_record(action=AuditAction.DEMO_DATA_LOADED)

    response = auditor_client.get(EXPORT, {"action": "400"}, **EN)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="jembatan-audit-\d{4}-\d{2}-\d{2}-\d{4}WIB\.csv"', response["Content-Disposition"])
    body, table = read_csv(response)
    assert body.startswith("\ufeffid,occurred_at,user,agency,action_code,action,")
    assert "\r\n" in body
    header, *rows = table
    assert [r[0] for r in rows] == [str(risky.pk), str(tabbed.pk)]
    first = dict(zip(header, rows[0], strict=True))
    assert first["occurred_at"] == "2026-11-27T14:30:05+07:00"
    assert first["action_code"] == "400"
    assert first["action"] == "Person created"
    assert first["object"] == '\'=HYPERLINK("http://evil")'
    assert first["object_id"] == "'@p1"
    assert first["purpose"] == "'+62 811"
    assert first["data"] == '{"note": "ok"}'
    assert first["hash"] == risky.hash
    second = dict(zip(header, rows[1], strict=True))
    assert second["object"] == "'\tTab"
    assert second["purpose"] == "'-1"

    exported = last_event(AuditAction.AUDIT_EXPORTED)
    assert exported.actor_id == auditor.pk
    assert exported.data["filters"] == {"action": 400}
    assert exported.data["rows"] == 2
    assert response["X-Export-Rows"] == "2"


def test_export_without_filters_holds_every_event_up_to_the_export(auditor_client):
    for i in range(5):
        audit_record(action=AuditAction.REFERENCE_CHANGED, target=("reference.country", str(i), str(i)))
    before = AuditEvent.objects.count()
    _body, table = read_csv(auditor_client.get(EXPORT, **EN))
    exported = last_event(AuditAction.AUDIT_EXPORTED)
    assert len(table) - 1 == before == exported.data["rows"]
    assert [int(r[0]) for r in table[1:]] == list(range(1, before + 1))  # oldest first, in chain order


def test_export_in_indonesian_uses_indonesian_action_names(auditor_client):
    audit_record(action=AuditAction.PERSON_CREATED, target=("people.person", "p1", "A"))
    _body, table = read_csv(auditor_client.get(EXPORT, {"action": "400"}, HTTP_ACCEPT_LANGUAGE="id"))
    assert table[1][5] == "Data orang asing ditambahkan"


def test_export_with_invalid_filters_goes_back_to_the_list(auditor_client):
    response = auditor_client.get(EXPORT, {"date_from": "2026-11-27", "date_to": "2026-11-01"})
    assert response.status_code == 302
    assert response["Location"].startswith(LIST + "?")
    assert last_event(AuditAction.AUDIT_EXPORTED) is None
