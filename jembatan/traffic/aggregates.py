"""Pre-aggregated traffic statistics (`TrafficMonthly`), refreshed after each import.

Month bucketing is in **Asia/Jakarta time (WIB, UTC+7, no daylight saving)**: the
directorate reports national figures by the calendar month of western Indonesia, so a
crossing at 2026-01-31 20:00 UTC (2026-02-01 03:00 WIB) counts for February. Crossings in
WITA/WIT checkpoints are bucketed by WIB too (the difference only moves crossings between
00:00 and 02:00 local on the first of a month) — the national convention, documented in
docs/traffic.md.

The refresh is set-based and portable: for each month, one `DELETE` of that month's rows
and one `INSERT … SELECT … GROUP BY` over the crossings whose `crossed_at` falls in the
month's UTC window. Filtering on a `crossed_at` range (not a per-row date function) keeps
the SQL identical on SQLite and PostgreSQL and lets PostgreSQL prune to one or two month
partitions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from jembatan.traffic.models import Crossing, Direction, TrafficMonthly

STATISTICS_ZONE = ZoneInfo("Asia/Jakarta")


def month_start(value: datetime.date | datetime.datetime) -> datetime.date:
    """First day of the (WIB) month containing `value` (aware datetimes are converted)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(STATISTICS_ZONE)
        value = value.date()
    return value.replace(day=1)


def month_window(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of a WIB calendar month as aware UTC datetimes."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=STATISTICS_ZONE)
    end = datetime.datetime.combine(following, datetime.time(), tzinfo=STATISTICS_ZONE)
    return start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)


def months_of(datetimes: Iterable[datetime.datetime]) -> set[datetime.date]:
    """The set of WIB months touched by some crossing times (helper for importers)."""
    return {month_start(value) for value in datetimes}


def refresh_monthly(months: set[datetime.date]) -> None:
    """Recompute `TrafficMonthly` for `months` (any date in the month is accepted).

    Idempotent; runs in one transaction (joins the caller's if there is one). Cost: one
    indexed range scan of each month's crossings."""
    if not months:
        return
    monthly = TrafficMonthly._meta.db_table
    crossing = Crossing._meta.db_table
    qn = connection.ops.quote_name
    delete_sql = f"DELETE FROM {qn(monthly)} WHERE {qn('month')} = %s"  # noqa: S608 - table names from _meta
    insert_sql = (
        f"INSERT INTO {qn(monthly)} ({qn('month')}, {qn('nationality')}, {qn('checkpoint_code')}, "  # noqa: S608
        f"{qn('arrivals')}, {qn('departures')}) "
        f"SELECT %s, {qn('nationality')}, {qn('checkpoint_code')}, "
        f"SUM(CASE WHEN {qn('direction')} = %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {qn('direction')} = %s THEN 1 ELSE 0 END) "
        f"FROM {qn(crossing)} WHERE {qn('crossed_at')} >= %s AND {qn('crossed_at')} < %s "
        f"GROUP BY {qn('nationality')}, {qn('checkpoint_code')}"
    )
    adapt_date = connection.ops.adapt_datefield_value
    adapt_dt = connection.ops.adapt_datetimefield_value
    with transaction.atomic(), connection.cursor() as cursor:
        for month in sorted({m.replace(day=1) for m in months}):
            start, end = month_window(month)
            cursor.execute(delete_sql, [adapt_date(month)])
            cursor.execute(
                insert_sql,
                [adapt_date(month), Direction.ARRIVAL.value, Direction.DEPARTURE.value, adapt_dt(start), adapt_dt(end)],
            )


def refresh_all() -> set[datetime.date]:
    """Rebuild every month that has crossings (maintenance; `manage.py` shell or tests)."""
    bounds = Crossing.objects.order_by().values_list("crossed_at", flat=True)
    first = bounds.order_by("crossed_at").first()
    last = bounds.order_by("-crossed_at").first()
    if first is None or last is None:
        TrafficMonthly.objects.all().delete()
        return set()
    months: set[datetime.date] = set()
    month = month_start(first)
    end = month_start(last)
    while month <= end:
        months.add(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    with transaction.atomic():
        TrafficMonthly.objects.exclude(month__in=months).delete()
        refresh_monthly(months)
    return months
