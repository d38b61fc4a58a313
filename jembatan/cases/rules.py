"""Statutory rules applied to cases: the overstay rule (UU 6/2011 art. 78) and the calendar
arithmetic of statutory durations (bans, detention ceiling).

The overstay rule is data (`OverstayRule`, effective-dated): `overstay_assess` finds the
rule in force on the day assessed and records which one it used, so a later change of the
rule (or of how day 60 is read) never rewrites an earlier assessment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import formats, translation
from django.utils.translation import gettext as _

from jembatan.cases.lifecycle import CaseKind, add_months, lifecycle_for
from jembatan.cases.models import OverstayRule
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied

ADD_CASE = "cases.add_case"
OVERSTAY_LAW = "UU 6/2011"
OVERSTAY_ARTICLE = "78"
# Art. 78(1): below the threshold, the charge; 78(3): above it, deportation and entry ban.
CHARGE_PARAGRAPH = "(1)"
DEPORT_PARAGRAPH = "(3)"
LANGUAGES = ("id", "en")


# --- statutory periods -----------------------------------------------------------------


def last_day_of_period(start: dt.date, *, months: int) -> dt.date:
    """The last day of a period of `months` months starting on (and including) `start`:
    a 6-month period from 1 January ends on 30 June."""
    return add_months(start, months) - dt.timedelta(days=1)


# --- overstay (art. 78) ------------------------------------------------------------------


class OverstayOutcome:
    """The two outcomes of art. 78 (stable codes, stored in case data and exports)."""

    CHARGE = "charge"
    DEPORT_AND_ENTRY_BAN = "deport_and_entry_ban"


def overstay_rule_in_force(on: dt.date) -> OverstayRule:
    """The overstay rule in force on `on`: valid from on or before that day and not yet
    ended. If rules overlap, the one that started last wins.

    Raises `NotFound` when no rule covers the day (before the first rule).
    """
    rule = (
        OverstayRule.objects.filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from", "-pk")
        .first()
    )
    if rule is None:
        raise NotFound(
            _("No overstay rule is in force on %(day)s. Ask an administrator to record the rule for that date.") % {"day": on.isoformat()}
        )
    return rule


def format_rupiah(amount: Decimal | int, *, language: str) -> str:
    """Rp1.000.000 (Indonesian) / IDR 1,000,000 (English), UX.md §2.4."""
    whole = f"{int(amount):,}"
    if language.startswith("en"):
        return f"IDR {whole}"
    return "Rp" + whole.replace(",", ".")


@dataclass(frozen=True)
class OverstayAssessment:
    """What art. 78 says about `days_over` days of overstay on `assessed_on`, and under
    which rule. `charge_amount` is set for the charge outcome only."""

    outcome: str
    days_over: int
    assessed_on: dt.date
    threshold_days: int
    at_threshold: str
    charge_per_day: Decimal
    charge_amount: Decimal | None
    rule_id: int
    rule_valid_from: dt.date
    rule_text: str
    explanation_id: str
    explanation_en: str

    @property
    def is_charge(self) -> bool:
        return self.outcome == OverstayOutcome.CHARGE

    @property
    def explanation(self) -> str:
        """The explanation in the active language."""
        return self.explanation_en if (translation.get_language() or "id").startswith("en") else self.explanation_id

    def as_data(self) -> dict[str, Any]:
        """JSON-ready record of the assessment, for a case's timeline and audit data."""
        return {
            "outcome": self.outcome,
            "days_over": self.days_over,
            "assessed_on": self.assessed_on.isoformat(),
            "threshold_days": self.threshold_days,
            "at_threshold": self.at_threshold,
            "charge_per_day": str(self.charge_per_day),
            "charge_amount": None if self.charge_amount is None else str(self.charge_amount),
            "rule_id": self.rule_id,
            "rule_valid_from": self.rule_valid_from.isoformat(),
            "rule_text": self.rule_text,
            "explanation": {"id": self.explanation_id, "en": self.explanation_en},
        }


def _rule_text(rule: OverstayRule) -> str:
    side = "charge" if rule.at_threshold == OverstayRule.AtThreshold.CHARGE else "deportation and entry ban"
    return (
        f"Overstay rule #{rule.pk} valid from {rule.valid_from.isoformat()}"
        f"{' to ' + rule.valid_to.isoformat() if rule.valid_to else ''}: threshold {rule.threshold_days} days, "
        f"day {rule.threshold_days} -> {side}, IDR {int(rule.charge_per_day):,} per day. Source: {rule.source}"
    )


def _explain(*, outcome: str, days: int, rule: OverstayRule, amount: Decimal | None) -> dict[str, str]:
    texts: dict[str, str] = {}
    for language in LANGUAGES:
        with translation.override(language):
            values = {
                "days": days,
                "threshold": rule.threshold_days,
                "rate": format_rupiah(rule.charge_per_day, language=language),
                "amount": format_rupiah(amount or 0, language=language),
                "rule": rule.pk,
                "valid_from": formats.date_format(rule.valid_from, "j F Y"),
            }
            if days == 0:
                text = _("The stay permit has not been exceeded: no charge is due.")
            elif outcome == OverstayOutcome.CHARGE and days < rule.threshold_days:
                text = _(
                    "%(days)s days past the end of the stay permit is less than %(threshold)s days: a charge of %(rate)s "
                    "per day applies, %(amount)s in total (UU 6/2011 art. 78(1))."
                )
            elif outcome == OverstayOutcome.CHARGE:
                text = _(
                    "%(days)s days past the end of the stay permit is exactly the threshold of %(threshold)s days, which "
                    "this rule charges: %(rate)s per day, %(amount)s in total (UU 6/2011 art. 78(1))."
                )
            elif days > rule.threshold_days:
                text = _(
                    "%(days)s days past the end of the stay permit is more than %(threshold)s days: deportation and "
                    "an entry ban follow, without the option of paying the charge (UU 6/2011 art. 78(3))."
                )
            else:
                text = _(
                    "%(days)s days past the end of the stay permit is exactly the threshold of %(threshold)s days, which "
                    "this rule treats as more: deportation and an entry ban follow (UU 6/2011 art. 78(3))."
                )
            rule_note = _("Rule applied: overstay rule no. %(rule)s in force from %(valid_from)s.")
            texts[language] = f"{text % values} {rule_note % values}"
    return texts


def overstay_assess(*, days_over: int, on: dt.date) -> OverstayAssessment:
    """Apply art. 78 as the rule in force on `on` reads it.

    Fewer days than the threshold: a charge of `charge_per_day` × days. More: deportation
    and an entry ban. Exactly the threshold: whichever side the rule's `at_threshold` says
    (the statute leaves day 60 open). Raises `ApplicationError` (field `days_over`) for a
    negative number of days and `NotFound` when no rule is in force on `on`.
    """
    if days_over < 0:
        raise ApplicationError(_("Enter the number of days of overstay as 0 or more."), field="days_over")
    rule = overstay_rule_in_force(on)
    if days_over < rule.threshold_days:
        outcome = OverstayOutcome.CHARGE
    elif days_over > rule.threshold_days:
        outcome = OverstayOutcome.DEPORT_AND_ENTRY_BAN
    elif rule.at_threshold == OverstayRule.AtThreshold.CHARGE:
        outcome = OverstayOutcome.CHARGE
    else:
        outcome = OverstayOutcome.DEPORT_AND_ENTRY_BAN
    amount = Decimal(days_over) * rule.charge_per_day if outcome == OverstayOutcome.CHARGE else None
    texts = _explain(outcome=outcome, days=days_over, rule=rule, amount=amount)
    return OverstayAssessment(
        outcome=outcome,
        days_over=days_over,
        assessed_on=on,
        threshold_days=rule.threshold_days,
        at_threshold=rule.at_threshold,
        charge_per_day=rule.charge_per_day,
        charge_amount=amount,
        rule_id=rule.pk,
        rule_valid_from=rule.valid_from,
        rule_text=_rule_text(rule),
        explanation_id=texts["id"],
        explanation_en=texts["en"],
    )


@dataclass(frozen=True)
class ProposedAction:
    """One administrative action the case form can be prefilled with: a case `kind`, its
    start `status` and the `initial` values of the case's fields (not saved)."""

    kind: str
    status: str
    initial: dict[str, Any] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, Decimal):
                return str(value)
            return value

        return {"kind": self.kind, "status": self.status, "initial": {k: plain(v) for k, v in self.initial.items()}}


@dataclass(frozen=True)
class OverstayProposal:
    """The assessment of an overstay and the actions it leads to, for the officer to confirm."""

    assessment: OverstayAssessment
    person_id: Any
    actions: tuple[ProposedAction, ...]

    def as_data(self) -> dict[str, Any]:
        return {
            "person": str(self.person_id),
            "assessment": self.assessment.as_data(),
            "actions": [action.as_data() for action in self.actions],
        }


def _overstay_legal_basis_id(paragraph: str, on: dt.date) -> Any:
    from jembatan.reference.models import LegalBasis

    basis = (
        LegalBasis.objects.filter(law=OVERSTAY_LAW, article=OVERSTAY_ARTICLE, paragraph=paragraph)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .values_list("pk", flat=True)
        .first()
    )
    return basis


def overstay_propose(*, actor: Any, person: Any, days_over: int, on: dt.date) -> OverstayProposal:
    """Propose the administrative actions art. 78 calls for when `person` stayed `days_over`
    days past their permit, assessed on `on`. Writes nothing: the result prefills the case
    form, and the officer decides.

    Below the threshold: a cost-charge case (`cost_charge`, amount = days × rate). Above:
    a deportation and an entry-ban listing. No days over: nothing to propose.

    Raises `PermissionDenied` without `cases.add_case`, `NotFound` when the person is
    outside the actor's scope, and `Conflict` (field `person`) for a victim of trafficking
    or smuggling, against whom no administrative action may be taken (art. 86).
    """
    from jembatan.people.models import Person

    if not getattr(actor, "has_capability", None) or not actor.has_capability(ADD_CASE):
        raise PermissionDenied()
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise NotFound()
    if person.is_trafficking_victim:
        raise Conflict(
            _("No administrative action may be taken against a victim of trafficking or smuggling (UU 6/2011 art. 86)."),
            field="person",
        )
    assessment = overstay_assess(days_over=days_over, on=on)
    actions: list[ProposedAction] = []
    explanation = assessment.explanation
    common = {"person": person.pk, "overstay_days": days_over}
    if days_over == 0:
        pass
    elif assessment.is_charge:
        actions.append(
            ProposedAction(
                kind=CaseKind.COST_CHARGE,
                status=lifecycle_for(CaseKind.COST_CHARGE).start,
                initial={
                    **common,
                    "kind": CaseKind.COST_CHARGE,
                    "charge_amount": assessment.charge_amount,
                    "legal_basis": _overstay_legal_basis_id(CHARGE_PARAGRAPH, on),
                    "summary": explanation,
                    "overstay_rule": assessment.rule_id,
                },
            )
        )
    else:
        basis = _overstay_legal_basis_id(DEPORT_PARAGRAPH, on)
        actions.append(
            ProposedAction(
                kind=CaseKind.DEPORTATION,
                status=lifecycle_for(CaseKind.DEPORTATION).start,
                initial={
                    **common,
                    "kind": CaseKind.DEPORTATION,
                    "legal_basis": basis,
                    "summary": explanation,
                    "overstay_rule": assessment.rule_id,
                },
            )
        )
        actions.append(
            ProposedAction(
                kind=CaseKind.ENTRY_BAN,
                status=lifecycle_for(CaseKind.ENTRY_BAN).start,
                initial={
                    **common,
                    "kind": CaseKind.ENTRY_BAN,
                    "legal_basis": basis,
                    "starts_on": on,
                    # The length of the ban is the official's decision (at most 10 years).
                    "ends_on": None,
                    "requesting_agency": getattr(getattr(actor, "agency", None), "name_id", ""),
                    "summary": explanation,
                    "overstay_rule": assessment.rule_id,
                },
            )
        )
    return OverstayProposal(assessment=assessment, person_id=person.pk, actions=tuple(actions))


# --- maintaining the rule --------------------------------------------------------------

RULE_FIELDS = ("valid_from", "valid_to", "threshold_days", "at_threshold", "charge_per_day", "source")


def overstay_rule_save(*, rule: OverstayRule, actor: Any, changed_fields: list[str] | None = None) -> OverstayRule:
    """Validate and save an overstay rule (new or changed), with an audit event.

    The end must not be before the start and the threshold must be at least one day.
    A rule is never deleted: an assessment names the rule it used, so a rule that no
    longer applies is ended with `valid_to` and a new one starts the next day.
    Raises `ApplicationError` naming the field.
    """
    from django.db import transaction

    from jembatan.audit.events import AuditAction
    from jembatan.audit.services import audit_record

    if rule.valid_to is not None and rule.valid_to < rule.valid_from:
        raise ApplicationError(_("The end date must be the same as or after the start date."), field="valid_to")
    if not rule.threshold_days or rule.threshold_days < 1:
        raise ApplicationError(_("Enter a threshold of at least 1 day."), field="threshold_days")
    if rule.charge_per_day is None or rule.charge_per_day < 0:
        raise ApplicationError(_("Enter the charge per day as 0 or more."), field="charge_per_day")
    created = rule._state.adding
    with transaction.atomic():
        rule.save()
        audit_record(
            action=AuditAction.OVERSTAY_RULE_CREATED if created else AuditAction.OVERSTAY_RULE_CHANGED,
            target=rule,
            actor=actor,
            data={
                "changed": sorted(changed_fields or []),
                **{name: str(getattr(rule, name)) if getattr(rule, name) is not None else None for name in RULE_FIELDS},
            },
        )
    return rule
