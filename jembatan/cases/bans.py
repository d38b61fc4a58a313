"""Exit bans (pencegahan) and entry bans (penangkalan): their statutory lengths, extensions
and automatic lapse (UU 6/2011 as amended by UU 63/2024, art. 97 and 102; domain.md §3.7).

A ban is a case of kind `exit_ban` or `entry_ban` whose `starts_on`..`ends_on` (both days
included) is the period in force. An exit ban lasts at most 6 months and may be extended
once, by at most 6 months; it lapses by itself when not extended. An entry ban lasts at most
10 years and may be extended by at most 10 years at a time, or made lifelong for a stated
reason (`ends_on` empty, `lifetime` in the timeline entry).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.lifecycle import BAN_KINDS, ENTRY_BAN_MAX_YEARS, EXIT_BAN_MAX_MONTHS, CaseKind, CaseStatus, transition_allowed
from jembatan.cases.models import Case, CaseEvent
from jembatan.cases.rules import last_day_of_period
from jembatan.cases.timeline import case_event_record
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.core.jobs import job

CHANGE_CASE = "cases.change_case"
# Art. 97(1): one extension of at most 6 months. Art. 102(1): extensions of at most 10 years.
EXIT_BAN_MAX_EXTENSIONS = 1
EXIT_BAN_EXTENSION_MAX_MONTHS = 6
ENTRY_BAN_EXTENSION_MAX_YEARS = 10


def ban_latest_end(kind: str, starts_on: dt.date) -> dt.date:
    """The last day a new ban of `kind` starting on `starts_on` may run to."""
    months = EXIT_BAN_MAX_MONTHS if kind == CaseKind.EXIT_BAN else 12 * ENTRY_BAN_MAX_YEARS
    return last_day_of_period(starts_on, months=months)


def ban_validate(kind: str, starts_on: dt.date | None, ends_on: dt.date | None) -> None:
    """Check the first period of a new ban; does nothing for other kinds of case.

    Both dates are required, the end must be after the start, and the period (both days
    included) may last at most 6 months for an exit ban, 10 years for an entry ban. A
    lifelong entry ban is only reached by extending one (`ban_extend`). Raises
    `ApplicationError` naming the field (`starts_on` or `ends_on`). Used by `case_create`.
    """
    if kind not in BAN_KINDS:
        return
    if starts_on is None:
        raise ApplicationError(_("Enter the date the ban starts."), field="starts_on")
    if ends_on is None:
        raise ApplicationError(_("Enter the date the ban ends."), field="ends_on")
    if ends_on <= starts_on:
        raise ApplicationError(_("The end date must be after the start date."), field="ends_on")
    latest = ban_latest_end(kind, starts_on)
    if ends_on > latest:
        if kind == CaseKind.EXIT_BAN:
            message = _("An exit ban lasts at most 6 months: enter an end date on or before %(day)s.")
        else:
            message = _("An entry ban lasts at most 10 years: enter an end date on or before %(day)s.")
        raise ApplicationError(message % {"day": latest.isoformat()}, field="ends_on")


def _extension_latest(current_end: dt.date | None, *, months: int) -> dt.date | None:
    """The last day an extension of `months` months after `current_end` may run to: the
    extension starts the day after the current end (30 June + 6 months = 31 December)."""
    if current_end is None:
        return None
    return last_day_of_period(current_end + dt.timedelta(days=1), months=months)


def _require_changeable(actor: Any, case: Case) -> None:
    """Out of sight: `NotFound` (as if it did not exist). Seen but not the actor's to
    change (a consular officer, another agency's case): `PermissionDenied`."""
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise NotFound()
    if not getattr(actor, "has_capability", None) or not actor.has_capability(CHANGE_CASE):
        raise PermissionDenied()
    if not Case.objects.visible_to(actor, "change").filter(pk=case.pk).exists():
        raise PermissionDenied()


def ban_extend(*, actor: Any, case: Case, new_end: dt.date | None, reason: str = "") -> Case:
    """Extend a ban in force to `new_end`; `None` makes an entry ban lifelong.

    Exit ban: one extension only, ending after the current end and at most 6 months after
    it. Entry ban: each extension ends after the current end and at most 10 years after it;
    a lifelong ban needs a `reason` and cannot be extended further. Increments
    `extension_count`, writes an `EXTENDED` timeline entry (with `lifetime`, the previous
    and new end and the reason) and a `CASE_BAN_EXTENDED` audit event, in one transaction.

    Raises `NotFound` outside the actor's sight, `PermissionDenied` for a ban the actor
    sees but may not change, `Conflict` when the ban is not in force or may not be
    extended again (field `status`, `extension_count` or `ends_on`), and
    `ApplicationError` for a refused date or a missing reason (field `new_end` or
    `reason`).
    """
    if case.kind not in BAN_KINDS:
        raise Conflict(_("Only an exit ban or an entry ban can be extended."), field="kind")
    _require_changeable(actor, case)
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status != CaseStatus.ACTIVE:
            raise Conflict(_("Only a ban in force can be extended."), field="status")
        current_end = locked.ends_on
        lifetime = new_end is None
        if locked.kind == CaseKind.EXIT_BAN:
            if locked.extension_count >= EXIT_BAN_MAX_EXTENSIONS:
                raise Conflict(_("An exit ban can be extended only once, and this one already has been."), field="extension_count")
            if lifetime:
                raise ApplicationError(_("Enter the new end date: an exit ban cannot be lifelong."), field="new_end")
            latest = _extension_latest(current_end, months=EXIT_BAN_EXTENSION_MAX_MONTHS)
            too_long = _("An exit ban can be extended by at most 6 months: enter a date on or before %(day)s.")
        else:
            if current_end is None:
                raise Conflict(_("This entry ban is lifelong and cannot be extended further."), field="ends_on")
            if lifetime and not reason:
                raise ApplicationError(_("Enter the reason for a lifelong entry ban."), field="reason")
            latest = _extension_latest(current_end, months=12 * ENTRY_BAN_EXTENSION_MAX_YEARS)
            too_long = _("An entry ban can be extended by at most 10 years: enter a date on or before %(day)s.")
        if not lifetime:
            assert new_end is not None
            if current_end is not None and new_end <= current_end:
                raise ApplicationError(
                    _("The new end date must be after the current end date, %(day)s.") % {"day": current_end.isoformat()},
                    field="new_end",
                )
            if latest is not None and new_end > latest:
                raise ApplicationError(too_long % {"day": latest.isoformat()}, field="new_end")
        locked.ends_on = new_end
        locked.extension_count += 1
        locked.save(update_fields=["ends_on", "extension_count", "updated_at"])
        data = {
            "previous_end": current_end.isoformat() if current_end else None,
            "new_end": new_end.isoformat() if new_end else None,
            "lifetime": lifetime,
            "extension": locked.extension_count,
            "reason": reason,
        }
        if lifetime:
            summary = _("Entry ban made lifelong: %(reason)s") % {"reason": reason}
        else:
            summary = _("Extended until %(day)s.") % {"day": new_end.isoformat() if new_end else ""}
            if reason:
                summary = f"{summary} {reason}"
        case_event_record(case=locked, kind=CaseEvent.Kind.EXTENDED, actor=actor, summary=summary, data=data)
        audit_record(action=AuditAction.CASE_BAN_EXTENDED, target=locked, actor=actor, data={"kind": locked.kind, **data})
    return locked


def _lapse_moment(case: Case) -> dt.datetime:
    """Midnight at the start of the day after the last day in force, in the case's zone."""
    assert case.ends_on is not None
    day = case.ends_on + dt.timedelta(days=1)
    try:
        zone = ZoneInfo(case.time_zone or "Asia/Jakarta")
    except (KeyError, ValueError):
        zone = ZoneInfo("Asia/Jakarta")
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def ban_lapse(*, case: Case, today: dt.date) -> bool:
    """Move one ban in force whose last day (`ends_on`) is before `today` to `lapsed`.

    The row is locked and re-checked, then gets a `LAPSED` timeline entry by the system
    (dated at the start of the day after its last day, in the case's zone) and a
    `CASE_BAN_LAPSED` audit event, in one transaction. Returns False (and writes nothing)
    when the ban is not due: not in force, lifelong, or still running on `today`.
    """
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update()
            .filter(pk=case.pk, kind__in=BAN_KINDS, status=CaseStatus.ACTIVE, ends_on__isnull=False, ends_on__lt=today)
            .first()
        )
        if locked is None or locked.ends_on is None or not transition_allowed(locked.kind, locked.status, CaseStatus.LAPSED):
            return False
        locked.status = CaseStatus.LAPSED
        locked.save(update_fields=["status", "updated_at"])
        case_event_record(
            case=locked,
            kind=CaseEvent.Kind.LAPSED,
            actor=None,
            summary=_("Lapsed automatically: the ban ended on %(day)s and was not extended.") % {"day": locked.ends_on.isoformat()},
            data={"ends_on": locked.ends_on.isoformat(), "extension_count": locked.extension_count},
            from_status=CaseStatus.ACTIVE,
            to_status=CaseStatus.LAPSED,
            occurred_at=_lapse_moment(locked),
        )
        audit_record(
            action=AuditAction.CASE_BAN_LAPSED,
            target=locked,
            actor=None,
            data={"kind": locked.kind, "ends_on": locked.ends_on.isoformat(), "today": today.isoformat()},
        )
    return True


def bans_lapse(*, today: dt.date, time_zone: str | None = None) -> int:
    """Lapse every ban in force whose last day (`ends_on`) is before `today` (`ban_lapse`,
    one transaction each).

    Idempotent: a lapsed ban is no longer `active`, so running again (or twice at once)
    lapses nothing more. `time_zone` restricts the run to cases in that zone (the job
    passes each zone's own date). Lifelong entry bans (`ends_on` empty) never lapse.
    Returns how many lapsed.
    """
    due = Case.objects.filter(kind__in=BAN_KINDS, status=CaseStatus.ACTIVE, ends_on__isnull=False, ends_on__lt=today)
    if time_zone is not None:
        due = due.filter(time_zone=time_zone)
    return sum(ban_lapse(case=case, today=today) for case in list(due.only("pk")))


@job(queue="short")
def bans_lapse_job() -> int:
    """Lapse the bans whose period ended, each by the date in its own zone (hourly).

    Idempotent (see `bans_lapse`); a run missed while the worker was down is caught up by
    the next one, since every ban ended before today is due, however long ago.
    """
    now = timezone.now()
    zones = (
        Case.objects.filter(kind__in=BAN_KINDS, status=CaseStatus.ACTIVE, ends_on__isnull=False)
        .values_list("time_zone", flat=True)
        .distinct()
    )
    total = 0
    for zone in sorted(set(zones)):
        try:
            today = now.astimezone(ZoneInfo(zone)).date()
        except (KeyError, ValueError):
            today = timezone.localdate(now)
        total += bans_lapse(today=today, time_zone=zone)
    return total
