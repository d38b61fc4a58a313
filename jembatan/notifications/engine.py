"""The notification engine: reads the case timeline, decides, creates notifications.

`assess_pending_job` (every 30 s) picks the timeline entries that stand for a notifiable
event (`rules.trigger_for_entry`, plus a recorded request for notification) and have no
decision yet, and `assess_case_event` decides each: one `NotificationDecision` per State of
nationality (its existence marks the entry as assessed, so running twice decides once), and
for each decision to notify one `Notification` per mission (`routing.missions_for`), due
`policy.deadline_hours` after the event. Where the country's policy dispatches
automatically the notification is dispatched in the same transaction; otherwise the
consular desk is alerted to check it.

Only entries recorded at or after `settings.NOTIFICATIONS_ASSESS_SINCE` (None: all) are
assessed, so switching the engine on does not notify years of history.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jembatan.accounts.alerts import alert_send, users_with_capability
from jembatan.accounts.models import Alert
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.lifecycle import NOTIFIABLE_KINDS, CaseKind, CaseStatus
from jembatan.cases.models import Case, CaseEvent, ConsularRightsAdvice
from jembatan.cases.timeline import case_event_record
from jembatan.core.jobs import job
from jembatan.notifications import rules
from jembatan.notifications.models import (
    CountryPolicy,
    Notification,
    NotificationDecision,
    NotificationMode,
    NotificationStatus,
    Outcome,
    Reason,
)
from jembatan.notifications.policies import DEFAULT_POLICY, policy_in_force
from jembatan.notifications.routing import missions_for
from jembatan.people.models import Person
from jembatan.reference.models import Country, ForeignMission

logger = logging.getLogger(__name__)

# Reasons a recorded request for notification reopens (the person asked after all):
# awaiting the answer, declined, held back for a protected person who had not asked.
REOPENED_REASONS = frozenset({Reason.NOT_ASKED, Reason.DECLINED, Reason.PROTECTED_PERSON})
REFERENCE_PREFIX = "NK"

K = CaseEvent.Kind


# --- the facts ---------------------------------------------------------------------------------


def _states(person: Person) -> tuple[list[str], dict[str, Country]]:
    """The person's nationality codes (ICAO codes mapped to their ISO State: D → DEU) and
    the Country row of each, primary nationality first."""
    codes: list[str] = []
    by_code: dict[str, Country] = {}
    links = person.nationality_links.select_related("country").order_by("-is_primary", "pk")
    for link in links:
        country = link.country
        if country.kind == Country.Kind.ICAO and country.iso_equivalent:
            country = Country.objects.filter(code=country.iso_equivalent).first() or country
        if country.code not in by_code:
            codes.append(country.code)
            by_code[country.code] = country
    return codes, by_code


def latest_rights_advice(case: Case) -> ConsularRightsAdvice | None:
    """The person's latest answer: on this case, else on any other case of theirs (an
    administrative action on someone detained earlier)."""
    advice = ConsularRightsAdvice.objects.filter(case=case).order_by("-informed_at", "-created_at").first()
    if advice is None:
        advice = ConsularRightsAdvice.objects.filter(case__person_id=case.person_id).order_by("-informed_at", "-created_at").first()
    return advice


def _holds_permanent_permit(person: Person, day: dt.date) -> bool | None:
    """True/False from the stay permits of the traffic data (matched on the person's
    documents); None when unknown (no document, no permit, no traffic data)."""
    try:
        from jembatan.traffic.models import PermitType, StayPermit
    except ImportError:  # pragma: no cover - the traffic app ships with the project
        return None
    match = Q()
    for number, state in person.documents.values_list("number", "issuing_state__code"):
        match |= Q(document_number=number, issuing_state=state)
    if not match:
        return None
    permit = StayPermit.objects.filter(match, issued_on__lte=day).order_by("-issued_on").first()
    if permit is None:
        return None
    return permit.permit_type == PermitType.PERMANENT_STAY and permit.status == StayPermit.Status.ACTIVE and permit.expires_on >= day


def place_province(case: Case) -> str:
    """The province of the place: the detention centre's, else the reporting office's."""
    if case.detention_centre_id:
        return case.detention_centre.province  # type: ignore[union-attr]
    unit = case.reporting_unit
    if unit is not None:
        for place in (unit.detention_centre, unit.immigration_office):
            if place is not None and place.province:
                return str(place.province)
    return ""


def office_zone(case: Case) -> str:
    unit = case.reporting_unit
    return (unit.time_zone if unit is not None and unit.time_zone else "") or case.time_zone or settings.TIME_ZONE


def _original_trigger(case: Case) -> str | None:
    return rules.trigger_for_entry(entry_kind=rules.ENTRY_CREATED, case_kind=case.kind)


# --- numbering ---------------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    prefix = f"{REFERENCE_PREFIX}-{year}-"
    last = Notification.objects.filter(reference__startswith=prefix).order_by("-reference").values_list("reference", flat=True).first()
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def _create_notification(**values: Any) -> Notification:
    """A notification with the next `NK-YYYY-NNNNNN` number (a concurrent writer taking the
    same number makes this one retry with the next)."""
    year = timezone.localdate().year
    for _attempt in range(10):
        try:
            with transaction.atomic():
                return Notification.objects.create(reference=_next_reference(year), **values)
        except IntegrityError:
            continue
    raise RuntimeError("Could not number a notification after 10 attempts")


# --- deciding ----------------------------------------------------------------------------------


def _policy_facts(policy: CountryPolicy | None) -> rules.PolicyFacts:
    if policy is None:
        return rules.PolicyFacts()
    return rules.PolicyFacts(
        mode=policy.mode,
        covers_protected_persons=policy.covers_protected_persons,
        excludes_permanent_residents=policy.excludes_permanent_residents,
    )


def _rule_version(policy: CountryPolicy | None) -> str:
    return f"{rules.RULES_VERSION}; {policy.rule_version if policy is not None else DEFAULT_POLICY.rule_version}"[:200]


def _reopened_countries(case: Case, trigger: str, event: CaseEvent) -> set[int]:
    """The countries whose latest decision on the case's first event waited for the
    person's answer, followed a decline, or held the notice back."""
    latest: dict[int, str] = {}
    decisions = (
        NotificationDecision.objects.filter(case=case, trigger=trigger, country__isnull=False)
        .exclude(case_event=event)
        .order_by("decided_at")
        .values_list("country_id", "reason")
    )
    for country_id, reason in decisions:
        latest[country_id] = reason
    return {country_id for country_id, reason in latest.items() if reason in REOPENED_REASONS}


def assess_case_event(case_event_id: Any) -> list[NotificationDecision]:
    """Decide about one timeline entry (idempotent: an entry already decided returns its
    decisions). Returns [] for an entry that is not notifiable."""
    with transaction.atomic():
        event = CaseEvent.objects.select_related("case").get(pk=case_event_id)
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("person", "detention_centre", "reporting_unit__detention_centre", "reporting_unit__immigration_office")
            .get(pk=event.case_id)
        )
        existing = list(NotificationDecision.objects.filter(case_event=event))
        if existing:
            return existing
        reopen: set[int] | None = None
        if event.kind == K.RIGHTS_ADVISED:
            if (event.data or {}).get("answer") != "requested":
                return []
            trigger = _original_trigger(case)
            if trigger is None:
                return []
            reopen = _reopened_countries(case, trigger, event)
        else:
            trigger = rules.trigger_for_entry(entry_kind=event.kind, case_kind=case.kind, to_status=event.to_status)
            if trigger is None:
                return []
        at = case.occurred_at if event.kind == K.CREATED else event.occurred_at
        decisions, notifications = (
            ([], []) if reopen is not None and not reopen else _decide(case=case, event=event, trigger=trigger, at=at, reopen=reopen)
        )
        if not decisions:
            # A request for notification with nothing waiting for it: marked as assessed.
            return [
                NotificationDecision.objects.create(
                    case=case,
                    case_event=event,
                    country=None,
                    trigger=trigger,
                    outcome=Outcome.NOT_NOTIFIED,
                    reason=Reason.NOT_NOTIFIABLE,
                    explanation=rules.explain((rules.S_NOTHING_WAITING,), "en"),
                    explanation_id=rules.explain((rules.S_NOTHING_WAITING,), "id"),
                    rule_version=rules.RULES_VERSION,
                )
            ]
        _record(case=case, event=event, decisions=decisions, notifications=notifications)
    return decisions


def _decide(
    *, case: Case, event: CaseEvent, trigger: str, at: dt.datetime, reopen: set[int] | None
) -> tuple[list[NotificationDecision], list[Notification]]:
    person = case.person
    codes, by_code = _states(person)
    policies = {code: policy_in_force(country, at) for code, country in by_code.items() if code != rules.INDONESIA}
    needs_permit = any(p is not None and p.mode == NotificationMode.MANDATORY and p.excludes_permanent_residents for p in policies.values())
    advice = latest_rights_advice(case)
    situation = rules.Situation(
        trigger=trigger,
        nationalities=tuple(codes),
        policies={code: _policy_facts(policy) for code, policy in policies.items()},
        is_refugee=person.is_refugee,
        is_asylum_seeker=person.is_asylum_seeker,
        is_stateless=person.is_stateless,
        rights_answer=advice.answer if advice is not None else rules.ANSWER_NONE,
        holds_permanent_permit=_holds_permanent_permit(person, at.date()) if needs_permit else None,
    )
    results = rules.decide(situation)
    if reopen is not None:
        results = [r for r in results if r.country is not None and by_code[r.country].pk in reopen]
    province = place_province(case)
    zone = office_zone(case)
    decisions: list[NotificationDecision] = []
    notifications: list[Notification] = []
    for result in results:
        country = by_code.get(result.country) if result.country else None
        policy = policies.get(result.country) if result.country else None
        decision = NotificationDecision.objects.create(
            case=case,
            case_event=event,
            country=country,
            trigger=trigger,
            outcome=result.outcome,
            reason=result.reason,
            explanation=result.explanation,
            explanation_id=result.explanation_id,
            policy=policy,
            rule_version=_rule_version(policy) if country is not None else rules.RULES_VERSION,
        )
        decisions.append(decision)
        if not result.notify or country is None:
            continue
        hours = policy.deadline_hours if policy is not None else DEFAULT_POLICY.deadline_hours
        automatic = policy.automatic_dispatch if policy is not None else False
        missions, via = missions_for(country, province=province, protecting_power=policy.protecting_power if policy else None)
        targets: list[ForeignMission | None] = list(missions) or [None]
        for mission in targets:
            notifications.append(
                _create_notification(
                    decision=decision,
                    case=case,
                    person=person,
                    country=country,
                    mission=mission,
                    via_protecting_power=via,
                    trigger=trigger,
                    basis=result.reason,
                    status=NotificationStatus.TO_CHECK,
                    event_at=at,
                    time_zone=zone,
                    due_at=at + dt.timedelta(hours=hours),
                    automatic=automatic and mission is not None,
                    is_demo=case.is_demo,
                )
            )
    return decisions, notifications


def _neutral_line(decision: NotificationDecision, notices: list[Notification]) -> str:
    """What the case timeline says about one decision: never why a notice is held back."""
    code = decision.country.code if decision.country is not None else ""
    if notices:
        return "; ".join(
            f"{n.reference}: {code} → "
            + (
                f"{n.mission.name_id} / {n.mission.name_en}"
                if n.mission
                else "tidak ada perwakilan tercatat, kirim melalui saluran lain / no mission on record, send by another channel"
            )
            for n in notices
        )
    # Stored text on the timeline, read in either language: Indonesian / English.
    if decision.reason == Reason.LOCAL_NATIONAL:
        return f"{code}: tidak ada notifikasi (juga WNI) / no notice (also an Indonesian national)"
    if decision.reason == Reason.STATELESS:
        return "Tidak ada notifikasi: tidak ada negara kewarganegaraan tercatat / No notice: no State of nationality on record"
    if decision.reason == Reason.DECLINED:
        return f"{code}: tidak ada notifikasi (yang bersangkutan menolak) / no notice (the person declined)"
    return f"{code}: belum ada notifikasi pada tahap ini / no notice at this stage"


def _record(*, case: Case, event: CaseEvent, decisions: list[NotificationDecision], notifications: list[Notification]) -> None:
    by_decision: dict[Any, list[Notification]] = {}
    for notification in notifications:
        by_decision.setdefault(notification.decision_id, []).append(notification)
    lines = [_neutral_line(d, by_decision.get(d.pk, [])) for d in decisions]
    case_event_record(
        case=case,
        kind=K.NOTIFICATION_DECIDED,
        actor=None,
        summary="Notifikasi kekonsuleran / Consular notification: " + " | ".join(lines),
        data={
            "case_event_id": str(event.pk),
            "trigger": decisions[0].trigger if decisions else "",
            "notifications": [n.reference for n in notifications],
        },
    )
    audit_record(
        action=AuditAction.NOTIFICATION_DECIDED,
        target=case,
        actor=None,
        data={
            "reference": case.reference,
            "case_event_id": str(event.pk),
            "decisions": [
                {
                    "id": str(d.pk),
                    "country": d.country.code if d.country else None,
                    "trigger": d.trigger,
                    "outcome": d.outcome,
                    "reason": d.reason,
                    "rule_version": d.rule_version,
                }
                for d in decisions
            ],
            "notifications": [n.reference for n in notifications],
        },
    )
    to_check: list[Notification] = []
    for notification in notifications:
        if notification.automatic:
            from jembatan.notifications.dispatch import notification_dispatch

            notification_dispatch(actor=None, notification=notification)
        else:
            to_check.append(notification)
    if to_check:
        _alert_desk(case, to_check)


def _notification_url(notification: Notification) -> str:
    try:
        return reverse("notifications:detail", kwargs={"notification_id": notification.pk})
    except NoReverseMatch:
        return ""


def _alert_desk(case: Case, notifications: list[Notification]) -> None:
    desk = users_with_capability("notifications.dispatch_notification")
    for notification in notifications:
        local_due = timezone.localtime(notification.due_at, timezone=_zone(notification.time_zone))
        without_mission = notification.mission is None
        alert_send(
            recipients=desk,
            title=f"Consular notification to check: {notification.reference} ({notification.country.code})"
            + (" — no mission on record" if without_mission else ""),
            body=(
                f"Case {case.reference}. Due by {local_due:%d %b %Y %H:%M} ({notification.time_zone})."
                + (" The country has no mission or protecting power on record: send it by another channel." if without_mission else "")
            ),
            url=_notification_url(notification),
            level=Alert.Level.URGENT if without_mission else Alert.Level.WARNING,
            dedupe_key=f"notification:{notification.pk}:to_check",
        )


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


# --- finding what to assess --------------------------------------------------------------------


def assess_since() -> dt.datetime | None:
    """`settings.NOTIFICATIONS_ASSESS_SINCE` as an aware datetime (a datetime, or an ISO
    8601 string; a date-only string means its start in Jakarta), or None."""
    value = getattr(settings, "NOTIFICATIONS_ASSESS_SINCE", None)
    if not value:
        return None
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            parsed = dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
        value = parsed
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if timezone.is_naive(value):
        value = timezone.make_aware(value, _zone(settings.TIME_ZONE))
    return value


def pending_entries() -> QuerySet[CaseEvent]:
    """Timeline entries that stand for a notifiable event and have no decision yet, oldest
    first. Mirrors `rules.trigger_for_entry` (plus requests for notification)."""
    candidates = (
        Q(kind=K.CREATED)
        | Q(kind=K.STATUS_CHANGED, to_status__in=list(rules.STATUS_TRIGGERS))
        | Q(kind=K.STATUS_CHANGED, to_status=CaseStatus.EXECUTED, case__kind=CaseKind.DEPORTATION)
        | Q(kind__in=list(rules.EVENT_TRIGGERS))
        | Q(kind=K.RIGHTS_ADVISED, data__answer="requested")
    )
    entries = CaseEvent.objects.filter(candidates, case__kind__in=list(NOTIFIABLE_KINDS)).filter(notification_decisions__isnull=True)
    since = assess_since()
    if since is not None:
        entries = entries.filter(recorded_at__gte=since)
    return entries.order_by("recorded_at", "pk")


def assess_pending(limit: int = 200) -> int:
    """Assess up to `limit` pending entries; returns how many were decided. An entry that
    fails is logged and left for the next run (the others go on)."""
    done = 0
    for event_id in list(pending_entries().values_list("pk", flat=True)[:limit]):
        try:
            if assess_case_event(event_id):
                done += 1
        except Exception:  # one bad entry must not stop the others; it is retried next run
            logger.exception("Assessing case event %s failed", event_id)
    return done


@job(queue="short")
def assess_pending_job() -> int:
    """Periodic (JOBS_PERIODIC "notifications.assess", every 30 s)."""
    return assess_pending()
