"""The decision rules as a table: every branch of `rules.decide` and of the timeline mapping
(`rules.trigger_for_entry`). Pure functions: no database."""

from __future__ import annotations

import pytest

from jembatan.cases.lifecycle import NOTIFIABLE_KINDS, CaseKind
from jembatan.cases.models import RightsAnswer
from jembatan.notifications import rules
from jembatan.notifications.models import NotificationMode, Outcome, Reason, Trigger
from jembatan.notifications.rules import PolicyFacts, Situation

MANDATORY = PolicyFacts(mode="mandatory")
MANDATORY_COVERING = PolicyFacts(mode="mandatory", covers_protected_persons=True)
MANDATORY_NO_RESIDENTS = PolicyFacts(mode="mandatory", excludes_permanent_residents=True)
ON_REQUEST = PolicyFacts()

# (id, situation, expected [(country, outcome, reason)])
CASES = [
    (
        "requested",
        Situation(trigger="detention", nationalities=("JPN",), rights_answer="requested"),
        [("JPN", "notify", "requested")],
    ),
    (
        "declined, on request",
        Situation(trigger="detention", nationalities=("JPN",), rights_answer="declined"),
        [("JPN", "not_notified", "declined")],
    ),
    (
        "mandatory, requested",
        Situation(trigger="detention", nationalities=("AUS",), policies={"AUS": MANDATORY}, rights_answer="requested"),
        [("AUS", "notify", "mandatory")],
    ),
    (
        "mandatory even if declined",
        Situation(trigger="detention", nationalities=("AUS",), policies={"AUS": MANDATORY}, rights_answer="declined"),
        [("AUS", "notify", "mandatory")],
    ),
    (
        "mandatory, not asked yet",
        Situation(trigger="administrative_action", nationalities=("PHL",), policies={"PHL": MANDATORY}),
        [("PHL", "notify", "mandatory")],
    ),
    (
        "no answer yet: awaiting",
        Situation(trigger="detention", nationalities=("JPN",), rights_answer="none"),
        [("JPN", "awaiting_answer", "not_asked")],
    ),
    (
        "could not answer: awaiting",
        Situation(trigger="detention", nationalities=("JPN",), rights_answer="no_answer"),
        [("JPN", "awaiting_answer", "not_asked")],
    ),
    (
        "refugee who has not asked, on request",
        Situation(trigger="detention", nationalities=("AFG",), is_refugee=True, rights_answer="no_answer"),
        [("AFG", "held_back", "protected_person")],
    ),
    (
        "asylum seeker, mandatory country, declined: held back",
        Situation(
            trigger="detention", nationalities=("AUS",), policies={"AUS": MANDATORY}, is_asylum_seeker=True, rights_answer="declined"
        ),
        [("AUS", "held_back", "protected_person")],
    ),
    (
        "refugee, mandatory rule covering protected persons",
        Situation(trigger="detention", nationalities=("AUS",), policies={"AUS": MANDATORY_COVERING}, is_refugee=True),
        [("AUS", "notify", "mandatory")],
    ),
    (
        "refugee, covering flag on an on-request country has no effect",
        Situation(
            trigger="detention", nationalities=("MMR",), policies={"MMR": PolicyFacts(covers_protected_persons=True)}, is_refugee=True
        ),
        [("MMR", "held_back", "protected_person")],
    ),
    (
        "refugee who asked",
        Situation(trigger="detention", nationalities=("AFG",), is_refugee=True, rights_answer="requested"),
        [("AFG", "notify", "requested")],
    ),
    (
        "death: art. 37, whatever was said",
        Situation(trigger="death", nationalities=("JPN",), rights_answer="declined"),
        [("JPN", "notify", "article_37")],
    ),
    (
        "guardianship: art. 37",
        Situation(trigger="guardianship", nationalities=("NLD",)),
        [("NLD", "notify", "article_37")],
    ),
    (
        "wreck: art. 37",
        Situation(trigger="wreck_or_air_accident", nationalities=("PHL",), policies={"PHL": MANDATORY}),
        [("PHL", "notify", "article_37")],
    ),
    (
        "dual national of two foreign States: one decision each",
        Situation(trigger="detention", nationalities=("AUS", "GBR"), policies={"AUS": MANDATORY}, rights_answer="declined"),
        [("AUS", "notify", "mandatory"), ("GBR", "not_notified", "declined")],
    ),
    (
        "also Indonesian: treated as a citizen, even mandatory",
        Situation(trigger="detention", nationalities=("AUS", "IDN"), policies={"AUS": MANDATORY}, rights_answer="requested"),
        [("AUS", "not_notified", "local_national")],
    ),
    (
        "also Indonesian: even a death",
        Situation(trigger="death", nationalities=("IDN", "JPN")),
        [("JPN", "not_notified", "local_national")],
    ),
    (
        "stateless",
        Situation(trigger="detention", nationalities=("XXA",), is_stateless=True, rights_answer="requested"),
        [(None, "not_notified", "stateless")],
    ),
    (
        "no nationality on record",
        Situation(trigger="death", nationalities=()),
        [(None, "not_notified", "stateless")],
    ),
    (
        "permanent resident excluded from a mandatory rule, declined",
        Situation(
            trigger="detention",
            nationalities=("AUS",),
            policies={"AUS": MANDATORY_NO_RESIDENTS},
            rights_answer="declined",
            holds_permanent_permit=True,
        ),
        [("AUS", "not_notified", "declined")],
    ),
    (
        "permanent residence unknown: not excluded",
        Situation(
            trigger="detention",
            nationalities=("AUS",),
            policies={"AUS": MANDATORY_NO_RESIDENTS},
            rights_answer="declined",
            holds_permanent_permit=None,
        ),
        [("AUS", "notify", "mandatory")],
    ),
]


@pytest.mark.parametrize(("situation", "expected"), [(s, e) for _id, s, e in CASES], ids=[c[0] for c in CASES])
def test_decision_table(situation, expected):
    decisions = rules.decide(situation)
    assert [(d.country, d.outcome, d.reason) for d in decisions] == expected
    for decision in decisions:
        assert decision.explanation
        # Every sentence has its Indonesian: the desk reads the explanation in its language.
        assert decision.explanation_id
        assert decision.explanation_id != decision.explanation
        assert decision.notify == (decision.outcome == "notify")


def test_every_outcome_and_reason_is_reachable_and_matches_the_models():
    reached = {(d.outcome, d.reason) for _id, situation, _e in CASES for d in rules.decide(situation)}
    assert {o for o, _r in reached} == set(Outcome.values)
    assert {r for _o, r in reached} == set(Reason.values) - {Reason.NOT_NOTIFIABLE}
    triggers = set(rules.CREATION_TRIGGERS.values()) | set(rules.STATUS_TRIGGERS.values()) | set(rules.EVENT_TRIGGERS.values())
    assert triggers == set(Trigger.values)
    assert {rules.ON_REQUEST, rules.MANDATORY} == set(NotificationMode.values)
    assert {rules.ANSWER_REQUESTED, rules.ANSWER_DECLINED, rules.ANSWER_NO_ANSWER} == set(RightsAnswer.values)


def test_the_explanation_of_a_held_back_decision_is_for_the_desk_only():
    held = rules.decide(Situation(trigger="detention", nationalities=("AFG",), is_asylum_seeker=True))[0]
    assert "Never tell the mission" in held.explanation
    assert "Jangan pernah memberi tahu perwakilan" in held.explanation_id


# (case kind, entry kind, to_status) -> trigger, per the table of docs/notifications.md
MAPPING = [
    ("detention", "created", "", "detention"),
    ("immigration_crime", "created", "", "detention"),
    ("criminal_case", "created", "", "detention"),
    ("imprisonment", "created", "", "conviction"),
    ("entry_ban", "created", "", "administrative_action"),
    ("exit_ban", "created", "", "administrative_action"),
    ("stay_permit_action", "created", "", "administrative_action"),
    ("place_prohibition", "created", "", "administrative_action"),
    ("residence_obligation", "created", "", "administrative_action"),
    ("cost_charge", "created", "", "administrative_action"),
    ("deportation", "created", "", "deportation"),
    ("death", "created", "", "death"),
    ("guardianship", "created", "", "guardianship"),
    ("wreck_or_air_accident", "created", "", "wreck_or_air_accident"),
    ("criminal_case", "status_changed", "convicted", "conviction"),
    ("detention", "status_changed", "deported", "deportation"),
    ("deportation", "status_changed", "executed", "deportation"),
    ("stay_permit_action", "status_changed", "executed", None),
    ("detention", "status_changed", "released", "release"),
    ("detention", "status_changed", "transferred_to_prison", None),
    ("criminal_case", "status_changed", "trial", None),
    ("detention", "transfer", "", "transfer"),
    ("imprisonment", "serious_illness", "", "serious_illness"),
    ("detention", "release", "", "release"),
    ("detention", "death", "", None),  # the death case's creation is notified, once
    ("detention", "note", "", None),
    ("detention", "document_added", "", None),
    ("civil_case", "created", "", None),  # outside NOTIFIABLE_KINDS
]


@pytest.mark.parametrize(("case_kind", "entry_kind", "to_status", "trigger"), MAPPING)
def test_timeline_entries_map_to_triggers(case_kind, entry_kind, to_status, trigger):
    assert rules.trigger_for_entry(entry_kind=entry_kind, case_kind=case_kind, to_status=to_status) == trigger


def test_every_notifiable_kind_has_a_creation_trigger():
    assert set(rules.CREATION_TRIGGERS) == {str(k) for k in NOTIFIABLE_KINDS}
    assert CaseKind.CIVIL_CASE not in rules.CREATION_TRIGGERS
