"""Background jobs of the case register: the detention-ceiling sweep (UU 6/2011 art. 85).
The lapse of bans is `cases.bans.bans_lapse_job`."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from jembatan.accounts.models import Agency, Alert, User
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.lifecycle import DETENTION_CEILING_YEARS, CaseKind, CaseStatus, add_years
from jembatan.cases.models import Case, CaseEvent
from jembatan.cases.timeline import case_event_record
from jembatan.core.jobs import job

logger = logging.getLogger(__name__)

# Who is alerted: the immigration supervisors of the reporting agency.
SUPERVISOR_CAPABILITIES = ("cases.override_immunity", "cases.view_all_case")
CEILING_WARNING_DAYS = 30


@dataclass(frozen=True)
class Milestone:
    """A point in a detention's life at which supervisors are alerted once."""

    code: str
    level: str
    due: Callable[[dt.date, dt.date], dt.date]  # (start, ceiling) -> the day it is reached


# domain.md §8.5: alerts at 1, 5, 9 and 10 years; plus 30 days before the ceiling, so a
# supervisor has a month to decide on release under art. 85(2).
MILESTONES: tuple[Milestone, ...] = (
    Milestone("year_1", Alert.Level.INFO, lambda start, ceiling: add_years(start, 1)),
    Milestone("year_5", Alert.Level.WARNING, lambda start, ceiling: add_years(start, 5)),
    Milestone("year_9", Alert.Level.URGENT, lambda start, ceiling: add_years(start, 9)),
    Milestone("ceiling_30_days", Alert.Level.URGENT, lambda start, ceiling: ceiling - dt.timedelta(days=CEILING_WARNING_DAYS)),
    Milestone("ceiling_reached", Alert.Level.URGENT, lambda start, ceiling: ceiling),
)


def _zone(case: Case) -> ZoneInfo:
    try:
        return ZoneInfo(case.time_zone or settings.TIME_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def detention_start(case: Case) -> dt.date:
    """The first day of detention, in the zone of the place."""
    return case.occurred_at.astimezone(_zone(case)).date()


def detention_ceiling(case: Case) -> dt.date:
    """The statutory ceiling (art. 85: 10 years): the recorded one, else computed."""
    return case.detention_ceiling_on or add_years(detention_start(case), DETENTION_CEILING_YEARS)


def _milestone_texts(case: Case, milestone: Milestone, due_on: dt.date, ceiling: dt.date) -> tuple[str, str]:
    """Title and body in the active language. No names: the alert is also e-mailed."""
    values = {
        "reference": case.reference,
        "due": formats.date_format(due_on, "j F Y"),
        "ceiling": formats.date_format(ceiling, "j F Y"),
        "start": formats.date_format(detention_start(case), "j F Y"),
        "place": case.detention_centre.name if case.detention_centre_id and case.detention_centre else case.place_description or "—",
    }
    titles = {
        "year_1": _("Detention %(reference)s has lasted 1 year"),
        "year_5": _("Detention %(reference)s has lasted 5 years"),
        "year_9": _("Detention %(reference)s has lasted 9 years"),
        "ceiling_30_days": _("Detention %(reference)s reaches its 10-year ceiling on %(ceiling)s"),
        "ceiling_reached": _("Detention %(reference)s has reached its 10-year ceiling"),
    }
    body = _(
        "Detained since %(start)s at %(place)s; milestone reached on %(due)s. Detention may last at most 10 years, "
        "until %(ceiling)s (UU 6/2011 art. 85); after that the person may be released under conditions. "
        "Review whether deportation can be carried out."
    )
    return titles[milestone.code] % values, body % values


def _case_url(case: Case) -> str:
    try:
        return reverse("cases:detail", kwargs={"case_id": case.pk})
    except NoReverseMatch:  # the case pages are not installed (a trimmed-down deployment)
        return ""


def _supervisors(agency_id: Any, cache: dict[Any, list[User]]) -> list[User]:
    """The immigration supervisors of the reporting agency; if it has none (a detention
    reported by a partner agency), those of every immigration agency."""
    from jembatan.accounts.alerts import users_with_capability

    if agency_id in cache:
        return cache[agency_id]
    agency = Agency.objects.filter(pk=agency_id).first()

    def of(agencies: list[Agency]) -> list[User]:
        found: dict[Any, User] = {}
        for one in agencies:
            for codename in SUPERVISOR_CAPABILITIES:
                for user in users_with_capability(codename, agency=one):
                    found[user.pk] = user
        return sorted(found.values(), key=lambda u: u.username)

    recipients = of([agency]) if agency is not None else []
    if not recipients:
        recipients = of(list(Agency.objects.filter(kind=Agency.Kind.IMMIGRATION, is_active=True)))
    cache[agency_id] = recipients
    return recipients


def _alert(case: Case, milestone: Milestone, due_on: dt.date, ceiling: dt.date, recipients: list[User]) -> None:
    from jembatan.accounts.alerts import alert_send

    by_language: dict[str, list[User]] = defaultdict(list)
    for user in recipients:
        by_language[user.preferred_language or settings.LANGUAGE_CODE].append(user)
    for language, users in sorted(by_language.items()):
        with translation.override(language):
            title, body = _milestone_texts(case, milestone, due_on, ceiling)
        alert_send(
            recipients=users,
            title=title,
            body=body,
            url=_case_url(case),
            level=milestone.level,
            dedupe_key=f"cases:ceiling:{case.pk}:{milestone.code}",
        )


def _record_milestone(case_id: Any, milestone: Milestone, today: dt.date, recipients_cache: dict[Any, list[User]]) -> bool:
    """Record one reached milestone of one detention, once: lock, re-check, write the
    timeline entry, alert, audit. Returns False when it was already recorded."""
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None or case.kind != CaseKind.DETENTION or case.status != CaseStatus.DETAINED:
            return False
        if CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CEILING_ALERT, data__milestone=milestone.code).exists():
            return False
        start, ceiling = detention_start(case), detention_ceiling(case)
        due_on = milestone.due(start, ceiling)
        if due_on > today:
            return False
        recipients = _supervisors(case.reporting_agency_id, recipients_cache)
        data = {
            "milestone": milestone.code,
            "due_on": due_on.isoformat(),
            "detained_since": start.isoformat(),
            "ceiling_on": ceiling.isoformat(),
            "recorded_late": due_on < today,
            "recipients": [u.username for u in recipients],
        }
        with translation.override(settings.LANGUAGE_CODE):
            summary, _body = _milestone_texts(case, milestone, due_on, ceiling)
        case_event_record(
            case=case,
            kind=CaseEvent.Kind.CEILING_ALERT,
            actor=None,
            summary=summary,
            data=data,
            occurred_at=dt.datetime.combine(due_on, dt.time.min, tzinfo=_zone(case)),
        )
        if recipients:
            _alert(case, milestone, due_on, ceiling, recipients)
        else:
            logger.warning("No supervisor to alert for %s milestone %s", case.reference, milestone.code)
        audit_record(action=AuditAction.CASE_CEILING_ALERTED, target=case, actor=None, data=data)
    return True


def detention_ceiling_sweep(*, today: dt.date, time_zone: str | None = None) -> int:
    """Alert the supervisors of every detention in progress that has reached a milestone
    (1, 5 and 9 years; 30 days before and on its ceiling) by `today`.

    Each milestone of each case is recorded once, as a `CEILING_ALERT` timeline entry with
    `milestone` in its data, and alerted once per supervisor (`alert_send` dedupe key
    `cases:ceiling:<case>:<milestone>`). Idempotent and safe after an outage: every
    milestone due by `today` and not yet recorded is caught up, however old; none is
    alerted twice. `time_zone` restricts the run to cases in that zone. Returns how many
    milestones were recorded.
    """
    # A detention younger than a year has no milestone unless its recorded ceiling is near.
    cutoff = add_years(today, -1) + dt.timedelta(days=2)
    cutoff_moment = dt.datetime.combine(cutoff, dt.time.min, tzinfo=dt.UTC)
    candidates = Case.objects.filter(kind=CaseKind.DETENTION, status=CaseStatus.DETAINED).filter(
        Q(occurred_at__lt=cutoff_moment) | Q(detention_ceiling_on__lte=today + dt.timedelta(days=CEILING_WARNING_DAYS))
    )
    if time_zone is not None:
        candidates = candidates.filter(time_zone=time_zone)
    rows = list(candidates.order_by("occurred_at", "pk").only("pk", "occurred_at", "time_zone", "detention_ceiling_on"))
    done: set[tuple[Any, str]] = set()
    for case_id, data in CaseEvent.objects.filter(case_id__in=[c.pk for c in rows], kind=CaseEvent.Kind.CEILING_ALERT).values_list(
        "case_id", "data"
    ):
        done.add((case_id, (data or {}).get("milestone", "")))
    cache: dict[Any, list[User]] = {}
    recorded = 0
    for case in rows:
        start, ceiling = detention_start(case), detention_ceiling(case)
        for milestone in MILESTONES:
            if (case.pk, milestone.code) in done or milestone.due(start, ceiling) > today:
                continue
            recorded += _record_milestone(case.pk, milestone, today, cache)
    return recorded


@job(queue="short")
def detention_ceiling_job() -> int:
    """Daily: run the sweep for each zone with that zone's date (see the sweep for
    idempotency; a day missed is caught up by the next run)."""
    now = timezone.now()
    zones = Case.objects.filter(kind=CaseKind.DETENTION, status=CaseStatus.DETAINED).values_list("time_zone", flat=True).distinct()
    total = 0
    for zone in sorted(set(zones)):
        try:
            today = now.astimezone(ZoneInfo(zone)).date()
        except (KeyError, ValueError):
            today = timezone.localdate(now)
        total += detention_ceiling_sweep(today=today, time_zone=zone)
    return total
