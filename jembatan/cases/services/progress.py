"""A case moving on: status transitions, notes and the events agencies report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.lifecycle import (
    HELD_STATUSES,
    CaseKind,
    CaseStatus,
    allowed_targets,
    transition_allowed,
)
from jembatan.cases.models import Case, CaseEvent
from jembatan.cases.services.base import (
    NOTE_MAX_LENGTH,
    TEXT_LIMITS,
    Problems,
    event_time,
    lock_for_change,
    refuse,
    resolve,
)
from jembatan.cases.services.records import case_create
from jembatan.cases.timeline import case_event_record
from jembatan.core.exceptions import Conflict
from jembatan.reference.models import DetentionCentre

# Events a reporting agency (an immigration office, a prison) reports on a case.
REPORTABLE_EVENTS = (CaseEvent.Kind.TRANSFER, CaseEvent.Kind.SERIOUS_ILLNESS, CaseEvent.Kind.RELEASE, CaseEvent.Kind.DEATH)


# --- lifecycle ------------------------------------------------------------------------------


def _transition_refusal(case: Case, to_status: str) -> Conflict:
    current = CaseStatus(case.status).label if case.status in CaseStatus.values else case.status
    targets = allowed_targets(case.kind, case.status)
    target = CaseStatus(to_status).label if to_status in CaseStatus.values else to_status
    if not targets:
        message = _("This case is “%(current)s”, a final status: its status cannot change any more.") % {"current": current}
    else:
        allowed = ", ".join(f"“{CaseStatus(s).label}”" for s in targets)
        message = _("A case that is “%(current)s” cannot become “%(target)s”. It can become: %(allowed)s.") % {
            "current": current,
            "target": target,
            "allowed": allowed,
        }
    return Conflict(message, field="to_status", extra={"current_status": case.status, "allowed": targets})


def case_transition(*, actor: Any, case: Case, to_status: str, note: str = "", occurred_at: dt.datetime | None = None) -> Case:
    """Move `case` to `to_status` if its lifecycle allows it (`lifecycle.transition_allowed`).

    Refuses with `Conflict` naming the current status and the statuses allowed next.
    `occurred_at` (default now) may be neither in the future nor before the case began.
    A death goes through `case_event_report`, so it also opens (or links) the death case.
    Writes a `STATUS_CHANGED` timeline entry with the note and records
    `CASE_STATUS_CHANGED`.
    """
    note = (note or "").strip()
    with transaction.atomic():
        case = lock_for_change(actor=actor, case=case)
        if not transition_allowed(case.kind, case.status, to_status):
            raise _transition_refusal(case, to_status)
        if to_status == CaseStatus.DIED:
            case_event_report(actor=actor, case=case, kind=CaseEvent.Kind.DEATH, summary=note, occurred_at=occurred_at)
            case.refresh_from_db()
            return case
        problems = Problems()
        if len(note) > NOTE_MAX_LENGTH:
            problems.add("note", _("Enter at most %(limit)d characters") % {"limit": NOTE_MAX_LENGTH})
        when = event_time(occurred_at, zone=case.time_zone, field="occurred_at", problems=problems, not_before=case.occurred_at)
        problems.raise_if_any()
        from_status = case.status
        case.status = to_status
        case.save(update_fields=["status", "updated_at"])
        case_event_record(
            case=case,
            kind=CaseEvent.Kind.STATUS_CHANGED,
            actor=actor,
            summary=note,
            from_status=from_status,
            to_status=to_status,
            occurred_at=when,
        )
        audit_record(
            action=AuditAction.CASE_STATUS_CHANGED,
            target=case,
            actor=actor,
            data={"reference": case.reference, "from": from_status, "to": to_status},
        )
    return case


# --- notes and reported events --------------------------------------------------------------


def case_note_add(*, actor: Any, case: Case, text: str) -> CaseEvent:
    """Add a note to the case's timeline (notes are never edited; a correction is a new
    note). Records `CASE_NOTE_ADDED`."""
    text = (text or "").strip()
    with transaction.atomic():
        case = lock_for_change(actor=actor, case=case)
        if not text:
            raise refuse("text", _("Enter the note"))
        if len(text) > NOTE_MAX_LENGTH:
            raise refuse("text", _("Enter at most %(limit)d characters") % {"limit": NOTE_MAX_LENGTH})
        event = case_event_record(case=case, kind=CaseEvent.Kind.NOTE, actor=actor, summary=text)
        case.save(update_fields=["updated_at"])
        audit_record(
            action=AuditAction.CASE_NOTE_ADDED, target=case, actor=actor, data={"reference": case.reference, "event_id": str(event.pk)}
        )
    return event


def _place_of(case: Case) -> dict[str, Any]:
    centre = case.detention_centre
    return {
        "detention_centre": centre.code if centre else "",
        "detention_centre_name": centre.name_id if centre else "",
        "place": case.place_description,
    }


def case_event_report(
    *,
    actor: Any,
    case: Case,
    kind: str,
    summary: str = "",
    occurred_at: dt.datetime | None = None,
    detention_centre: Any = None,
    place_description: str = "",
) -> CaseEvent:
    """Report an event on a case, as the reporting agency (immigration office, prison).

    - `transfer`: the person held (detained or serving) moved to another place of detention
      (`detention_centre` or `place_description`); the case's current place changes, the
      entry keeps where from and where to.
    - `serious_illness`: the person held is seriously ill; `summary` says what and where.
    - `release`: the case becomes "Released" (where its lifecycle allows it).
    - `death`: the case becomes "Died" where its lifecycle allows it, and the person's
      death case is opened from it (VCCR art. 37(a) makes a death notifiable in its own
      right, with its own repatriation workflow), or linked when the person already has
      one, so one death is never notified twice.

    Each is one timeline entry; a status change is also audited as such. Records
    `CASE_EVENT_REPORTED`. Refuses with `Conflict` when the case's status does not admit
    the event.
    """
    if kind not in REPORTABLE_EVENTS:
        raise refuse("kind", _("Select the event to report"))
    summary = (summary or "").strip()
    with transaction.atomic():
        case = lock_for_change(actor=actor, case=case)
        problems = Problems()
        if len(summary) > NOTE_MAX_LENGTH:
            problems.add("summary", _("Enter at most %(limit)d characters") % {"limit": NOTE_MAX_LENGTH})
        when = event_time(occurred_at, zone=case.time_zone, field="occurred_at", problems=problems, not_before=case.occurred_at)
        when = when or timezone.now()
        data: dict[str, Any] = {}
        from_status = to_status = ""
        update_fields = ["updated_at"]

        if kind in (CaseEvent.Kind.TRANSFER, CaseEvent.Kind.SERIOUS_ILLNESS) and case.status not in HELD_STATUSES:
            raise Conflict(
                str(_("Transfers and serious illness are reported only while the person is held (detained or serving a sentence).")),
                field="kind",
            )
        if kind == CaseEvent.Kind.TRANSFER:
            place_description = (place_description or "").strip()
            try:
                centre = resolve(DetentionCentre, detention_centre, by_code=True)
            except LookupError:
                problems.add("detention_centre", _("Select a detention centre from the list"))
                centre = None
            if len(place_description) > TEXT_LIMITS["place_description"]:
                problems.add("place_description", _("Enter at most %(limit)d characters") % {"limit": TEXT_LIMITS["place_description"]})
            if centre is None and not place_description and not problems.has("detention_centre"):
                problems.add("detention_centre", _("Select the detention centre the person was moved to, or enter the new place"))
            elif centre == case.detention_centre and place_description == case.place_description:
                problems.add("detention_centre", _("Select the new place: the person is already held there"))
            problems.raise_if_any()
            data = {"from": _place_of(case)}
            case.detention_centre, case.place_description = centre, place_description
            data["to"] = _place_of(case)
            update_fields += ["detention_centre", "place_description"]
        elif kind == CaseEvent.Kind.SERIOUS_ILLNESS:
            if not summary:
                problems.add("summary", _("Describe the illness and where the person is being treated"))
            problems.raise_if_any()
        elif kind == CaseEvent.Kind.RELEASE:
            problems.raise_if_any()
            if not transition_allowed(case.kind, case.status, CaseStatus.RELEASED):
                raise _transition_refusal(case, CaseStatus.RELEASED)
            from_status, to_status = case.status, CaseStatus.RELEASED
        else:  # death
            problems.raise_if_any()
            if case.kind == CaseKind.DEATH:
                raise Conflict(str(_("This case is already the record of a death.")), field="kind")
            if transition_allowed(case.kind, case.status, CaseStatus.DIED):
                from_status, to_status = case.status, CaseStatus.DIED
            data = _death_case_for(actor=actor, case=case, when=when, summary=summary)

        if to_status:
            case.status = to_status
            update_fields.append("status")
        case.save(update_fields=update_fields)
        event = case_event_record(
            case=case, kind=kind, actor=actor, summary=summary, data=data, from_status=from_status, to_status=to_status, occurred_at=when
        )
        audit_record(
            action=AuditAction.CASE_EVENT_REPORTED,
            target=case,
            actor=actor,
            data={
                "reference": case.reference,
                "event": kind,
                "event_id": str(event.pk),
                **({"death_case": data["death_case_reference"]} if "death_case_reference" in data else {}),
            },
        )
        if to_status:
            audit_record(
                action=AuditAction.CASE_STATUS_CHANGED,
                target=case,
                actor=actor,
                data={"reference": case.reference, "from": from_status, "to": to_status, "event": kind},
            )
    return event


def _death_case_for(*, actor: Any, case: Case, when: dt.datetime, summary: str) -> dict[str, Any]:
    """Open the death case of `case`'s person, or find the one already recorded.

    Looked up across agencies on purpose: one person dies once, and a second death case
    would notify the mission twice. Only its number is shown on this case's timeline.
    """
    existing = Case.objects.filter(person_id=case.person_id, kind=CaseKind.DEATH).order_by("created_at").first()
    if existing is not None:
        return {"death_case_id": str(existing.pk), "death_case_reference": existing.reference, "death_case_opened": False}
    death = case_create(
        actor=actor,
        person=case.person,
        kind=CaseKind.DEATH,
        data={
            "occurred_at": when,
            "time_zone": case.time_zone,
            "detention_centre": case.detention_centre,
            "place_description": case.place_description,
            "summary": summary,
            "origin_case": case,
        },
    )
    return {"death_case_id": str(death.pk), "death_case_reference": death.reference, "death_case_opened": True}
