"""Reads of the case register. Every read is scoped by `Case.objects.visible_to` and every
read of a case's personal data is recorded in the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet

from jembatan.accounts.models import OrgUnit
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_read
from jembatan.cases.models import Case, CaseDocument, CaseEvent
from jembatan.cases.permissions import may_change_cases
from jembatan.core.exceptions import NotFound, PermissionDenied
from jembatan.missions.choices import ImmunityLevel
from jembatan.people.models import IdentityDocument, Nationality, Person

# Most severe first: the level a case keeps when several registry rows match.
IMMUNITY_SEVERITY: list[str] = [
    ImmunityLevel.FULL.value,
    ImmunityLevel.OFFICIAL_ACTS.value,
    ImmunityLevel.UNKNOWN.value,
    ImmunityLevel.NONE.value,
]


@dataclass(frozen=True)
class CaseFilters:
    """What the case list and the API list may be narrowed by (all optional).

    Dates are whole days in `zone` (the viewer's), both ends included.
    """

    kind: str = ""
    status: str = ""
    nationality: str = ""
    office_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    overdue: bool = False
    nearing_ceiling: bool = False
    immunity_flagged: bool = False
    open_only: bool = False
    query: str = ""
    zone: str = "Asia/Jakarta"

    @property
    def active(self) -> dict[str, Any]:
        """The filters actually set, for the audit log and the "selected filters" tags."""
        values = asdict(self)
        values.pop("zone")
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items() if v not in ("", None, False)}


def _with_details(queryset: QuerySet[Case]) -> QuerySet[Case]:
    return queryset.select_related(
        "person", "reporting_agency", "reporting_unit", "legal_basis", "detention_centre", "immunity_override_by", "origin_case"
    ).prefetch_related(Prefetch("person__nationality_links", queryset=Nationality.objects.select_related("country")))


def _day_start(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(zone))


def case_list(*, actor: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The cases `actor` may see, narrowed by `filters`, last updated first.

    `query` matches the case number, or the person's names in any script (through
    `Person.search`: transliterated, case- and accent-insensitive) or document number.
    Records `CASE_LISTED` with the filters used, even when nothing matches.
    """
    filters = filters or CaseFilters()
    cases = Case.objects.visible_to(actor)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.nationality:
        holders = Nationality.objects.filter(Q(country__code=filters.nationality) | Q(country__iso_equivalent=filters.nationality)).values(
            "person_id"
        )
        cases = cases.filter(person_id__in=holders)
    if filters.office_id:
        cases = cases.filter(reporting_unit_id=filters.office_id)
    if filters.date_from:
        cases = cases.filter(occurred_at__gte=_day_start(filters.date_from, filters.zone))
    if filters.date_to:
        cases = cases.filter(occurred_at__lt=_day_start(filters.date_to + dt.timedelta(days=1), filters.zone))
    if filters.overdue:
        cases = cases.needing_attention()
    if filters.nearing_ceiling:
        cases = cases.nearing_ceiling()
    if filters.immunity_flagged:
        cases = cases.immunity_flagged()
    if filters.open_only:
        cases = cases.open()
    query = filters.query.strip()
    if query:
        people = Person.objects.search(query).values("id")
        cases = cases.filter(Q(person_id__in=people) | Q(reference__iexact=query.replace(" ", "")))
    audit_read(actor=actor, action=AuditAction.CASE_LISTED, target=("cases.case", "", ""), data={"filters": filters.active})
    return _with_details(cases).order_by("-updated_at", "-occurred_at", "id")


def _parse_id(case_id: Any) -> Any:
    try:
        return Case._meta.pk.to_python(case_id)  # type: ignore[union-attr]
    except (ValidationError, ValueError):
        raise NotFound() from None


def case_get(*, actor: Any, case_id: Any, action: str = "view") -> Case:
    """One case `actor` may see, with its person and places; `NotFound` otherwise.

    A case outside the actor's scope and a case that does not exist are the same answer.
    With `action="change"` the case must also be one the actor may change: a case they
    see but may not change raises `PermissionDenied` (403), never `NotFound`, so a
    consular officer learns nothing new. Records `CASE_VIEWED` for `action="view"` only;
    a change is audited by the service that makes it.
    """
    pk = _parse_id(case_id)
    try:
        case = _with_details(Case.objects.visible_to(actor)).get(pk=pk)
    except Case.DoesNotExist:
        raise NotFound() from None
    if action == "change":
        if not may_change_cases(actor) or not Case.objects.visible_to(actor, "change").filter(pk=pk).exists():
            raise PermissionDenied()
        return case
    audit_read(actor=actor, action=AuditAction.CASE_VIEWED, target=case)
    return case


def case_timeline(*, case: Case) -> list[CaseEvent]:
    """The case's timeline, newest first (the caller has already read the case)."""
    return list(case.events.select_related("actor", "agency", "corrects").order_by("-recorded_at", "-occurred_at"))


def case_documents(*, case: Case) -> list[CaseDocument]:
    return list(case.documents.select_related("uploaded_by").order_by("-created_at"))


def case_document_get(*, actor: Any, case_id: Any, document_id: Any) -> CaseDocument:
    """A document of a case `actor` may see; `NotFound` for anything else (wrong case,
    case out of scope, no such document). Not audited here: opening it is
    (`services.case_document_open`)."""
    pk = _parse_id(case_id)
    try:
        return (
            CaseDocument.objects.select_related("case")
            .filter(case__in=Case.objects.visible_to(actor), case_id=pk)
            .get(pk=CaseDocument._meta.pk.to_python(document_id))  # type: ignore[union-attr]
        )
    except (CaseDocument.DoesNotExist, ValidationError, ValueError):
        raise NotFound() from None


def case_office_choices(*, actor: Any) -> QuerySet[OrgUnit]:
    """The reporting offices of the cases `actor` may see (for the list filter): an office
    that reported nothing visible is not offered, so the list never hints at others."""
    units = Case.objects.visible_to(actor).exclude(reporting_unit=None).values("reporting_unit_id")
    return OrgUnit.objects.filter(pk__in=units).select_related("agency").order_by("name_id")


@dataclass(frozen=True)
class CaseCounts:
    """The numbers on the home panel (not personal data: not audited)."""

    open: int
    nearing_ceiling: int
    immunity_flagged: int
    needing_attention: int


def case_counts(*, actor: Any) -> CaseCounts:
    visible = Case.objects.visible_to(actor)
    return CaseCounts(
        open=visible.open().count(),
        nearing_ceiling=visible.nearing_ceiling().count(),
        immunity_flagged=visible.immunity_flagged().open().count(),
        needing_attention=visible.needing_attention().count(),
    )


# --- the immunity registry (missions app) ------------------------------------------------


def immunity_functions() -> tuple[Callable[..., list[Any]] | None, Callable[..., Any] | None]:
    """`immunity_check` and `immunity_alert_protocol` of the missions app, looked up at call
    time: `missions.services` is the agreed home; `missions.immunity` holds them today."""
    check = alert = None
    for module_name in ("jembatan.missions.services", "jembatan.missions.immunity"):
        try:
            module = __import__(module_name, fromlist=["_"])
        except ImportError:
            continue
        check = check or getattr(module, "immunity_check", None)
        alert = alert or getattr(module, "immunity_alert_protocol", None)
    return check, alert


def _severity(level: str) -> int:
    return IMMUNITY_SEVERITY.index(level) if level in IMMUNITY_SEVERITY else len(IMMUNITY_SEVERITY)


def person_immunity_matches(*, actor: Any, person: Person, purpose: str = "") -> list[Any] | None:
    """Registry rows that may be `person`, most severe immunity first; None when the
    registry cannot be consulted (missions app not installed).

    The person is checked by each identity document (number and issuing state) and by
    name and date of birth; the same registry row found twice counts once.
    """
    check, _alert = immunity_functions()
    if check is None:
        return None
    documents = list(IdentityDocument.objects.filter(person=person).select_related("issuing_state"))
    probes = [{"document_number": d.number, "issuing_state": d.issuing_state.code} for d in documents] or [{}]
    found: dict[str, Any] = {}
    for probe in probes:
        for match in check(
            **probe,
            surname=person.surname,
            given_names=person.given_names,
            birth_date=person.birth_date,
            actor=actor,
            purpose=purpose,
        ):
            key = str(match.as_dict().get("accredited_person_id") or match.as_dict())
            found.setdefault(key, match)
    return sorted(found.values(), key=lambda m: _severity(m.immunity_level))


def strongest_immunity(matches: list[Any] | None) -> str:
    """The most severe immunity level among `matches` ("" when there is none)."""
    if not matches:
        return ""
    return str(min((m.immunity_level for m in matches), key=_severity))


def open_cases_for_whereabouts(actor: Any, person_ids: list[Any]) -> list[dict[str, Any]]:
    """The open cases of the register's persons `person_ids` that `actor` may see, newest
    first (at most 20), for a traffic whereabouts answer: the `JEMBATAN_WHEREABOUTS_EXTRAS`
    extension point, so traffic (layer 5) never imports the register. The lookup itself is
    audited by traffic (`WHEREABOUTS_QUERIED`)."""
    if not person_ids:
        return []
    cases = Case.objects.visible_to(actor).open().filter(person_id__in=person_ids).order_by("-occurred_at")[:20]
    return [
        {
            "id": case.pk,
            "reference": case.reference,
            "kind": case.kind,
            "status": case.status,
            "kind_label": case.get_kind_display(),
            "status_label": case.get_status_display(),
        }
        for case in cases
    ]
