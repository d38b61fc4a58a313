"""API of consular notifications and access (`/api/v1/notifications/`).

Same capabilities and row scope as the pages: a notification outside the caller's scope is
a 404 exactly like one that does not exist. A mission (portal user or its system) sees only
the notifications dispatched to it, and never the engine's decision (which could reveal a
protection flag); agency callers see the decision too. Lists answer `{"items", "count"}`
paginated by `page`/`page_size`. Writes honour the `Idempotency-Key` header. Times are UTC.

No `from __future__ import annotations` here: django-ninja reads the annotations at import
time.
"""

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from jembatan.accounts.permissions import actor_can
from jembatan.cases.models import Case
from jembatan.core.api import ErrorBody, api_caller
from jembatan.core.exceptions import NotFound
from jembatan.core.idempotency import idempotent
from jembatan.notifications import access as access_services
from jembatan.notifications.kpi import KpiFilters, kpi_report
from jembatan.notifications.models import AccessRequest, Notification
from jembatan.notifications.selectors import (
    INBOX_TABS,
    AccessFilters,
    NotificationFilters,
    access_request_list,
    notification_get,
    notification_list,
)
from jembatan.people.permissions import is_mission_actor
from jembatan.reference.models import ForeignMission

router = Router(tags=["notifications"])

_MAX_PAGE_SIZE = 200
_READ_ERRORS: dict[int, Any] = {401: ErrorBody, 403: ErrorBody}
_ONE_ERRORS: dict[int, Any] = {**_READ_ERRORS, 404: ErrorBody}
_WRITE_ERRORS: dict[int, Any] = {**_ONE_ERRORS, 400: ErrorBody, 409: ErrorBody}


class DeskDecisionOut(Schema):
    """Why the engine decided to notify (agency callers only; never sent to a mission)."""

    outcome: str = Field(description="notify, not_notified, held_back, awaiting_answer")
    reason: str = Field(description="The reason code (requested, mandatory, article_37, …)")
    explanation: str
    rule_version: str = Field(description="The country policy row and date in force when decided")
    decided_at: dt.datetime


class DeskNotificationOut(Schema):
    """One consular notification to one mission about one notifiable event."""

    id: uuid.UUID
    reference: str = Field(description="The ministry's number, NK-YYYY-NNNNNN")
    case_id: uuid.UUID
    case_reference: str
    person_name: str = Field(description="Name as in the travel document")
    country: str = Field(description="Code of the nationality concerned")
    mission_id: int | None = Field(description="Receiving mission; null when none is on record")
    via_protecting_power: bool
    trigger: str = Field(description="detention, death, transfer, release, …")
    basis: str = Field(description="requested, mandatory or article_37")
    status: str = Field(description="to_check, dispatching, dispatched, acknowledged, cancelled")
    event_at: dt.datetime = Field(description="When the event happened (UTC)")
    time_zone: str = Field(description="Zone of the reporting office, for showing times locally")
    due_at: dt.datetime = Field(description="Deadline for dispatch (UTC)")
    dispatched_at: dt.datetime | None
    dispatched_in_time: bool | None
    acknowledged_at: dt.datetime | None
    acknowledgement_channel: str = Field(description="portal, phone, email, note; empty until acknowledged")
    decision: DeskDecisionOut | None = Field(None, description="Only for agency callers")


class DeskNotificationDetailOut(DeskNotificationOut):
    facts: dict[str, Any] = Field(description="What the mission was told, frozen at dispatch ({} before)")


class DeskNotificationPage(Schema):
    items: list[DeskNotificationOut]
    count: int


class DeskNotificationFilters(Schema):
    tab: str = Field("", description="to_check, overdue, soon, awaiting_ack, sent, all")
    status: str = ""
    country: str = Field("", description="Nationality code, e.g. AUS")
    trigger: str = ""
    overdue: bool = False
    office: int | None = Field(None, description="Reporting office (unit) id")
    q: str = Field("", description="Notification number, case number or name in any script")


class DeskAcknowledgeIn(Schema):
    """A mission acknowledges in its portal (channel `portal`); the consular desk records a
    confirmation received by `phone`, `email` or `note`."""

    channel: str = Field("portal", description="portal, phone, email or note")
    note: str = ""
    acknowledged_at: dt.datetime | None = Field(None, description="When the mission confirmed; default now")


class KpiDurationsOut(Schema):
    count: int = Field(description="How many durations were measured")
    median: float | None = Field(description="Median, hours")
    p95: float | None = Field(description="95th percentile (linear interpolation), hours")


class KpiGroupOut(Schema):
    key: str
    label: str
    notifications: int
    dispatched: int
    detention_to_dispatch: KpiDurationsOut
    dispatch_to_ack: KpiDurationsOut
    on_time: int
    settled: int
    within_deadline: float | None = Field(description="on_time / settled, 0–1")


class KpiMonthOut(Schema):
    month: str = Field(description="YYYY-MM in the caller's zone")
    count: int


class KpiOut(Schema):
    """The numbers of the performance page (docs/notifications.md, "KPIs")."""

    filters: dict[str, Any]
    notifications: int
    dispatched: int
    acknowledged: int
    per_month: list[KpiMonthOut]
    detention_to_dispatch: KpiDurationsOut
    dispatch_to_ack: KpiDurationsOut
    request_to_visit: KpiDurationsOut
    on_time: int
    settled: int
    within_deadline: float | None
    overdue: int = Field(description="Items overdue now (undispatched, unacknowledged, letters, access)")
    by_country: list[KpiGroupOut]
    by_office: list[KpiGroupOut]
    by_agency: list[KpiGroupOut]


class KpiQuery(Schema):
    date_from: dt.date | None = Field(None, description="First day of the period (caller's zone)")
    date_to: dt.date | None = Field(None, description="Last day of the period, included")
    country: str = ""
    agency: int | None = Field(None, description="Reporting agency id")


class DeskAccessOut(Schema):
    """A request for consular access and where it stands."""

    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    notification_id: uuid.UUID | None
    mission_id: int
    kind: str = Field(description="visit, phone or video")
    status: str = Field(description="requested, scheduled, completed, refused, declined_by_detainee, cancelled")
    proposed_times: list[str]
    officers: str
    note: str
    requested_at: dt.datetime
    due_at: dt.datetime = Field(description="The detaining side answers by then")
    scheduled_for: dt.datetime | None
    refusal_reason: str
    detainee_statement: str


class DeskAccessPage(Schema):
    items: list[DeskAccessOut]
    count: int


class DeskAccessCreateIn(Schema):
    """A mission asks about a case it was notified of (`notification_id` or `case_id`); the
    consular desk records a request for `mission_id`."""

    case_id: uuid.UUID | None = None
    notification_id: uuid.UUID | None = None
    mission_id: int | None = Field(None, description="Defaults to the caller's own mission")
    kind: str = "visit"
    proposed_times: list[dt.datetime] = Field(default_factory=list, description="With offset")
    officers: str = ""
    note: str = ""


def _require_any(request: HttpRequest, *codenames: str) -> Any:
    caller = api_caller(request)
    if not any(actor_can(caller, c) for c in codenames):
        raise HttpError(403, "You do not have permission to do this.")
    return caller


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(dt.UTC) if moment is not None else None


def _out(n: Notification, caller: Any, *, detail: bool = False) -> dict[str, Any]:
    decision = None
    if not is_mission_actor(caller):
        d = n.decision
        decision = {
            "outcome": d.outcome,
            "reason": d.reason,
            "explanation": d.explanation,
            "rule_version": d.rule_version,
            "decided_at": _utc(d.decided_at),
        }
    out = {
        "id": n.pk,
        "reference": n.reference,
        "case_id": n.case_id,
        "case_reference": n.case.reference,
        "person_name": n.person.document_name,
        "country": n.country.code,
        "mission_id": n.mission_id,
        "via_protecting_power": n.via_protecting_power,
        "trigger": n.trigger,
        "basis": n.basis,
        "status": n.status,
        "event_at": _utc(n.event_at),
        "time_zone": n.time_zone,
        "due_at": _utc(n.due_at),
        "dispatched_at": _utc(n.dispatched_at),
        "dispatched_in_time": n.dispatched_in_time,
        "acknowledged_at": _utc(n.acknowledged_at),
        "acknowledgement_channel": n.acknowledgement_channel,
        "decision": decision,
    }
    if detail:
        out["facts"] = dict(n.facts or {})
    return out


def _access_out(a: AccessRequest) -> dict[str, Any]:
    return {
        "id": a.pk,
        "case_id": a.case_id,
        "case_reference": a.case.reference,
        "notification_id": a.notification_id,
        "mission_id": a.mission_id,
        "kind": a.kind,
        "status": a.status,
        "proposed_times": list(a.proposed_times or []),
        "officers": a.officers,
        "note": a.note,
        "requested_at": _utc(a.requested_at),
        "due_at": _utc(a.due_at),
        "scheduled_for": _utc(a.scheduled_for),
        "refusal_reason": a.refusal_reason,
        "detainee_statement": a.detainee_statement,
    }


def _zone(caller: Any) -> str:
    return getattr(caller, "time_zone", None) or "Asia/Jakarta"


def _page(items: Any, page: int, page_size: int) -> tuple[Any, int]:
    page_size = min(max(page_size, 1), _MAX_PAGE_SIZE)
    start = (max(page, 1) - 1) * page_size
    return items[start : start + page_size], items.count()


# A mission (user or system) reads its own dispatched notices here too, scoped by
# `visible_to` and without the engine's decision; the portal API offers the same to
# signed-in mission officers with the portal's own schemas.
VIEWERS = ("notifications.view_notification", "portal.view_portal")


@router.get("/", response={200: DeskNotificationPage, **_READ_ERRORS}, summary="List consular notifications")
def notification_list_api(
    request: HttpRequest, filters: Query[DeskNotificationFilters], page: int = 1, page_size: int = settings.API_PAGE_SIZE
) -> Any:
    """The notifications the caller may see. `tab` as in the inbox (default `all`): open
    tabs by deadline, others newest first."""
    caller = _require_any(request, *VIEWERS)
    tab = filters.tab if filters.tab in INBOX_TABS else "all"
    items = notification_list(
        actor=caller,
        filters=NotificationFilters(
            tab=tab,
            status=filters.status,
            country=filters.country,
            trigger=filters.trigger,
            overdue=filters.overdue,
            office_id=filters.office,
            query=filters.q,
        ),
    )
    chunk, count = _page(items, page, page_size)
    return {"items": [_out(n, caller) for n in chunk], "count": count}


@router.get("/performance", response={200: KpiOut, **_READ_ERRORS}, summary="Performance of the Convention (KPIs)")
def kpi_api(request: HttpRequest, query: Query[KpiQuery]) -> Any:
    """The same numbers as the performance page for the same filters: notifications per
    month, median and 95th-percentile hours detention→dispatch, dispatch→acknowledgement,
    access request→visit, share within the deadline, by country, office and agency."""
    caller = _require_any(request, "notifications.view_kpi")
    report = kpi_report(
        actor=caller,
        filters=KpiFilters(
            date_from=query.date_from, date_to=query.date_to, country=query.country, agency_id=query.agency, zone=_zone(caller)
        ),
    )
    return report.as_dict()


@router.get("/access-requests", response={200: DeskAccessPage, **_READ_ERRORS}, summary="List consular access requests")
def access_list_api(request: HttpRequest, status: str = "", page: int = 1, page_size: int = settings.API_PAGE_SIZE) -> Any:
    """Open requests first (requested, then scheduled) by deadline, then closed ones."""
    caller = _require_any(request, *VIEWERS)
    items = access_request_list(actor=caller, filters=AccessFilters(status=status))
    chunk, count = _page(items, page, page_size)
    return {"items": [_access_out(a) for a in chunk], "count": count}


@router.post("/access-requests", response={201: DeskAccessOut, **_WRITE_ERRORS}, summary="Request consular access")
def access_create_api(request: HttpRequest, payload: DeskAccessCreateIn) -> Any:
    """A mission asks for access to a national it was notified about; the consular desk
    records a request received another way. Send `Idempotency-Key` to make a retry safe."""
    caller = _require_any(request, "portal.request_access", "notifications.record_access_request")

    def produce() -> tuple[int, Any]:
        notification = None
        if payload.notification_id is not None:
            notification = Notification.objects.visible_to(caller).filter(pk=payload.notification_id).first()
            if notification is None:
                raise NotFound(field="notification_id")
        case_id = payload.case_id or (notification.case_id if notification else None)
        if case_id is None:
            raise NotFound("Name the case or the notification.", field="case_id")
        if is_mission_actor(caller):
            case = Case.objects.filter(pk=case_id).first()
            mission = ForeignMission.objects.filter(pk=payload.mission_id or caller.agency.mission_id).first()
        else:
            case = Case.objects.visible_to(caller).filter(pk=case_id).first()
            mission = ForeignMission.objects.filter(pk=payload.mission_id).first() if payload.mission_id else None
        if case is None:
            raise NotFound(field="case_id")
        created = access_services.access_request_create(
            actor=caller,
            case=case,
            mission=mission,
            kind=payload.kind,
            proposed_times=payload.proposed_times,
            officers=payload.officers,
            note=payload.note,
            notification=notification,
        )
        created = AccessRequest.objects.select_related("case").get(pk=created.pk)
        return 201, DeskAccessOut.model_validate(_access_out(created)).model_dump(mode="json")

    status, body = idempotent(request, operation="notifications.access_create", payload=payload.model_dump(mode="json"), produce=produce)
    return Status(status, body)


@router.get("/{notification_id}", response={200: DeskNotificationDetailOut, **_ONE_ERRORS}, summary="Get one consular notification")
def notification_detail_api(request: HttpRequest, notification_id: uuid.UUID) -> Any:
    caller = _require_any(request, *VIEWERS)
    return _out(notification_get(actor=caller, notification_id=notification_id), caller, detail=True)


@router.post(
    "/{notification_id}/acknowledge", response={200: DeskNotificationDetailOut, **_WRITE_ERRORS}, summary="Acknowledge a notification"
)
def acknowledge_api(request: HttpRequest, notification_id: uuid.UUID, payload: DeskAcknowledgeIn) -> Any:
    """The mission confirms receipt (`portal`), or the consular desk records the mission's
    confirmation by `phone`, `email` or `note`. Send `Idempotency-Key`: a retry answers the
    first result; acknowledging twice is a 409."""
    caller = _require_any(request, "portal.acknowledge_notification", "notifications.record_acknowledgement")

    def produce() -> tuple[int, Any]:
        from jembatan.notifications.dispatch import notification_acknowledge

        notification = notification_get(actor=caller, notification_id=notification_id, audit=False)
        done = notification_acknowledge(
            actor=caller, notification=notification, channel=payload.channel, note=payload.note, acknowledged_at=payload.acknowledged_at
        )
        done = notification_get(actor=caller, notification_id=done.pk, audit=False)
        return 200, DeskNotificationDetailOut.model_validate(_out(done, caller, detail=True)).model_dump(mode="json")

    status, body = idempotent(
        request,
        operation="notifications.acknowledge",
        payload={"id": str(notification_id), **payload.model_dump(mode="json")},
        produce=produce,
    )
    return Status(status, body)
