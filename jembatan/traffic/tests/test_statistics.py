"""Monthly aggregates (WIB months, set-based refresh) and the statistics read from them."""

from __future__ import annotations

import datetime as dt

import pytest

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.core.exceptions import ApplicationError, PermissionDenied
from jembatan.traffic.aggregates import month_start, month_window, months_of, refresh_all, refresh_monthly
from jembatan.traffic.models import Crossing, TrafficMonthly
from jembatan.traffic.selectors import StatisticsFilters, traffic_statistics
from jembatan.traffic.tests.query_support import crossing, tq_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

UTC = dt.UTC
JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)


def figures() -> dict[tuple[str, str, str], tuple[int, int]]:
    return {(f"{m.month:%Y-%m}", m.nationality, m.checkpoint_code): (m.arrivals, m.departures) for m in TrafficMonthly.objects.all()}


def test_month_window_is_the_wib_calendar_month_in_utc():
    start, end = month_window(FEB)
    assert start == dt.datetime(2026, 1, 31, 17, 0, tzinfo=UTC)
    assert end == dt.datetime(2026, 2, 28, 17, 0, tzinfo=UTC)
    assert month_start(dt.datetime(2026, 1, 31, 18, 0, tzinfo=UTC)) == FEB
    assert month_start(dt.date(2026, 12, 31)) == dt.date(2026, 12, 1)
    assert months_of([dt.datetime(2026, 1, 31, 16, 59, tzinfo=UTC), dt.datetime(2026, 1, 31, 17, 0, tzinfo=UTC)]) == {JAN, FEB}


def test_refresh_counts_by_month_nationality_and_checkpoint(db):
    crossing("A1", dt.datetime(2026, 1, 31, 16, 59, tzinfo=UTC), "A", state="AUS", checkpoint="CGK")  # 23:59 WIB 31 Jan
    crossing("A2", dt.datetime(2026, 1, 31, 17, 0, tzinfo=UTC), "A", state="AUS", checkpoint="CGK")  # 00:00 WIB 1 Feb
    crossing("A3", dt.datetime(2026, 1, 10, tzinfo=UTC), "D", state="AUS", checkpoint="CGK")
    crossing("J1", dt.datetime(2026, 1, 12, tzinfo=UTC), "A", state="JPN", checkpoint="DPS")
    crossing("J2", dt.datetime(2026, 1, 13, tzinfo=UTC), "A", state="JPN", checkpoint="DPS")
    crossing("J3", dt.datetime(2026, 2, 13, tzinfo=UTC), "D", state="JPN", checkpoint="DPS")
    refresh_monthly({JAN, dt.date(2026, 2, 14)})
    assert figures() == {
        ("2026-01", "AUS", "CGK"): (1, 1),
        ("2026-01", "JPN", "DPS"): (2, 0),
        ("2026-02", "AUS", "CGK"): (1, 0),
        ("2026-02", "JPN", "DPS"): (0, 1),
    }


def test_refresh_is_idempotent_and_replaces_only_the_months_given(db):
    crossing("A1", dt.datetime(2026, 1, 10, tzinfo=UTC), "A")
    crossing("A2", dt.datetime(2026, 2, 10, tzinfo=UTC), "A")
    refresh_monthly({JAN, FEB})
    refresh_monthly({JAN, FEB})
    assert figures() == {("2026-01", "AUS", "DPS"): (1, 0), ("2026-02", "AUS", "DPS"): (1, 0)}
    crossing("A3", dt.datetime(2026, 1, 11, tzinfo=UTC), "D")
    crossing("A4", dt.datetime(2026, 2, 11, tzinfo=UTC), "D")
    refresh_monthly({JAN})
    assert figures() == {("2026-01", "AUS", "DPS"): (1, 1), ("2026-02", "AUS", "DPS"): (1, 0)}
    # A month whose crossings are gone loses its rows.
    Crossing.objects.filter(crossed_at__month=1).delete()
    refresh_monthly({JAN})
    assert figures() == {("2026-02", "AUS", "DPS"): (1, 0)}
    refresh_monthly(set())
    assert TrafficMonthly.objects.count() == 1


def test_refresh_all_rebuilds_every_month(db):
    crossing("A1", dt.datetime(2025, 11, 10, tzinfo=UTC), "A")
    crossing("A2", dt.datetime(2026, 2, 10, tzinfo=UTC), "A")
    TrafficMonthly.objects.create(month=dt.date(2020, 1, 1), nationality="XXX", checkpoint_code="OLD", arrivals=9)
    months = refresh_all()
    assert months == {dt.date(2025, 11, 1), dt.date(2025, 12, 1), JAN, FEB}
    assert figures() == {("2025-11", "AUS", "DPS"): (1, 0), ("2026-02", "AUS", "DPS"): (1, 0)}


@pytest.fixture
def loaded(tq):
    rows = [
        ("AUS", "DPS", JAN, 5, 3),
        ("AUS", "CGK", JAN, 2, 2),
        ("JPN", "DPS", JAN, 1, 0),
        ("AUS", "DPS", FEB, 4, 6),
        ("JPN", "CGK", MAR, 10, 1),
    ]
    TrafficMonthly.objects.bulk_create(
        [TrafficMonthly(nationality=n, checkpoint_code=c, month=m, arrivals=a, departures=d) for n, c, m, a, d in rows]
    )
    return tq


def rows_of(statistics) -> list[tuple[str, str, int, int]]:
    return [(r.key, r.label, r.arrivals, r.departures) for r in statistics.rows]


def test_statistics_by_month_nationality_and_checkpoint(loaded):
    by_month = traffic_statistics(actor=loaded.analyst, filters=StatisticsFilters(group_by="month"))
    assert rows_of(by_month) == [("2026-01", "2026-01", 8, 5), ("2026-02", "2026-02", 4, 6), ("2026-03", "2026-03", 10, 1)]
    assert (by_month.arrivals, by_month.departures, by_month.largest) == (22, 12, 10)
    by_nationality = traffic_statistics(actor=loaded.analyst, filters=StatisticsFilters(group_by="nationality"))
    assert rows_of(by_nationality) == [("AUS", "Negara AUS", 11, 11), ("JPN", "Negara JPN", 11, 1)]
    by_checkpoint = traffic_statistics(actor=loaded.analyst, filters=StatisticsFilters(group_by="checkpoint", month_to=FEB))
    assert rows_of(by_checkpoint) == [("DPS", "Bandara Ngurah Rai", 10, 9), ("CGK", "Bandara Soekarno-Hatta", 2, 2)]


def test_statistics_filters(loaded):
    stats = traffic_statistics(
        actor=loaded.analyst, filters=StatisticsFilters(group_by="month", month_from=FEB, nationality="aus", checkpoint="dps")
    )
    assert rows_of(stats) == [("2026-02", "2026-02", 4, 6)]


def test_statistics_are_audited_with_the_filters(loaded):
    traffic_statistics(actor=loaded.analyst, filters=StatisticsFilters(group_by="nationality", month_from=JAN), export_format="csv")
    event = AuditEvent.objects.get(action=AuditAction.TRAFFIC_STATISTICS_VIEWED)
    assert event.actor_id == loaded.analyst.pk
    assert event.data == {"group_by": "nationality", "month_from": "2026-01-01", "format": "csv"}


def test_statistics_refusals(loaded):
    for actor in (loaded.consular, loaded.officer, loaded.mission_officer):
        with pytest.raises(PermissionDenied):
            traffic_statistics(actor=actor, filters=StatisticsFilters())
    with pytest.raises(ApplicationError) as caught:
        traffic_statistics(actor=loaded.supervisor, filters=StatisticsFilters(month_from=FEB, month_to=JAN))
    assert caught.value.field == "month_to"
    with pytest.raises(ApplicationError):
        traffic_statistics(actor=loaded.supervisor, filters=StatisticsFilters(group_by="sex"))
