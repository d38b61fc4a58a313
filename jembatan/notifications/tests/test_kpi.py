"""The KPIs on a known data set, with medians and 95th percentiles worked out by hand
(linear interpolation between closest ranks), including a notification dispatched late."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.notifications.kpi import KpiFilters, kpi_report, percentile
from jembatan.notifications.models import ConsularVisit, NotificationStatus
from jembatan.notifications.tests.factories import AccessRequestFactory

pytestmark = pytest.mark.django_db

E = dt.datetime(2026, 10, 5, 3, 0, tzinfo=dt.UTC)  # the detentions of the data set
OCTOBER = KpiFilters(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31), zone="Asia/Jakarta")


def h(hours: float) -> dt.timedelta:
    return dt.timedelta(hours=hours)


def _sent(world, dispatch_h: float, ack_h: float | None = None, *, case=None, country=None, **kwargs):
    status = NotificationStatus.ACKNOWLEDGED if ack_h is not None else NotificationStatus.DISPATCHED
    return world.notify(
        case=case,
        country=country or world.aus,
        event_at=E,
        due_at=E + h(72),
        status=status,
        dispatched_at=E + h(dispatch_h),
        acknowledged_at=E + h(dispatch_h + ack_h) if ack_h is not None else None,
        **kwargs,
    )


@pytest.fixture
def data_set(world):
    world.notification.delete()  # the fixture's own, not part of the set
    _sent(world, 10, 2)  # n1
    _sent(world, 20, 6)  # n2
    _sent(world, 30)  # n3, not acknowledged
    _sent(world, 100, 24)  # n4, dispatched 28 h after its 72 h deadline
    japanese_case = world.new_case(nationality="JPN", agency=world.other)
    _sent(world, 4, 1, case=japanese_case, country=world.jpn)  # n5, another agency
    world.notify(event_at=E, due_at=E + h(72))  # n6: never dispatched, past its deadline
    world.notify(event_at=E, due_at=timezone.now() + dt.timedelta(days=10))  # n7: not yet due
    world.notify(event_at=E, due_at=E + h(72), status=NotificationStatus.CANCELLED)  # cancelled: not counted
    world.notify(event_at=E - dt.timedelta(days=30), due_at=E)  # September: outside the period
    for hours in (30, 50):
        request = AccessRequestFactory(case=world.case, mission=world.embassy_aus, requested_at=E + h(12), status="completed")
        ConsularVisit.objects.create(
            access_request=request, case=world.case, mission=world.embassy_aus, occurred_at=E + h(12 + hours), officers="Consul"
        )
    AccessRequestFactory(case=world.case, mission=world.embassy_aus, requested_at=E + h(12))  # no visit yet
    return world


def test_percentile_by_hand():
    assert percentile([], 50) is None
    assert percentile([7], 95) == 7
    assert percentile([4, 10, 20, 30, 100], 50) == 20
    assert percentile([4, 10, 20, 30, 100], 95) == pytest.approx(86.0)  # rank 3.8: 30 + 0.8 × 70
    assert percentile([1, 2, 6, 24], 50) == pytest.approx(4.0)  # rank 1.5: 2 + 0.5 × 4
    assert percentile([1, 2, 6, 24], 95) == pytest.approx(21.3)  # rank 2.85: 6 + 0.85 × 18


def test_report_numbers(data_set):
    world = data_set
    report = kpi_report(actor=world.desk, filters=OCTOBER)
    assert report.notifications == 7
    assert report.dispatched == 5
    assert report.acknowledged == 4
    assert report.per_month == [("2026-10", 7)]
    d2d = report.detention_to_dispatch
    assert (d2d.count, d2d.median) == (5, 20)
    assert d2d.p95 == pytest.approx(86.0)
    ack = report.dispatch_to_ack
    assert ack.count == 4
    assert ack.median == pytest.approx(4.0)
    assert ack.p95 == pytest.approx(21.3)
    visit = report.request_to_visit
    assert (visit.count, visit.median) == (2, 40)
    assert visit.p95 == pytest.approx(49.0)  # rank 0.95: 30 + 0.95 × 20
    # On time: n1, n2, n3, n5; late: n4; settled adds n6 (past due, never dispatched).
    assert (report.on_time, report.settled) == (4, 6)
    assert report.within_deadline == pytest.approx(4 / 6)

    by_country = {row.key: row for row in report.by_country}
    assert by_country["AUS"].notifications == 6
    assert by_country["AUS"].detention_to_dispatch.median == 25  # [10, 20, 30, 100]
    assert by_country["AUS"].detention_to_dispatch.p95 == pytest.approx(89.5)  # rank 2.85: 30 + 0.85 × 70
    assert (by_country["AUS"].on_time, by_country["AUS"].settled) == (3, 5)
    assert by_country["JPN"].detention_to_dispatch.median == 4
    assert by_country["JPN"].within_deadline == 1
    by_agency = {row.key: row.notifications for row in report.by_agency}
    assert by_agency == {world.imm.code: 6, world.other.code: 1}
    by_office = {row.key: row.notifications for row in report.by_office}
    assert by_office == {world.unit.code: 6, world.other.code: 1}
    assert AuditEvent.objects.filter(action=AuditAction.KPI_VIEWED, actor_id=world.desk.pk).count() == 1


def test_filters_and_scope(data_set):
    world = data_set
    japan = kpi_report(actor=world.desk, filters=KpiFilters(date_from=OCTOBER.date_from, date_to=OCTOBER.date_to, country="JPN"))
    assert (japan.notifications, japan.request_to_visit.count) == (1, 0)
    agency = kpi_report(actor=world.desk, filters=KpiFilters(date_from=OCTOBER.date_from, date_to=OCTOBER.date_to, agency_id=world.imm.pk))
    assert agency.notifications == 6
    everything = kpi_report(actor=world.desk)
    assert everything.notifications == 8
    assert [m for m, _n in everything.per_month] == ["2026-09", "2026-10"]
    assert kpi_report(actor=world.mission_aus).notifications == 0
    assert kpi_report(actor=world.officer).notifications == 0  # no view_kpi


def test_page_csv_and_access(data_set, login, client):
    world = data_set
    analyst = login(world.analyst)
    params = {"date_from": "2026-10-01", "date_to": "2026-10-31"}
    page = analyst.get(reverse("notifications:kpi"), params, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert page.context["report"].notifications == 7  # aggregates of the whole register
    assert page.context["report"].overdue == 0  # the overdue rows are not theirs to open
    client.logout()
    desk = login(world.desk)
    page = desk.get(reverse("notifications:kpi"), params, HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert 'data-kpi="d2d-median">20.0<' in body
    assert 'data-kpi="d2d-p95">86.0<' in body
    assert 'data-kpi="within">66.7% (4/6)<' in body
    assert "<svg" in body
    assert "<title" in body
    exported = desk.get(reverse("notifications:kpi_csv"), params)
    assert exported["Content-Type"].startswith("text/csv")
    text = exported.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["group"] == "all"
    assert rows[0]["notifications"] == "7"
    assert rows[0]["detention_to_dispatch_p95_h"] == "86.00"
    assert rows[0]["within_deadline_share"] == "0.6667"
    assert {r["key"] for r in rows if r["group"] == "country"} == {"AUS", "JPN"}
    assert AuditEvent.objects.filter(action=AuditAction.KPI_VIEWED, data__export="csv").count() == 1
    client.logout()
    assert login(world.officer).get(reverse("notifications:kpi")).status_code == 403
