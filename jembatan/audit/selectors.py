"""Reads of the audit log. Every read of events is itself recorded (DESIGN: read audit).

Who may read: holders of `audit.view_auditevent` (auditors) see every event of every
agency: the log is the oversight record of the whole system, so it is not scoped by agency.
Exports additionally need `audit.export_auditevent`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.audit.services import audit_read
from jembatan.core.exceptions import PermissionDenied

VIEW_CAPABILITY = "audit.view_auditevent"
EXPORT_CAPABILITY = "audit.export_auditevent"


@dataclass(frozen=True)
class AuditFilters:
    """What the auditor asked for. Dates are whole days in `zone`, both ends included."""

    user: str = ""
    agency_id: int | None = None
    action: int | None = None
    object_type: str = ""
    object_id: str = ""
    request_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    zone: str = "Asia/Jakarta"

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """[start, end) in UTC: from the start of `date_from` to the start of the day after `date_to`."""
        tz = ZoneInfo(self.zone)
        start = dt.datetime.combine(self.date_from, dt.time.min, tzinfo=tz) if self.date_from else None
        end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if self.date_to else None
        return start, end

    def apply(self, qs: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if self.user:
            qs = qs.filter(actor_label__icontains=self.user)
        if self.agency_id is not None:
            qs = qs.filter(agency_id=self.agency_id)
        if self.action is not None:
            qs = qs.filter(action=self.action)
        if self.object_type:
            qs = qs.filter(object_type=self.object_type)
        if self.object_id:
            qs = qs.filter(object_id=self.object_id)
        if self.request_id:
            qs = qs.filter(request_id=self.request_id)
        start, end = self.bounds()
        if start is not None:
            qs = qs.filter(occurred_at__gte=start)
        if end is not None:
            qs = qs.filter(occurred_at__lt=end)
        return qs

    def as_data(self) -> dict[str, Any]:
        """The filters actually used, for the audit record of the read."""
        data: dict[str, Any] = {
            "user": self.user,
            "agency": self.agency_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "request_id": self.request_id,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }
        data = {key: value for key, value in data.items() if value not in ("", None)}
        if self.date_from or self.date_to:
            data["zone"] = self.zone
        return data


def _require(actor: Any, capability: str) -> None:
    if actor is None or not actor.has_perm(capability):
        raise PermissionDenied()


def audit_head_id() -> int:
    """The id of the newest event (0 for an empty log)."""
    return AuditEvent.objects.aggregate(head=Max("id"))["head"] or 0


def audit_event_list(*, actor: Any, filters: AuditFilters, upto: int | None = None, page: int | None = None) -> QuerySet[AuditEvent]:
    """Events matching `filters`, newest first, up to event `upto` (default: the newest now).

    Fixing `upto` on the first page keeps later pages stable while new events arrive
    (viewing the log itself adds one). Records `AUDIT_VIEWED` with the filters used.
    """
    _require(actor, VIEW_CAPABILITY)
    qs = filters.apply(AuditEvent.objects.select_related("agency")).order_by("-id")
    if upto is not None:
        qs = qs.filter(id__lte=upto)
    audit_read(
        actor=actor,
        action=AuditAction.AUDIT_VIEWED,
        data={"filters": filters.as_data(), "page": page or 1, "upto": upto},
    )
    return qs


@dataclass(frozen=True)
class Export:
    """An export about to be streamed: exactly `rows` events, oldest first."""

    rows: int
    upto: int
    events: Iterator[AuditEvent]


def audit_event_export(*, actor: Any, filters: AuditFilters, upto: int | None = None) -> Export:
    """Events matching `filters` up to event `upto`, oldest first, for a file.

    The upper bound is fixed before counting, so the count recorded in `AUDIT_EXPORTED`
    is exactly the number of rows the file will hold (the log only grows).
    """
    _require(actor, EXPORT_CAPABILITY)
    head = audit_head_id() if upto is None else upto
    qs = filters.apply(AuditEvent.objects.select_related("agency")).filter(id__lte=head).order_by("id")
    rows = qs.count()
    audit_read(
        actor=actor,
        action=AuditAction.AUDIT_EXPORTED,
        data={"filters": filters.as_data(), "rows": rows, "upto": head},
    )
    return Export(rows=rows, upto=head, events=qs.iterator(chunk_size=2000))


@dataclass(frozen=True)
class ChainStatus:
    """The latest recorded verification of the hash chain."""

    ok: bool
    verified_at: dt.datetime
    checked: int
    last_id: int | None
    last_time: dt.datetime | None
    first_broken_id: int | None
    reason_code: str


def audit_chain_status() -> ChainStatus | None:
    """The result of the latest `AUDIT_CHAIN_VERIFIED`/`AUDIT_CHAIN_BROKEN` event, if any."""
    event = (
        AuditEvent.objects.filter(action__in=[AuditAction.AUDIT_CHAIN_VERIFIED, AuditAction.AUDIT_CHAIN_BROKEN])
        .order_by("-id")
        .only("id", "action", "occurred_at", "data")
        .first()
    )
    if event is None:
        return None
    data = event.data or {}
    last_time = parse_datetime(data["last_time"]) if data.get("last_time") else None
    return ChainStatus(
        ok=event.action == AuditAction.AUDIT_CHAIN_VERIFIED,
        verified_at=event.occurred_at,
        checked=int(data.get("checked") or 0),
        last_id=data.get("last_id"),
        last_time=last_time,
        first_broken_id=data.get("first_broken_id"),
        reason_code=str(data.get("reason_code") or ""),
    )


@dataclass(frozen=True)
class AuditSummary:
    """Counts for the auditor's home panel."""

    events: int
    failed_logins: int
    lockouts: int
    since: dt.datetime


def audit_summary(*, actor: Any, hours: int = 24) -> AuditSummary:
    """How many events, failed sign-ins and lock-outs in the last `hours` (one query)."""
    _require(actor, VIEW_CAPABILITY)
    since = timezone.now() - dt.timedelta(hours=hours)
    counts = AuditEvent.objects.filter(occurred_at__gte=since).aggregate(
        events=Count("id"),
        failed=Count("id", filter=Q(action=AuditAction.USER_LOGIN_FAILED)),
        locked=Count("id", filter=Q(action=AuditAction.USER_LOCKED_OUT)),
    )
    return AuditSummary(events=counts["events"], failed_logins=counts["failed"], lockouts=counts["locked"], since=since)
