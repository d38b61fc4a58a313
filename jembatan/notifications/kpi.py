"""How well the Convention is kept: the numbers of the performance page, its CSV and the API.

Definitions (docs/notifications.md "KPIs"):

* the notifications counted are all those of the register (aggregates only, for agency
  staff with `notifications.view_kpi`), not cancelled, whose event
  (`event_at`, the detention time) falls in the period (whole days in the viewer's zone);
* detention → dispatch: `dispatched_at − event_at`, in hours, over the dispatched ones;
* dispatch → acknowledgement: `acknowledged_at − dispatched_at`, over the acknowledged ones;
* access request → visit: `visit.occurred_at − requested_at`, over the requests made in the
  period that ended in a visit;
* within the deadline: dispatched at or before `due_at`, as a share of those whose deadline
  is settled: dispatched (on time or late) or still undispatched after `due_at`;
* medians and 95th percentiles by linear interpolation between closest ranks
  (`statistics.quantiles(method="inclusive")`, numpy's default), computed in Python.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from jembatan.accounts.permissions import actor_can
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_read
from jembatan.notifications.models import AccessRequest, AccessStatus, ConsularVisit, Notification, NotificationStatus
from jembatan.notifications.selectors import overdue_count
from jembatan.people.permissions import is_mission_actor


def percentile(values: Iterable[float], q: float) -> float | None:
    """The `q`-th percentile (0–100) by linear interpolation between closest ranks; None
    for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


@dataclass(frozen=True)
class KpiFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    country: str = ""
    agency_id: int | None = None
    zone: str = "Asia/Jakarta"

    @property
    def active(self) -> dict[str, Any]:
        values = asdict(self)
        values.pop("zone")
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items() if v not in ("", None)}


@dataclass
class Durations:
    """Count, median and 95th percentile of a set of durations in hours."""

    count: int = 0
    median: float | None = None
    p95: float | None = None

    @classmethod
    def of(cls, values: list[float]) -> Durations:
        return cls(count=len(values), median=percentile(values, 50), p95=percentile(values, 95))


@dataclass
class GroupRow:
    """One country, office or agency: its notifications and how fast they went."""

    key: str
    label: str
    notifications: int = 0
    dispatched: int = 0
    detention_to_dispatch: Durations = field(default_factory=Durations)
    dispatch_to_ack: Durations = field(default_factory=Durations)
    on_time: int = 0
    settled: int = 0

    @property
    def within_deadline(self) -> float | None:
        return self.on_time / self.settled if self.settled else None


@dataclass
class KpiReport:
    filters: KpiFilters
    notifications: int
    dispatched: int
    acknowledged: int
    per_month: list[tuple[str, int]]
    detention_to_dispatch: Durations
    dispatch_to_ack: Durations
    request_to_visit: Durations
    on_time: int
    settled: int
    overdue: int
    by_country: list[GroupRow]
    by_office: list[GroupRow]
    by_agency: list[GroupRow]

    @property
    def within_deadline(self) -> float | None:
        return self.on_time / self.settled if self.settled else None

    @property
    def max_month(self) -> int:
        return max((n for _m, n in self.per_month), default=0)

    def as_dict(self) -> dict[str, Any]:
        def group(row: GroupRow) -> dict[str, Any]:
            return {
                "key": row.key,
                "label": row.label,
                "notifications": row.notifications,
                "dispatched": row.dispatched,
                "detention_to_dispatch": asdict(row.detention_to_dispatch),
                "dispatch_to_ack": asdict(row.dispatch_to_ack),
                "on_time": row.on_time,
                "settled": row.settled,
                "within_deadline": row.within_deadline,
            }

        return {
            "filters": self.filters.active,
            "notifications": self.notifications,
            "dispatched": self.dispatched,
            "acknowledged": self.acknowledged,
            "per_month": [{"month": m, "count": n} for m, n in self.per_month],
            "detention_to_dispatch": asdict(self.detention_to_dispatch),
            "dispatch_to_ack": asdict(self.dispatch_to_ack),
            "request_to_visit": asdict(self.request_to_visit),
            "on_time": self.on_time,
            "settled": self.settled,
            "within_deadline": self.within_deadline,
            "overdue": self.overdue,
            "by_country": [group(r) for r in self.by_country],
            "by_office": [group(r) for r in self.by_office],
            "by_agency": [group(r) for r in self.by_agency],
        }


def _day_start(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(zone))


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


def _groups(rows: list[Notification], key: Callable[[Notification], tuple[str, str]], now: dt.datetime) -> list[GroupRow]:
    members: dict[tuple[str, str], list[Notification]] = defaultdict(list)
    for n in rows:
        members[key(n)].append(n)
    out = []
    for (code, label), items in members.items():
        row = GroupRow(key=code, label=label)
        _fill(row, items, now)
        out.append(row)
    return sorted(out, key=lambda r: (-r.notifications, r.label))


def _fill(row: GroupRow, items: list[Notification], now: dt.datetime) -> None:
    row.notifications = len(items)
    sent = [n for n in items if n.dispatched_at is not None]
    row.dispatched = len(sent)
    row.detention_to_dispatch = Durations.of([_hours(n.dispatched_at - n.event_at) for n in sent])  # type: ignore[operator]
    row.dispatch_to_ack = Durations.of(
        [_hours(n.acknowledged_at - n.dispatched_at) for n in sent if n.acknowledged_at is not None]  # type: ignore[operator]
    )
    row.on_time = len([n for n in sent if n.dispatched_at is not None and n.dispatched_at <= n.due_at])
    row.settled = len(sent) + sum(1 for n in items if n.dispatched_at is None and n.due_at < now)


def kpi_scope(actor: Any, model: Any) -> Any:
    """The rows the KPIs are computed over. Aggregates of the whole register for agency
    staff holding `notifications.view_kpi` (analysts, auditors, supervisors: numbers only,
    never a row); none for a mission or anyone else."""
    agency = getattr(actor, "agency", None)
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or agency is None
        or not agency.is_active
        or is_mission_actor(actor)
        or not actor_can(actor, "notifications.view_kpi")
    ):
        return model.objects.none()
    return model.objects.all()


def kpi_report(*, actor: Any, filters: KpiFilters | None = None, audit: bool = True, now: dt.datetime | None = None) -> KpiReport:
    """The KPIs over the notifications and access requests `actor` may see. Records
    `KPI_VIEWED` with the filters."""
    filters = filters or KpiFilters()
    now = now or timezone.now()
    zone = ZoneInfo(filters.zone)
    notes = kpi_scope(actor, Notification).exclude(status=NotificationStatus.CANCELLED)
    access = kpi_scope(actor, AccessRequest)
    if filters.date_from:
        notes = notes.filter(event_at__gte=_day_start(filters.date_from, filters.zone))
        access = access.filter(requested_at__gte=_day_start(filters.date_from, filters.zone))
    if filters.date_to:
        end = _day_start(filters.date_to + dt.timedelta(days=1), filters.zone)
        notes = notes.filter(event_at__lt=end)
        access = access.filter(requested_at__lt=end)
    if filters.country:
        notes = notes.filter(country__code=filters.country.upper())
        access = access.filter(mission__country__code=filters.country.upper())
    if filters.agency_id:
        notes = notes.filter(case__reporting_agency_id=filters.agency_id)
        access = access.filter(case__reporting_agency_id=filters.agency_id)
    rows = list(notes.select_related("country", "case__reporting_unit", "case__reporting_agency"))

    overall = GroupRow(key="all", label="")
    _fill(overall, rows, now)

    per_month: dict[str, int] = defaultdict(int)
    for n in rows:
        per_month[n.event_at.astimezone(zone).strftime("%Y-%m")] += 1
    months = _months(min(per_month), max(per_month)) if per_month else []

    visits = {
        v.access_request_id: v
        for v in ConsularVisit.objects.filter(access_request__in=access.filter(status=AccessStatus.COMPLETED).values("pk"))
    }
    requested = {r.pk: r.requested_at for r in access.filter(pk__in=list(visits))}
    to_visit = [_hours(v.occurred_at - requested[pk]) for pk, v in visits.items() if pk in requested]

    report = KpiReport(
        filters=filters,
        notifications=overall.notifications,
        dispatched=overall.dispatched,
        acknowledged=sum(1 for n in rows if n.acknowledged_at is not None),
        per_month=[(m, per_month.get(m, 0)) for m in months],
        detention_to_dispatch=overall.detention_to_dispatch,
        dispatch_to_ack=overall.dispatch_to_ack,
        request_to_visit=Durations.of(to_visit),
        on_time=overall.on_time,
        settled=overall.settled,
        overdue=overdue_count(actor=actor),
        by_country=_groups(rows, lambda n: (n.country.code, n.country.name), now),
        by_office=_groups(
            rows,
            lambda n: (
                (n.case.reporting_unit.code, n.case.reporting_unit.name)
                if n.case.reporting_unit
                else (n.case.reporting_agency.code, n.case.reporting_agency.name)
            ),
            now,
        ),
        by_agency=_groups(rows, lambda n: (n.case.reporting_agency.code, n.case.reporting_agency.name), now),
    )
    if audit:
        audit_read(actor=actor, action=AuditAction.KPI_VIEWED, target=("notifications.kpi", "", ""), data=filters.active)
    return report


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


CSV_HEADER = [
    "group",
    "key",
    "label",
    "notifications",
    "dispatched",
    "detention_to_dispatch_median_h",
    "detention_to_dispatch_p95_h",
    "dispatch_to_ack_median_h",
    "dispatch_to_ack_p95_h",
    "dispatched_on_time",
    "deadline_settled",
    "within_deadline_share",
]


def _safe(text: str) -> str:
    """Formula injection guard (UX.md §3.9)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def kpi_csv(*, actor: Any, filters: KpiFilters | None = None) -> str:
    """The KPI table as CSV (RFC 4180, UTF-8 with BOM, hours with 2 decimals): one line for
    all, then one per country, office and agency. Records `KPI_VIEWED` (export)."""
    report = kpi_report(actor=actor, filters=filters, audit=False)
    audit_read(
        actor=actor, action=AuditAction.KPI_VIEWED, target=("notifications.kpi", "", ""), data={**report.filters.active, "export": "csv"}
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    overall = GroupRow(
        key="all",
        label="all",
        notifications=report.notifications,
        dispatched=report.dispatched,
        detention_to_dispatch=report.detention_to_dispatch,
        dispatch_to_ack=report.dispatch_to_ack,
        on_time=report.on_time,
        settled=report.settled,
    )
    for group, rows in (("all", [overall]), ("country", report.by_country), ("office", report.by_office), ("agency", report.by_agency)):
        for row in rows:
            writer.writerow(
                [
                    group,
                    _safe(row.key),
                    _safe(row.label),
                    row.notifications,
                    row.dispatched,
                    _num(row.detention_to_dispatch.median),
                    _num(row.detention_to_dispatch.p95),
                    _num(row.dispatch_to_ack.median),
                    _num(row.dispatch_to_ack.p95),
                    row.on_time,
                    row.settled,
                    "" if row.within_deadline is None else f"{row.within_deadline:.4f}",
                ]
            )
    return "\ufeff" + out.getvalue()
