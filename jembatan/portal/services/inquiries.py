"""Whereabouts inquiries: a mission asks, the consular directorate searches and answers or
forwards to immigration; overdue inquiries are reminded and escalated.

What the answer may never reveal (domain.md §2.7): that a person is a refugee or asylum
seeker (such persons are left out of the search altogether), or anything about a person
who is not a national of the asking mission's country (the search only looks among its
nationals). Everything looked at is recorded on the inquiry (`result`) and audited
(`INQUIRY_SEARCHED` with the ids returned).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jembatan.accounts.alerts import alert_send, users_with_capability
from jembatan.accounts.models import Agency, Alert, User
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.lifecycle import HELD_STATUSES
from jembatan.cases.models import Case
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.core.jobs import job
from jembatan.people.models import IdentityDocument, Nationality, Person
from jembatan.people.querysets import normalise_search_text
from jembatan.portal.models import InquiryPurpose, InquiryStatus, WhereaboutsInquiry, inquiry_due
from jembatan.portal.querysets import can, mission_of
from jembatan.reference.models import ZONE_ABBREVIATIONS, Country

# Reminder to the consular desk this long before an inquiry is due; escalation to the
# consular supervisors at the deadline and every `INQUIRY_ESCALATE_EVERY_HOURS` after it.
INQUIRY_REMIND_BEFORE_HOURS = 24
INQUIRY_ESCALATE_EVERY_HOURS = 24
PENDING = (InquiryStatus.OPEN, InquiryStatus.FORWARDED)
# Words an answer to a mission must not contain (protection status is never disclosed).
_PROTECTION_WORDS = re.compile(r"refugee|asylum|pengungsi|suaka|unhcr|protection status", re.IGNORECASE)
_DOCUMENT_NUMBER = re.compile(r"^[A-Z0-9]{3,20}$")


def _desk_users() -> list[User]:
    return [u for u in users_with_capability("portal.answer_inquiry") if u.agency and u.agency.kind == Agency.Kind.FOREIGN_MINISTRY]


def _escalation_users() -> list[User]:
    return [
        u for u in users_with_capability("notifications.receive_escalation") if u.agency and u.agency.kind == Agency.Kind.FOREIGN_MINISTRY
    ]


def _immigration_supervisors() -> list[User]:
    return [u for u in users_with_capability("cases.view_all_case") if u.agency and u.agency.kind == Agency.Kind.IMMIGRATION]


def _mission_users(mission_id: int) -> list[User]:
    agency = Agency.objects.filter(mission_id=mission_id, is_active=True).first()
    return users_with_capability("portal.view_portal", agency=agency) if agency is not None else []


def _next_reference(year: int) -> str:
    prefix = f"WA-{year}-"
    last = (
        WhereaboutsInquiry.objects.filter(reference__startswith=prefix).order_by("-reference").values_list("reference", flat=True).first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def _clean_birth(year: int | None, month: int | None, day: int | None) -> None:
    today = timezone.localdate()
    if month and not year:
        raise ApplicationError(_("Enter the year of birth as well as the month"), field="birth_year")
    if day and not month:
        raise ApplicationError(_("Enter the month of birth as well as the day"), field="birth_month")
    if year and not (1900 <= year <= today.year):
        raise ApplicationError(_("Year of birth must be a real year in the past, like 1985"), field="birth_year")
    if month and not (1 <= month <= 12):
        raise ApplicationError(_("Month of birth must be a number from 1 to 12"), field="birth_month")
    if day:
        try:
            born = dt.date(year or 2000, month or 1, day)
        except ValueError:
            raise ApplicationError(_("Date of birth must be a real date"), field="birth_day") from None
        if born > today:
            raise ApplicationError(_("Date of birth must be in the past"), field="birth_day")


@transaction.atomic
def inquiry_create(
    *,
    actor: Any,
    surname: str,
    purpose: str,
    given_names: str = "",
    birth_year: int | None = None,
    birth_month: int | None = None,
    birth_day: int | None = None,
    document_number: str = "",
    document_issuing_state: Country | None = None,
    purpose_text: str = "",
) -> WhereaboutsInquiry:
    """A mission asks whether one of its nationals is detained or known. The nationality is
    always the mission's country; the answer is due `INQUIRY_ANSWER_HOURS` later."""
    mission = mission_of(actor)
    if mission is None or not can(actor, "portal.ask_whereabouts"):
        raise PermissionDenied()
    if mission.country_id is None:
        raise Conflict(_("Your mission has no country on record; ask the consular directorate."))
    surname = (surname or "").strip()
    given_names = (given_names or "").strip()
    if not surname:
        raise ApplicationError(_("Enter the surname as written in the passport"), field="surname")
    _clean_birth(birth_year, birth_month, birth_day)
    number = "".join((document_number or "").split()).upper()
    if number and not _DOCUMENT_NUMBER.match(number):
        raise ApplicationError(_("Document number must only include letters and numbers"), field="document_number")
    if not number and not birth_year:
        raise ApplicationError(_("Enter a year of birth or a document number, so the person can be identified"), field="birth_year")
    if purpose not in InquiryPurpose.values:
        raise ApplicationError(_("Select the purpose of the inquiry"), field="purpose")
    purpose_text = (purpose_text or "").strip()
    if purpose == InquiryPurpose.OTHER and not purpose_text:
        raise ApplicationError(_("Describe the purpose of the inquiry"), field="purpose_text")
    now = timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                inquiry = WhereaboutsInquiry.objects.create(
                    reference=_next_reference(timezone.localdate(now).year),
                    mission=mission,
                    asked_by=actor if isinstance(actor, User) else None,
                    surname=surname[:120],
                    given_names=given_names[:200],
                    birth_year=birth_year or None,
                    birth_month=birth_month or None,
                    birth_day=birth_day or None,
                    document_number=number,
                    document_issuing_state=document_issuing_state,
                    nationality_id=mission.country_id,
                    purpose=purpose,
                    purpose_text=purpose_text,
                    asked_at=now,
                    due_at=inquiry_due(now),
                )
            break
        except IntegrityError:
            continue
    else:
        raise Conflict(_("The inquiry could not be numbered. Try again."))
    audit_record(
        action=AuditAction.INQUIRY_CREATED,
        target=inquiry,
        actor=actor,
        data={"reference": inquiry.reference, "mission": mission.pk, "purpose": purpose},
    )
    with translation.override("id"):
        alert_send(
            recipients=_desk_users(),
            title=_("Whereabouts inquiry %(ref)s from %(mission)s") % {"ref": inquiry.reference, "mission": mission.sending_entity},
            body=_("Answer by %(due)s.") % {"due": _local_text(inquiry.due_at, "Asia/Jakarta")},
            url=reverse("portal:desk_inquiry_detail", args=[inquiry.pk]),
            dedupe_key=f"inquiry:{inquiry.pk}:created",
        )
    return inquiry


def _local_text(moment: dt.datetime | None, zone: str) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(zone))
    abbr = ZONE_ABBREVIATIONS.get(zone) or local.strftime("UTC%z")
    return f"{local:%d %b %Y %H:%M} {abbr}"


# --- search --------------------------------------------------------------------------------------


def _require_desk(actor: Any) -> None:
    if mission_of(actor) is not None or not can(actor, "portal.answer_inquiry"):
        raise PermissionDenied()


def _birth_matches(person: Person, inquiry: WhereaboutsInquiry) -> bool:
    for mine, theirs in (
        (inquiry.birth_year, person.birth_year),
        (inquiry.birth_month, person.birth_month),
        (inquiry.birth_day, person.birth_day),
    ):
        if mine and theirs and mine != theirs:
            return False
    return True


def _traffic_rows(actor: Any, inquiry: WhereaboutsInquiry) -> tuple[bool, list[dict[str, Any]]]:
    """Border crossings from `jembatan.traffic.selectors` (when that module offers its
    whereabouts look-ups; (False, []) otherwise), of travellers of the inquiry's
    nationality only, never one whose register record carries a protection flag."""
    try:
        from jembatan.traffic import selectors as traffic
    except ImportError:
        return False, []
    by_document = getattr(traffic, "whereabouts_by_document", None)
    by_name = getattr(traffic, "whereabouts_by_name", None)
    if by_document is None and by_name is None:
        return False, []
    country = inquiry.nationality
    allowed = {country.code, *Country.objects.filter(iso_equivalent=country.code).values_list("code", flat=True)}
    purpose = f"Whereabouts inquiry {inquiry.reference} ({inquiry.get_purpose_display()})"
    answers: list[Any] = []
    try:
        if by_document is not None and inquiry.document_number:
            state = inquiry.document_issuing_state.code if inquiry.document_issuing_state is not None else country.code
            answers = [by_document(actor=actor, document_number=inquiry.document_number, issuing_state=state, purpose=purpose)]
        elif by_name is not None and inquiry.birth_year:
            birth = f"{inquiry.birth_year:04d}-{inquiry.birth_month or 0:02d}-{inquiry.birth_day or 0:02d}"
            name = f"{inquiry.surname} {inquiry.given_names}".strip()
            answers = list(by_name(actor=actor, name=name, birth_date=birth, purpose=purpose, nationality=country.code))
    except (TypeError, ApplicationError):
        return True, []
    out: list[dict[str, Any]] = []
    for answer in answers:
        person = getattr(answer, "person", None)
        if person is not None and (person.is_refugee or person.is_asylum_seeker):
            continue
        if not getattr(answer, "found", True) or (getattr(answer, "nationality", "") or "") not in allowed:
            continue
        data = answer.as_data()
        for crossing in data.get("crossings", [])[:20]:
            out.append(
                {
                    "id": f"{data.get('issuing_state', '')}:{data.get('document_number', '')}:{crossing['crossed_at'].isoformat()}",
                    "direction": str(crossing.get("direction", "")),
                    "crossed_at": crossing["crossed_at"].isoformat(),
                    "checkpoint": str(crossing.get("checkpoint_name") or crossing.get("checkpoint_code") or ""),
                    "document_number": str(data.get("document_number", "")),
                    "in_country": bool(data.get("in_country")),
                }
            )
    return True, out


def inquiry_search(*, actor: Any, inquiry: WhereaboutsInquiry) -> dict[str, Any]:
    """Search the case register (and traffic, when available) for the person asked about,
    among the nationals of the inquiry's country only, never a refugee or asylum seeker.
    Stores what was found on `inquiry.result` and records `INQUIRY_SEARCHED` with the ids."""
    _require_desk(actor)
    if not WhereaboutsInquiry.objects.visible_to(actor).filter(pk=inquiry.pk).exists():
        raise NotFound()
    country = inquiry.nationality
    nationals = Nationality.objects.filter(Q(country_id=country.pk) | Q(country__iso_equivalent=country.code)).values("person_id")
    people = Person.objects.visible_to(actor).filter(id__in=nationals)
    condition = Q(pk__in=[])
    words = normalise_search_text(f"{inquiry.surname} {inquiry.given_names}").split()
    if words:
        by_name = Q()
        for word in words:
            by_name &= Q(search_key__contains=word)
        condition |= by_name
    if inquiry.document_number:
        documents = IdentityDocument.objects.filter(number=inquiry.document_number)
        if inquiry.document_issuing_state_id:
            documents = documents.filter(issuing_state_id=inquiry.document_issuing_state_id)
        condition |= Q(pk__in=documents.values("person_id"))
    candidates = list(people.filter(condition).prefetch_related("documents", "documents__issuing_state")[:100])
    doc_holders = (
        {d.person_id for d in IdentityDocument.objects.filter(number=inquiry.document_number)} if inquiry.document_number else set()
    )
    withheld = 0
    persons: list[dict[str, Any]] = []
    case_ids: list[str] = []
    for person in candidates:
        by_document = person.pk in doc_holders
        if not by_document and not _birth_matches(person, inquiry):
            continue
        if person.is_refugee or person.is_asylum_seeker:
            withheld += 1
            continue
        cases = Case.objects.visible_to(actor).filter(person=person).open().select_related("detention_centre").order_by("-occurred_at")
        open_cases = []
        for case in cases:
            case_ids.append(str(case.pk))
            place = case.detention_centre.name if case.detention_centre else case.place_description
            open_cases.append(
                {
                    "id": str(case.pk),
                    "reference": case.reference,
                    "kind": case.kind,
                    "kind_label": str(case.get_kind_display()),
                    "status": case.status,
                    "status_label": str(case.get_status_display()),
                    "place": place,
                    "since": case.occurred_at.isoformat(),
                    "time_zone": case.time_zone,
                    "held": case.status in HELD_STATUSES,
                }
            )
        persons.append(
            {
                "id": str(person.pk),
                "name": f"{person.surname} {person.given_names}".strip(),
                "native_name": person.native_name,
                "birth": "-".join(str(p) for p in (person.birth_year, person.birth_month, person.birth_day) if p),
                "documents": [d.number for d in person.documents.all()],
                "matched_by": "document" if by_document else "name",
                "open_cases": open_cases,
            }
        )
    traffic_available, crossings = _traffic_rows(actor, inquiry)
    result = {
        "searched_at": timezone.now().isoformat(),
        "searched_by": getattr(actor, "pk", None),
        "criteria": {
            "surname": inquiry.surname,
            "given_names": inquiry.given_names,
            "birth": inquiry.birth_date_text,
            "document_number": inquiry.document_number,
            "nationality": country.code,
        },
        "persons": persons,
        "traffic_available": traffic_available,
        "crossings": crossings,
    }
    with transaction.atomic():
        WhereaboutsInquiry.objects.filter(pk=inquiry.pk).update(result=result, updated_at=timezone.now())
        audit_record(
            action=AuditAction.INQUIRY_SEARCHED,
            target=inquiry,
            actor=actor,
            data={
                "reference": inquiry.reference,
                "person_ids": [p["id"] for p in persons],
                "case_ids": case_ids,
                "crossing_ids": [c["id"] for c in crossings],
                "withheld_protected": withheld,
            },
        )
    inquiry.result = result
    return result


def suggested_answer(result: dict[str, Any]) -> str:
    """'Detained at X since Y.' for the first open detention found; "" otherwise. English:
    the working language with missions."""
    with translation.override("en"):
        for person in result.get("persons", []):
            for case in person.get("open_cases", []):
                if case.get("place") and case.get("held"):
                    since = dt.datetime.fromisoformat(case["since"])
                    return _("%(name)s is held at %(place)s since %(since)s.") % {
                        "name": person["name"],
                        "place": case["place"],
                        "since": _local_text(since, case.get("time_zone") or "Asia/Jakarta"),
                    }
        if not result.get("persons"):
            return _("No record of this person was found in the register of cases of foreign nationals.")
    return ""


# --- answer, forward, close ----------------------------------------------------------------------


def _locked(inquiry: WhereaboutsInquiry) -> WhereaboutsInquiry:
    return WhereaboutsInquiry.objects.select_for_update().select_related("mission").get(pk=inquiry.pk)


@transaction.atomic
def inquiry_answer(*, actor: Any, inquiry: WhereaboutsInquiry, answer: str) -> WhereaboutsInquiry:
    """The consular desk answers; the mission's officers are alerted (and e-mailed)."""
    _require_desk(actor)
    if not WhereaboutsInquiry.objects.visible_to(actor).filter(pk=inquiry.pk).exists():
        raise NotFound()
    inquiry = _locked(inquiry)
    if inquiry.status not in PENDING:
        raise Conflict(_("This inquiry has already been answered or closed."))
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError(_("Enter the answer to the mission"), field="answer")
    if _PROTECTION_WORDS.search(answer):
        raise ApplicationError(_("The answer must not mention refugee or asylum status. Remove it and send again"), field="answer")
    inquiry.answer = answer
    inquiry.answered_by = actor if isinstance(actor, User) else None
    inquiry.answered_at = timezone.now()
    inquiry.status = InquiryStatus.ANSWERED
    inquiry.save(update_fields=["answer", "answered_by", "answered_at", "status", "updated_at"])
    audit_record(
        action=AuditAction.INQUIRY_ANSWERED,
        target=inquiry,
        actor=actor,
        data={
            "reference": inquiry.reference,
            "person_ids": [p.get("id") for p in (inquiry.result or {}).get("persons", [])],
            "in_time": inquiry.answered_at <= inquiry.due_at,
        },
    )
    with translation.override("en"):
        alert_send(
            recipients=_mission_users(inquiry.mission_id),
            title=_("Answer to your whereabouts inquiry %(ref)s") % {"ref": inquiry.reference},
            body=_("The consular directorate has answered. Sign in to the portal to read the answer."),
            url=reverse("portal:inquiry_detail", args=[inquiry.pk]),
            dedupe_key=f"inquiry:{inquiry.pk}:answered",
        )
    return inquiry


@transaction.atomic
def inquiry_forward(*, actor: Any, inquiry: WhereaboutsInquiry, note: str = "") -> WhereaboutsInquiry:
    """Forward to immigration (its supervisors are alerted with what is asked); the desk
    still answers the mission once immigration replies."""
    _require_desk(actor)
    if not WhereaboutsInquiry.objects.visible_to(actor).filter(pk=inquiry.pk).exists():
        raise NotFound()
    inquiry = _locked(inquiry)
    if inquiry.status != InquiryStatus.OPEN:
        raise Conflict(_("Only an open inquiry can be forwarded."))
    inquiry.status = InquiryStatus.FORWARDED
    inquiry.forwarded_at = timezone.now()
    inquiry.forwarded_by = actor if isinstance(actor, User) else None
    inquiry.forward_note = (note or "").strip()
    inquiry.save(update_fields=["status", "forwarded_at", "forwarded_by", "forward_note", "updated_at"])
    audit_record(action=AuditAction.INQUIRY_FORWARDED, target=inquiry, actor=actor, data={"reference": inquiry.reference})
    with translation.override("id"):
        details = _("Name: %(name)s; birth: %(birth)s; document: %(doc)s; nationality: %(nat)s.") % {
            "name": f"{inquiry.surname} {inquiry.given_names}".strip(),
            "birth": inquiry.birth_date_text or "—",
            "doc": inquiry.document_number or "—",
            "nat": inquiry.nationality.code if inquiry.nationality_id else "—",
        }
        alert_send(
            recipients=_immigration_supervisors(),
            title=_("Whereabouts inquiry %(ref)s forwarded by the consular directorate") % {"ref": inquiry.reference},
            body=f"{details}\n{inquiry.forward_note}\n"
            + _("Reply to the consular directorate before %(due)s.") % {"due": _local_text(inquiry.due_at, "Asia/Jakarta")},
            level=Alert.Level.WARNING,
            dedupe_key=f"inquiry:{inquiry.pk}:forwarded",
        )
    return inquiry


@transaction.atomic
def inquiry_close(*, actor: Any, inquiry: WhereaboutsInquiry) -> WhereaboutsInquiry:
    """The asking mission closes its own inquiry (no longer needed, or answered)."""
    if not WhereaboutsInquiry.objects.visible_to(actor).filter(pk=inquiry.pk).exists():
        raise NotFound()
    if mission_of(actor) is None or not can(actor, "portal.ask_whereabouts"):
        raise PermissionDenied()
    inquiry = _locked(inquiry)
    if inquiry.status == InquiryStatus.CLOSED:
        raise Conflict(_("This inquiry is already closed."))
    previous = inquiry.status
    inquiry.status = InquiryStatus.CLOSED
    inquiry.save(update_fields=["status", "updated_at"])
    audit_record(
        action=AuditAction.INQUIRY_CLOSED, target=inquiry, actor=actor, data={"reference": inquiry.reference, "closed_from": previous}
    )
    return inquiry


# --- reminders -----------------------------------------------------------------------------------


def inquiries_remind(*, now: dt.datetime | None = None) -> int:
    """Remind the desk before an inquiry is due; escalate to consular supervisors at the
    deadline and every `INQUIRY_ESCALATE_EVERY_HOURS` after it. Each step is sent once
    (`remind_once`); after an outage only the current step is sent. Returns steps sent."""
    from jembatan.notifications.deadlines import remind_once

    now = now or timezone.now()
    sent = 0
    pending = WhereaboutsInquiry.objects.filter(status__in=PENDING, due_at__lte=now + dt.timedelta(hours=INQUIRY_REMIND_BEFORE_HOURS))
    for inquiry in pending.select_related("mission"):
        url = reverse("portal:desk_inquiry_detail", args=[inquiry.pk])
        with translation.override("id"):
            if now < inquiry.due_at:
                sent += bool(
                    remind_once(
                        subject_type="portal.whereaboutsinquiry",
                        subject_id=str(inquiry.pk),
                        kind="reminder",
                        step=1,
                        recipients=_desk_users(),
                        title=_("Whereabouts inquiry %(ref)s is due soon") % {"ref": inquiry.reference},
                        body=_("Answer by %(due)s.") % {"due": _local_text(inquiry.due_at, "Asia/Jakarta")},
                        url=url,
                    )
                )
                continue
            overdue_hours = (now - inquiry.due_at).total_seconds() / 3600
            step = 1 + int(overdue_hours // INQUIRY_ESCALATE_EVERY_HOURS)
            recipients = {u.pk: u for u in [*_desk_users(), *_escalation_users()]}
            sent += bool(
                remind_once(
                    subject_type="portal.whereaboutsinquiry",
                    subject_id=str(inquiry.pk),
                    kind="escalation",
                    step=step,
                    recipients=list(recipients.values()),
                    title=_("Whereabouts inquiry %(ref)s is overdue") % {"ref": inquiry.reference},
                    body=_("It was due %(due)s and has not been answered.") % {"due": _local_text(inquiry.due_at, "Asia/Jakarta")},
                    url=url,
                )
            )
    return sent


@job(queue="short", retries=3, backoff_seconds=60)
def inquiries_remind_job() -> int:
    """Periodic (JOBS_PERIODIC "portal.inquiries_remind"): idempotent, catches up by itself."""
    return inquiries_remind()
