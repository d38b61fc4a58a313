"""Reads for the portal: a mission's inbox, one notification with what the mission may see
of it, the mission-safe timeline, inquiries and message threads. Every read of personal
data is scoped through `visible_to` and audited here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jembatan.accounts.models import User
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_read
from jembatan.core.exceptions import NotFound
from jembatan.notifications.models import AccessRequest, ConsularVisit, Notification, NotificationStatus, Trigger
from jembatan.people.models import IdentityDocument
from jembatan.people.querysets import normalise_search_text
from jembatan.portal.models import Message, MessageThread, Side, ThreadReadMarker, WhereaboutsInquiry
from jembatan.portal.querysets import mission_of

# Keys of `notification.facts` a mission is never shown, whatever the engine stored.
FORBIDDEN_FACT_WORDS = ("refugee", "asylum", "protect", "stateless", "trafficking", "reason", "decision", "explanation", "rule")


def _uuid_or_404(model: Any, value: Any) -> Any:
    try:
        return model._meta.pk.to_python(value)
    except (ValidationError, ValueError, TypeError):
        raise NotFound() from None


# --- inbox -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFilters:
    q: str = ""
    status: str = ""  # dispatched | acknowledged
    acknowledged: str = ""  # yes | no
    trigger: str = ""
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    unread: bool = False

    def as_audit(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v not in ("", None, False)}


def inbox_base(*, actor: Any) -> QuerySet[Notification]:
    """The notifications `actor` may see in the portal (no audit)."""
    return Notification.objects.visible_to(actor)


def _day_start(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(zone))


def inbox_list(*, actor: Any, filters: InboxFilters | None = None, zone: str = "Asia/Jakarta") -> QuerySet[Notification]:
    """The mission's notifications: unacknowledged first, then newest first. Audited."""
    filters = filters or InboxFilters()
    rows = inbox_base(actor=actor).select_related("person", "country", "mission", "case", "case__detention_centre")
    if filters.status in (NotificationStatus.DISPATCHED, NotificationStatus.ACKNOWLEDGED):
        rows = rows.filter(status=filters.status)
    if filters.acknowledged == "yes":
        rows = rows.filter(acknowledged_at__isnull=False)
    elif filters.acknowledged == "no":
        rows = rows.filter(acknowledged_at__isnull=True)
    if filters.trigger in Trigger.values:
        rows = rows.filter(trigger=filters.trigger)
    if filters.unread:
        rows = rows.filter(read_by_mission_at__isnull=True)
    if filters.period_from:
        rows = rows.filter(dispatched_at__gte=_day_start(filters.period_from, zone))
    if filters.period_to:
        rows = rows.filter(dispatched_at__lt=_day_start(filters.period_to + dt.timedelta(days=1), zone))
    q = (filters.q or "").strip()
    if q:
        condition = Q(reference__iexact=q) | Q(reference__icontains=q)
        words = normalise_search_text(q).split()
        if words:
            by_name = Q()
            for word in words:
                by_name &= Q(person__search_key__contains=word)
            condition |= by_name
        compact = "".join(q.split()).upper()
        if compact.isalnum():
            holders = IdentityDocument.objects.filter(number=compact).values("person_id")
            condition |= Q(person_id__in=holders)
        rows = rows.filter(condition)
    audit_read(
        actor=actor,
        action=AuditAction.NOTIFICATION_LISTED,
        target=("notifications.notification", "", "portal inbox"),
        data={"filters": filters.as_audit(), "portal": True},
    )
    return rows.order_by(F("acknowledged_at").desc(nulls_first=True), "-dispatched_at", "-created_at")


@dataclass(frozen=True)
class InboxCounts:
    total: int
    unread: int
    unacknowledged: int


def inbox_counts(*, actor: Any) -> InboxCounts:
    rows = inbox_base(actor=actor)
    agg = rows.aggregate(
        total=Count("pk"),
        unread=Count("pk", filter=Q(read_by_mission_at__isnull=True)),
        unacknowledged=Count("pk", filter=Q(acknowledged_at__isnull=True)),
    )
    return InboxCounts(total=agg["total"] or 0, unread=agg["unread"] or 0, unacknowledged=agg["unacknowledged"] or 0)


def notification_for_portal(*, actor: Any, notification_id: Any, audit: bool = True) -> Notification:
    """One notification the actor may see in the portal; `NotFound` otherwise. Audited."""
    pk = _uuid_or_404(Notification, notification_id)
    try:
        notification = inbox_base(actor=actor).select_related("person", "country", "mission", "case", "case__detention_centre").get(pk=pk)
    except Notification.DoesNotExist:
        raise NotFound() from None
    if audit:
        audit_read(
            actor=actor,
            action=AuditAction.NOTIFICATION_VIEWED,
            target=notification,
            data={"reference": notification.reference, "portal": True},
        )
    return notification


def _lang() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


def _pick(value: Any, lang: str) -> str:
    """A bilingual value (`{"id": …, "en": …}` or `name_id`/`name_en`) in `lang`."""
    if isinstance(value, dict):
        for key in (lang, f"name_{lang}", "en", "name_en", "id", "name_id", "name"):
            if value.get(key):
                return str(value[key])
        return ""
    return "" if value is None else str(value)


def _written_date(value: Any) -> str:
    """An ISO date from the frozen facts written out in the UI language ("6 Mei 2027"), never all-numeric."""
    try:
        return formats.date_format(dt.date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value)


def mission_facts(notification: Notification) -> list[tuple[str, str]]:
    """The facts frozen at dispatch (`dispatch.notification_facts`), as (label, text) pairs
    in the page's language. Only the keys listed here are shown: protection flags, the
    decision and its reason are never among them, whatever the engine stored."""
    facts = safe_facts(notification)
    lang = _lang()
    rows: list[tuple[str, str]] = []

    def add(label: str, value: Any) -> None:
        if value not in ("", None, [], {}):
            rows.append((label, str(value)))

    person = facts.get("person") or {}
    if isinstance(person, dict):
        add(
            _("Name as in the document"),
            person.get("document_name") or f"{person.get('surname', '')} {person.get('given_names', '')}".strip(),
        )
        add(_("Name in native script"), person.get("native_name"))
        add(_("Sex"), _pick(person.get("sex_label"), lang) or person.get("sex"))
        add(_("Date of birth"), _pick(person.get("birth_date_label"), lang) or person.get("birth_date"))
    add(_("Nationality"), _pick(facts.get("nationality"), lang))
    document = facts.get("identity_document") or {}
    if isinstance(document, dict) and document.get("number"):
        state = document.get("issuing_state") or {}
        text = f"{_pick(document.get('type_label'), lang)} {document['number']}".strip()
        if isinstance(state, dict) and state.get("code"):
            text += f" ({state['code']})"
        if document.get("expires_on"):
            text += " · " + _("valid until %(date)s") % {"date": _written_date(document["expires_on"])}
        add(_("Identity document"), text)
    event = facts.get("event") or {}
    if isinstance(event, dict):
        add(_("Event"), _pick(event.get("label"), lang))
    place = facts.get("place") or {}
    if isinstance(place, dict):
        centre = place.get("detention_centre") or {}
        if isinstance(centre, dict) and centre:
            add(_("Place held"), ", ".join(p for p in (_pick(centre, lang), centre.get("city", "")) if p))
        add(_("Place"), place.get("description"))
    basis = facts.get("legal_basis") or {}
    if isinstance(basis, dict) and basis.get("law"):
        text = " ".join(p for p in (basis.get("law", ""), basis.get("article", ""), basis.get("paragraph", "")) if p)
        summary = basis.get(f"summary_{lang}") or basis.get("summary_en") or ""
        add(_("Legal basis"), f"{text} – {summary}" if summary else text)
    add(_("Reporting office"), _pick(facts.get("reporting_office"), lang))
    consent = facts.get("consent") or {}
    if isinstance(consent, dict):
        add(_("Consular notification"), _pick(consent.get("statement"), lang))
        add(_("Consular visits"), _pick(consent.get("visits"), lang))
    contact = facts.get("contact") or {}
    if isinstance(contact, dict):
        text = ", ".join(p for p in (contact.get("officer", ""), contact.get("email", ""), contact.get("phone", "")) if p)
        add(_("Contact at the Ministry of Foreign Affairs"), text)
    add(_("Case number"), facts.get("case_reference"))
    return rows


@dataclass
class TimelineEntry:
    at: dt.datetime
    title: str
    detail: str = ""
    by: str = ""
    kind: str = ""
    link: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def mission_timeline(*, actor: Any, notification: Notification) -> list[TimelineEntry]:
    """What happened since, as a mission may see it: notifications sent to it about the same
    case, acknowledgements, access requests and their answers, visits and messages. Never a
    case's internal entries or another mission's."""
    entries: list[TimelineEntry] = []
    notices = inbox_base(actor=actor).filter(case_id=notification.case_id).order_by("dispatched_at")
    for n in notices:
        if n.dispatched_at:
            entries.append(
                TimelineEntry(
                    at=n.dispatched_at,
                    kind="notification",
                    title=_("Notification sent: %(ref)s") % {"ref": n.reference},
                    detail=n.get_trigger_display(),
                )
            )
        if n.acknowledged_at:
            entries.append(
                TimelineEntry(
                    at=n.acknowledged_at,
                    kind="acknowledged",
                    title=_("Receipt confirmed: %(ref)s") % {"ref": n.reference},
                    detail=n.get_acknowledgement_channel_display() if n.acknowledgement_channel else "",
                )
            )
    requests = AccessRequest.objects.visible_to(actor).filter(case_id=notification.case_id)
    for r in requests:
        entries.append(
            TimelineEntry(
                at=r.requested_at, kind="access_requested", title=_("Consular access requested (%(kind)s)") % {"kind": r.get_kind_display()}
            )
        )
        if r.answered_at:
            if r.status == "scheduled" or r.scheduled_for:
                detail = r.answer_note
                entries.append(
                    TimelineEntry(
                        at=r.answered_at,
                        kind="access_scheduled",
                        title=_("Consular access scheduled"),
                        detail=detail,
                        extra={"scheduled_for": r.scheduled_for},
                    )
                )
            elif r.status in ("refused", "declined_by_detainee"):
                entries.append(
                    TimelineEntry(
                        at=r.answered_at,
                        kind="access_refused",
                        title=r.get_status_display(),
                        detail=r.refusal_reason or r.detainee_statement,
                    )
                )
    visits = ConsularVisit.objects.visible_to(actor).filter(case_id=notification.case_id)
    for v in visits:
        entries.append(
            TimelineEntry(
                at=v.occurred_at,
                kind="visit",
                title=_("Consular visit took place (%(kind)s)") % {"kind": v.get_kind_display()},
                detail=v.outcome,
            )
        )
    thread = MessageThread.objects.visible_to(actor).filter(case_id=notification.case_id).first()
    if thread is not None:
        for m in thread.messages.all():
            entries.append(
                TimelineEntry(
                    at=m.sent_at,
                    kind="message",
                    title=_("Message from the mission") if m.side == Side.MISSION else _("Message from the consular directorate"),
                    by=m.sender_label,
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def access_requests_for(*, actor: Any, notification: Notification) -> list[AccessRequest]:
    return list(
        AccessRequest.objects.visible_to(actor).filter(case_id=notification.case_id).select_related("visit").order_by("-requested_at")
    )


def visits_for(*, actor: Any, notification: Notification) -> list[ConsularVisit]:
    return list(ConsularVisit.objects.visible_to(actor).filter(case_id=notification.case_id).order_by("-occurred_at"))


# --- inquiries ---------------------------------------------------------------------------------


def inquiry_list(*, actor: Any, status: str = "", pending_only: bool = False) -> QuerySet[WhereaboutsInquiry]:
    rows = WhereaboutsInquiry.objects.visible_to(actor).select_related("mission", "nationality", "asked_by", "answered_by")
    if status:
        rows = rows.filter(status=status)
    if pending_only:
        rows = rows.filter(status__in=("open", "forwarded")).order_by("due_at")
    audit_read(
        actor=actor, action=AuditAction.INQUIRY_VIEWED, target=("portal.whereaboutsinquiry", "", "inquiry list"), data={"status": status}
    )
    return rows


def inquiry_get(*, actor: Any, inquiry_id: Any) -> WhereaboutsInquiry:
    pk = _uuid_or_404(WhereaboutsInquiry, inquiry_id)
    try:
        inquiry = (
            WhereaboutsInquiry.objects.visible_to(actor)
            .select_related("mission", "nationality", "document_issuing_state", "asked_by", "answered_by")
            .get(pk=pk)
        )
    except WhereaboutsInquiry.DoesNotExist:
        raise NotFound() from None
    audit_read(actor=actor, action=AuditAction.INQUIRY_VIEWED, target=inquiry, data={"reference": inquiry.reference})
    return inquiry


# --- messages ----------------------------------------------------------------------------------


def _own_side(actor: Any) -> str:
    return Side.MISSION if mission_of(actor) is not None else Side.MINISTRY


def threads_with_unread(*, actor: Any) -> QuerySet[Any]:
    """Threads the actor may see, annotated with `unread` (messages from the other side
    after the actor's read marker), newest activity first."""
    other = Side.MINISTRY if _own_side(actor) == Side.MISSION else Side.MISSION
    markers = ThreadReadMarker.objects.filter(thread=OuterRef(OuterRef("pk")))
    markers = markers.filter(user_id=actor.pk) if isinstance(actor, User) else markers.filter(user__isnull=True)
    marker_for_thread = markers.values("last_read_at")[:1]
    unread_messages = (
        Message.objects.filter(thread=OuterRef("pk"), side=other)
        .annotate(read_until=Subquery(marker_for_thread))
        .filter(Q(read_until__isnull=True) | Q(sent_at__gt=F("read_until")))
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        MessageThread.objects.visible_to(actor)
        .select_related("case", "case__person", "mission")
        .annotate(unread=Coalesce(Subquery(unread_messages, output_field=IntegerField()), 0))
        .order_by(F("last_message_at").desc(nulls_last=True))
    )


def unread_message_count(*, actor: Any) -> int:
    return sum(t.unread for t in threads_with_unread(actor=actor))


def thread_get(*, actor: Any, thread_id: Any) -> MessageThread:
    pk = _uuid_or_404(MessageThread, thread_id)
    try:
        thread = MessageThread.objects.visible_to(actor).select_related("case", "case__person", "mission").get(pk=pk)
    except MessageThread.DoesNotExist:
        raise NotFound() from None
    audit_read(
        actor=actor, action=AuditAction.MESSAGE_READ, target=thread, data={"case": str(thread.case_id), "mission": thread.mission_id}
    )
    return thread


def thread_messages(*, thread: MessageThread) -> list[Message]:
    return list(thread.messages.select_related("sender").prefetch_related("attachments").order_by("sent_at"))


def safe_facts(notification: Notification) -> dict[str, Any]:
    """`notification.facts` without any key a mission may never see (for the API)."""

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if not any(word in str(k).lower() for word in FORBIDDEN_FACT_WORDS)}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    facts = notification.facts if isinstance(notification.facts, dict) else {}
    return clean(facts)
