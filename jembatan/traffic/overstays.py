"""Overstays: foreigners whose stay permit has expired and who have not left, and the
the list supervisors review before proposing the administrative actions the law calls
for (UU 6/2011 art. 78).

**Who is an overstayer on a day D** (`as_of`, Jakarta date):

- their *current* permit — the latest by `issued_on` for the travel document (a renewal
  or conversion supersedes the earlier one) — has status active or expired and expired
  before D (`expires_on` < D); cancelled or converted permits and citizens' records are
  not counted;
- and they have not left: the last crossing of the permit's own period (the day before
  `issued_on` to the end of `expires_on`) is an arrival, or there is none (a renewal in
  the country), and there is no crossing after expiry up to D (a departure ended the
  overstay; an arrival needs a new permit record first).

`days over` = D − `expires_on` (the day after expiry is day 1), as art. 78 counts.

**Proposals** belong to the case register (layer 6, above this app): the confirm page and
`overstay_propose_actions` are in `jembatan.cases.overstays` (URL `cases:overstay_propose`,
which the list links to by name). They record `OVERSTAY_ACTION_PROPOSED` on the permit:
the list reads that audit event to mark a row "action proposed". The list's "what art. 78
calls for" column comes from the callable named by `JEMBATAN_OVERSTAY_OUTCOMES` (the
register's rule), so this module imports nothing above it (docs/traffic.md, "Layering").

**The daily scan** (`overstays_scan_job`) alerts immigration supervisors of overstays
that began since the last scan; it never creates cases by itself: an overstay may have an
explanation the data does not show (a pending extension, hospitalisation, a permit issued
on paper), and art. 78 actions are decisions an official takes and signs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import DateTimeField, Exists, Func, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from jembatan.accounts.permissions import actor_can
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.audit.services import audit_read
from jembatan.core.exceptions import NotFound, PermissionDenied
from jembatan.core.jobs import job
from jembatan.people.models import IdentityDocument, Person
from jembatan.people.permissions import is_mission_actor
from jembatan.traffic.aggregates import STATISTICS_ZONE
from jembatan.traffic.models import Crossing, Direction, PermitType, StayPermit

VIEW_OVERSTAYS = "traffic.view_overstays"
PROPOSE_OVERSTAY_ACTION = "traffic.propose_overstay_action"
COUNTED_STATUSES = (StayPermit.Status.ACTIVE, StayPermit.Status.EXPIRED)
PERMIT_OBJECT_TYPE = StayPermit._meta.label_lower
COUNT_CACHE_SECONDS = 600

# Days-over bands of the overstay list: (code, lowest, highest or None).
DAY_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-180", 61, 180),
    ("181-365", 181, 365),
    ("366-", 366, None),
)


def _can(actor: Any, codename: str) -> bool:
    """Traffic is never a mission's to read, whatever its token holds."""
    return actor_can(actor, codename) and not is_mission_actor(actor)


def may_view_overstays(actor: Any) -> bool:
    return _can(actor, VIEW_OVERSTAYS)


def may_propose(actor: Any) -> bool:
    return _can(actor, PROPOSE_OVERSTAY_ACTION)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=STATISTICS_ZONE)


@dataclass(frozen=True)
class OverstayFilters:
    nationality: str = ""
    band: str = ""
    province: str = ""

    def as_data(self) -> dict[str, str]:
        return {k: v for k, v in {"nationality": self.nationality, "band": self.band, "province": self.province}.items() if v}


@dataclass
class Overstay:
    """One overstayer: the expired permit, days over on `as_of`, the last crossing, the
    person in the register holding the document (if the actor may see them) and whether
    actions were already proposed for this permit."""

    permit: StayPermit
    as_of: dt.date
    days_over: int
    last_direction: str | None
    last_crossed_at: dt.datetime | None
    person: Person | None = None
    proposed: bool = False

    @property
    def document_number(self) -> str:
        return self.permit.document_number

    @property
    def issuing_state(self) -> str:
        return self.permit.issuing_state

    @property
    def document_name(self) -> str:
        return f"{self.permit.surname} {self.permit.given_names}".strip()

    def as_data(self) -> dict[str, Any]:
        p = self.permit
        return {
            "permit_id": p.pk,
            "permit_number": p.permit_number,
            "permit_type": p.permit_type,
            "document_number": p.document_number,
            "issuing_state": p.issuing_state,
            "nationality": p.nationality,
            "surname": p.surname,
            "given_names": p.given_names,
            "province": p.province,
            "issued_on": p.issued_on,
            "expires_on": p.expires_on,
            "as_of": self.as_of,
            "days_over": self.days_over,
            "last_crossing_at": self.last_crossed_at.astimezone(dt.UTC) if self.last_crossed_at else None,
            "person_id": self.person.pk if self.person else None,
            "proposed": self.proposed,
        }


class DayStart(Func):
    """The start (00:00 in Asia/Jakarta) of a date column plus `days`, as a timestamp
    comparable with `crossed_at` on the column's own terms — so the crossings index (and,
    on PostgreSQL, run-time partition pruning) serves correlated ranges on `crossed_at`."""

    output_field = DateTimeField()

    def __init__(self, expression: Any, *, days: int = 0) -> None:
        super().__init__(expression)
        self.days = int(days)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"((({sql}) + {self.days})::timestamp AT TIME ZONE 'Asia/Jakarta')", params

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores UTC as 'YYYY-MM-DD HH:MM:SS[.ffffff]'; WIB is UTC+7 all year.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"datetime({sql}, '{self.days:+d} days', '-7 hours')", params


def overstay_queryset(*, as_of: dt.date, min_days: int = 1, filters: OverstayFilters | None = None) -> QuerySet[StayPermit]:
    """The current, expired permits of travellers still in the country on `as_of`, at
    least `min_days` over, most days over first (unscoped: callers check capabilities).

    A permit counts when (1) no later permit of the document exists, (2) the last crossing
    of the permit's own period — from the day before `issued_on` to the end of
    `expires_on`, Jakarta days — is an arrival or there is none (a stay permit is granted on
    or after entry, so an earlier departure cannot end this stay; a renewal in the country
    has no crossing in its period), and (3) there is no crossing after expiry up to `as_of`
    (a departure ended the overstay; an arrival needs a new permit first). Annotated with
    `last_direction`/`last_crossed_at` (the last crossing of the permit's period).

    Every crossing condition is a range on `crossed_at` bounded on both sides per permit:
    one index probe each, and on PostgreSQL only the month partitions of that range."""
    filters = filters or OverstayFilters()
    min_days = max(1, int(min_days))
    as_of_end = _day_start(as_of + dt.timedelta(days=1))
    same_document = {"document_number": OuterRef("document_number"), "issuing_state": OuterRef("issuing_state")}
    later_permit = StayPermit.objects.filter(**same_document).filter(
        Q(issued_on__gt=OuterRef("issued_on")) | Q(issued_on=OuterRef("issued_on"), id__gt=OuterRef("id"))
    )
    expiry_end = DayStart(OuterRef("expires_on"), days=1)
    in_period = Crossing.objects.filter(
        **same_document, crossed_at__gte=DayStart(OuterRef("issued_on"), days=-1), crossed_at__lt=expiry_end
    ).order_by("-crossed_at")
    after_expiry = Crossing.objects.filter(**same_document, crossed_at__gte=expiry_end, crossed_at__lt=as_of_end)
    permits = (
        StayPermit.objects.filter(status__in=COUNTED_STATUSES, expires_on__lte=as_of - dt.timedelta(days=min_days))
        .exclude(permit_type=PermitType.CITIZEN)
        .exclude(nationality="IDN")
    )
    if filters.nationality:
        permits = permits.filter(nationality=filters.nationality.upper())
    if filters.province:
        permits = permits.filter(province__iexact=filters.province)
    band = next((b for b in DAY_BANDS if b[0] == filters.band), None)
    if band is not None:
        _code, low, high = band
        permits = permits.filter(expires_on__lte=as_of - dt.timedelta(days=low))
        if high is not None:
            permits = permits.filter(expires_on__gte=as_of - dt.timedelta(days=high))
    return (
        permits.annotate(last_direction=Subquery(in_period.values("direction")[:1]))
        .filter(Q(last_direction__isnull=True) | Q(last_direction=Direction.ARRIVAL))
        .filter(~Exists(later_permit), ~Exists(after_expiry))
        .annotate(last_crossed_at=Subquery(in_period.values("crossed_at")[:1]))
        .order_by("expires_on", "document_number", "issuing_state", "id")
    )


def _attach(actor: Any, rows: list[StayPermit], as_of: dt.date) -> list[Overstay]:
    """Overstay views of a page of permits: the person holding each document (one query)
    and whether actions were proposed (one query)."""
    numbers = {p.document_number for p in rows}
    people: dict[tuple[str, str], Person] = {}
    if numbers and actor is not None:
        visible = Person.objects.visible_to(actor).values("pk")
        documents = IdentityDocument.objects.filter(number__in=numbers, person_id__in=visible).select_related("issuing_state", "person")
        for doc in documents:
            people[(doc.number, doc.issuing_state.code)] = doc.person
            if doc.issuing_state.iso_equivalent:
                people.setdefault((doc.number, doc.issuing_state.iso_equivalent), doc.person)
    proposed = set(
        AuditEvent.objects.filter(
            action=AuditAction.OVERSTAY_ACTION_PROPOSED, object_type=PERMIT_OBJECT_TYPE, object_id__in=[str(p.pk) for p in rows]
        ).values_list("object_id", flat=True)
    )
    return [
        Overstay(
            permit=p,
            as_of=as_of,
            days_over=(as_of - p.expires_on).days,
            last_direction=getattr(p, "last_direction", None),
            last_crossed_at=getattr(p, "last_crossed_at", None),
            person=people.get((p.document_number, p.issuing_state)),
            proposed=str(p.pk) in proposed,
        )
        for p in rows
    ]


def overstays(
    *, actor: Any, as_of: dt.date | None = None, min_days: int = 1, filters: OverstayFilters | None = None, limit: int | None = None
) -> list[Overstay]:
    """Persons whose latest permit expired with no departure after it, most days over
    first (see the module's rule). Needs `traffic.view_overstays` (never a mission);
    records `OVERSTAYS_VIEWED` with the filters."""
    if not may_view_overstays(actor):
        raise PermissionDenied()
    as_of = as_of or timezone.localdate()
    filters = filters or OverstayFilters()
    audit_read(
        actor=actor,
        action=AuditAction.OVERSTAYS_VIEWED,
        target=(PERMIT_OBJECT_TYPE, "", ""),
        data={"as_of": as_of.isoformat(), "min_days": min_days, **filters.as_data()},
    )
    rows = overstay_queryset(as_of=as_of, min_days=min_days, filters=filters)
    return _attach(actor, list(rows[:limit] if limit else rows), as_of)


def overstays_page(*, actor: Any, rows: list[StayPermit], as_of: dt.date) -> list[Overstay]:
    """Overstay views of one page of `overstay_queryset` (pages and the API paginate the
    queryset; they audit the listing through `overstays_list_audit`)."""
    if not may_view_overstays(actor):
        raise PermissionDenied()
    return _attach(actor, rows, as_of)


def overstays_list_audit(*, actor: Any, as_of: dt.date, filters: OverstayFilters, page: int = 1) -> None:
    if not may_view_overstays(actor):
        raise PermissionDenied()
    audit_read(
        actor=actor,
        action=AuditAction.OVERSTAYS_VIEWED,
        target=(PERMIT_OBJECT_TYPE, "", ""),
        data={"as_of": as_of.isoformat(), "page": page, **filters.as_data()},
    )


def overstay_get(*, actor: Any, permit_id: Any, as_of: dt.date | None = None) -> Overstay:
    """One overstay by its permit (the confirm page); `NotFound` if the permit is not a
    current overstay on `as_of`. Needs `traffic.view_overstays`; records `OVERSTAYS_VIEWED`."""
    if not may_view_overstays(actor):
        raise PermissionDenied()
    as_of = as_of or timezone.localdate()
    try:
        permit = overstay_queryset(as_of=as_of).get(pk=int(permit_id))
    except (StayPermit.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None
    audit_read(
        actor=actor,
        action=AuditAction.OVERSTAYS_VIEWED,
        target=permit,
        data={"as_of": as_of.isoformat(), "permit_id": permit.pk},
    )
    return _attach(actor, [permit], as_of)[0]


def _count_key(day: dt.date) -> str:
    return f"traffic:overstay-count:{day.isoformat()}"


def overstay_count_forget() -> None:
    """Drop today's cached count (after actions were proposed: see `overstay_count`)."""
    cache.delete(_count_key(timezone.localdate()))


def overstay_count(*, actor: Any) -> int:
    """How many overstayers there are today (a number: not audited); cached 10 minutes."""
    if not may_view_overstays(actor):
        return 0
    today = timezone.localdate()
    key = _count_key(today)
    value = cache.get(key)
    if value is None:
        value = overstay_queryset(as_of=today).count()
        cache.set(key, value, COUNT_CACHE_SECONDS)
    return int(value)


def overstay_outcomes(days: set[int], *, on: dt.date) -> dict[int, Any]:
    """The art. 78 assessment for each number of days over (the list's "what the law
    calls for" column; each has `is_charge`), from the callable `(days, on=) -> dict`
    named by `JEMBATAN_OVERSTAY_OUTCOMES` (the case register's rule in force on `on`);
    {} when none is set or no rule is in force."""
    path = getattr(settings, "JEMBATAN_OVERSTAY_OUTCOMES", "")
    if not path or not days:
        return {}
    found: dict[int, Any] = import_string(path)(set(days), on=on)
    return found


# --- the daily scan -------------------------------------------------------------------------

SCAN_ALERT_PREFIX = "traffic-overstays-"


def overstays_scan(*, today: dt.date | None = None) -> int:
    """Alert immigration supervisors (`traffic.propose_overstay_action`) once about the
    overstays that began since the last scan that found some (or yesterday, the first
    time): permits that expired on or after that scan's day and before `today`. Returns
    how many overstays were new. Idempotent per day (alert dedupe key)."""
    from jembatan.accounts.alerts import alert_send, users_with_capability
    from jembatan.accounts.models import Alert

    today = today or timezone.localdate()
    last = (
        Alert.objects.filter(dedupe_key__startswith=SCAN_ALERT_PREFIX).order_by("-dedupe_key").values_list("dedupe_key", flat=True).first()
    )
    since = today - dt.timedelta(days=1)
    if last:
        try:
            scanned = dt.date.fromisoformat(last.removeprefix(SCAN_ALERT_PREFIX))
        except ValueError:
            scanned = None
        if scanned is not None and scanned < today:
            since = scanned
        elif scanned == today:
            return 0
    new = overstay_queryset(as_of=today).filter(expires_on__gte=since, expires_on__lt=today).count()
    if not new:
        return 0
    recipients = users_with_capability(PROPOSE_OVERSTAY_ACTION)
    url = reverse("traffic:overstays") + "?band=1-30"
    with transaction.atomic():
        alert_send(
            recipients=recipients,
            title=f"{new} overstay baru / new overstays ({today.isoformat()})",
            body=(
                f"{new} orang asing melewati izin tinggalnya sejak {since.isoformat()} dan belum tercatat keluar. "
                f"{new} foreign nationals passed the end of their stay permit since {since.isoformat()} "
                "with no departure recorded. Review them and propose the actions of UU 6/2011 art. 78."
            ),
            url=url,
            level=Alert.Level.WARNING,
            dedupe_key=f"{SCAN_ALERT_PREFIX}{today.isoformat()}",
        )
    return new


@job(queue="short", retries=2, backoff_seconds=300)
def overstays_scan_job() -> int:
    """Daily (JOBS_PERIODIC `traffic.overstays_scan`): see `overstays_scan`."""
    return overstays_scan()
