"""Proposing the administrative actions of UU 6/2011 art. 78 for an overstay: the case
register's side of the traffic overstays.

The overstay itself (who is over, by how many days) is traffic data, read through
`jembatan.traffic.overstays` (layer 5, below this app). This module plans and records the
proposal with the register's own rules:

- `overstay_plan`: what proposing would create, for the confirm page;
- `overstay_propose_actions`: the cases. The register's rule (`cases.rules.overstay_propose`)
  decides: below the threshold (60 days) a cost charge of days × Rp1,000,000, above it a
  deportation and an entry ban, each recorded as a new case in its first status
  (proposed / planned / requested) through `cases.services.case_create`, for the person
  holding the document (recorded first through `people.services.person_create` when not
  yet in the register). One proposal per permit: the `OVERSTAY_ACTION_PROPOSED` audit event
  on the permit is the ledger, checked under a row lock of the permit;
- `overstay_outcomes`: the assessment the traffic list shows in its "art. 78" column,
  reached through the `JEMBATAN_OVERSTAY_OUTCOMES` setting (traffic imports nothing here).

The capability stays `traffic.propose_overstay_action` (immigration supervisors; never a
mission), with `cases.add_case` checked by the register's rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.audit.services import audit_record
from jembatan.cases.lifecycle import CaseKind, CaseStatus, lifecycle_for
from jembatan.cases.models import Case
from jembatan.cases.rules import format_rupiah, last_day_of_period, overstay_assess, overstay_propose
from jembatan.cases.services import case_create
from jembatan.core.exceptions import ApplicationError, NotFound, PermissionDenied
from jembatan.people.models import IdentityDocument, Person
from jembatan.people.services import DocumentData, PersonData, person_create
from jembatan.traffic.models import Crossing, StayPermit
from jembatan.traffic.overstays import (
    PERMIT_OBJECT_TYPE,
    Overstay,
    may_propose,
    overstay_count_forget,
    overstay_queryset,
)
from jembatan.traffic.selectors import person_of_document

DEFAULT_ENTRY_BAN_MONTHS = 6
ENTRY_BAN_MAX_MONTHS = 120


def overstay_outcomes(days: set[int], *, on: dt.date) -> dict[int, Any]:
    """The art. 78 assessment for each number of days over, from the rule in force on
    `on`; {} when no rule is in force (`JEMBATAN_OVERSTAY_OUTCOMES`: the traffic list's
    "what the law calls for" column)."""
    found: dict[int, Any] = {}
    for value in sorted(days):
        try:
            found[value] = overstay_assess(days_over=value, on=on)
        except NotFound:
            return {}
    return found


def proposed_case_ids(permit: StayPermit) -> list[str] | None:
    """The case ids proposed for `permit`, or None if nothing was proposed yet."""
    event = (
        AuditEvent.objects.filter(action=AuditAction.OVERSTAY_ACTION_PROPOSED, object_type=PERMIT_OBJECT_TYPE, object_id=str(permit.pk))
        .order_by("id")
        .first()
    )
    if event is None:
        return None
    return [str(case_id) for case_id in (event.data or {}).get("case_ids", [])]


def proposed_cases(*, actor: Any, case_ids: list[str]) -> list[Case]:
    """The cases of an earlier proposal that `actor` may see, oldest first."""
    return list(Case.objects.visible_to(actor).filter(pk__in=case_ids).order_by("created_at"))


@dataclass(frozen=True)
class PlannedAction:
    """What proposing will create, for the confirm step."""

    kind: str
    kind_label: str
    status: str
    status_label: str = ""
    charge_amount: Any = None
    charge_text: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


@dataclass(frozen=True)
class OverstayPlan:
    outcome: str
    explanation: str
    threshold_days: int
    actions: tuple[PlannedAction, ...]
    creates_person: bool


def overstay_plan(*, actor: Any, overstay: Overstay, entry_ban_months: int = DEFAULT_ENTRY_BAN_MONTHS) -> OverstayPlan:
    """What `overstay_propose_actions` would create, without writing (the confirm step)."""
    if not may_propose(actor):
        raise PermissionDenied()
    assessment = overstay_assess(days_over=overstay.days_over, on=overstay.as_of)
    kinds = [CaseKind.COST_CHARGE] if assessment.is_charge else [CaseKind.DEPORTATION, CaseKind.ENTRY_BAN]
    actions = []
    for kind in kinds:
        actions.append(
            PlannedAction(
                kind=kind,
                kind_label=str(CaseKind(kind).label),
                status=lifecycle_for(kind).start,
                status_label=str(CaseStatus(lifecycle_for(kind).start).label),
                charge_amount=assessment.charge_amount if kind == CaseKind.COST_CHARGE else None,
                charge_text=(
                    format_rupiah(assessment.charge_amount, language=get_language() or "id")
                    if kind == CaseKind.COST_CHARGE and assessment.charge_amount is not None
                    else ""
                ),
                starts_on=overstay.as_of if kind == CaseKind.ENTRY_BAN else None,
                ends_on=last_day_of_period(overstay.as_of, months=entry_ban_months) if kind == CaseKind.ENTRY_BAN else None,
            )
        )
    return OverstayPlan(
        outcome=assessment.outcome,
        explanation=assessment.explanation,
        threshold_days=assessment.threshold_days,
        actions=tuple(actions),
        creates_person=overstay.person is None,
    )


def _traveller_data(permit: StayPermit) -> PersonData:
    """The register's intake data for the holder of `permit`, from the permit and the
    document's latest crossing."""
    crossing = (
        Crossing.objects.filter(document_number=permit.document_number, issuing_state=permit.issuing_state)
        .order_by("-crossed_at")
        .only("document_type", "sex")
        .first()
    )
    doc_type = crossing.document_type if crossing and crossing.document_type in IdentityDocument.DocumentType.values else "P"
    sex = crossing.sex if crossing and crossing.sex in ("M", "F", "X") else "X"
    return PersonData(
        surname=permit.surname,
        given_names=permit.given_names,
        sex=sex,
        birth_year=permit.birth_year,
        birth_month=permit.birth_month,
        birth_day=permit.birth_day,
        nationalities=(permit.nationality,),
        document=DocumentData(document_type=doc_type, number=permit.document_number, issuing_state=permit.issuing_state),
    )


def _person_for(actor: Any, permit: StayPermit) -> tuple[Person, bool]:
    person = person_of_document(actor, permit.document_number, permit.issuing_state)
    if person is not None:
        return person, False
    return person_create(actor=actor, data=_traveller_data(permit)), True


def _permit_note(permit: StayPermit, days: int, as_of: dt.date) -> str:
    return _(
        "Stay permit %(number)s (%(type)s) for %(state)s document %(document)s expired on %(expired)s: "
        "%(days)d days over on %(as_of)s (traffic record #%(id)s)."
    ) % {
        "number": permit.permit_number,
        "type": permit.get_permit_type_display(),
        "state": permit.issuing_state,
        "document": permit.document_number,
        "expired": permit.expires_on.isoformat(),
        "days": days,
        "as_of": as_of.isoformat(),
        "id": permit.pk,
    }


def overstay_propose_actions(
    *, actor: Any, permit_id: Any, as_of: dt.date | None = None, entry_ban_months: int = DEFAULT_ENTRY_BAN_MONTHS
) -> list[Case]:
    """Propose the art. 78 actions for the overstay of permit `permit_id` as new cases.

    Below the threshold: one cost-charge case (`proposed`) of days × the daily rate.
    Above it: a deportation (`planned`) and an entry ban (`requested`, from `as_of` for
    `entry_ban_months` months, 1–120; the official may change it before deciding). The
    person holding the document is recorded first if the register does not have them.
    The summary of each case names the permit.

    Idempotent: a permit already proposed returns the cases proposed then, creating
    nothing. Needs `traffic.propose_overstay_action` and `cases.add_case`
    (`PermissionDenied`); `NotFound` when the permit is not a current overstay; the case
    register's refusals (a victim of trafficking: `Conflict`) pass through and leave
    nothing written. Records `OVERSTAY_ACTION_PROPOSED` on the permit.
    """
    if not may_propose(actor):
        raise PermissionDenied()
    if not 1 <= int(entry_ban_months) <= ENTRY_BAN_MAX_MONTHS:
        raise ApplicationError(_("Enter an entry ban of 1 to 120 months."), field="entry_ban_months")
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        try:
            permit = StayPermit.objects.select_for_update().get(pk=int(permit_id))
        except (StayPermit.DoesNotExist, TypeError, ValueError):
            raise NotFound() from None
        earlier = proposed_case_ids(permit)
        if earlier is not None:
            return proposed_cases(actor=actor, case_ids=earlier)
        current = overstay_queryset(as_of=as_of).filter(pk=permit.pk).first()
        if current is None:
            raise NotFound()
        days = (as_of - permit.expires_on).days
        person, created_person = _person_for(actor, permit)
        proposal = overstay_propose(actor=actor, person=person, days_over=days, on=as_of)
        note = _permit_note(permit, days, as_of)
        zone = getattr(getattr(actor, "unit", None), "time_zone", None) or "Asia/Jakarta"
        now = timezone.now()
        cases = []
        for action in proposal.actions:
            data = {k: v for k, v in action.initial.items() if k not in ("person", "kind", "overstay_rule")}
            data["summary"] = f"{data.get('summary', '')} {note}".strip()
            data["occurred_at"] = now
            data["time_zone"] = zone
            if action.kind == "entry_ban":
                data["ends_on"] = last_day_of_period(data.get("starts_on") or as_of, months=int(entry_ban_months))
                if not data.get("requesting_agency"):
                    data["requesting_agency"] = getattr(actor.agency, "name_id", "") or str(actor.agency)
            cases.append(case_create(actor=actor, person=person, kind=action.kind, data=data))
        audit_record(
            action=AuditAction.OVERSTAY_ACTION_PROPOSED,
            target=permit,
            actor=actor,
            data={
                "permit_number": permit.permit_number,
                "as_of": as_of.isoformat(),
                "days_over": days,
                "outcome": proposal.assessment.outcome,
                "rule_id": proposal.assessment.rule_id,
                "person_id": str(person.pk),
                "person_created": created_person,
                "case_ids": [str(c.pk) for c in cases],
                "case_references": [c.reference for c in cases],
            },
        )
    overstay_count_forget()
    return cases
