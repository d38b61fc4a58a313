"""Dispatch of a consular notification, its delivery, acknowledgement and cancellation.

* `notification_facts`: what a mission may be told (domain.md §2.6), frozen on dispatch.
  Never a refugee, asylum, statelessness or trafficking flag, never a legal basis of the
  protection kind, never the engine's reason for holding a notice back.
* `notification_dispatch`: in ONE transaction, freeze the facts, render the bilingual PDF,
  mark the notification dispatched, put it in the mission's portal inbox, create one e-mail
  delivery per registered address and enqueue its job (same-transaction enqueue: if the
  dispatch commits, every e-mail will be sent; if it rolls back, none was queued).
* `delivery_send_job`: sends one e-mail, then records it. The retry contract is in
  docs/notifications.md ("Delivery contract"): at least once, at most one duplicate per
  worker crash, with the same Message-ID; never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import signal
from email.utils import make_msgid, parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jembatan.accounts.alerts import alert_send, users_with_capability
from jembatan.accounts.models import Agency, Alert, User
from jembatan.accounts.permissions import actor_can
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.models import CaseEvent, ConsularRightsAdvice
from jembatan.cases.timeline import case_event_record
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.core.jobs import enqueue, job
from jembatan.missions.models import MissionContact
from jembatan.notifications import labels
from jembatan.notifications.models import (
    AcknowledgementChannel,
    DeliveryChannel,
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    NotificationStatus,
    Reason,
)
from jembatan.notifications.querysets import actor_mission_id
from jembatan.people.models import IdentityDocument
from jembatan.people.permissions import is_mission_actor
from jembatan.reference.models import ZONE_ABBREVIATIONS, LegalBasis

logger = logging.getLogger(__name__)

FACTS_SCHEMA = 1
# E-mail attempts before a delivery is FAILED and the desk is alerted. One fewer than the
# job's claims (retries=6 → 7 claims), so a worker crash on the way does not leave a
# delivery RETRYING with no claim left; `deliveries_resume` is the safety net beyond that.
EMAIL_MAX_ATTEMPTS = 6
# A PENDING or RETRYING delivery with no queued task, untouched this long, is queued again.
STUCK_AFTER = dt.timedelta(hours=3)
# Test-only fault injection point (docs/notifications.md): with this variable naming a file
# path, the delivery job kills its own process with SIGKILL right after the SMTP server
# accepted a message and before SENT is recorded, once (the file records the crash).
# Honoured only when settings.DEBUG or settings.JEMBATAN_FAULT_INJECTION is true.
FAULT_AFTER_SEND_ENV = "JEMBATAN_FAULT_AFTER_SEND"

MANUAL_CHANNELS = {
    "note": ("Nota diplomatik", "Diplomatic note"),
    "email": ("E-mail di luar Jembatan", "E-mail outside Jembatan"),
    "phone": ("Telepon", "Telephone"),
    "hand": ("Diantar langsung", "Delivered by hand"),
}


# --- facts -----------------------------------------------------------------------------------


def _iso(value: dt.datetime | dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


def _country(country: Any) -> dict[str, str] | None:
    if country is None:
        return None
    return {"code": country.code, "name_id": country.name_id, "name_en": country.name_en}


def _identity_document(notification: Notification) -> dict[str, Any] | None:
    """The person's document issued by the State notified, else their latest one."""
    documents = IdentityDocument.objects.filter(person_id=notification.person_id).select_related("issuing_state")
    chosen = documents.filter(issuing_state_id=notification.country_id).order_by(F("expires_on").desc(nulls_last=True)).first()
    chosen = chosen or documents.order_by(F("expires_on").desc(nulls_last=True), "-created_at").first()
    if chosen is None:
        return None
    return {
        "type": chosen.document_type,
        "type_label": labels.pair(labels.DOCUMENT_TYPES, chosen.document_type),
        "number": chosen.number,
        "issuing_state": _country(chosen.issuing_state),
        "expires_on": _iso(chosen.expires_on),
    }


def _consent(notification: Notification) -> dict[str, Any]:
    basis = {Reason.REQUESTED: "requested", Reason.MANDATORY: "mandatory", Reason.ARTICLE_37: "article_37"}.get(
        notification.basis,  # type: ignore[call-overload]
        "other",
    )
    advice = ConsularRightsAdvice.objects.filter(case_id=notification.case_id).order_by("-informed_at", "-created_at").first()
    objects_to_visits = bool(advice and advice.objects_to_visits)
    consent: dict[str, Any] = {
        "basis": basis,
        "statement": labels.pair(labels.CONSENT, basis),
        "informed_at_utc": "",
        "informed_at_local": "",
        "language": "",
        "objects_to_visits": objects_to_visits,
        "visits": dict(zip(("id", "en"), labels.VISITS_OBJECTED if objects_to_visits else labels.VISITS_NOT_OBJECTED, strict=True)),
    }
    if advice is not None and basis == "requested":
        # When and in which language the person asked; for a mandatory notice the person's
        # answer is not the mission's business (they may have declined).
        zone = ZoneInfo(notification.time_zone)
        consent["informed_at_utc"] = _iso(advice.informed_at.astimezone(dt.UTC))
        consent["informed_at_local"] = _iso(advice.informed_at.astimezone(zone))
        consent["language"] = advice.language
    return consent


def _place(case: Any) -> dict[str, Any]:
    centre = case.detention_centre
    return {
        "detention_centre": (
            {"code": centre.code, "name_id": centre.name_id, "name_en": centre.name_en, "city": centre.city, "province": centre.province}
            if centre is not None
            else None
        ),
        "description": case.place_description,
    }


def _legal_basis(case: Any) -> dict[str, str] | None:
    basis = case.legal_basis
    # A legal basis of the protection kind (refugee handling) would tell the mission that its
    # national sought protection: never sent.
    if basis is None or basis.kind == LegalBasis.Kind.PROTECTION:
        return None
    return {
        "law": basis.law,
        "article": basis.article,
        "paragraph": basis.paragraph,
        "summary_id": basis.summary_id,
        "summary_en": basis.summary_en,
    }


def _reporting_office(case: Any) -> dict[str, str]:
    unit, agency = case.reporting_unit, case.reporting_agency
    return {
        "name_id": unit.name_id if unit is not None else agency.name_id,
        "name_en": unit.name_en if unit is not None else agency.name_en,
        "agency_name_id": agency.name_id,
        "agency_name_en": agency.name_en,
    }


def consular_desk() -> dict[str, str]:
    """The ministry desk missions may contact (settings.JEMBATAN_CONSULAR_DESK overrides)."""
    desk = {
        "name_id": labels.CONSULAR_DESK[0],
        "name_en": labels.CONSULAR_DESK[1],
        "email": parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        "phone": "",
    }
    desk.update(getattr(settings, "JEMBATAN_CONSULAR_DESK", {}) or {})
    return desk


def _contact(actor: Any) -> dict[str, str]:
    desk = consular_desk()
    officer = actor if isinstance(actor, User) else None
    return {
        "officer": (officer.full_name or officer.get_username()) if officer else "",
        "officer_email": officer.email if officer else "",
        "desk_id": desk["name_id"],
        "desk_en": desk["name_en"],
        "email": desk["email"],
        "phone": desk["phone"],
    }


def notification_facts(notification: Notification, *, actor: Any = None) -> dict[str, Any]:
    """What the mission of `notification` may be told (domain.md §2.6), JSON-ready.

    Names in the document's spelling and the native script, sex, date of birth (partial
    allowed), the nationality concerned, one identity document, the event with its time in
    the office's zone and in UTC, the place, the legal basis, the reporting office, the
    consent statement and whether the person objects to visits, the contact officer, the
    ministry's reference. Never a protection flag (refugee, asylum seeker, stateless,
    trafficking victim), a legal basis of the protection kind, the engine's decision reason
    or the case summary.
    """
    case = notification.case
    person = notification.person
    zone = ZoneInfo(notification.time_zone)
    mission = notification.mission
    return {
        "schema": FACTS_SCHEMA,
        "reference": notification.reference,
        "case_reference": case.reference,
        "mission": (
            {"id": mission.pk, "name_id": mission.name_id, "name_en": mission.name_en, "city": mission.city}
            if mission is not None
            else None
        ),
        "via_protecting_power": notification.via_protecting_power,
        "person": {
            "surname": person.surname,
            "given_names": person.given_names,
            "document_name": person.document_name,
            "native_name": person.native_name,
            "native_name_lang": person.native_name_lang,
            "sex": person.sex,
            "sex_label": labels.pair(labels.SEXES, person.sex),
            "birth_date": person.birth_date_display,
            "birth_date_label": {
                lang: labels.partial_birth_date(person.birth_year, person.birth_month, person.birth_day, lang) for lang in ("id", "en")
            },
        },
        "nationality": _country(notification.country),
        "identity_document": _identity_document(notification),
        "event": {
            "trigger": notification.trigger,
            "label": labels.pair(labels.TRIGGERS, notification.trigger),
            "at_utc": _iso(notification.event_at.astimezone(dt.UTC)),
            "at_local": _iso(notification.event_at.astimezone(zone)),
            "time_zone": notification.time_zone,
            "zone": ZONE_ABBREVIATIONS.get(notification.time_zone, notification.time_zone),
        },
        "place": _place(case),
        "legal_basis": _legal_basis(case),
        "reporting_office": _reporting_office(case),
        "consent": _consent(notification),
        "contact": _contact(actor),
        "due_at_utc": _iso(notification.due_at.astimezone(dt.UTC)),
    }


# --- dispatch --------------------------------------------------------------------------------


def _is_user(actor: Any) -> bool:
    return isinstance(actor, User)


def _require(actor: Any, capability: str) -> None:
    """`actor` None is the system (automatic dispatch); users and API clients both answer
    `has_capability` (an API client has no `has_perm`)."""
    if actor is not None and not actor_can(actor, capability):
        raise PermissionDenied()


def _locked(actor: Any, notification: Notification) -> Notification:
    """The notification re-read under a row lock, within `actor`'s scope (None: the system)."""
    rows = Notification.objects.all() if actor is None else Notification.objects.visible_to(actor)
    locked = rows.select_for_update().filter(pk=notification.pk).first()
    if locked is None:
        raise NotFound()
    return locked


def _message_id(notification: Notification) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "jembatan.invalid"
    return make_msgid(idstring=notification.reference, domain=domain)


def mission_users(mission_id: int) -> list[User]:
    """Active portal users of the agency whose mission is `mission_id`."""
    agency = Agency.objects.filter(mission_id=mission_id, is_active=True).first()
    return users_with_capability("portal.view_portal", agency=agency) if agency is not None else []


def portal_url(notification: Notification) -> str:
    """The notice in the mission's portal (a URL name, not an import of the portal app)."""
    return reverse("portal:notification_detail", args=[notification.pk])


def desk_url(notification: Notification) -> str:
    return reverse("notifications:detail", args=[notification.pk])


def notification_dispatch(*, actor: Any, notification: Notification) -> Notification:
    """Send `notification` to its mission: the consular officer's action, or automatic
    (`actor` None) for a country whose policy says so.

    One transaction: facts frozen, PDF rendered and stored with its SHA-256, status
    dispatched, a portal delivery (sent: it is in the mission's inbox), one e-mail delivery
    per active registered address with its job enqueued, the timeline entry, the audit event
    and an alert to the mission's portal users. Refuses with `Conflict` unless the
    notification is to check, or when it has no mission (send it through the ministry's
    own channel and record that with `notification_record_manual_dispatch`).
    """
    from jembatan.notifications.documents import notification_pdf

    _require(actor, "notifications.dispatch_notification")
    with transaction.atomic():
        n = _locked(actor, notification)
        if n.status != NotificationStatus.TO_CHECK:
            raise Conflict(
                _("Only a notification waiting to be checked can be dispatched; this one is %(status)s.")
                % {"status": n.get_status_display()},
                field="status",
            )
        if n.mission_id is None:
            raise Conflict(
                _(
                    "This notification has no mission on record: send it through the ministry's own channel "
                    "(diplomatic note), then record how it was sent."
                ),
                field="mission",
            )
        now = timezone.now()
        n.facts = notification_facts(n, actor=actor if _is_user(actor) else None)
        n.facts["dispatched_at_utc"] = _iso(now.astimezone(dt.UTC))
        pdf = notification_pdf(n)
        n.document_sha256 = hashlib.sha256(pdf).hexdigest()
        n.document.save(f"{n.reference}.pdf", ContentFile(pdf), save=False)
        n.status = NotificationStatus.DISPATCHED
        n.dispatched_at = now
        n.dispatched_by = actor if _is_user(actor) else None
        n.automatic = actor is None
        n.save(
            update_fields=["facts", "document", "document_sha256", "status", "dispatched_at", "dispatched_by", "automatic", "updated_at"]
        )

        NotificationDelivery.objects.create(
            notification=n,
            channel=DeliveryChannel.PORTAL,
            recipient=f"mission:{n.mission_id}",
            status=DeliveryStatus.SENT,
            attempts=1,
            sent_at=now,
        )
        contacts = MissionContact.objects.filter(mission_id=n.mission_id, is_active=True, receives_notifications=True).order_by("email")
        emails: list[str] = []
        for contact in contacts:
            delivery = NotificationDelivery.objects.create(
                notification=n,
                channel=DeliveryChannel.EMAIL,
                recipient=contact.email,
                message_id=_message_id(n),
                status=DeliveryStatus.PENDING,
            )
            enqueue(delivery_send_job, delivery_id=delivery.pk)
            emails.append(contact.email)

        mission = n.mission
        assert mission is not None
        case_event_record(
            case=n.case,
            kind=CaseEvent.Kind.NOTIFICATION_SENT,
            actor=actor,
            occurred_at=now,
            summary=f"{n.reference} → {mission.name_id} / {mission.name_en}",
            data={"notification_id": str(n.pk), "reference": n.reference, "mission_id": mission.pk, "automatic": actor is None},
        )
        audit_record(
            action=AuditAction.NOTIFICATION_DISPATCHED,
            target=n,
            actor=actor,
            data={
                "reference": n.reference,
                "case": n.case.reference,
                "mission_id": mission.pk,
                "automatic": actor is None,
                "emails": len(emails),
                "document_sha256": n.document_sha256,
                "in_time": n.dispatched_in_time,
            },
        )
        alert_send(
            recipients=mission_users(mission.pk),
            title=f"Notifikasi kekonsuleran baru / New consular notification {n.reference}",
            body=(
                f"{labels.TRIGGERS.get(n.trigger, (n.trigger,))[0]}: {n.person.document_name}.\n"
                f"{labels.TRIGGERS.get(n.trigger, ('', n.trigger))[1]}: {n.person.document_name}."
            ),
            url=portal_url(n),
            level=Alert.Level.WARNING,
            dedupe_key=f"notification-dispatched:{n.pk}",
        )
    return n


def notification_record_manual_dispatch(*, actor: Any, notification: Notification, channel: str, note: str) -> Notification:
    """Record that the consular desk sent `notification` outside Jembatan (a diplomatic
    note, an e-mail, a call, by hand): the way for a country with no mission on record.

    Freezes the facts and renders the document (to print or attach), marks it dispatched,
    adds the timeline entry and the audit event. No portal or e-mail delivery is made.
    """
    from jembatan.notifications.documents import notification_pdf

    if actor is None:
        raise PermissionDenied()
    _require(actor, "notifications.dispatch_notification")
    note = (note or "").strip()
    if channel not in MANUAL_CHANNELS:
        raise ApplicationError(_("Select how the notification was sent"), field="channel")
    if not note:
        raise ApplicationError(_("Say to whom and how the notification was sent (e.g. the note's number)"), field="note")
    with transaction.atomic():
        n = _locked(actor, notification)
        if n.status != NotificationStatus.TO_CHECK:
            raise Conflict(
                _("Only a notification waiting to be checked can be dispatched; this one is %(status)s.")
                % {"status": n.get_status_display()},
                field="status",
            )
        now = timezone.now()
        n.facts = notification_facts(n, actor=actor)
        n.facts["dispatched_at_utc"] = _iso(now.astimezone(dt.UTC))
        n.facts["manual"] = {"channel": channel, "note": note}
        pdf = notification_pdf(n)
        n.document_sha256 = hashlib.sha256(pdf).hexdigest()
        n.document.save(f"{n.reference}.pdf", ContentFile(pdf), save=False)
        n.status = NotificationStatus.DISPATCHED
        n.dispatched_at = now
        n.dispatched_by = actor if _is_user(actor) else None
        n.automatic = False
        n.save(
            update_fields=["facts", "document", "document_sha256", "status", "dispatched_at", "dispatched_by", "automatic", "updated_at"]
        )
        case_event_record(
            case=n.case,
            kind=CaseEvent.Kind.NOTIFICATION_SENT,
            actor=actor,
            occurred_at=now,
            summary=f"{n.reference}: {MANUAL_CHANNELS[channel][1]}",
            data={"notification_id": str(n.pk), "reference": n.reference, "manual_channel": channel, "note": note},
        )
        audit_record(
            action=AuditAction.NOTIFICATION_DISPATCHED,
            target=n,
            actor=actor,
            data={
                "reference": n.reference,
                "manual_channel": channel,
                "document_sha256": n.document_sha256,
                "in_time": n.dispatched_in_time,
            },
        )
    return n


# --- e-mail delivery -------------------------------------------------------------------------


def _email_body(facts: dict[str, Any], notification: Notification) -> str:
    person = facts.get("person", {})
    event = facts.get("event", {})
    mission = facts.get("mission") or {}
    local = dt.datetime.fromisoformat(event["at_local"]) if event.get("at_local") else None
    when = f"{local:%d-%m-%Y %H:%M} {event.get('zone', '')}" if local else ""
    name = person.get("document_name", "")
    native = f" ({person['native_name']})" if person.get("native_name") else ""
    desk = facts.get("contact", {})
    return "\n".join(
        [
            f"Yth. {mission.get('name_id', '')},",
            "",
            f"{labels.MINISTRY[0]} dengan hormat menyampaikan notifikasi kekonsuleran {notification.reference} "
            f"mengenai {name}{native}: {event.get('label', {}).get('id', '')}, {when}.",
            "Dokumen notifikasi (PDF) terlampir dan juga tersedia di portal perwakilan Jembatan.",
            f"Kontak: {desk.get('desk_id', '')} {desk.get('email', '')}",
            "",
            "-----",
            "",
            f"To the {mission.get('name_en', '')},",
            "",
            f"The {labels.MINISTRY[1]} presents consular notification {notification.reference} "
            f"concerning {name}{native}: {event.get('label', {}).get('en', '')}, {when}.",
            "The notification document (PDF) is attached and is also in the mission's Jembatan portal.",
            f"Contact: {desk.get('desk_en', '')} {desk.get('email', '')}",
        ]
    )


def delivery_message(delivery: NotificationDelivery) -> EmailMessage:
    """The e-mail of one delivery: bilingual subject and body, the PDF attached, and the
    delivery's own Message-ID (the same on every attempt)."""
    n = delivery.notification
    facts = n.facts or {}
    event_label = facts.get("event", {}).get("label", {})
    subject = (
        f"{labels.TITLE[0]} / {labels.TITLE[1]} {n.reference}: {event_label.get('id', n.trigger)} / {event_label.get('en', n.trigger)}"
    )
    desk_email = consular_desk()["email"]
    message = EmailMessage(
        subject=subject,
        body=_email_body(facts, n),
        from_email=getattr(settings, "JEMBATAN_NOTIFICATIONS_FROM_EMAIL", None) or settings.DEFAULT_FROM_EMAIL,
        to=[delivery.recipient],
        reply_to=[desk_email] if desk_email else None,
        headers={"Message-ID": delivery.message_id, "X-Jembatan-Reference": n.reference},
    )
    if n.document:
        with n.document.open("rb") as fh:
            message.attach(f"{n.reference}.pdf", fh.read(), "application/pdf")
    return message


def _fault_after_send(delivery: NotificationDelivery) -> None:
    """Test-only: die like a killed worker between "sent" and "recorded", once."""
    path = os.environ.get(FAULT_AFTER_SEND_ENV)
    if not path or not (settings.DEBUG or getattr(settings, "JEMBATAN_FAULT_INJECTION", False)):
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return  # crashed once already
    os.write(fd, f"{delivery.pk} {os.getpid()}\n".encode())
    os.fsync(fd)
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)


def _record_failure(delivery_id: int, error: BaseException) -> NotificationDelivery:
    """attempts += 1, last_error, RETRYING or (attempts exhausted) FAILED with an alert to the
    consular desk, in a short transaction of its own."""
    message = f"{type(error).__name__}: {error}"[:2000]
    with transaction.atomic():
        delivery = NotificationDelivery.objects.select_for_update().select_related("notification").get(pk=delivery_id)
        if delivery.status == DeliveryStatus.SENT:
            return delivery
        delivery.attempts += 1
        delivery.last_error = message
        delivery.status = DeliveryStatus.FAILED if delivery.attempts >= EMAIL_MAX_ATTEMPTS else DeliveryStatus.RETRYING
        delivery.save(update_fields=["attempts", "last_error", "status", "updated_at"])
        if delivery.status == DeliveryStatus.FAILED:
            n = delivery.notification
            audit_record(
                action=AuditAction.NOTIFICATION_DELIVERY_FAILED,
                target=n,
                actor=None,
                data={"reference": n.reference, "delivery_id": delivery.pk, "recipient": delivery.recipient, "attempts": delivery.attempts},
            )
            alert_send(
                recipients=users_with_capability("notifications.dispatch_notification"),
                title=f"E-mail notifikasi gagal / Notification e-mail failed: {n.reference}",
                body=(
                    f"{delivery.recipient}: {delivery.attempts} percobaan / attempts. {message}\n"
                    "Periksa alamat mission lalu kirim ulang. / Check the mission's address, then retry."
                ),
                url=desk_url(n),
                level=Alert.Level.URGENT,
                dedupe_key=f"delivery-failed:{delivery.pk}:{delivery.attempts}",
            )
    return delivery


@job(queue="short", retries=6, backoff_seconds=60, backoff_factor=2)
def delivery_send_job(delivery_id: int) -> str:
    """E-mail one delivery, then record it SENT. Idempotent on the delivery row.

    A SENT delivery is not sent again. A failure is recorded (attempts, last error,
    RETRYING or FAILED) and re-raised so the worker retries with back-off. A worker killed
    after the server accepted and before SENT committed re-sends once on recovery, with the
    same Message-ID (docs/notifications.md, "Delivery contract").
    """
    delivery = NotificationDelivery.objects.select_related("notification").get(pk=delivery_id)
    if delivery.status == DeliveryStatus.SENT:
        return "already sent"
    if delivery.channel != DeliveryChannel.EMAIL:
        return "not an e-mail delivery"
    if delivery.status == DeliveryStatus.FAILED:
        return "failed; waiting for the desk to retry"
    try:
        delivery_message(delivery).send(fail_silently=False)
    except Exception as exc:
        failed = _record_failure(delivery.pk, exc)
        logger.warning("Delivery %s to %s failed (attempt %d): %s", delivery.pk, delivery.recipient, failed.attempts, exc)
        raise
    _fault_after_send(delivery)
    with transaction.atomic():
        updated = (
            NotificationDelivery.objects.filter(pk=delivery.pk)
            .exclude(status=DeliveryStatus.SENT)
            .update(
                status=DeliveryStatus.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, last_error="", updated_at=timezone.now()
            )
        )
        if updated:
            audit_record(
                action=AuditAction.NOTIFICATION_DELIVERED,
                target=delivery.notification,
                actor=None,
                data={"reference": delivery.notification.reference, "delivery_id": delivery.pk, "recipient": delivery.recipient},
            )
    return "sent"


def delivery_retry(*, actor: Any, delivery: NotificationDelivery) -> NotificationDelivery:
    """The consular desk sends a FAILED e-mail delivery again (e.g. after the mission's
    address was corrected): back to PENDING with a fresh attempt budget, job enqueued.
    The previous attempts and error stay in the audit log."""
    _require(actor, "notifications.dispatch_notification")
    if actor is None:
        raise PermissionDenied()
    with transaction.atomic():
        n = _locked(actor, delivery.notification)
        locked = NotificationDelivery.objects.select_for_update().filter(pk=delivery.pk, notification=n).first()
        if locked is None:
            raise NotFound()
        if locked.status != DeliveryStatus.FAILED or locked.channel != DeliveryChannel.EMAIL:
            raise Conflict(_("Only a failed e-mail delivery can be sent again."), field="status")
        previous = {"attempts": locked.attempts, "last_error": locked.last_error}
        locked.status = DeliveryStatus.PENDING
        locked.attempts = 0
        locked.save(update_fields=["status", "attempts", "updated_at"])
        enqueue(delivery_send_job, delivery_id=locked.pk)
        audit_record(
            action=AuditAction.NOTIFICATION_DISPATCHED,
            target=n,
            actor=actor,
            data={"reference": n.reference, "retry_delivery_id": locked.pk, "recipient": locked.recipient, **previous},
        )
    return locked


def deliveries_resume(*, now: dt.datetime | None = None) -> int:
    """Safety net: queue again every e-mail delivery PENDING or RETRYING with no task waiting
    or running for it and untouched for `STUCK_AFTER` (its task's claims ran out in crashes).
    Returns how many were queued. Run by `reminders_job`."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    candidates = list(
        NotificationDelivery.objects.filter(
            channel=DeliveryChannel.EMAIL, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], updated_at__lt=now - STUCK_AFTER
        ).values_list("pk", flat=True)
    )
    if not candidates:
        return 0
    live: set[int] = set()
    for args_kwargs in DBTaskResult.objects.filter(
        task_path=delivery_send_job.module_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).values_list("args_kwargs", flat=True):
        delivery_id = (args_kwargs or {}).get("kwargs", {}).get("delivery_id")
        if delivery_id is not None:
            live.add(int(delivery_id))
    count = 0
    for pk in candidates:
        if pk in live:
            continue
        with transaction.atomic():
            touched = NotificationDelivery.objects.filter(
                pk=pk, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], updated_at__lt=now - STUCK_AFTER
            ).update(updated_at=now)
            if touched:
                enqueue(delivery_send_job, delivery_id=pk)
                count += 1
    return count


# --- acknowledgement and cancellation --------------------------------------------------------


def notification_acknowledge(
    *, actor: Any, notification: Notification, channel: str, note: str = "", acknowledged_at: dt.datetime | None = None
) -> Notification:
    """The mission acknowledges `notification`.

    - A mission officer (`portal.acknowledge_notification`) in its portal: channel
      `portal`, only a dispatched notification to its own mission (another mission's is
      not found).
    - A consular officer (`notifications.record_acknowledgement`) records an acknowledgement
      received by telephone, e-mail or diplomatic note, with a note saying who and how.

    A mission's API client cannot acknowledge: the receipt must name a person. A second
    acknowledgement is refused with `Conflict`.
    """
    if actor is None:
        raise PermissionDenied()
    note = (note or "").strip()
    now = timezone.now()
    if channel == AcknowledgementChannel.PORTAL:
        if not is_mission_actor(actor):
            raise PermissionDenied()
        if not _is_user(actor):
            # The acknowledgement is evidence of who received the notice: a person, not a system.
            raise PermissionDenied(_("Only a signed-in mission officer can confirm receipt."))
        _require(actor, "portal.acknowledge_notification")
        acknowledged_at = now
    elif channel in (AcknowledgementChannel.PHONE, AcknowledgementChannel.EMAIL, AcknowledgementChannel.NOTE):
        if is_mission_actor(actor):
            raise PermissionDenied()
        _require(actor, "notifications.record_acknowledgement")
        if not note:
            raise ApplicationError(_("Say who acknowledged it and how (name, number of the note or e-mail)"), field="note")
        acknowledged_at = acknowledged_at or now
        if acknowledged_at > now + dt.timedelta(minutes=5):
            raise ApplicationError(_("The time of the acknowledgement cannot be in the future"), field="acknowledged_at")
    else:
        raise ApplicationError(_("Select how the acknowledgement was received"), field="channel")
    with transaction.atomic():
        n = _locked(actor, notification)
        if channel == AcknowledgementChannel.PORTAL and n.mission_id != actor_mission_id(actor):
            raise NotFound()
        if n.status == NotificationStatus.ACKNOWLEDGED:
            raise Conflict(_("This notification has already been acknowledged."), field="status")
        if n.status != NotificationStatus.DISPATCHED:
            raise Conflict(_("Only a dispatched notification can be acknowledged."), field="status")
        if n.dispatched_at is not None and acknowledged_at < n.dispatched_at:
            raise ApplicationError(_("The acknowledgement cannot be earlier than the dispatch"), field="acknowledged_at")
        n.status = NotificationStatus.ACKNOWLEDGED
        n.acknowledged_at = acknowledged_at
        n.acknowledged_by = actor if _is_user(actor) else None
        n.acknowledgement_channel = channel
        n.acknowledgement_note = note
        n.save(
            update_fields=["status", "acknowledged_at", "acknowledged_by", "acknowledgement_channel", "acknowledgement_note", "updated_at"]
        )
        case_event_record(
            case=n.case,
            kind=CaseEvent.Kind.NOTIFICATION_ACKED,
            actor=actor,
            occurred_at=acknowledged_at,
            summary=f"{n.reference} ({channel})",
            data={"notification_id": str(n.pk), "reference": n.reference, "channel": channel},
        )
        audit_record(
            action=AuditAction.NOTIFICATION_ACKNOWLEDGED,
            target=n,
            actor=actor,
            data={"reference": n.reference, "channel": channel, "acknowledged_at": _iso(acknowledged_at)},
        )
    return n


def notification_cancel(*, actor: Any, notification: Notification, reason: str) -> Notification:
    """The consular desk cancels a notification that has not been dispatched (e.g. the
    engine's decision was superseded), with a reason. Refused after dispatch."""
    if actor is None:
        raise PermissionDenied()
    _require(actor, "notifications.dispatch_notification")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for cancelling the notification"), field="reason")
    with transaction.atomic():
        n = _locked(actor, notification)
        if n.status not in (NotificationStatus.TO_CHECK, NotificationStatus.DISPATCHING):
            raise Conflict(_("A notification can be cancelled only before it is dispatched."), field="status")
        n.status = NotificationStatus.CANCELLED
        n.cancelled_reason = reason
        n.save(update_fields=["status", "cancelled_reason", "updated_at"])
        case_event_record(
            case=n.case,
            kind=CaseEvent.Kind.NOTE,
            actor=actor,
            summary=f"Notifikasi {n.reference} dibatalkan / Notification {n.reference} cancelled: {reason}",
            data={"notification_id": str(n.pk), "reference": n.reference, "cancelled": True},
        )
        audit_record(action=AuditAction.NOTIFICATION_CANCELLED, target=n, actor=actor, data={"reference": n.reference, "reason": reason})
    return n
