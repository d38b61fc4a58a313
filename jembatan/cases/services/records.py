"""Recording a new case: numbering, the facts each kind needs, the law's refusals, the
immunity registry."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.lifecycle import (
    ADMINISTRATIVE_ACTIONS,
    BAN_KINDS,
    DETENTION_CEILING_YEARS,
    ENTRY_BAN_MAX_YEARS,
    EXIT_BAN_MAX_MONTHS,
    LEGAL_BASIS_KINDS,
    LEGAL_BASIS_REQUIRED,
    RIGHTS_ADVICE_KINDS,
    CaseKind,
    DetentionGround,
    add_months,
    add_years,
    lifecycle_for,
)
from jembatan.cases.models import Case, CaseEvent, CaseSequence, ConsularRightsAdvice, RightsAnswer
from jembatan.cases.permissions import may_add_cases, may_override_immunity
from jembatan.cases.selectors import immunity_functions, person_immunity_matches, strongest_immunity
from jembatan.cases.services.base import (
    TEXT_LIMITS,
    Problems,
    actor_zone,
    date_text,
    earliest_birth,
    event_time,
    is_user,
    refusal,
    refuse,
    resolve,
)
from jembatan.cases.timeline import case_event_record
from jembatan.core.exceptions import ApplicationError, NotFound, PermissionDenied
from jembatan.missions.choices import ImmunityLevel
from jembatan.people.models import Person
from jembatan.reference.models import ZONE_ABBREVIATIONS, DetentionCentre, LegalBasis

# --- recording a case -----------------------------------------------------------------------


def _next_reference() -> str:
    """The next case number of this year (Jakarta time): JBT-2026-000123.

    The year's row is locked until the transaction ends, so concurrent intakes get
    consecutive numbers and a rolled-back intake gives its number back.
    """
    year = timezone.localdate().year
    sequence = CaseSequence.objects.select_for_update().filter(year=year).first()
    if sequence is None:
        try:
            with transaction.atomic():
                CaseSequence.objects.create(year=year, last_number=0)
        except IntegrityError:
            pass  # a concurrent intake created the year's row first
        sequence = CaseSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"JBT-{year}-{sequence.last_number:06d}"


def _legal_basis_message(kind: str) -> Any:
    if kind == CaseKind.IMMIGRATION_CRIME:
        return _("Select the article of the immigration crime")
    if kind in ADMINISTRATIVE_ACTIONS:
        return _("Select the article the administrative action rests on")
    return _("Select the legal basis")


def _check_legal_basis(*, kind: str, data: Mapping[str, Any], event_day: dt.date | None, problems: Problems) -> LegalBasis | None:
    try:
        basis = resolve(LegalBasis, data.get("legal_basis"))
    except LookupError:
        problems.add("legal_basis", _("Select a legal basis from the list"))
        return None
    if basis is None:
        if kind in LEGAL_BASIS_REQUIRED:
            problems.add("legal_basis", _legal_basis_message(kind))
        return None
    allowed = LEGAL_BASIS_KINDS.get(kind)
    if allowed and basis.kind not in allowed:
        expected = " / ".join(str(LegalBasis.Kind(k).label) for k in sorted(allowed))
        problems.add(
            "legal_basis",
            _("Select an article of the kind “%(expected)s”: “%(basis)s” is of the kind “%(actual)s”.")
            % {"expected": expected, "basis": str(basis), "actual": basis.get_kind_display()},
        )
    elif event_day is not None and not basis.is_in_force(event_day):
        problems.add(
            "legal_basis",
            _("“%(basis)s” was not in force on %(date)s. Select the article in force on the date of the event.")
            % {"basis": str(basis), "date": date_text(event_day)},
        )
    return basis


def _check_text_limits(data: Mapping[str, Any], problems: Problems) -> dict[str, str]:
    texts: dict[str, str] = {}
    for field, limit in TEXT_LIMITS.items():
        value = str(data.get(field) or "").strip()
        if len(value) > limit:
            problems.add(field, _("Enter at most %(limit)d characters") % {"limit": limit})
        texts[field] = value
    return texts


def _check_detention(*, data: Mapping[str, Any], centre: DetentionCentre | None, texts: dict[str, str], problems: Problems) -> str:
    ground = str(data.get("detention_ground") or "")
    if ground not in DetentionGround.values:
        problems.add("detention_ground", _("Select the ground of detention (UU 6/2011 art. 83(1))"))
    if centre is None and not texts["place_description"] and not problems.has("detention_centre"):
        problems.add("detention_centre", _("Select the detention centre, or enter the place of detention"))
    return ground


def _check_ban(*, kind: str, data: Mapping[str, Any], texts: dict[str, str], problems: Problems) -> tuple[dt.date | None, dt.date | None]:
    """The first period of a ban (both days included) and who requested it. The lengths
    are `bans.ban_validate`'s, the one place the rules and extensions of bans live."""
    starts_on = data.get("starts_on") if isinstance(data.get("starts_on"), dt.date) else None
    ends_on = data.get("ends_on") if isinstance(data.get("ends_on"), dt.date) else None
    try:
        from jembatan.cases.bans import ban_validate
    except ImportError:  # pragma: no cover - the bans module ships with this app
        ban_validate = _ban_validate_fallback
    if starts_on is None:
        problems.add("starts_on", _("Enter the date the ban starts"))
    if ends_on is None:
        problems.add("ends_on", _("Enter the date the ban ends"))
    if starts_on and ends_on:
        try:
            ban_validate(kind, starts_on, ends_on)
        except ApplicationError as error:
            problems.add(error.field or "ends_on", error.message)
    if not texts["requesting_agency"]:
        problems.add("requesting_agency", _("Enter the agency that requested the ban"))
    return starts_on, ends_on


def _ban_validate_fallback(kind: str, starts_on: dt.date | None, ends_on: dt.date | None) -> None:
    if starts_on is None or ends_on is None:
        return
    latest = add_months(starts_on, EXIT_BAN_MAX_MONTHS) if kind == CaseKind.EXIT_BAN else add_years(starts_on, ENTRY_BAN_MAX_YEARS)
    latest -= dt.timedelta(days=1)
    if ends_on <= starts_on:
        raise ApplicationError(str(_("The end date must be after the start date")), field="ends_on")
    if ends_on > latest:
        raise ApplicationError(str(_("Enter an end date on or before %(date)s")) % {"date": date_text(latest)}, field="ends_on")


def _check_overstay_charge(days: int, on: dt.date, data: Mapping[str, Any], problems: Problems) -> Decimal | None:
    """Apply UU 6/2011 art. 78 to a charge for an overstay: below the threshold of the rule in
    force on `on` the charge is days × the daily rate (computed when no amount is given, and
    an amount that differs is refused); above it the law calls for deportation and an entry
    ban instead, so a charge is refused."""
    from jembatan.cases.rules import OverstayOutcome, overstay_assess

    assessment = overstay_assess(days_over=days, on=on)
    if assessment.outcome != OverstayOutcome.CHARGE:
        problems.add(
            "overstay_days",
            _(
                "An overstay of %(days)d days is beyond the %(threshold)d-day threshold: record a deportation and an "
                "entry ban instead of a charge"
            )
            % {"days": days, "threshold": assessment.threshold_days},
        )
        return None
    if data.get("charge_amount") in (None, ""):
        return assessment.charge_amount
    amount = _check_amount(data, problems)
    if amount is not None and amount != assessment.charge_amount:
        problems.add(
            "charge_amount",
            _("For %(days)d days of overstay the charge is Rp%(amount)s under the rule in force; enter that amount")
            % {"days": days, "amount": f"{assessment.charge_amount:,.0f}".replace(",", ".")},
        )
    return amount


def _check_amount(data: Mapping[str, Any], problems: Problems) -> Decimal | None:
    raw = data.get("charge_amount")
    if raw in (None, ""):
        problems.add("charge_amount", _("Enter the amount of the charge in rupiah"))
        return None
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        problems.add("charge_amount", _("Enter the amount of the charge in rupiah, in figures only"))
        return None
    if amount <= 0 or amount != amount.to_integral_value() or amount >= Decimal(10) ** 14:
        problems.add("charge_amount", _("Enter the amount of the charge as a whole number of rupiah more than 0"))
        return None
    return amount


def _check_whole_number(data: Mapping[str, Any], field: str, problems: Problems) -> int | None:
    raw = data.get(field)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = -1
    if value < 0:
        problems.add(field, _("Enter a whole number of days, 0 or more"))
        return None
    return value


def _link_agency(*, actor: Any, person: Person, agency: Any, reason: str) -> None:
    """Let the reporting agency see the person from now on (people app; idempotent, and
    nothing for the agency that recorded the person)."""
    try:
        from jembatan.people.services import person_link_agency
    except ImportError:  # pragma: no cover - the people app ships the service
        return
    person_link_agency(person=person, agency=agency, reason=reason, actor=actor)


def _immunity_record(matches: list[Any]) -> dict[str, Any]:
    """What the case keeps of the registry match: the most severe row, and any others."""
    if not matches:
        return {}
    record = dict(matches[0].as_dict())
    if len(matches) > 1:
        record["other_matches"] = [m.as_dict() for m in matches[1:]]
    return record


# --- consular rights advice (VCCR art. 36(1)(b), last sentence) ----------------------------

RIGHTS_STATEMENT_MAX_LENGTH = 5000
RIGHTS_INTERPRETER_MAX_LENGTH = 200
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


def rights_advice_check(*, data: Mapping[str, Any], zone: str, problems: Problems) -> dict[str, Any]:
    """The consular rights advice in `data` (`rights_informed_at`, `rights_language`,
    `rights_answer`; optional `rights_objects_to_visits`, `rights_statement`,
    `rights_interpreter`, `nationality_known_at`), checked; problems are added by field.
    Times are aware, or naive in `zone`; neither may be in the future, and nationality is
    known no later than the person is informed. An objection to visits needs the
    person's statement."""
    if data.get("rights_informed_at") in (None, ""):
        problems.add("rights_informed_at", _("Enter the date and time the person was informed of their right to consular notification"))
    informed_at = event_time(data.get("rights_informed_at") or None, zone=zone, field="rights_informed_at", problems=problems)
    known_at = event_time(data.get("nationality_known_at") or None, zone=zone, field="nationality_known_at", problems=problems)
    if known_at and informed_at and known_at > informed_at and not problems.has("nationality_known_at"):
        problems.add(
            "nationality_known_at",
            _("The time foreign nationality became known must be on or before the time the person was informed"),
        )
    language = str(data.get("rights_language") or "").strip().lower()
    if not language:
        problems.add("rights_language", _("Select the language in which the person was informed"))
    elif not _LANGUAGE_CODE.match(language):
        problems.add("rights_language", _("Select the language from the list"))
    answer = str(data.get("rights_answer") or "")
    if answer not in RightsAnswer.values:
        problems.add(
            "rights_answer",
            _("Select the person's answer: asked for the consulate to be notified, declined, or could not or would not answer"),
        )
    statement = str(data.get("rights_statement") or "").strip()
    if len(statement) > RIGHTS_STATEMENT_MAX_LENGTH:
        problems.add("rights_statement", _("Enter at most %(limit)d characters") % {"limit": RIGHTS_STATEMENT_MAX_LENGTH})
    interpreter = str(data.get("rights_interpreter") or "").strip()
    if len(interpreter) > RIGHTS_INTERPRETER_MAX_LENGTH:
        problems.add("rights_interpreter", _("Enter at most %(limit)d characters") % {"limit": RIGHTS_INTERPRETER_MAX_LENGTH})
    objects = bool(data.get("rights_objects_to_visits"))
    if objects and not statement:
        problems.add("rights_statement", _("Write down the person's statement objecting to consular visits"))
    return {
        "informed_at": informed_at,
        "nationality_known_at": known_at,
        "language": language,
        "answer": answer,
        "objects_to_visits": objects,
        "statement": statement,
        "interpreter": interpreter,
    }


def rights_advice_store(*, actor: Any, case: Case, values: Mapping[str, Any]) -> ConsularRightsAdvice:
    """Store checked advice (`rights_advice_check`) with its `rights_advised` timeline entry
    and the `RIGHTS_ADVICE_RECORDED` audit event, in the caller's transaction. The
    notification engine reads the entry (a request reopens a decision waiting for it)."""
    advice = ConsularRightsAdvice.objects.create(case=case, recorded_by=actor if is_user(actor) else None, **values)
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.RIGHTS_ADVISED,
        actor=actor,
        summary=f"{RightsAnswer(advice.answer).label} ({advice.language})",
        occurred_at=advice.informed_at,
        data={
            "advice_id": str(advice.pk),
            "answer": advice.answer,
            "language": advice.language,
            "objects_to_visits": advice.objects_to_visits,
        },
    )
    audit_record(
        action=AuditAction.RIGHTS_ADVICE_RECORDED,
        target=case,
        actor=actor,
        data={
            "reference": case.reference,
            "advice_id": str(advice.pk),
            "answer": advice.answer,
            "language": advice.language,
            "objects_to_visits": advice.objects_to_visits,
        },
    )
    return advice


def case_create(*, actor: Any, person: Person, kind: str, data: Mapping[str, Any]) -> Case:
    """Record a new case of `kind` about `person`, reported by `actor`'s agency.

    `data` holds the facts: `occurred_at` (aware, or naive in the place's zone),
    `time_zone`, `summary`, `legal_basis` (instance or id), `decision_number`; for a
    detention `detention_ground` (a–e), `detention_centre` (instance, id or code) or
    `place_description`; for bans `starts_on`, `ends_on`, `requesting_agency`; for a cost
    charge `charge_amount` (and `overstay_days`); for a deportation `starts_on` (the
    planned date, optional); `court`; `immunity_override_reason`; `origin_case`. For
    the kinds that deprive a person of liberty (`lifecycle.RIGHTS_ADVICE_KINDS`) the
    consular rights advice is required: `rights_informed_at`, `rights_language`,
    `rights_answer` (see `rights_advice_check`); it is stored as `ConsularRightsAdvice`
    with a `rights_advised` timeline entry.

    Checks, in the law's terms: the kind's own fields; the legal basis is of the right
    kind and in force on the day of the event; the event is neither in the future nor
    before the person's birth; no administrative action against a victim of trafficking
    or smuggling (UU 6/2011 art. 86); the person against the registry of accredited
    persons — a match is stored on the case, put on its timeline and alerted to the
    protocol directorate at once; a person with full immunity is not recorded as detained
    unless an actor holding `cases.override_immunity` gives a reason (stored, audited, on
    the timeline). A detention gets its statutory ceiling (art. 85: detention date + 10
    years). The case number comes from `CaseSequence` under a row lock.

    Raises `PermissionDenied` without `cases.add_case`, `NotFound` (field `person`) for
    a person the actor cannot see, `ApplicationError` naming the field otherwise.
    """
    if not may_add_cases(actor):
        raise PermissionDenied()
    if kind not in CaseKind.values:
        raise refuse("kind", _("Select the kind of case"))
    if person is None or not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise refuse("person", _("There is no such person. Record the person first, then the case."), NotFound)
    person = Person.objects.get(pk=person.pk)
    if kind in ADMINISTRATIVE_ACTIONS and person.is_trafficking_victim:
        raise refuse(
            "person",
            _(
                "This person is recorded as a victim of trafficking or smuggling: no administrative action may be "
                "taken against them (UU 6/2011 art. 86). Record the protection measures instead."
            ),
        )

    with transaction.atomic():
        case, rights = _build_case(actor=actor, person=person, kind=kind, data=data)
        matches = person_immunity_matches(actor=actor, person=person, purpose=f"case intake ({kind})")
        level = strongest_immunity(matches)
        override_reason = str(data.get("immunity_override_reason") or "").strip()
        overriding = kind == CaseKind.DETENTION and level == ImmunityLevel.FULL
        if overriding:
            if not may_override_immunity(actor):
                raise refuse(
                    "immunity_override_reason",
                    _(
                        "This person matches the registry of accredited persons with full immunity: they may not be "
                        "detained in any form (VCDR art. 29). Only an immigration supervisor can record this detention, "
                        "with a reason. The protocol directorate must confirm the person's status."
                    ),
                )
            if not override_reason:
                raise refuse("immunity_override_reason", _("Enter the reason for recording the detention despite full immunity"))
        case.reference = _next_reference()
        case.immunity_level = level
        case.immunity_match = _immunity_record(matches or [])
        if overriding:
            case.immunity_override_reason = override_reason
            case.immunity_override_by = actor if is_user(actor) else None
        try:
            case.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise refusal([(field, str(messages[0])) for field, messages in exc.message_dict.items()]) from None
        case.save(force_insert=True)

        case_event_record(
            case=case,
            kind=CaseEvent.Kind.CREATED,
            actor=actor,
            summary=case.summary,
            to_status=case.status,
            occurred_at=case.occurred_at,
            data={"reference": case.reference, "kind": case.kind},
        )
        audit_record(
            action=AuditAction.CASE_CREATED,
            target=case,
            actor=actor,
            data={
                "reference": case.reference,
                "kind": case.kind,
                "status": case.status,
                "person_id": str(person.pk),
                "immunity_level": level,
            },
        )
        if rights is not None:
            rights_advice_store(actor=actor, case=case, values=rights)
        if matches:
            case_event_record(
                case=case,
                kind=CaseEvent.Kind.IMMUNITY_FLAGGED,
                actor=actor,
                data={"immunity_level": level, "matches": [m.as_dict() for m in matches]},
            )
            _check, alert = immunity_functions()
            if alert is not None:
                alert(
                    matches=matches,
                    case_reference=case.reference,
                    case_url=reverse("cases:detail", kwargs={"case_id": case.pk}),
                    person_name=person.document_name,
                )
        if overriding:
            case_event_record(
                case=case,
                kind=CaseEvent.Kind.IMMUNITY_OVERRIDDEN,
                actor=actor,
                summary=override_reason,
                data={"immunity_level": level},
            )
            audit_record(
                action=AuditAction.CASE_IMMUNITY_OVERRIDDEN,
                target=case,
                actor=actor,
                data={"reference": case.reference, "immunity_level": level, "reason": override_reason},
            )
        _link_agency(actor=actor, person=person, agency=actor.agency, reason=f"case {case.reference}")
        # STYLE rule 11: what was created on the actor's behalf must be theirs to see.
        if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
            raise PermissionDenied()
    return case


def _build_case(*, actor: Any, person: Person, kind: str, data: Mapping[str, Any]) -> tuple[Case, dict[str, Any] | None]:
    """A new, unsaved case with the facts of `data` checked, and the consular rights advice
    of a kind that needs it; raises on any problem."""
    problems = Problems()
    texts = _check_text_limits(data, problems)
    try:
        centre = resolve(DetentionCentre, data.get("detention_centre"), by_code=True)
    except LookupError:
        problems.add("detention_centre", _("Select a detention centre from the list"))
        centre = None
    zone = centre.time_zone if centre is not None else str(data.get("time_zone") or actor_zone(actor))
    if zone not in ZONE_ABBREVIATIONS:
        problems.add("time_zone", _("Select the time zone of the place: WIB, WITA or WIT"))
        zone = "Asia/Jakarta"

    if data.get("occurred_at") is None:
        problems.add("occurred_at", _("Enter the date and time of the event"))
    occurred_at = event_time(data.get("occurred_at"), zone=zone, field="occurred_at", problems=problems)
    event_day = occurred_at.astimezone(ZoneInfo(zone)).date() if occurred_at else None
    earliest = earliest_birth(person)
    if event_day and earliest and event_day < earliest and not problems.has("occurred_at"):
        problems.add(
            "occurred_at",
            _("The date of the event must be on or after the person's date of birth (%(date)s)") % {"date": date_text(earliest)},
        )
    legal_basis = _check_legal_basis(kind=kind, data=data, event_day=event_day, problems=problems)

    case = Case(
        kind=kind,
        status=lifecycle_for(kind).start,
        person=person,
        reporting_agency=actor.agency,
        reporting_unit=getattr(actor, "unit", None) if is_user(actor) else None,
        reported_by=actor if is_user(actor) else None,
        legal_basis=legal_basis,
        occurred_at=cast(dt.datetime, occurred_at),  # None only with a problem recorded: never saved
        time_zone=zone,
        summary=str(data.get("summary") or "").strip(),
        detention_centre=centre,
        place_description=texts["place_description"],
        requesting_agency=texts["requesting_agency"],
        decision_number=texts["decision_number"],
        court=texts["court"],
        origin_case=data.get("origin_case"),
    )
    if kind == CaseKind.DETENTION:
        case.detention_ground = _check_detention(data=data, centre=centre, texts=texts, problems=problems)
        if event_day:
            case.detention_ceiling_on = add_years(event_day, DETENTION_CEILING_YEARS)
    if kind in BAN_KINDS:
        case.starts_on, case.ends_on = _check_ban(kind=kind, data=data, texts=texts, problems=problems)
    if kind == CaseKind.DEPORTATION:
        planned = data.get("starts_on")
        if planned not in (None, "") and not isinstance(planned, dt.date):
            problems.add("starts_on", _("Enter the planned date of deportation as a real date"))
        case.starts_on = planned or None
    if kind == CaseKind.COST_CHARGE:
        case.overstay_days = _check_whole_number(data, "overstay_days", problems)
        if case.overstay_days is not None and event_day is not None and not problems.has("overstay_days"):
            case.charge_amount = _check_overstay_charge(case.overstay_days, event_day, data, problems)
        else:
            case.charge_amount = _check_amount(data, problems)
    rights = rights_advice_check(data=data, zone=zone, problems=problems) if kind in RIGHTS_ADVICE_KINDS else None
    problems.raise_if_any()
    return case, rights
