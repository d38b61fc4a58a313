"""The detaining side's duties under VCCR art. 36(1)(b) besides the notice itself: the
person's answer when informed of the right (which may change), and their letters to the
consular post, forwarded without delay.

Access requests and visits are in `access.py`; dispatch and acknowledgement in
`dispatch.py`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jembatan.accounts.alerts import alert_send, users_with_capability
from jembatan.accounts.models import Alert
from jembatan.accounts.permissions import actor_can
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.lifecycle import RIGHTS_ADVICE_KINDS
from jembatan.cases.models import Case, CaseEvent, ConsularRightsAdvice
from jembatan.cases.services.base import Problems, event_time, is_user, refuse
from jembatan.cases.services.records import rights_advice_check, rights_advice_store
from jembatan.cases.timeline import case_event_record
from jembatan.core.exceptions import Conflict, NotFound, PermissionDenied
from jembatan.notifications.models import DetaineeLetter, Notification
from jembatan.notifications.routing import missions_for
from jembatan.reference.models import ForeignMission

# Art. 36(1)(b): "any communication addressed to the consular post by the person arrested …
# shall be forwarded by the said authorities without delay". Jembatan's clock for that:
# 24 hours from when the letter was handed over (the SLA warning point of domain.md §2.4).
LETTER_DEADLINE = dt.timedelta(hours=24)
LETTER_DESCRIPTION_MAX_LENGTH = 5000
SCAN_FORMATS = (".pdf", ".jpg", ".jpeg", ".png")


def _held_case(*, actor: Any, case: Case, capability: str) -> Case:
    """The case, locked, if `actor` may record the detaining side's consular duties on it:
    `capability` (or `cases.change_case`) and the case in sight; the case must be one of a
    person deprived of liberty."""
    if actor is None or not (actor_can(actor, capability) or actor_can(actor, "cases.change_case")):
        raise PermissionDenied()
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise NotFound()
    case = Case.objects.select_for_update(of=("self",)).select_related("person").get(pk=case.pk)
    if case.kind not in RIGHTS_ADVICE_KINDS:
        raise refuse("case", _("This is recorded only on the case of a person detained, arrested or imprisoned"))
    return case


def rights_advice_record(
    *,
    actor: Any,
    case: Case,
    informed_at: dt.datetime,
    language: str,
    answer: str,
    objects_to_visits: bool = False,
    statement: str = "",
    nationality_known_at: dt.datetime | None = None,
    interpreter: str = "",
) -> ConsularRightsAdvice:
    """Record that the person was (again) informed of the right to consular notification,
    and their answer: the latest answer counts. A request for notification reopens any
    decision that was waiting for it or not to notify (the engine reassesses the case's
    first event). `rights_advised` on the timeline, `RIGHTS_ADVICE_RECORDED` in the audit
    log. Needs `notifications.log_letter` or `cases.change_case`, and the case in sight.
    Times naive in the case's zone or aware; neither in the future."""
    with transaction.atomic():
        case = _held_case(actor=actor, case=case, capability="notifications.log_letter")
        problems = Problems()
        values = rights_advice_check(
            data={
                "rights_informed_at": informed_at,
                "rights_language": language,
                "rights_answer": answer,
                "rights_objects_to_visits": objects_to_visits,
                "rights_statement": statement,
                "rights_interpreter": interpreter,
                "nationality_known_at": nationality_known_at,
            },
            zone=case.time_zone,
            problems=problems,
        )
        problems.raise_if_any()
        advice = rights_advice_store(actor=actor, case=case, values=values)
        case.save(update_fields=["updated_at"])
    return advice


def _letter_mission(case: Case) -> ForeignMission | None:
    """The post the letter goes to: the mission last notified about the case, else the
    competent post of the person's first foreign nationality (`routing`)."""
    notified = Notification.objects.filter(case=case, mission__isnull=False).order_by("-created_at").first()
    if notified is not None:
        return notified.mission
    from jembatan.notifications.engine import _states, place_province

    codes, by_code = _states(case.person)
    for code in codes:
        if code == "IDN":
            continue
        missions, _via = missions_for(by_code[code], province=place_province(case))
        if missions:
            return missions[0]
    return None


def _letter_url(letter: DetaineeLetter) -> str:
    try:
        return reverse("notifications:letter_forward", kwargs={"letter_id": letter.pk})
    except NoReverseMatch:
        return ""


def _check_scan(scan: Any, problems: Problems) -> None:
    if scan is None:
        return
    name = str(getattr(scan, "name", "") or "")
    if Path(name).suffix.lower() not in SCAN_FORMATS:
        problems.add("scan", _("The scan must be a PDF, JPG or PNG file"))
    limit = int(getattr(settings, "CASE_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))
    if (getattr(scan, "size", 0) or 0) > limit:
        problems.add("scan", _("The scan must be at most %(size)s MB") % {"size": f"{limit / (1024 * 1024):g}"})


def letter_log(*, actor: Any, case: Case, received_at: dt.datetime, description: str, scan: Any = None) -> DetaineeLetter:
    """Log a letter the detainee handed over for their consular post (art. 36(1)(b)): due
    to be forwarded within `LETTER_DEADLINE` of `received_at`. The consular desk is alerted
    to forward it. `letter_logged` on the timeline, `LETTER_LOGGED` in the audit log. Needs
    `notifications.log_letter` (or `cases.change_case`) and the case in sight."""
    description = (description or "").strip()
    with transaction.atomic():
        case = _held_case(actor=actor, case=case, capability="notifications.log_letter")
        problems = Problems()
        if received_at is None:
            problems.add("received_at", _("Enter the date and time the letter was handed over"))
        when = event_time(received_at, zone=case.time_zone, field="received_at", problems=problems)
        if not description:
            problems.add("description", _("Describe the letter: to whom, how many pages, sealed or open"))
        elif len(description) > LETTER_DESCRIPTION_MAX_LENGTH:
            problems.add("description", _("Enter at most %(limit)d characters") % {"limit": LETTER_DESCRIPTION_MAX_LENGTH})
        _check_scan(scan, problems)
        problems.raise_if_any()
        assert when is not None
        letter = DetaineeLetter(
            case=case,
            mission=_letter_mission(case),
            received_at=when,
            description=description,
            due_at=when + LETTER_DEADLINE,
            recorded_by=actor if is_user(actor) else None,
        )
        if scan is not None:
            letter.scan.save(Path(str(scan.name)).name, scan, save=False)
        letter.save()
        case_event_record(
            case=case,
            kind=CaseEvent.Kind.LETTER_LOGGED,
            actor=actor,
            summary=description[:300],
            occurred_at=when,
            data={
                "letter_id": str(letter.pk),
                "mission": letter.mission.name_en if letter.mission else "",
                "due_at": letter.due_at.isoformat(),
            },
        )
        audit_record(
            action=AuditAction.LETTER_LOGGED,
            target=letter,
            actor=actor,
            data={
                "case": case.reference,
                "letter_id": str(letter.pk),
                "mission_id": letter.mission_id,
                "due_at": letter.due_at.isoformat(),
            },
        )
        alert_send(
            recipients=users_with_capability("notifications.forward_letter"),
            title=f"Letter from a detainee to forward: case {case.reference}",
            body=f"Handed over {timezone.localtime(when):%d %b %Y %H:%M} WIB; forward within 24 hours.",
            url=_letter_url(letter),
            level=Alert.Level.WARNING,
            dedupe_key=f"letter:{letter.pk}:logged",
        )
    return letter


def letter_forward(*, actor: Any, letter: DetaineeLetter, note: str) -> DetaineeLetter:
    """Record that the letter was forwarded to the post, and how (`note`: diplomatic bag,
    e-mail of the scan, handed to the consul). Once only. `letter_forwarded` on the
    timeline, `LETTER_FORWARDED` in the audit log. Needs `notifications.forward_letter`."""
    note = (note or "").strip()
    if actor is None or not actor_can(actor, "notifications.forward_letter"):
        raise PermissionDenied()
    with transaction.atomic():
        if not DetaineeLetter.objects.visible_to(actor).filter(pk=letter.pk).exists():
            raise NotFound()
        letter = DetaineeLetter.objects.select_for_update().select_related("case").get(pk=letter.pk)
        if letter.forwarded_at is not None:
            raise Conflict(str(_("This letter has already been forwarded")), field="note")
        if not note:
            raise refuse("note", _("Say how the letter was forwarded: diplomatic bag, e-mail of the scan, handed to a consular officer"))
        if len(note) > LETTER_DESCRIPTION_MAX_LENGTH:
            raise refuse("note", _("Enter at most %(limit)d characters") % {"limit": LETTER_DESCRIPTION_MAX_LENGTH})
        now = timezone.now()
        letter.forwarded_at, letter.forwarded_by, letter.forwarding_note = now, (actor if is_user(actor) else None), note
        letter.save(update_fields=["forwarded_at", "forwarded_by", "forwarding_note", "updated_at"])
        in_time = now <= letter.due_at
        case_event_record(
            case=letter.case,
            kind=CaseEvent.Kind.LETTER_FORWARDED,
            actor=actor,
            summary=note[:300],
            data={"letter_id": str(letter.pk), "in_time": in_time},
        )
        audit_record(
            action=AuditAction.LETTER_FORWARDED,
            target=letter,
            actor=actor,
            data={"case": letter.case.reference, "letter_id": str(letter.pk), "in_time": in_time},
        )
    return letter
