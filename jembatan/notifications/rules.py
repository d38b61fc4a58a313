"""The decision rules of consular notification (VCCR art. 36 and 37; domain.md §2.2–2.7).

Plain functions on plain inputs: no database, no Django models, so the branches can be read
as a table and tested as one (`tests/test_rules.py`). The engine (`engine.py`) gathers the
facts from the case, the person and the country policies, calls `decide`, and stores what
comes out with the rule version.

Order of the branches (the first that applies decides; docs/notifications.md, "Decision
rules"):

1. Also a national of Indonesia → treated as a citizen: no notification, even where notice
   is mandatory or the event is one of art. 37 (a State's own nationals are its own).
2. No State of nationality on record (stateless, or only non-State codes) → not notified.
3. Art. 37 events (death, guardianship, wreck or air accident) → notify every State of
   nationality, whatever the person said.
4. Per State of nationality (a dual national of two foreign States gets one decision each):
   a. refugee or asylum seeker who has not asked → held back, unless the State's rule is
      mandatory *and* its policy says the mandatory rule covers protected persons;
   b. mandatory (and not excluded as a permanent resident) → notify, even if declined;
   c. asked → notify;
   d. declined → not notified;
   e. not yet informed, or no answer → awaiting the answer (reassessed when it is recorded).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

# Plain strings, equal to the values of models.Trigger / Outcome / Reason / NotificationMode
# (the test checks they stay equal), so this module needs no Django.
DETENTION = "detention"
ADMINISTRATIVE_ACTION = "administrative_action"
DEPORTATION = "deportation"
CONVICTION = "conviction"
TRANSFER = "transfer"
SERIOUS_ILLNESS = "serious_illness"
RELEASE = "release"
DEATH = "death"
GUARDIANSHIP = "guardianship"
WRECK_OR_AIR_ACCIDENT = "wreck_or_air_accident"

ARTICLE_37_TRIGGERS = frozenset({DEATH, GUARDIANSHIP, WRECK_OR_AIR_ACCIDENT})

NOTIFY, NOT_NOTIFIED, HELD_BACK, AWAITING_ANSWER = "notify", "not_notified", "held_back", "awaiting_answer"
R_REQUESTED, R_MANDATORY, R_ARTICLE_37, R_DECLINED = "requested", "mandatory", "article_37", "declined"
R_LOCAL_NATIONAL, R_PROTECTED, R_NOT_ASKED, R_STATELESS = "local_national", "protected_person", "not_asked", "stateless"
R_NOT_NOTIFIABLE = "not_notifiable"

ON_REQUEST, MANDATORY = "on_request", "mandatory"

# The person's latest answer when informed of the right (cases.models.RightsAnswer, plus
# "none": not informed yet).
ANSWER_REQUESTED, ANSWER_DECLINED, ANSWER_NO_ANSWER, ANSWER_NONE = "requested", "declined", "no_answer", "none"

INDONESIA = "IDN"
# ICAO 9303 codes that name no State: stateless, refugees under the 1951 Convention or
# otherwise, unspecified nationality.
NO_STATE_CODES = frozenset({"XXA", "XXB", "XXC", "XXX"})

# Version of these rules, stored on every decision with the policy row that applied.
RULES_VERSION = "rules 2026-11"


@dataclass(frozen=True)
class PolicyFacts:
    """What a country's policy in force says, as far as the decision needs it. The
    Convention's default when the country has no row: on request."""

    mode: str = ON_REQUEST
    covers_protected_persons: bool = False
    excludes_permanent_residents: bool = False


@dataclass(frozen=True)
class Situation:
    """The facts of one notifiable event.

    `nationalities`: ISO 3166-1 alpha-3 codes (ICAO codes already mapped to their ISO
    State; `IDN` included if the person is also Indonesian). `policies`: per code, the
    facts of the policy in force at the time of the event (missing = the Convention's
    default). `holds_permanent_permit`: None when unknown (then not excluded).
    """

    trigger: str
    nationalities: tuple[str, ...]
    policies: Mapping[str, PolicyFacts] = field(default_factory=dict)
    is_refugee: bool = False
    is_asylum_seeker: bool = False
    is_stateless: bool = False
    rights_answer: str = ANSWER_NONE
    holds_permanent_permit: bool | None = None


# The sentences an explanation is made of (English source, Indonesian in the catalogue).
S_LOCAL_DUAL = gettext_noop(
    "The person is also a national of Indonesia and is treated as an Indonesian citizen: "
    "no consular notification is due, even where it is mandatory or under art. 37."
)
S_LOCAL = gettext_noop("The person is a national of Indonesia.")
S_STATELESS = gettext_noop(
    "No State of nationality is on record (stateless or unspecified nationality): there is no consular post to notify."
)
S_ARTICLE_37 = gettext_noop("Art. 37 VCCR: the post is informed without delay, whatever the person's wishes.")
S_ITAP = gettext_noop("The person holds a permanent stay permit (ITAP), which this country's mandatory rule excludes.")
S_COVERS = gettext_noop("Mandatory notice; the country's policy states its mandatory rule also covers refugees and asylum seekers.")
S_HELD = gettext_noop("Held back: a refugee or asylum seeker who has not asked for notification is not notified.")
S_HELD_MANDATORY = gettext_noop("The mandatory rule does not cover protected persons.")
S_NEVER_TELL = gettext_noop("Never tell the mission why.")
S_MANDATORY = gettext_noop("Notification is mandatory under a bilateral agreement.")
S_DECLINED_DUE = gettext_noop("The person declined; notice is due nonetheless.")
S_REQUESTED = gettext_noop("The person asked for their consular post to be notified.")
S_DECLINED = gettext_noop("The person declined notification and notice is not mandatory for this country.")
S_NOT_ASKED = gettext_noop(
    "The person has not yet been informed of the right or has not answered: record the answer, and the event is reassessed."
)
S_NOTHING_WAITING = gettext_noop("The request was recorded; no earlier decision on this case was waiting for it.")


def explain(sentences: tuple[str, ...], language: str) -> str:
    """The explanation in `language` ("en" or "id"): the sentences, translated, in order."""
    with translation.override(language):
        return " ".join(gettext(sentence) for sentence in sentences)


@dataclass(frozen=True)
class CountryDecision:
    """The outcome for one State of nationality (`country` None: the outcome concerns no
    State, e.g. a stateless person). The explanation is for the consular desk only; it is
    stored in English (the record) and in Indonesian."""

    country: str | None
    outcome: str
    reason: str
    sentences: tuple[str, ...]

    @property
    def notify(self) -> bool:
        return self.outcome == NOTIFY

    @property
    def explanation(self) -> str:
        return explain(self.sentences, "en")

    @property
    def explanation_id(self) -> str:
        return explain(self.sentences, "id")


def states_of(situation: Situation) -> tuple[str, ...]:
    """The foreign States of nationality, in the order given, without duplicates."""
    seen: list[str] = []
    for code in situation.nationalities:
        code = (code or "").upper()
        if code and code not in NO_STATE_CODES and code != INDONESIA and code not in seen:
            seen.append(code)
    return tuple(seen)


def decide(situation: Situation) -> list[CountryDecision]:
    """One decision per foreign State of nationality (or a single one with no country)."""
    foreign = states_of(situation)
    codes = {(c or "").upper() for c in situation.nationalities}
    if INDONESIA in codes:
        return [CountryDecision(code, NOT_NOTIFIED, R_LOCAL_NATIONAL, (S_LOCAL_DUAL,)) for code in foreign] or [
            CountryDecision(None, NOT_NOTIFIED, R_LOCAL_NATIONAL, (S_LOCAL,))
        ]
    if situation.is_stateless or not foreign:
        return [CountryDecision(None, NOT_NOTIFIED, R_STATELESS, (S_STATELESS,))]
    return [_decide_for(code, situation) for code in foreign]


def _decide_for(code: str, situation: Situation) -> CountryDecision:
    policy = situation.policies.get(code) or PolicyFacts()
    answer = situation.rights_answer
    if situation.trigger in ARTICLE_37_TRIGGERS:
        return CountryDecision(code, NOTIFY, R_ARTICLE_37, (S_ARTICLE_37,))
    mandatory = policy.mode == MANDATORY
    scope: tuple[str, ...] = ()
    if mandatory and policy.excludes_permanent_residents and situation.holds_permanent_permit is True:
        mandatory = False
        scope = (S_ITAP,)
    if (situation.is_refugee or situation.is_asylum_seeker) and answer != ANSWER_REQUESTED:
        if mandatory and policy.covers_protected_persons:
            return CountryDecision(code, NOTIFY, R_MANDATORY, (S_COVERS,))
        return CountryDecision(code, HELD_BACK, R_PROTECTED, (S_HELD, *((S_HELD_MANDATORY,) if mandatory else ()), S_NEVER_TELL))
    if mandatory:
        said = (S_DECLINED_DUE,) if answer == ANSWER_DECLINED else ()
        return CountryDecision(code, NOTIFY, R_MANDATORY, (S_MANDATORY, *said))
    if answer == ANSWER_REQUESTED:
        return CountryDecision(code, NOTIFY, R_REQUESTED, (S_REQUESTED, *scope))
    if answer == ANSWER_DECLINED:
        return CountryDecision(code, NOT_NOTIFIED, R_DECLINED, (S_DECLINED, *scope))
    return CountryDecision(code, AWAITING_ANSWER, R_NOT_ASKED, (S_NOT_ASKED, *scope))


# --- which timeline entries are notifiable ---------------------------------------------------

# Case kinds (cases.lifecycle.CaseKind values) → the trigger of the case's creation.
_TAK_KINDS = ("entry_ban", "exit_ban", "stay_permit_action", "place_prohibition", "residence_obligation", "cost_charge")
CREATION_TRIGGERS: dict[str, str] = {
    "detention": DETENTION,
    "immigration_crime": DETENTION,  # arrest
    "criminal_case": DETENTION,  # arrest
    "imprisonment": CONVICTION,
    **dict.fromkeys(_TAK_KINDS, ADMINISTRATIVE_ACTION),
    "deportation": DEPORTATION,
    "death": DEATH,
    "guardianship": GUARDIANSHIP,
    "wreck_or_air_accident": WRECK_OR_AIR_ACCIDENT,
}
# A status reached (STATUS_CHANGED) → trigger; `executed` only on a deportation case.
STATUS_TRIGGERS: dict[str, str] = {"convicted": CONVICTION, "deported": DEPORTATION, "released": RELEASE}
# Reported events (cases.models.CaseEvent.Kind values) → trigger. A reported death is not
# one: it opens (or links) the person's death case, whose creation is notified, once.
EVENT_TRIGGERS: dict[str, str] = {"transfer": TRANSFER, "serious_illness": SERIOUS_ILLNESS, "release": RELEASE}

ENTRY_CREATED, ENTRY_STATUS_CHANGED, ENTRY_RIGHTS_ADVISED = "created", "status_changed", "rights_advised"


def trigger_for_entry(*, entry_kind: str, case_kind: str, to_status: str = "") -> str | None:
    """The notifiable event a timeline entry stands for, or None (not assessed).

    A `rights_advised` entry is not mapped here: whether it reopens the case's first event
    depends on earlier decisions (`engine`). A case of a kind outside `CREATION_TRIGGERS`
    (a civil case with nobody held) is never assessed.
    """
    if case_kind not in CREATION_TRIGGERS:
        return None
    if entry_kind == ENTRY_CREATED:
        return CREATION_TRIGGERS[case_kind]
    if entry_kind == ENTRY_STATUS_CHANGED:
        if to_status == "executed" and case_kind == "deportation":
            return DEPORTATION
        return STATUS_TRIGGERS.get(to_status)
    return EVENT_TRIGGERS.get(entry_kind)
