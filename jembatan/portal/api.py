"""The embassy portal's API (`/api/v1/portal/`): a mission's systems (API clients of the
mission's agency) and its signed-in officers read the inbox, acknowledge, request
consular access, ask whereabouts questions and exchange messages. Everything is scoped to
the caller's own mission exactly as the pages are: another mission's row is a 404, never
a partial answer; lists and counts never include it.

Writes honour the `Idempotency-Key` header. Errors are `{code, message, detail}`.

No `from __future__ import annotations` here: django-ninja reads the annotations at import
time.
"""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from jembatan.core.api import ErrorBody, api_caller
from jembatan.core.idempotency import idempotent
from jembatan.notifications.models import AccessRequest, Notification
from jembatan.portal import selectors
from jembatan.portal.models import Message, MessageThread, WhereaboutsInquiry
from jembatan.portal.querysets import can, mission_of
from jembatan.portal.services import inbox as inbox_services
from jembatan.portal.services import inquiries as inquiry_services
from jembatan.portal.services import messages as message_services
from jembatan.portal.templatetags.portal import person_name, place_held

router = Router(tags=["portal"])

_MAX_PAGE_SIZE = 200
_READ_ERRORS: dict[int, Any] = {401: ErrorBody, 403: ErrorBody}
_ONE_ERRORS: dict[int, Any] = {**_READ_ERRORS, 404: ErrorBody}
_WRITE_ERRORS: dict[int, Any] = {**_ONE_ERRORS, 400: ErrorBody, 409: ErrorBody}


class NotificationOut(Schema):
    id: uuid.UUID
    reference: str
    trigger: str
    trigger_label: str
    status: str
    person_name: str
    place: str
    event_at: dt.datetime
    time_zone: str
    dispatched_at: dt.datetime | None
    read_by_mission_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledgement_channel: str
    document_url: str


class NotificationDetailOut(NotificationOut):
    facts: dict[str, Any]


class NotificationPage(Schema):
    items: list[NotificationOut]
    count: int
    unread: int
    unacknowledged: int


class InboxFilters(Schema):
    q: str = ""
    acknowledged: str = ""
    trigger: str = ""
    unread: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class AcknowledgeIn(Schema):
    note: str = ""


class VisitOut(Schema):
    occurred_at: dt.datetime
    kind: str
    officers: str
    outcome: str
    duration_minutes: int | None


class AccessRequestOut(Schema):
    id: uuid.UUID
    notification_id: uuid.UUID | None
    kind: str
    status: str
    proposed_times: list[str]
    officers: str
    note: str
    requested_at: dt.datetime
    due_at: dt.datetime
    scheduled_for: dt.datetime | None
    answer_note: str
    refusal_reason: str
    visit: VisitOut | None


class AccessRequestIn(Schema):
    kind: str = "visit"
    proposed_times: list[dt.datetime]
    officers: str
    note: str = ""


class InquiryIn(Schema):
    surname: str
    given_names: str = ""
    birth_year: int | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    document_number: str = ""
    purpose: str
    purpose_text: str = ""


class InquiryOut(Schema):
    id: uuid.UUID
    reference: str
    status: str
    surname: str
    given_names: str
    birth_date: str
    document_number: str
    nationality: str
    purpose: str
    purpose_text: str
    asked_at: dt.datetime
    due_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


class InquiryPage(Schema):
    items: list[InquiryOut]
    count: int


class AttachmentOut(Schema):
    id: uuid.UUID
    name: str
    content_type: str
    size: int
    url: str


class MessageOut(Schema):
    id: uuid.UUID
    side: str
    sender: str
    body: str
    sent_at: dt.datetime
    attachments: list[AttachmentOut]


class ThreadOut(Schema):
    id: uuid.UUID
    case_reference: str
    person_name: str
    last_message_at: dt.datetime | None
    unread: int


class ThreadDetailOut(ThreadOut):
    messages: list[MessageOut]


class MessageIn(Schema):
    body: str


def _require(request: HttpRequest, codename: str, *, mission_only: bool = True) -> Any:
    caller = api_caller(request)
    if not can(caller, codename) or (mission_only and mission_of(caller) is None):
        raise HttpError(403, "You do not have permission to do this.")
    return caller


def _notification_out(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "reference": n.reference,
        "trigger": n.trigger,
        "trigger_label": str(n.get_trigger_display()),
        "status": n.status,
        "person_name": person_name(n),
        "place": place_held(n),
        "event_at": n.event_at,
        "time_zone": n.time_zone,
        "dispatched_at": n.dispatched_at,
        "read_by_mission_at": n.read_by_mission_at,
        "acknowledged_at": n.acknowledged_at,
        "acknowledgement_channel": n.acknowledgement_channel,
        "document_url": reverse("portal:notification_document", args=[n.pk]),
    }


def _notification_detail(n: Notification) -> dict[str, Any]:
    return NotificationDetailOut.model_validate({**_notification_out(n), "facts": selectors.safe_facts(n)}).model_dump(mode="json")


def _access_out(r: AccessRequest) -> dict[str, Any]:
    visit = getattr(r, "visit", None) if hasattr(r, "visit") else None
    return {
        "id": r.pk,
        "notification_id": r.notification_id,
        "kind": r.kind,
        "status": r.status,
        "proposed_times": list(r.proposed_times or []),
        "officers": r.officers,
        "note": r.note,
        "requested_at": r.requested_at,
        "due_at": r.due_at,
        "scheduled_for": r.scheduled_for,
        "answer_note": r.answer_note,
        "refusal_reason": r.refusal_reason,
        "visit": (
            {
                "occurred_at": visit.occurred_at,
                "kind": visit.kind,
                "officers": visit.officers,
                "outcome": visit.outcome,
                "duration_minutes": visit.duration_minutes,
            }
            if visit is not None
            else None
        ),
    }


def _inquiry_out(i: WhereaboutsInquiry) -> dict[str, Any]:
    return {
        "id": i.pk,
        "reference": i.reference,
        "status": i.status,
        "surname": i.surname,
        "given_names": i.given_names,
        "birth_date": i.birth_date_text,
        "document_number": i.document_number,
        "nationality": i.nationality.code,
        "purpose": i.purpose,
        "purpose_text": i.purpose_text,
        "asked_at": i.asked_at,
        "due_at": i.due_at,
        "answer": i.answer,
        "answered_at": i.answered_at,
    }


def _message_out(m: Message) -> dict[str, Any]:
    return {
        "id": m.pk,
        "side": m.side,
        "sender": m.sender_label,
        "body": m.body,
        "sent_at": m.sent_at,
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "url": reverse("portal:attachment_download", args=[a.pk]),
            }
            for a in m.attachments.all()
        ],
    }


def _thread_out(t: MessageThread, unread: int) -> dict[str, Any]:
    return {
        "id": t.pk,
        "case_reference": t.case.reference,
        "person_name": f"{t.case.person.surname} {t.case.person.given_names}".strip(),
        "last_message_at": t.last_message_at,
        "unread": unread,
    }


# --- notifications --------------------------------------------------------------------------------


@router.get("/notifications", response={200: NotificationPage, **_READ_ERRORS}, summary="The mission's inbox")
def inbox_api(request: HttpRequest, filters: Query[InboxFilters], page: int = 1, page_size: int = 50) -> Any:
    """Notifications sent to the caller's mission: receipt not yet confirmed first, then
    newest. `q` searches the reference, the person's name in any script and document
    numbers; `acknowledged` is `yes` or `no`; dates are whole days in Jakarta time."""
    caller = _require(request, "portal.view_portal")
    rows = selectors.inbox_list(
        actor=caller,
        filters=selectors.InboxFilters(
            q=filters.q,
            acknowledged=filters.acknowledged,
            trigger=filters.trigger,
            unread=filters.unread,
            period_from=filters.date_from,
            period_to=filters.date_to,
        ),
    )
    counts = selectors.inbox_counts(actor=caller)
    page_size = min(max(page_size, 1), _MAX_PAGE_SIZE)
    start = (max(page, 1) - 1) * page_size
    return {
        "items": [_notification_out(n) for n in rows[start : start + page_size]],
        "count": rows.count(),
        "unread": counts.unread,
        "unacknowledged": counts.unacknowledged,
    }


@router.get("/notifications/{notification_id}", response={200: NotificationDetailOut, **_ONE_ERRORS}, summary="One notification")
def notification_api(request: HttpRequest, notification_id: uuid.UUID) -> Any:
    """The notification with the facts the mission was told. The first read by the
    mission marks it read."""
    caller = _require(request, "portal.view_portal")
    n = selectors.notification_for_portal(actor=caller, notification_id=notification_id)
    inbox_services.notification_mark_read(actor=caller, notification=n)
    return _notification_detail(n)


@router.post(
    "/notifications/{notification_id}/acknowledge", response={200: NotificationDetailOut, **_WRITE_ERRORS}, summary="Confirm receipt"
)
def acknowledge_api(request: HttpRequest, notification_id: uuid.UUID, payload: AcknowledgeIn) -> Any:
    """Confirm receipt (channel `portal`); the time is recorded and shown to the ministry.
    Send `Idempotency-Key` to make a retry safe."""
    caller = _require(request, "portal.acknowledge_notification")

    def produce() -> tuple[int, Any]:
        n = selectors.notification_for_portal(actor=caller, notification_id=notification_id, audit=False)
        n = inbox_services.notification_acknowledge_in_portal(actor=caller, notification=n, note=payload.note)
        return 200, _notification_detail(n)

    status, body = idempotent(
        request, operation="portal.acknowledge", payload={"id": str(notification_id), **payload.model_dump(mode="json")}, produce=produce
    )
    return Status(status, body)


@router.get(
    "/notifications/{notification_id}/access-requests",
    response={200: list[AccessRequestOut], **_ONE_ERRORS},
    summary="Access requests about the person",
)
def access_list_api(request: HttpRequest, notification_id: uuid.UUID) -> Any:
    caller = _require(request, "portal.view_portal")
    n = selectors.notification_for_portal(actor=caller, notification_id=notification_id, audit=False)
    return [_access_out(r) for r in selectors.access_requests_for(actor=caller, notification=n)]


@router.post(
    "/notifications/{notification_id}/access-requests", response={201: AccessRequestOut, **_WRITE_ERRORS}, summary="Request consular access"
)
def access_create_api(request: HttpRequest, notification_id: uuid.UUID, payload: AccessRequestIn) -> Any:
    """Ask for a visit, a telephone call or a video call (`kind`: visit, phone, video) with
    proposed times (ISO 8601 with offset). Honours `Idempotency-Key`."""
    caller = _require(request, "portal.request_access")

    def produce() -> tuple[int, Any]:
        n = selectors.notification_for_portal(actor=caller, notification_id=notification_id, audit=False)
        r = inbox_services.access_request_from_portal(
            actor=caller,
            notification=n,
            kind=payload.kind,
            proposed_times=payload.proposed_times,
            officers=payload.officers,
            note=payload.note,
        )
        return 201, AccessRequestOut.model_validate(_access_out(r)).model_dump(mode="json")

    status, body = idempotent(
        request, operation="portal.access_request", payload={"id": str(notification_id), **payload.model_dump(mode="json")}, produce=produce
    )
    return Status(status, body)


@router.get("/access-requests/{access_id}", response={200: AccessRequestOut, **_ONE_ERRORS}, summary="One access request and its answer")
def access_detail_api(request: HttpRequest, access_id: uuid.UUID) -> Any:
    caller = _require(request, "portal.view_portal")
    return _access_out(inbox_services.access_request_for_portal(actor=caller, access_id=access_id))


# --- inquiries ------------------------------------------------------------------------------------


@router.get("/inquiries", response={200: InquiryPage, **_READ_ERRORS}, summary="The mission's whereabouts inquiries")
def inquiry_list_api(request: HttpRequest, status: str = "", page: int = 1, page_size: int = 50) -> Any:
    caller = _require(request, "portal.ask_whereabouts")
    rows = selectors.inquiry_list(actor=caller, status=status)
    page_size = min(max(page_size, 1), _MAX_PAGE_SIZE)
    start = (max(page, 1) - 1) * page_size
    return {"items": [_inquiry_out(i) for i in rows[start : start + page_size]], "count": rows.count()}


@router.post("/inquiries", response={201: InquiryOut, **_WRITE_ERRORS}, summary="Ask whether a national is detained or known")
def inquiry_create_api(request: HttpRequest, payload: InquiryIn) -> Any:
    """`purpose`: family, welfare, legal or other (then `purpose_text` is required). A year
    of birth or a document number is required. Honours `Idempotency-Key`."""
    caller = _require(request, "portal.ask_whereabouts")

    def produce() -> tuple[int, Any]:
        i = inquiry_services.inquiry_create(actor=caller, **payload.model_dump())
        return 201, InquiryOut.model_validate(_inquiry_out(i)).model_dump(mode="json")

    status, body = idempotent(request, operation="portal.inquiry", payload=payload.model_dump(mode="json"), produce=produce)
    return Status(status, body)


@router.get("/inquiries/{inquiry_id}", response={200: InquiryOut, **_ONE_ERRORS}, summary="One inquiry with its answer")
def inquiry_detail_api(request: HttpRequest, inquiry_id: uuid.UUID) -> Any:
    caller = _require(request, "portal.ask_whereabouts")
    return _inquiry_out(selectors.inquiry_get(actor=caller, inquiry_id=inquiry_id))


# --- messages -------------------------------------------------------------------------------------


@router.get("/threads", response={200: list[ThreadOut], **_READ_ERRORS}, summary="Conversations with the consular directorate")
def thread_list_api(request: HttpRequest) -> Any:
    caller = _require(request, "portal.message_ministry")
    return [_thread_out(t, t.unread) for t in selectors.threads_with_unread(actor=caller)[:_MAX_PAGE_SIZE]]


@router.get("/threads/{thread_id}", response={200: ThreadDetailOut, **_ONE_ERRORS}, summary="One conversation")
def thread_detail_api(request: HttpRequest, thread_id: uuid.UUID) -> Any:
    """Reading the conversation marks it read for a signed-in officer."""
    caller = _require(request, "portal.message_ministry")
    thread = selectors.thread_get(actor=caller, thread_id=thread_id)
    unread = selectors.threads_with_unread(actor=caller).get(pk=thread.pk).unread
    items = selectors.thread_messages(thread=thread)
    message_services.thread_mark_read(actor=caller, thread=thread)
    return {**_thread_out(thread, unread), "messages": [_message_out(m) for m in items]}


@router.post(
    "/notifications/{notification_id}/messages", response={201: MessageOut, **_WRITE_ERRORS}, summary="Write about a notified case"
)
def message_send_api(request: HttpRequest, notification_id: uuid.UUID, payload: MessageIn) -> Any:
    """Send a message in the conversation about the notification's case (opened on first
    use). Attachments are sent from the portal page. Honours `Idempotency-Key`."""
    caller = _require(request, "portal.message_ministry")

    def produce() -> tuple[int, Any]:
        n = selectors.notification_for_portal(actor=caller, notification_id=notification_id, audit=False)
        thread = message_services.thread_open(actor=caller, notification=n)
        m = message_services.message_send(actor=caller, thread=thread, body=payload.body)
        return 201, MessageOut.model_validate(_message_out(m)).model_dump(mode="json")

    status, body = idempotent(
        request, operation="portal.message", payload={"id": str(notification_id), **payload.model_dump(mode="json")}, produce=produce
    )
    return Status(status, body)
