"""Case kinds, their statuses and the transitions the law and practice allow.

Plain data, so the state machines can be read, reviewed and tested as a table. Each kind
has a start status and, per status, the statuses it may move to; a status with no way out
is final. `transition_allowed` is the single check the services use.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    DETENTION = "detention", _("Detention")
    ENTRY_BAN = "entry_ban", _("Listing for entry ban (penangkalan)")
    EXIT_BAN = "exit_ban", _("Listing for exit ban (pencegahan)")
    STAY_PERMIT_ACTION = "stay_permit_action", _("Restriction, change or cancellation of stay permit")
    PLACE_PROHIBITION = "place_prohibition", _("Prohibition from being in specified places")
    RESIDENCE_OBLIGATION = "residence_obligation", _("Obligation to reside in a specified place")
    COST_CHARGE = "cost_charge", _("Imposition of a charge (biaya beban)")
    DEPORTATION = "deportation", _("Deportation")
    IMMIGRATION_CRIME = "immigration_crime", _("Immigration crime")
    CRIMINAL_CASE = "criminal_case", _("General criminal case")
    CIVIL_CASE = "civil_case", _("Civil case")
    IMPRISONMENT = "imprisonment", _("Imprisonment after conviction")
    DEATH = "death", _("Death")
    GUARDIANSHIP = "guardianship", _("Guardianship of a minor or incapacitated person")
    WRECK_OR_AIR_ACCIDENT = "wreck_or_air_accident", _("Wreck or air accident")


# The administrative actions (TAK) of UU 6/2011 art. 75(2): none may be recorded against a
# victim of trafficking or smuggling (art. 86).
ADMINISTRATIVE_ACTIONS = frozenset(
    {
        CaseKind.ENTRY_BAN,
        CaseKind.EXIT_BAN,
        CaseKind.STAY_PERMIT_ACTION,
        CaseKind.PLACE_PROHIBITION,
        CaseKind.RESIDENCE_OBLIGATION,
        CaseKind.COST_CHARGE,
        CaseKind.DEPORTATION,
    }
)


class CaseStatus(models.TextChoices):
    # detention
    DETAINED = "detained", _("Detained")
    RELEASED = "released", _("Released")
    DEPORTED = "deported", _("Deported")
    TRANSFERRED_TO_PRISON = "transferred_to_prison", _("Transferred to prison")
    DIED = "died", _("Died")
    # administrative actions
    PROPOSED = "proposed", _("Proposed")
    DECIDED = "decided", _("Decided")
    OBJECTED = "objected", _("Objection lodged")
    EXECUTED = "executed", _("Carried out")
    REVOKED = "revoked", _("Revoked")
    CANCELLED = "cancelled", _("Cancelled")
    # bans
    REQUESTED = "requested", _("Requested")
    ACTIVE = "active", _("In force")
    LAPSED = "lapsed", _("Lapsed")
    # deportation
    PLANNED = "planned", _("Planned")
    SCHEDULED = "scheduled", _("Scheduled")
    # criminal and civil
    INVESTIGATION = "investigation", _("Under investigation")
    PROSECUTION = "prosecution", _("Under prosecution")
    TRIAL = "trial", _("On trial")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    DROPPED = "dropped", _("Dropped")
    OPEN = "open", _("Open")
    # imprisonment
    SERVING = "serving", _("Serving sentence")
    # death, guardianship, accidents
    REPORTED = "reported", _("Reported")
    REPATRIATION_PENDING = "repatriation_pending", _("Awaiting repatriation")
    GUARDIAN_APPOINTED = "guardian_appointed", _("Guardian appointed")
    CLOSED = "closed", _("Closed")


S = CaseStatus


@dataclass(frozen=True)
class Lifecycle:
    """The state machine of one case kind."""

    start: str
    transitions: dict[str, frozenset[str]]

    def allowed_from(self, status: str) -> frozenset[str]:
        return self.transitions.get(status, frozenset())

    def is_final(self, status: str) -> bool:
        return not self.allowed_from(status)

    @property
    def statuses(self) -> list[str]:
        seen: list[str] = [self.start]
        for source, targets in self.transitions.items():
            for status in [source, *sorted(targets)]:
                if status not in seen:
                    seen.append(status)
        return seen


def _machine(start: str, **transitions: set[str]) -> Lifecycle:
    return Lifecycle(start=start, transitions={k: frozenset(v) for k, v in transitions.items()})


_TAK = _machine(
    S.PROPOSED,
    proposed={S.DECIDED, S.CANCELLED},
    decided={S.OBJECTED, S.EXECUTED, S.REVOKED},
    objected={S.DECIDED, S.REVOKED},
    executed={S.CLOSED},
)
_BAN = _machine(
    S.REQUESTED,
    requested={S.ACTIVE, S.CANCELLED},
    active={S.LAPSED, S.REVOKED},
)
_CRIME = _machine(
    S.INVESTIGATION,
    investigation={S.PROSECUTION, S.DROPPED},
    prosecution={S.TRIAL, S.DROPPED},
    trial={S.CONVICTED, S.ACQUITTED},
    convicted={S.CLOSED},
    acquitted={S.CLOSED},
    dropped={S.CLOSED},
)

LIFECYCLES: dict[str, Lifecycle] = {
    CaseKind.DETENTION: _machine(
        S.DETAINED,
        detained={S.RELEASED, S.DEPORTED, S.TRANSFERRED_TO_PRISON, S.DIED},
        released={S.CLOSED},
        deported={S.CLOSED},
        transferred_to_prison={S.CLOSED},
        died={S.CLOSED},
    ),
    CaseKind.ENTRY_BAN: _BAN,
    CaseKind.EXIT_BAN: _BAN,
    CaseKind.STAY_PERMIT_ACTION: _TAK,
    CaseKind.PLACE_PROHIBITION: _TAK,
    CaseKind.RESIDENCE_OBLIGATION: _TAK,
    CaseKind.COST_CHARGE: _TAK,
    CaseKind.DEPORTATION: _machine(
        S.PLANNED,
        planned={S.SCHEDULED, S.CANCELLED},
        scheduled={S.EXECUTED, S.PLANNED, S.CANCELLED},
        executed={S.CLOSED},
    ),
    CaseKind.IMMIGRATION_CRIME: _CRIME,
    CaseKind.CRIMINAL_CASE: _CRIME,
    CaseKind.CIVIL_CASE: _machine(S.OPEN, open={S.CLOSED}),
    CaseKind.IMPRISONMENT: _machine(S.SERVING, serving={S.RELEASED, S.DIED}, released={S.CLOSED}, died={S.CLOSED}),
    CaseKind.DEATH: _machine(S.REPORTED, reported={S.REPATRIATION_PENDING, S.CLOSED}, repatriation_pending={S.CLOSED}),
    CaseKind.GUARDIANSHIP: _machine(S.REPORTED, reported={S.GUARDIAN_APPOINTED, S.CLOSED}, guardian_appointed={S.CLOSED}),
    CaseKind.WRECK_OR_AIR_ACCIDENT: _machine(S.REPORTED, reported={S.CLOSED}),
}


def lifecycle_for(kind: str) -> Lifecycle:
    return LIFECYCLES[kind]


def transition_allowed(kind: str, current: str, target: str) -> bool:
    return target in LIFECYCLES[kind].allowed_from(current)


class DetentionGround(models.TextChoices):
    """The five grounds of UU 6/2011 art. 83(1)."""

    NO_VALID_STAY_PERMIT = "a", _("(a) No valid stay permit, or the permit has expired")
    NO_VALID_TRAVEL_DOCUMENT = "b", _("(b) No valid travel document")
    STAY_PERMIT_CANCELLED = "c", _("(c) Stay permit cancelled for unlawful or disorderly conduct")
    AWAITING_DEPORTATION = "d", _("(d) Awaiting deportation")
    AWAITING_DEPARTURE_AFTER_REFUSAL = "e", _("(e) Awaiting departure after refusal of entry")


# Every kind of case that concerns a consular notification (VCCR art. 36 and 37): what the
# consular directorate sees. A civil case with nobody held is the only kind that does not;
# a civil case where the person is detained is recorded as a detention as well.
NOTIFIABLE_KINDS = frozenset(
    {
        CaseKind.DETENTION,
        *ADMINISTRATIVE_ACTIONS,
        CaseKind.IMMIGRATION_CRIME,
        CaseKind.CRIMINAL_CASE,
        CaseKind.IMPRISONMENT,
        CaseKind.DEATH,
        CaseKind.GUARDIANSHIP,
        CaseKind.WRECK_OR_AIR_ACCIDENT,
    }
)

# The kinds that deprive a person of liberty (detention, arrest, imprisonment): the intake
# must record when and in which language the person was informed of the right to consular
# notification, and their answer (VCCR art. 36(1)(b); `ConsularRightsAdvice`).
RIGHTS_ADVICE_KINDS = frozenset({CaseKind.DETENTION, CaseKind.IMMIGRATION_CRIME, CaseKind.CRIMINAL_CASE, CaseKind.IMPRISONMENT})

BAN_KINDS = frozenset({CaseKind.ENTRY_BAN, CaseKind.EXIT_BAN})

# Statuses in which the person is held (in a detention centre or in prison): transfers and
# serious illness are reported only then.
HELD_STATUSES = frozenset({CaseStatus.DETAINED, CaseStatus.SERVING})

# UU 6/2011 art. 85: detention lasts until deportation, at most 10 years.
DETENTION_CEILING_YEARS = 10
# domain.md §8.5: detentions are flagged for attention after 1 year and as nearing the
# ceiling from 9 years.
DETENTION_ATTENTION_YEARS = 1
DETENTION_NEAR_CEILING_YEARS = 9
# UU 63/2024 art. 97(1): an exit ban lasts at most 6 months (one extension of 6 months);
# art. 102(1): an entry ban at most 10 years (extendable by up to 10). These bound the
# first period a new case may record; extensions are a later step of the ban.
EXIT_BAN_MAX_MONTHS = 6
ENTRY_BAN_MAX_YEARS = 10

# Which kinds of legal basis (`reference.LegalBasis.Kind`) a case of each kind may rest on,
# and the kinds for which one is required. Kinds not listed accept any legal basis.
LEGAL_BASIS_KINDS: dict[str, frozenset[str]] = {
    **{kind: frozenset({"administrative_action"}) for kind in ADMINISTRATIVE_ACTIONS},
    CaseKind.DETENTION: frozenset({"detention"}),
    CaseKind.IMMIGRATION_CRIME: frozenset({"crime"}),
}
LEGAL_BASIS_REQUIRED = frozenset({*ADMINISTRATIVE_ACTIONS, CaseKind.IMMIGRATION_CRIME})


def allowed_targets(kind: str, current: str) -> list[str]:
    """The statuses a case of `kind` in `current` may move to, in lifecycle order."""
    lifecycle = LIFECYCLES[kind]
    targets = lifecycle.allowed_from(current)
    return [status for status in lifecycle.statuses if status in targets]


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole calendar months; the 31st becomes the last day of a shorter month
    (31 August + 6 months = 28 or 29 February), as durations in the law are counted."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    """`day` plus whole years; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)
