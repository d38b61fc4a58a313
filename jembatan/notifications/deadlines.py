"""Deadlines, reminders and escalation of the open items of the Convention's clock.

Three kinds of item have a `due_at` (stored in UTC, counted from the event in the office's
zone): a notification not yet dispatched, a detainee's letter not yet forwarded, an access
request not yet answered. For each, given its start, its due time and now, exactly one step
is *current*:

    start ........ reminder_at ............ due_at ........ due+24h ........ due+48h ...
         (nothing)   | reminder 1          | escalation 1  | escalation 2   | escalation 3

* reminder at `due_at − lead`, where lead is `REMINDER_LEAD_SHARE` (half) of the time
  allowed, at most `REMINDER_LEAD_MAX` (12 h) — to the responsible desk;
* escalation step 1 at `due_at`, step n at `due_at + (n−1) × ESCALATION_REPEAT` — to the
  holders of `notifications.receive_escalation`, repeated until the item is resolved.

Only the current step is sent, and each step once: `remind_once` inserts the unique
`NotificationReminder(subject, kind, step)` row and the alerts in one transaction. A worker
that was down for three days sends the latest escalation once on its return, not every step
it missed; running the job twice sends nothing new. Alert text gives times in the office's
zone (WIB/WITA/WIT) with the zone written.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from jembatan.accounts.alerts import alert_send, users_with_capability
from jembatan.accounts.models import Alert, User
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.core.jobs import job
from jembatan.notifications import labels
from jembatan.notifications.models import (
    AccessRequest,
    AccessStatus,
    DetaineeLetter,
    Notification,
    NotificationReminder,
    NotificationStatus,
    ReminderKind,
)
from jembatan.reference.models import ZONE_ABBREVIATIONS

logger = logging.getLogger(__name__)

# The schedule. Change here (and in docs/notifications.md, "Deadlines and escalation").
REMINDER_LEAD_SHARE = 0.5  # remind when half the time allowed is left ...
REMINDER_LEAD_MAX = dt.timedelta(hours=12)  # ... but never earlier than 12 h before the deadline
ESCALATION_REPEAT = dt.timedelta(hours=24)  # escalate again every day until resolved

SUBJECT_NOTIFICATION = "notification"
SUBJECT_LETTER = "letter"
SUBJECT_ACCESS = "access_request"


@dataclass(frozen=True)
class Step:
    kind: str  # ReminderKind
    step: int
    at: dt.datetime  # when this step became current


def due_at_for(event_at: dt.datetime, hours: int) -> dt.datetime:
    """The deadline `hours` after an aware `event_at`, in UTC (zones have no DST here, but
    the arithmetic is done on the UTC instant all the same)."""
    if timezone.is_naive(event_at):
        raise ValueError("event_at must be timezone-aware")
    return event_at.astimezone(dt.UTC) + dt.timedelta(hours=hours)


def reminder_at(start: dt.datetime, due: dt.datetime) -> dt.datetime:
    allowed = max(due - start, dt.timedelta(0))
    return due - min(allowed * REMINDER_LEAD_SHARE, REMINDER_LEAD_MAX)


def current_step(*, start: dt.datetime, due: dt.datetime, now: dt.datetime) -> Step | None:
    """The step current at `now` for an item open from `start`, due at `due`."""
    if now >= due:
        n = 1 + int((now - due) // ESCALATION_REPEAT)
        return Step(ReminderKind.ESCALATION, n, due + (n - 1) * ESCALATION_REPEAT)
    at = reminder_at(start, due)
    if now >= at:
        return Step(ReminderKind.REMINDER, 1, at)
    return None


def zoned_text(value: dt.datetime, zone: str) -> str:
    """`29-11-2026 23:30 WIT`: the instant in `zone`, with the zone written."""
    local = value.astimezone(ZoneInfo(zone))
    return f"{local:%d-%m-%Y %H:%M} {ZONE_ABBREVIATIONS.get(zone, zone)}"


def remind_once(
    *,
    subject_type: str,
    subject_id: str,
    kind: str,
    step: int,
    recipients: Iterable[User],
    title: str,
    body: str,
    url: str,
) -> bool:
    """Record step `step` of `kind` for the subject and alert `recipients`, in one
    transaction. False (and nothing sent) when that step was already sent."""
    people = list(recipients)
    with transaction.atomic():
        try:
            with transaction.atomic():
                NotificationReminder.objects.create(
                    subject_type=subject_type,
                    subject_id=str(subject_id),
                    kind=kind,
                    step=step,
                    recipients=[u.pk for u in people],
                )
        except IntegrityError:
            return False
        alert_send(
            recipients=people,
            title=title,
            body=body,
            url=url,
            level=Alert.Level.URGENT if kind == ReminderKind.ESCALATION else Alert.Level.WARNING,
            dedupe_key=f"deadline:{subject_type}:{subject_id}:{kind}:{step}",
        )
        audit_record(
            action=AuditAction.NOTIFICATION_REMINDED,
            target=(f"notifications.{subject_type}", str(subject_id), title[:300]),
            actor=None,
            data={"kind": kind, "step": step, "recipients": len(people)},
        )
    return True


# --- who is told ------------------------------------------------------------------------------


def _escalation_recipients(responsible: list[User], case: Any) -> list[User]:
    """`receive_escalation` holders of the responsible desk's agencies and of the case's
    reporting agency; every holder when none of those has one."""
    holders = users_with_capability("notifications.receive_escalation")
    agencies = {u.agency_id for u in responsible} | {case.reporting_agency_id}
    chosen = [u for u in holders if u.agency_id in agencies]
    return chosen or holders


def _access_desk(request: AccessRequest) -> list[User]:
    """The users of the detention centre holding the person who may schedule access; the
    reporting office's (then agency's) when the centre has none."""
    holders = users_with_capability("notifications.schedule_access")
    case = request.case
    if case.detention_centre_id:
        at_centre = [u for u in holders if u.unit is not None and u.unit.detention_centre_id == case.detention_centre_id]
        if at_centre:
            return at_centre
    if case.reporting_unit_id:
        at_unit = [u for u in holders if u.unit_id == case.reporting_unit_id]
        if at_unit:
            return at_unit
    return [u for u in holders if u.agency_id == case.reporting_agency_id]


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- the job ----------------------------------------------------------------------------------


def _texts(kind: str, step: int, short: str, what: tuple[str, str], due_text: str) -> tuple[str, str]:
    """Bilingual alert title (short, under 200 characters) and body."""
    if kind == ReminderKind.REMINDER:
        title = f"Pengingat / Reminder: {short} — jatuh tempo / due {due_text}"
        body = f"{what[0]}: batas waktu {due_text}.\n{what[1]}: deadline {due_text}."
    else:
        title = f"Eskalasi {step} / Escalation {step}: {short} — terlambat sejak / overdue since {due_text}"
        body = f"{what[0]}: terlambat sejak {due_text} (eskalasi ke-{step}).\n{what[1]}: overdue since {due_text} (escalation {step})."
    return title, body


def _remind_item(
    *,
    subject_type: str,
    subject_id: str,
    start: dt.datetime,
    due: dt.datetime,
    now: dt.datetime,
    zone: str,
    case: Any,
    short: str,
    what: tuple[str, str],
    responsible: Any,
    url: str,
) -> bool:
    step = current_step(start=start, due=due, now=now)
    if step is None:
        return False
    if NotificationReminder.objects.filter(subject_type=subject_type, subject_id=subject_id, kind=step.kind, step=step.step).exists():
        return False
    desk = responsible()
    recipients = desk if step.kind == ReminderKind.REMINDER else _escalation_recipients(desk, case)
    title, body = _texts(step.kind, step.step, short, what, zoned_text(due, zone))
    return remind_once(
        subject_type=subject_type,
        subject_id=subject_id,
        kind=step.kind,
        step=step.step,
        recipients=recipients,
        title=title,
        body=body,
        url=url,
    )


def reminders_run(*, now: dt.datetime | None = None) -> int:
    """Send the current step of every open item that has not had it. Returns how many steps
    were sent. Safe to run any number of times, from any number of workers."""
    now = now or timezone.now()
    horizon = now + REMINDER_LEAD_MAX
    sent = 0

    notifications = Notification.objects.filter(
        status__in=[NotificationStatus.TO_CHECK, NotificationStatus.DISPATCHING], due_at__lte=horizon
    ).select_related("case", "case__reporting_agency")
    for n in notifications:
        trigger = labels.TRIGGERS.get(n.trigger, (n.trigger, n.trigger))
        sent += _remind_item(
            subject_type=SUBJECT_NOTIFICATION,
            subject_id=str(n.pk),
            start=min(n.event_at, n.created_at),
            due=n.due_at,
            now=now,
            zone=n.time_zone,
            case=n.case,
            short=n.reference,
            what=(
                f"notifikasi {n.reference} ({trigger[0]}, {n.case.reference})",
                f"notification {n.reference} ({trigger[1]}, {n.case.reference})",
            ),
            responsible=lambda: users_with_capability("notifications.dispatch_notification"),
            url=_url("notifications:detail", n.pk),
        )

    letters = DetaineeLetter.objects.filter(forwarded_at__isnull=True, due_at__lte=horizon).select_related("case", "case__reporting_agency")
    for letter in letters:
        sent += _remind_item(
            subject_type=SUBJECT_LETTER,
            subject_id=str(letter.pk),
            start=letter.received_at,
            due=letter.due_at,
            now=now,
            zone=letter.case.time_zone,
            case=letter.case,
            short=f"surat / letter {letter.case.reference}",
            what=(
                f"surat tahanan untuk perwakilan ({letter.case.reference})",
                f"detainee's letter to the consulate ({letter.case.reference})",
            ),
            responsible=lambda: users_with_capability("notifications.forward_letter"),
            url=_url("cases:detail", letter.case_id),
        )

    requests = AccessRequest.objects.filter(status=AccessStatus.REQUESTED, due_at__lte=horizon).select_related(
        "case", "case__detention_centre", "case__reporting_agency"
    )
    for request in requests:
        zone = request.case.detention_centre.time_zone if request.case.detention_centre else request.case.time_zone
        sent += _remind_item(
            subject_type=SUBJECT_ACCESS,
            subject_id=str(request.pk),
            start=request.requested_at,
            due=request.due_at,
            now=now,
            zone=zone,
            case=request.case,
            short=f"akses / access {request.case.reference}",
            what=(f"permintaan akses kekonsuleran ({request.case.reference})", f"consular access request ({request.case.reference})"),
            responsible=lambda r=request: _access_desk(r),  # type: ignore[misc]
            url=_url("notifications:access_detail", request.pk),
        )
    return sent


@job(queue="short")
def reminders_job() -> dict[str, int]:
    """Periodic (settings.JOBS_PERIODIC, every 5 minutes): reminders and escalations, and
    the safety net that re-queues e-mail deliveries whose task was lost."""
    from jembatan.notifications.dispatch import deliveries_resume

    return {"steps_sent": reminders_run(), "deliveries_requeued": deliveries_resume()}
