"""Reads of immigration traffic: whereabouts (is this person in the country, and since
when?) by travel document or by name and date of birth.

Every lookup needs `traffic.view_whereabouts` and a stated purpose, is refused to foreign
missions whatever they hold (the consular desk answers their inquiries), and is recorded
in the audit log as `WHEREABOUTS_QUERIED` with the purpose and the question asked — never
the answer.

The lookup by document is the hot path (p95 < 20 ms on 10M crossings, PostgreSQL): one
index range scan backwards on (`document_number`, `issuing_state`, `crossed_at`) with a
LIMIT, one on the permit index, and the person/case lookups only when the document is
in the register. The name search pre-filters candidates by index (name-key prefixes and
year of birth) before fuzzy scoring with rapidfuzz.

This app never imports the case register (layer 6, above it: DESIGN.md). The answer
carries the ids of the register's persons holding the document (`people`, below); the
open cases are added by the apps above through the `JEMBATAN_WHEREABOUTS_EXTRAS`
extension point (dotted paths of callables `(actor, person_ids) -> list[dict]`; the case
register's is `jembatan.cases.selectors.open_cases_for_whereabouts`), the same pattern as
the page sections (docs/traffic.md, "Layering").
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from jembatan.accounts.permissions import actor_can
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_read
from jembatan.core.exceptions import ApplicationError, PermissionDenied
from jembatan.people.models import IdentityDocument, Person
from jembatan.people.permissions import is_mission_actor
from jembatan.people.querysets import normalise_search_text
from jembatan.reference.models import Checkpoint, Country
from jembatan.traffic.models import Crossing, Direction, PermitType, StayPermit

VIEW_WHEREABOUTS = "traffic.view_whereabouts"
LAST_CROSSINGS = 10
PURPOSE_MAX_LENGTH = 300
# rapidfuzz score (0–100) from which a name counts as matching.
NAME_MATCH_THRESHOLD = 80
# At most this many travellers (documents) are answered for one name search, best first.
NAME_RESULTS_MAX = 20
# At most this many crossing rows are scored for one name search.
NAME_CANDIDATES_MAX = 5000
NAME_PREFIX_LENGTH = 3
# Permit statuses under which the holder may stay (until `expires_on`).
STAYING_STATUSES = frozenset({StayPermit.Status.ACTIVE})

_DOCUMENT_JUNK = re.compile(r"[\s<\-/.]+")
_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")
_BIRTH = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2}))?(?:[-/.](\d{1,2}))?\s*$")


# --- inputs -------------------------------------------------------------------------------


def normalise_document_number(number: str) -> str:
    """As printed in the MRZ: upper case, no spaces, fillers or dashes."""
    return _DOCUMENT_JUNK.sub("", number or "").upper()


def parse_partial_birth(value: Any) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) from a date, "YYYY-MM-DD" (00 for an unknown day or month, as in
    the exchange format), "YYYY-MM", "YYYY" or a tuple; None parts are unknown.

    Raises `ApplicationError` (field `birth_date`) for anything else or an impossible date.
    """
    if isinstance(value, dt.date):
        return value.year, value.month, value.day
    if isinstance(value, tuple):
        parts = (list(value) + [None, None, None])[:3]
        year, month, day = (int(p) if p else None for p in parts)
    else:
        match = _BIRTH.match(str(value or ""))
        if not match:
            raise ApplicationError(
                _("Enter the date of birth as YYYY-MM-DD, with 00 for an unknown day or month (or just the year)."),
                field="birth_date",
            )
        year, month, day = (int(g) if g and int(g) else None for g in match.groups())
    if year is None or not 1900 <= year <= 2100:
        raise ApplicationError(_("Enter at least the year of birth, such as 1980."), field="birth_date")
    if month is None and day is not None:
        raise ApplicationError(_("Enter the month of birth when you enter the day."), field="birth_date")
    if month is not None and not 1 <= month <= 12:
        raise ApplicationError(_("Enter a month of birth between 01 and 12."), field="birth_date")
    if day is not None and month is not None:
        try:
            dt.date(year, month, day)
        except ValueError:
            raise ApplicationError(_("Enter a real date of birth."), field="birth_date") from None
    return year, month, day


def _require_purpose(purpose: str) -> str:
    purpose = " ".join((purpose or "").split())
    if not purpose:
        raise ApplicationError(_("Enter the purpose of this lookup, such as the inquiry or case it answers."), field="purpose")
    if len(purpose) > PURPOSE_MAX_LENGTH:
        raise ApplicationError(_("Enter at most %(limit)d characters for the purpose.") % {"limit": PURPOSE_MAX_LENGTH}, field="purpose")
    return purpose


def may_view_whereabouts(actor: Any) -> bool:
    """Holds `traffic.view_whereabouts` and is not a foreign mission."""
    return actor_can(actor, VIEW_WHEREABOUTS) and not is_mission_actor(actor)


def _require_capability(actor: Any) -> None:
    if not may_view_whereabouts(actor):
        raise PermissionDenied()


# --- the answer ----------------------------------------------------------------------------


@dataclass
class CrossingRow:
    """One crossing as the pages show it: time, direction, checkpoint with its zone."""

    crossed_at: dt.datetime
    direction: str
    checkpoint_code: str
    checkpoint_name: str
    time_zone: str
    permit_type: str
    carrier: str

    @property
    def is_arrival(self) -> bool:
        return self.direction == Direction.ARRIVAL

    @property
    def direction_label(self) -> str:
        return str(Direction(self.direction).label)

    @property
    def permit_type_label(self) -> str:
        return str(PermitType(self.permit_type).label) if self.permit_type in PermitType.values else self.permit_type


@dataclass
class Whereabouts:
    """Where a traveller (one travel document) stands today.

    `in_country`: the last crossing is an arrival, or there is no crossing at all but a
    permit allowing the stay today. `since`: the time of that arrival. `permit`: the
    latest stay permit by `issued_on` (renewals supersede), whatever its status.
    `person_ids`: the ids of the register's persons holding the document whom the actor
    may see. `open_cases`: their open cases as far as the actor may see them, from the
    `JEMBATAN_WHEREABOUTS_EXTRAS` callables (dicts with `id`, `reference`, `kind`,
    `status`, `kind_label`, `status_label`; empty when the document is not in the register).
    """

    document_number: str
    issuing_state: str
    found: bool
    today: dt.date
    nationality: str = ""
    surname: str = ""
    given_names: str = ""
    birth_year: int | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    sex: str = ""
    crossings: list[CrossingRow] = field(default_factory=list)
    permit: StayPermit | None = None
    in_country: bool = False
    since: dt.datetime | None = None
    person: Person | None = None
    person_ids: list[Any] = field(default_factory=list)
    open_cases: list[dict[str, Any]] = field(default_factory=list)
    score: float | None = None

    @property
    def last_crossing(self) -> CrossingRow | None:
        return self.crossings[0] if self.crossings else None

    @property
    def document_name(self) -> str:
        return f"{self.surname} {self.given_names}".strip()

    @property
    def birth_date_display(self) -> str:
        if not self.birth_year:
            return ""
        return f"{self.birth_year:04d}-{self.birth_month or 0:02d}-{self.birth_day or 0:02d}"

    @property
    def permit_days_left(self) -> int | None:
        """Days from today to the permit's last day (0 on the last day; negative once over)."""
        if self.permit is None:
            return None
        return (self.permit.expires_on - self.today).days

    @property
    def permit_valid(self) -> bool:
        return self.permit is not None and self.permit.status in STAYING_STATUSES and self.permit.expires_on >= self.today

    @property
    def days_over(self) -> int:
        """Days past the permit's expiry while in the country (0 if not over or not here)."""
        left = self.permit_days_left
        if not self.in_country or left is None or left >= 0:
            return 0
        return -left

    def as_data(self) -> dict[str, Any]:
        """JSON-ready answer (API; the consular desk's reply draws on it)."""
        permit = self.permit
        return {
            "document_number": self.document_number,
            "issuing_state": self.issuing_state,
            "found": self.found,
            "as_of": self.today.isoformat(),
            "nationality": self.nationality,
            "surname": self.surname,
            "given_names": self.given_names,
            "date_of_birth": self.birth_date_display,
            "in_country": self.in_country,
            "since": self.since.astimezone(dt.UTC) if self.since else None,
            "crossings": [
                {
                    "crossed_at": c.crossed_at.astimezone(dt.UTC),
                    "direction": "ARRIVAL" if c.is_arrival else "DEPARTURE",
                    "checkpoint_code": c.checkpoint_code,
                    "checkpoint_name": c.checkpoint_name,
                    "time_zone": c.time_zone,
                    "permit_type": c.permit_type,
                    "carrier": c.carrier,
                }
                for c in self.crossings
            ],
            "permit": (
                {
                    "permit_number": permit.permit_number,
                    "permit_type": permit.permit_type,
                    "status": permit.status,
                    "issued_on": permit.issued_on,
                    "expires_on": permit.expires_on,
                    "days_left": self.permit_days_left,
                    "valid": self.permit_valid,
                }
                if permit
                else None
            ),
            "days_over": self.days_over,
            "person_id": self.person.pk if self.person else None,
            "open_cases": [{key: c[key] for key in ("id", "reference", "kind", "status")} for c in self.open_cases],
            "score": self.score,
        }


def _checkpoints(codes: set[str]) -> dict[str, tuple[str, str]]:
    if not codes:
        return {}
    return {
        cp.code: (cp.name, cp.time_zone) for cp in Checkpoint.objects.filter(code__in=codes).only("code", "name_id", "name_en", "time_zone")
    }


def whereabouts_extras(actor: Any, person_ids: list[Any]) -> list[dict[str, Any]]:
    """What the apps above add to an answer about the register's persons `person_ids`
    (their open cases): each callable of `JEMBATAN_WHEREABOUTS_EXTRAS` does its own
    scoping; none is called when the document is not in the register."""
    if not person_ids:
        return []
    found: list[dict[str, Any]] = []
    for path in getattr(settings, "JEMBATAN_WHEREABOUTS_EXTRAS", []):
        found.extend(import_string(path)(actor, list(person_ids)))
    return found


def equivalent_states(code: str) -> set[str]:
    """`code` and the codes that stand for the same state in travel documents: an ICAO
    code and its ISO country (`D` ↔ `DEU`, `GBD`… → `GBR`), so a lookup by either finds
    crossings recorded under the other."""
    found = {code}
    rows = Country.objects.filter(Q(code=code) | Q(iso_equivalent=code)).values_list("code", "iso_equivalent")
    for other, iso in rows:
        found.add(other)
        if iso:
            found.add(iso)
    return found


def person_of_document(actor: Any, number: str, state: str) -> Person | None:
    """The person in the register holding document `number` of issuing state `state` (an
    ICAO code such as `D` also matches through its ISO equivalent), if `actor` may see them."""
    # Every document type listed, so the unique index (type, number, issuer) is used.
    holders = IdentityDocument.objects.filter(document_type__in=IdentityDocument.DocumentType.values, number=number).filter(
        Q(issuing_state__code=state) | Q(issuing_state__iso_equivalent=state)
    )
    return Person.objects.visible_to(actor).filter(pk__in=holders.values("person_id")).first()


def whereabouts_for(
    *,
    actor: Any,
    document_number: str,
    issuing_state: str,
    today: dt.date | None = None,
    limit: int = LAST_CROSSINGS,
    with_cases: bool = True,
) -> Whereabouts:
    """The answer for one document, without checks or audit: for the callers in this app
    that have done both (selectors, the person section, the benchmark). `with_cases=False`
    leaves out the register's person and what the apps above add (`whereabouts_extras`)."""
    today = today or timezone.localdate()
    states = equivalent_states(issuing_state)
    by_state = {"issuing_state": issuing_state} if len(states) == 1 else {"issuing_state__in": sorted(states)}
    rows = list(
        Crossing.objects.filter(document_number=document_number, **by_state)
        .order_by("-crossed_at")
        .only(
            "crossed_at",
            "direction",
            "checkpoint_code",
            "permit_type",
            "carrier",
            "nationality",
            "surname",
            "given_names",
            "birth_year",
            "birth_month",
            "birth_day",
            "sex",
        )[:limit]
    )
    permit = StayPermit.objects.filter(document_number=document_number, **by_state).order_by("-issued_on", "-id").first()
    answer = Whereabouts(document_number=document_number, issuing_state=issuing_state, found=bool(rows or permit), today=today)
    identity: Any = rows[0] if rows else permit
    if identity is not None:
        answer.nationality = identity.nationality
        answer.surname = identity.surname
        answer.given_names = identity.given_names
        answer.birth_year, answer.birth_month, answer.birth_day = identity.birth_year, identity.birth_month, identity.birth_day
        answer.sex = getattr(identity, "sex", "")
    places = _checkpoints({r.checkpoint_code for r in rows})
    for row in rows:
        name, zone = places.get(row.checkpoint_code, (row.checkpoint_code, "Asia/Jakarta"))
        answer.crossings.append(
            CrossingRow(
                crossed_at=row.crossed_at,
                direction=row.direction,
                checkpoint_code=row.checkpoint_code,
                checkpoint_name=name,
                time_zone=zone,
                permit_type=row.permit_type,
                carrier=row.carrier,
            )
        )
    answer.permit = permit
    last = answer.last_crossing
    if last is not None:
        answer.in_country = last.is_arrival
        answer.since = last.crossed_at if last.is_arrival else None
    else:
        answer.in_country = answer.permit_valid
    if with_cases:
        person = person_of_document(actor, document_number, issuing_state)
        if person is not None:
            answer.person = person
            answer.person_ids = [person.pk]
            answer.open_cases = whereabouts_extras(actor, answer.person_ids)
    return answer


def whereabouts_by_document(
    *, actor: Any, document_number: str, issuing_state: str, purpose: str, audit: bool = True, today: dt.date | None = None
) -> Whereabouts:
    """Where the holder of a travel document is: last crossings, current permit, in the
    country or not and since when, open cases in the register.

    Needs `traffic.view_whereabouts` (never a foreign mission: `PermissionDenied`) and a
    purpose (`ApplicationError`, field `purpose`). Records `WHEREABOUTS_QUERIED` with the
    purpose and the question. `audit=False` is for the benchmark only.
    """
    _require_capability(actor)
    purpose = _require_purpose(purpose)
    number = normalise_document_number(document_number)
    state = (issuing_state or "").strip().upper()
    if not number:
        raise ApplicationError(_("Enter the document number."), field="document_number")
    if not re.fullmatch(r"[A-Z]{1,3}", state):
        raise ApplicationError(_("Enter the issuing state as its ICAO code, such as AUS or D."), field="issuing_state")
    if audit:
        audit_read(
            actor=actor,
            action=AuditAction.WHEREABOUTS_QUERIED,
            target=("traffic.crossing", "", f"{state} {number}"),
            purpose=purpose,
            data={"by": "document", "document_number": number, "issuing_state": state},
        )
    return whereabouts_for(actor=actor, document_number=number, issuing_state=state, today=today)


# --- by name -------------------------------------------------------------------------------


def _is_abjad(text: str) -> bool:
    """Arabic or Hebrew script: vowels are usually not written, so the Latin transliteration
    is compared by its consonants."""
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            if name.startswith(("ARABIC", "HEBREW", "SYRIAC")):
                return True
    return False


def _skeleton(word: str) -> str:
    """Consonants of a word with doubled letters collapsed: "muhammad" → "mhmd"."""
    return _REPEATS.sub(r"\1", _VOWELS.sub("", word))


def name_score(query_key: str, candidate_key: str, *, abjad: bool = False) -> float:
    """How alike two normalised names are (0–100), in any word order and spacing:
    "wangxiuying" (from 王秀英) and "wang xiuying" score 100."""
    if not query_key or not candidate_key:
        return 0.0
    scores = [
        fuzz.token_sort_ratio(query_key, candidate_key),
        fuzz.ratio(query_key.replace(" ", ""), candidate_key.replace(" ", "")),
        0.95 * fuzz.token_set_ratio(query_key, candidate_key),
    ]
    if abjad:
        q = " ".join(_skeleton(w) for w in query_key.split())
        c = " ".join(_skeleton(w) for w in candidate_key.split())
        scores += [fuzz.token_sort_ratio(q, c), 0.95 * fuzz.token_set_ratio(q, c)]
    return float(max(scores))


def _prefixes(query_key: str, *, abjad: bool) -> set[str]:
    """Name-key prefixes that select the candidates through the (`name_key`, `birth_year`)
    index: the first letters of each word (any word may be the surname), and for an abjad
    name the consonant pairs with any vowel between and before them."""
    words = query_key.split()
    found: set[str] = set()
    for word in words:
        found.add(word[:NAME_PREFIX_LENGTH])
        if abjad:
            skeleton = _skeleton(word)
            if len(skeleton) >= 2:
                first, second = skeleton[0], skeleton[1]
                for lead in ("", "a", "e", "i", "o", "u"):
                    for middle in ("", "a", "e", "i", "o", "u"):
                        found.add(f"{lead}{first}{middle}{second}")
            elif skeleton:
                found.update({skeleton, *(f"{v}{skeleton}" for v in "aeiou")})
    # Run-together names of Chinese or Japanese ("wangxiuying"): the first syllable's
    # prefix is the word's own prefix, already there.
    return {p for p in found if p}


def whereabouts_by_name(
    *,
    actor: Any,
    name: str,
    birth_date: Any,
    purpose: str,
    nationality: str | None = None,
    audit: bool = True,
    today: dt.date | None = None,
) -> list[Whereabouts]:
    """Travellers whose name (in any script, fuzzily) and date of birth (partial allowed:
    at least the year) match, best match first, each with their whereabouts.

    The name is normalised like the register's search (`normalise_search_text`: any
    script to lower-case ASCII); candidates come from the crossings index by name-key
    prefix and year of birth, then are scored with rapidfuzz (token order and spacing
    ignored; Arabic-script names also by consonants). A known month or day must agree
    with the crossing's where the crossing has one. Same checks and audit as
    `whereabouts_by_document`.
    """
    _require_capability(actor)
    purpose = _require_purpose(purpose)
    query_key = normalise_search_text(name)
    if not query_key:
        raise ApplicationError(_("Enter the name, in any script."), field="name")
    year, month, day = parse_partial_birth(birth_date)
    state = (nationality or "").strip().upper()
    if state and not re.fullmatch(r"[A-Z]{1,3}", state):
        raise ApplicationError(_("Enter the nationality as its ICAO code, such as AUS or D."), field="nationality")
    if audit:
        audit_read(
            actor=actor,
            action=AuditAction.WHEREABOUTS_QUERIED,
            target=("traffic.crossing", "", name[:100]),
            purpose=purpose,
            data={
                "by": "name",
                "name": name,
                "birth_date": f"{year:04d}-{month or 0:02d}-{day or 0:02d}",
                "nationality": state,
            },
        )
    abjad = _is_abjad(name)
    by_prefix = Q()
    for prefix in sorted(_prefixes(query_key, abjad=abjad)):
        by_prefix |= Q(name_key__startswith=prefix)
    candidates = Crossing.objects.filter(by_prefix, birth_year=year)
    if month is not None:
        candidates = candidates.filter(Q(birth_month__isnull=True) | Q(birth_month=month))
    if day is not None:
        candidates = candidates.filter(Q(birth_day__isnull=True) | Q(birth_day=day))
    if state:
        candidates = candidates.filter(nationality=state)
    best: dict[tuple[str, str], float] = {}
    seen_keys: dict[str, float] = {}
    rows = candidates.order_by().values_list("document_number", "issuing_state", "name_key")[:NAME_CANDIDATES_MAX]
    for number, issuer, key in rows.iterator(chunk_size=1000):
        score = seen_keys.get(key)
        if score is None:
            score = seen_keys[key] = name_score(query_key, key, abjad=abjad)
        if score >= NAME_MATCH_THRESHOLD and score > best.get((number, issuer), -1):
            best[(number, issuer)] = score
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:NAME_RESULTS_MAX]
    answers = []
    for (number, issuer), score in ranked:
        answer = whereabouts_for(actor=actor, document_number=number, issuing_state=issuer, today=today)
        answer.score = round(score, 1)
        answers.append(answer)
    return answers


# --- statistics ----------------------------------------------------------------------------

VIEW_STATISTICS = "traffic.view_statistics"
STATISTICS_DIMENSIONS = ("month", "nationality", "checkpoint")


def may_view_statistics(actor: Any) -> bool:
    return actor_can(actor, VIEW_STATISTICS) and not is_mission_actor(actor)


@dataclass(frozen=True)
class StatisticsFilters:
    """Months are first days of (WIB) months, both included."""

    month_from: dt.date | None = None
    month_to: dt.date | None = None
    nationality: str = ""
    checkpoint: str = ""
    group_by: str = "month"

    def as_data(self) -> dict[str, str]:
        values = {
            "month_from": self.month_from.isoformat() if self.month_from else "",
            "month_to": self.month_to.isoformat() if self.month_to else "",
            "nationality": self.nationality,
            "checkpoint": self.checkpoint,
            "group_by": self.group_by,
        }
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class StatisticsRow:
    key: str
    label: str
    arrivals: int
    departures: int

    @property
    def total(self) -> int:
        return self.arrivals + self.departures

    @property
    def net(self) -> int:
        return self.arrivals - self.departures


@dataclass(frozen=True)
class Statistics:
    filters: StatisticsFilters
    rows: list[StatisticsRow]

    @property
    def arrivals(self) -> int:
        return sum(r.arrivals for r in self.rows)

    @property
    def departures(self) -> int:
        return sum(r.departures for r in self.rows)

    @property
    def largest(self) -> int:
        """The largest single figure (arrivals or departures) of a row: the bars' scale."""
        return max([r.arrivals for r in self.rows] + [r.departures for r in self.rows] + [0])


def traffic_statistics(*, actor: Any, filters: StatisticsFilters, export_format: str = "") -> Statistics:
    """Arrivals and departures by month, nationality or checkpoint (`filters.group_by`),
    summed from `TrafficMonthly` (refreshed after each import; months are WIB months).

    Needs `traffic.view_statistics` (never a mission). Figures, not personal data, but the
    reading is recorded (`TRAFFIC_STATISTICS_VIEWED`, with the filters and `export_format`
    for a download) as the brief on exports asks.
    """
    from django.db.models import Sum

    from jembatan.traffic.models import TrafficMonthly

    if not may_view_statistics(actor):
        raise PermissionDenied()
    if filters.group_by not in STATISTICS_DIMENSIONS:
        raise ApplicationError(_("Select how to group the figures."), field="group_by")
    if filters.month_from and filters.month_to and filters.month_from > filters.month_to:
        raise ApplicationError(_("The first month must be the same as or before the last month."), field="month_to")
    audit_read(
        actor=actor,
        action=AuditAction.TRAFFIC_STATISTICS_VIEWED,
        target=("traffic.trafficmonthly", "", ""),
        data={**filters.as_data(), **({"format": export_format} if export_format else {})},
    )
    figures = TrafficMonthly.objects.all()
    if filters.month_from:
        figures = figures.filter(month__gte=filters.month_from.replace(day=1))
    if filters.month_to:
        figures = figures.filter(month__lte=filters.month_to.replace(day=1))
    if filters.nationality:
        figures = figures.filter(nationality=filters.nationality.upper())
    if filters.checkpoint:
        figures = figures.filter(checkpoint_code=filters.checkpoint.upper())
    column = {"month": "month", "nationality": "nationality", "checkpoint": "checkpoint_code"}[filters.group_by]
    grouped = figures.order_by().values(column).annotate(a=Sum("arrivals"), d=Sum("departures"))
    # Months in calendar order; nationalities and checkpoints busiest first.
    grouped = grouped.order_by(column) if filters.group_by == "month" else grouped.order_by("-a", column)
    labels: dict[str, str] = {}
    if filters.group_by == "checkpoint":
        labels = {code: name for code, (name, _zone) in _checkpoints({g[column] for g in grouped}).items()}
    elif filters.group_by == "nationality":
        labels = {c.code: c.name for c in Country.objects.filter(code__in={g[column] for g in grouped})}
    rows = []
    for g in grouped:
        value = g[column]
        key = value.strftime("%Y-%m") if isinstance(value, dt.date) else str(value)
        rows.append(StatisticsRow(key=key, label=labels.get(key, key), arrivals=int(g["a"] or 0), departures=int(g["d"] or 0)))
    return Statistics(filters=filters, rows=rows)
