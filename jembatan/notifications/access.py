"""Consular access (VCCR art. 36(1)(a) and (c)): requests, scheduling, refusals, visits.

A request is made by the mission in its portal (`portal.request_access`, only about a case
of which it received a notification) or recorded for it by the consular desk
(`notifications.record_access_request`). The detaining side (the agency that reported the
case: `notifications.schedule_access`, case in its scope) must answer within
`ACCESS_ANSWER_HOURS`: it schedules the visit, refuses with a reason, or records that the
detainee expressly declined (art. 36(1)(c), with the detainee's statement). A visit that
took place is recorded with its date, the officers present and the outcome
(`notifications.record_visit`). Every step is written to the case timeline, audited and
alerted to the other side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jembatan.accounts.alerts import alert_send, users_with_capability
from jembatan.accounts.models import Agency, User
from jembatan.accounts.permissions import actor_can
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.models import Case, CaseEvent
from jembatan.cases.timeline import case_event_record
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.notifications.models import AccessKind, AccessRequest, AccessStatus, ConsularVisit, Notification
from jembatan.notifications.querysets import actor_mission_id
from jembatan.people.permissions import is_mission_actor

# The detaining side answers a request for consular access within 48 hours of it (a
# working rule of the agreement: art. 36(1)(c) gives no number, "without delay" in practice).
ACCESS_ANSWER_HOURS = 48

OPEN_STATUSES = (AccessStatus.REQUESTED, AccessStatus.SCHEDULED)


def _case_in_scope(actor: Any, case: Case) -> bool:
    return Case.objects.visible_to(actor).filter(pk=case.pk).exists()


def _may_host(actor: Any, case: Case, codename: str) -> None:
    """The detaining side: `codename` and the case in the actor's scope."""
    if is_mission_actor(actor) or not _case_in_scope(actor, case):
        raise NotFound()
    if not actor_can(actor, codename):
        raise PermissionDenied()


def _utc_iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def mission_users(mission_id: int | None) -> list[User]:
    """Active users of the mission's agency who use the portal."""
    agency = Agency.objects.filter(mission_id=mission_id, is_active=True).first() if mission_id else None
    return users_with_capability("portal.view_portal", agency=agency) if agency is not None else []


def host_users(case: Case) -> list[User]:
    """Detention-side users who answer access requests for `case` (its reporting agency)."""
    return users_with_capability("notifications.schedule_access", agency=case.reporting_agency)


def _alert(recipients: Iterable[User], *, title: str, body: str, url: str, key: str) -> None:
    """Texts are rendered by the caller in the recipients' language (translation.override)."""
    alert_send(recipients=list(recipients), title=title, body=body, url=url, dedupe_key=key)


def _alert_mission(request: AccessRequest, title: str, body: str, key: str) -> None:
    url = _url("portal:access_detail", access_id=request.pk) or _url("portal:inbox")
    _alert(mission_users(request.mission_id), title=title, body=body, url=url, key=key)


def _alert_host(request: AccessRequest, title: str, body: str, key: str) -> None:
    url = _url("notifications:access_detail", access_id=request.pk)
    _alert(host_users(request.case), title=title, body=body, url=url, key=key)


def _proposed(times: Iterable[dt.datetime | str]) -> list[str]:
    out = []
    for moment in times:
        if isinstance(moment, str):
            try:
                moment = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
            except ValueError:
                raise ApplicationError(_("Enter the proposed times as dates and times."), field="proposed_times") from None
        if timezone.is_naive(moment):
            raise ApplicationError(_("Enter the proposed times with their time zone."), field="proposed_times")
        out.append(_utc_iso(moment))
    return out[:10]


def access_request_create(
    *,
    actor: Any,
    case: Case,
    mission: Any,
    kind: str,
    proposed_times: Iterable[dt.datetime | str],
    officers: str = "",
    note: str = "",
    notification: Notification | None = None,
) -> AccessRequest:
    """Record a request for consular access to the person of `case` by `mission`.

    A mission officer asks for its own mission, only about a case of which the mission
    received a notification; the consular desk records a request received another way, for
    a case it may see. The answer is due `ACCESS_ANSWER_HOURS` later.
    """
    if is_mission_actor(actor):
        if not actor_can(actor, "portal.request_access"):
            raise PermissionDenied()
        own = actor_mission_id(actor)
        if mission is None or own != mission.pk:
            raise NotFound()
        notified = Notification.objects.visible_to(actor).filter(case=case)
        if notification is not None:
            notified = notified.filter(pk=notification.pk)
        if not notified.exists():
            raise NotFound()
    else:
        if not _case_in_scope(actor, case):
            raise NotFound()
        if not actor_can(actor, "notifications.record_access_request"):
            raise PermissionDenied()
        if mission is None:
            raise ApplicationError(_("Select the mission that asks for access."), field="mission")
    if notification is not None and (notification.case_id != case.pk or notification.mission_id != mission.pk):
        raise ApplicationError(_("The notification is about another case or mission."), field="notification")
    if kind not in AccessKind.values:
        raise ApplicationError(_("Select a visit, a telephone call or a video call."), field="kind")
    times = _proposed(proposed_times)
    if notification is None:
        notification = Notification.objects.filter(case=case, mission=mission).order_by("-created_at").first()
    with transaction.atomic():
        now = timezone.now()
        request = AccessRequest.objects.create(
            case=case,
            notification=notification,
            mission=mission,
            kind=kind,
            proposed_times=times,
            officers=officers.strip(),
            note=note.strip(),
            requested_at=now,
            requested_by=actor if isinstance(actor, User) else None,
            due_at=now + dt.timedelta(hours=ACCESS_ANSWER_HOURS),
        )
        case_event_record(
            case=case,
            kind=CaseEvent.Kind.ACCESS_REQUESTED,
            actor=actor,
            summary=f"{request.get_kind_display()} – {mission.sending_entity}",
            data={"access_request": str(request.pk), "mission": mission.pk, "kind": kind, "proposed_times": times},
            occurred_at=now,
        )
        audit_record(
            action=AuditAction.ACCESS_REQUESTED,
            target=request,
            actor=actor,
            data={"case": str(case.pk), "mission": mission.pk, "kind": kind, "by_mission": is_mission_actor(actor)},
        )
        with translation.override("id"):
            _alert_host(
                request,
                _("Consular access requested: %(case)s") % {"case": case.reference},
                _("%(mission)s asks for consular access (%(kind)s). Answer by %(due)s UTC.")
                % {"mission": mission.sending_entity, "kind": request.get_kind_display(), "due": _utc_iso(request.due_at)},
                f"access:{request.pk}:requested",
            )
    return request


def _open(request: AccessRequest) -> None:
    if request.status not in OPEN_STATUSES:
        raise Conflict(
            _("This request is already closed (%(status)s).") % {"status": request.get_status_display()},
            field="status",
        )


def _locked(request: AccessRequest) -> AccessRequest:
    return AccessRequest.objects.select_for_update().select_related("case", "mission").get(pk=request.pk)


def access_schedule(*, actor: Any, request: AccessRequest, scheduled_for: dt.datetime, note: str = "") -> AccessRequest:
    """The detaining side sets the date and time of the visit or call (a new time
    reschedules a scheduled one)."""
    _may_host(actor, request.case, "notifications.schedule_access")
    if scheduled_for is None or timezone.is_naive(scheduled_for):
        raise ApplicationError(_("Enter the date and time of the visit."), field="scheduled_for")
    with transaction.atomic():
        request = _locked(request)
        _open(request)
        now = timezone.now()
        request.status = AccessStatus.SCHEDULED
        request.scheduled_for = scheduled_for
        request.scheduled_by = actor if isinstance(actor, User) else None
        request.answered_at = request.answered_at or now
        request.answer_note = note.strip()
        request.save(update_fields=["status", "scheduled_for", "scheduled_by", "answered_at", "answer_note", "updated_at"])
        case_event_record(
            case=request.case,
            kind=CaseEvent.Kind.ACCESS_SCHEDULED,
            actor=actor,
            summary=note.strip(),
            data={"access_request": str(request.pk), "scheduled_for": _utc_iso(scheduled_for)},
            occurred_at=now,
        )
        audit_record(action=AuditAction.ACCESS_SCHEDULED, target=request, actor=actor, data={"scheduled_for": _utc_iso(scheduled_for)})
        with translation.override("en"):
            _alert_mission(
                request,
                _("Consular access scheduled: %(case)s") % {"case": request.case.reference},
                _("Scheduled for %(when)s UTC. %(note)s") % {"when": _utc_iso(scheduled_for), "note": note.strip()},
                f"access:{request.pk}:scheduled:{_utc_iso(scheduled_for)}",
            )
    return request


def access_refuse(*, actor: Any, request: AccessRequest, reason: str) -> AccessRequest:
    """The detaining side refuses access, with the reason (shown to the mission)."""
    _may_host(actor, request.case, "notifications.schedule_access")
    if not reason.strip():
        raise ApplicationError(_("Enter the reason for refusing access."), field="reason")
    return _close(actor, request, AccessStatus.REFUSED, refusal_reason=reason.strip())


def access_declined_by_detainee(*, actor: Any, request: AccessRequest, statement: str) -> AccessRequest:
    """The detainee expressly declines the visit (art. 36(1)(c), last sentence): recorded with
    the detainee's own statement, which the mission is told."""
    _may_host(actor, request.case, "notifications.schedule_access")
    if not statement.strip():
        raise ApplicationError(_("Enter what the detainee said when declining the visit."), field="statement")
    return _close(actor, request, AccessStatus.DECLINED_BY_DETAINEE, detainee_statement=statement.strip())


def _close(actor: Any, request: AccessRequest, status: str, **fields: str) -> AccessRequest:
    with transaction.atomic():
        request = _locked(request)
        _open(request)
        now = timezone.now()
        request.status = status
        request.answered_at = request.answered_at or now
        for name, value in fields.items():
            setattr(request, name, value)
        request.save(update_fields=["status", "answered_at", *fields.keys(), "updated_at"])
        text = next(iter(fields.values()))
        case_event_record(
            case=request.case,
            kind=CaseEvent.Kind.ACCESS_REFUSED,
            actor=actor,
            summary=text,
            data={"access_request": str(request.pk), "status": status},
            occurred_at=now,
        )
        audit_record(action=AuditAction.ACCESS_REFUSED, target=request, actor=actor, data={"status": status})
        with translation.override("en"):
            title = (
                _("Consular access refused: %(case)s")
                if status == AccessStatus.REFUSED
                else _("The detainee declined the consular visit: %(case)s")
            ) % {"case": request.case.reference}
            _alert_mission(request, title, text, f"access:{request.pk}:{status}")
    return request


def visit_record(
    *,
    actor: Any,
    case: Case,
    mission: Any,
    occurred_at: dt.datetime,
    officers: str,
    outcome: str = "",
    kind: str = "visit",
    duration_minutes: int | None = None,
    access_request: AccessRequest | None = None,
) -> ConsularVisit:
    """Record a consular visit or call that took place; completes its access request."""
    _may_host(actor, case, "notifications.record_visit")
    if occurred_at is None or timezone.is_naive(occurred_at):
        raise ApplicationError(_("Enter the date and time of the visit."), field="occurred_at")
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ApplicationError(_("The date of the visit must be today or in the past."), field="occurred_at")
    if not officers.strip():
        raise ApplicationError(_("Enter the names of the consular officers present."), field="officers")
    if kind not in AccessKind.values:
        raise ApplicationError(_("Select a visit, a telephone call or a video call."), field="kind")
    if mission is None:
        raise ApplicationError(_("Select the mission that visited."), field="mission")
    if duration_minutes is not None and duration_minutes < 0:
        raise ApplicationError(_("Enter the duration in minutes."), field="duration_minutes")
    with transaction.atomic():
        if access_request is not None:
            access_request = _locked(access_request)
            if access_request.case_id != case.pk or access_request.mission_id != mission.pk:
                raise ApplicationError(_("The access request is about another case or mission."), field="access_request")
            _open(access_request)
        visit = ConsularVisit.objects.create(
            access_request=access_request,
            case=case,
            mission=mission,
            kind=kind,
            occurred_at=occurred_at,
            duration_minutes=duration_minutes,
            officers=officers.strip(),
            outcome=outcome.strip(),
            recorded_by=actor if isinstance(actor, User) else None,
        )
        if access_request is not None:
            access_request.status = AccessStatus.COMPLETED
            access_request.answered_at = access_request.answered_at or timezone.now()
            access_request.save(update_fields=["status", "answered_at", "updated_at"])
        case_event_record(
            case=case,
            kind=CaseEvent.Kind.VISIT_RECORDED,
            actor=actor,
            summary=f"{visit.get_kind_display()} – {mission.sending_entity}: {officers.strip()}",
            data={"visit": str(visit.pk), "access_request": str(access_request.pk) if access_request else None, "mission": mission.pk},
            occurred_at=occurred_at,
        )
        audit_record(
            action=AuditAction.VISIT_RECORDED,
            target=visit,
            actor=actor,
            data={"case": str(case.pk), "mission": mission.pk, "access_request": str(access_request.pk) if access_request else None},
        )
        if access_request is not None:
            with translation.override("en"):
                _alert_mission(
                    access_request,
                    _("Consular visit recorded: %(case)s") % {"case": case.reference},
                    outcome.strip(),
                    f"access:{access_request.pk}:visit",
                )
    return visit
