"""Reads of notifications, detainee letters and consular access, for the pages and the API.

Every query starts from `visible_to(actor)` (querysets.py); reads of one notification or
one access request are audited, and so are lists (with the filters used).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case as DbCase
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_read
from jembatan.cases.models import Case, ConsularRightsAdvice
from jembatan.core.exceptions import NotFound
from jembatan.notifications.models import (
    AccessRequest,
    AccessStatus,
    ConsularVisit,
    DetaineeLetter,
    Notification,
    NotificationDelivery,
    NotificationReminder,
    NotificationStatus,
)
from jembatan.people.models import Person

# A notification due within this many hours is flagged "soon" (UX.md §3.6: "< 6 jam").
SOON_HOURS = 6
# Dispatched and still not acknowledged this long after: listed as overdue for follow-up.
ACK_FOLLOW_UP_HOURS = 72

OPEN_NOTIFICATION = (NotificationStatus.TO_CHECK, NotificationStatus.DISPATCHING)


@dataclass(frozen=True)
class NotificationFilters:
    """What the inbox and the API list may be narrowed by (all optional). `tab` is one of
    `INBOX_TABS`."""

    tab: str = ""
    status: str = ""
    country: str = ""
    trigger: str = ""
    overdue: bool = False
    office_id: int | None = None
    query: str = ""

    @property
    def active(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None, False)}


INBOX_TABS = ("to_check", "overdue", "soon", "awaiting_ack", "sent", "all")


def _tab_condition(tab: str, now: dt.datetime) -> Q:
    open_q = Q(status__in=OPEN_NOTIFICATION)
    if tab == "to_check":
        return open_q
    if tab == "overdue":
        return open_q & Q(due_at__lt=now)
    if tab == "soon":
        return open_q & Q(due_at__gte=now, due_at__lt=now + dt.timedelta(hours=SOON_HOURS))
    if tab == "awaiting_ack":
        return Q(status=NotificationStatus.DISPATCHED)
    if tab == "sent":
        return Q(status__in=(NotificationStatus.DISPATCHED, NotificationStatus.ACKNOWLEDGED))
    return Q()


def _with_details(queryset: QuerySet[Notification]) -> QuerySet[Notification]:
    return queryset.select_related(
        "case", "case__reporting_agency", "case__reporting_unit", "person", "country", "mission", "decision", "decision__policy"
    )


def _filtered(actor: Any, filters: NotificationFilters, now: dt.datetime) -> QuerySet[Notification]:
    items = Notification.objects.visible_to(actor)
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.country:
        items = items.filter(country__code=filters.country.upper())
    if filters.trigger:
        items = items.filter(trigger=filters.trigger)
    if filters.overdue:
        items = items.filter(status__in=OPEN_NOTIFICATION, due_at__lt=now)
    if filters.office_id:
        items = items.filter(case__reporting_unit_id=filters.office_id)
    query = filters.query.strip()
    if query:
        compact = query.replace(" ", "").upper()
        people = Person.objects.search(query).values("id")
        items = items.filter(Q(person_id__in=people) | Q(reference__iexact=compact) | Q(case__reference__iexact=compact))
    return items


def notification_list(*, actor: Any, filters: NotificationFilters | None = None, audit: bool = True) -> QuerySet[Notification]:
    """The notifications `actor` may see, narrowed by `filters`.

    Open ones (to check) by deadline, earliest first (overdue on top); the others newest
    first. `query` matches the notification number, the case number or the person's name in
    any script. Records `NOTIFICATION_LISTED` with the filters.
    """
    filters = filters or NotificationFilters()
    now = timezone.now()
    items = _filtered(actor, filters, now).filter(_tab_condition(filters.tab, now))
    if audit:
        audit_read(actor=actor, action=AuditAction.NOTIFICATION_LISTED, target=("notifications.notification", "", ""), data=filters.active)
    if filters.tab in ("to_check", "overdue", "soon"):
        order = ["due_at", "reference"]
    elif filters.tab == "awaiting_ack":
        order = ["dispatched_at", "reference"]
    else:
        order = ["-created_at", "reference"]
    return _with_details(items).order_by(*order)


def inbox_counts(*, actor: Any, filters: NotificationFilters | None = None) -> dict[str, int]:
    """How many notifications each inbox tab holds, under the same filters (not the tab)."""
    filters = filters or NotificationFilters()
    now = timezone.now()
    items = _filtered(actor, filters, now)
    return items.aggregate(**{tab: Count("pk", filter=_tab_condition(tab, now)) for tab in INBOX_TABS})


def parse_uuid(model: Any, value: Any) -> Any:
    try:
        return model._meta.pk.to_python(value)
    except (ValidationError, ValueError):
        raise NotFound() from None


def notification_get(*, actor: Any, notification_id: Any, audit: bool = True) -> Notification:
    """One notification `actor` may see; `NotFound` otherwise. Records `NOTIFICATION_VIEWED`."""
    pk = parse_uuid(Notification, notification_id)
    found = _with_details(Notification.objects.visible_to(actor)).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    if audit:
        audit_read(actor=actor, action=AuditAction.NOTIFICATION_VIEWED, target=found, data={"case": str(found.case_id)})
    return found


def notification_deliveries(notification: Notification) -> list[NotificationDelivery]:
    return list(notification.deliveries.all().order_by("channel", "recipient"))


def notification_reminders(notification: Notification) -> list[NotificationReminder]:
    return list(
        NotificationReminder.objects.filter(
            subject_type__in=("notification", "notifications.notification"), subject_id=str(notification.pk)
        )
    )


# --- access requests ----------------------------------------------------------------------


@dataclass(frozen=True)
class AccessFilters:
    status: str = ""
    open_only: bool = False
    overdue: bool = False


def access_request_list(*, actor: Any, filters: AccessFilters | None = None, audit: bool = True) -> QuerySet[AccessRequest]:
    """The access requests `actor` may see: open ones first (requested, then scheduled), by
    deadline; then the closed ones, newest first. Records `NOTIFICATION_LISTED`."""
    filters = filters or AccessFilters()
    if audit:
        audit_read(
            actor=actor, action=AuditAction.NOTIFICATION_LISTED, target=("notifications.accessrequest", "", ""), data=asdict(filters)
        )
    items = AccessRequest.objects.visible_to(actor)
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.open_only:
        items = items.filter(status__in=(AccessStatus.REQUESTED, AccessStatus.SCHEDULED))
    if filters.overdue:
        items = items.filter(status=AccessStatus.REQUESTED, due_at__lt=timezone.now())
    rank = DbCase(
        When(status=AccessStatus.REQUESTED, then=Value(0)),
        When(status=AccessStatus.SCHEDULED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    ordered: Any = (
        items.select_related("case", "case__person", "case__reporting_agency", "case__detention_centre", "mission", "notification")
        .annotate(open_rank=rank)
        .order_by("open_rank", "due_at", "-requested_at")
    )
    return ordered


def access_request_get(*, actor: Any, access_id: Any) -> AccessRequest:
    pk = parse_uuid(AccessRequest, access_id)
    found = (
        AccessRequest.objects.visible_to(actor)
        .select_related("case", "case__person", "case__detention_centre", "mission", "notification")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    audit_read(actor=actor, action=AuditAction.NOTIFICATION_VIEWED, target=found, data={"case": str(found.case_id)})
    return found


def access_visits(request: AccessRequest) -> list[ConsularVisit]:
    return list(ConsularVisit.objects.filter(access_request=request))


# --- one case -----------------------------------------------------------------------------


@dataclass
class CaseConsular:
    """What the case page shows about consular notification and access."""

    advice: list[ConsularRightsAdvice]
    notifications: list[Notification]
    letters: list[DetaineeLetter]
    access_requests: list[AccessRequest]
    visits: list[ConsularVisit]


def case_consular(*, actor: Any, case: Case) -> CaseConsular:
    """Rights advice, notifications, letters, access requests and visits of one case, as far
    as `actor` may see them (the case itself was read, and audited, by the case page)."""
    return CaseConsular(
        advice=list(ConsularRightsAdvice.objects.filter(case=case).select_related("recorded_by")),
        notifications=list(Notification.objects.visible_to(actor).filter(case=case).select_related("mission", "country")),
        letters=list(DetaineeLetter.objects.visible_to(actor).filter(case=case).select_related("mission")),
        access_requests=list(AccessRequest.objects.visible_to(actor).filter(case=case).select_related("mission")),
        visits=list(ConsularVisit.objects.visible_to(actor).filter(case=case).select_related("mission")),
    )


# --- overdue ------------------------------------------------------------------------------


@dataclass
class OverdueItems:
    undispatched: list[Notification]
    unacknowledged: list[Notification]
    letters: list[DetaineeLetter]
    access_requests: list[AccessRequest]

    @property
    def total(self) -> int:
        return len(self.undispatched) + len(self.unacknowledged) + len(self.letters) + len(self.access_requests)


def overdue_querysets(actor: Any, now: dt.datetime | None = None) -> dict[str, QuerySet[Any]]:
    now = now or timezone.now()
    return {
        "undispatched": _with_details(Notification.objects.visible_to(actor))
        .filter(status__in=OPEN_NOTIFICATION, due_at__lt=now)
        .order_by("due_at"),
        "unacknowledged": _with_details(Notification.objects.visible_to(actor))
        .filter(status=NotificationStatus.DISPATCHED, dispatched_at__lt=now - dt.timedelta(hours=ACK_FOLLOW_UP_HOURS))
        .order_by("dispatched_at"),
        "letters": DetaineeLetter.objects.visible_to(actor)
        .filter(forwarded_at__isnull=True, due_at__lt=now)
        .select_related("case", "case__person", "mission")
        .order_by("due_at"),
        "access_requests": AccessRequest.objects.visible_to(actor)
        .filter(status=AccessStatus.REQUESTED, due_at__lt=now)
        .select_related("case", "case__person", "mission")
        .order_by("due_at"),
    }


def overdue_count(*, actor: Any) -> int:
    return sum(qs.count() for qs in overdue_querysets(actor).values())


def overdue_items(*, actor: Any, limit: int = 200) -> OverdueItems:
    """Everything late: undispatched notifications past their deadline, dispatched ones not
    acknowledged after `ACK_FOLLOW_UP_HOURS`, letters not forwarded in time, access requests
    not answered in time. Records `NOTIFICATION_LISTED`."""
    sets = overdue_querysets(actor)
    audit_read(actor=actor, action=AuditAction.NOTIFICATION_LISTED, target=("notifications.notification", "", ""), data={"overdue": True})
    return OverdueItems(**{name: list(qs[:limit]) for name, qs in sets.items()})
