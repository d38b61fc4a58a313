"""Writes of people: the intake of a foreign national, the duplicate guard, and the links
that let more than one agency see the same person.

One person is one record shared by the agencies that deal with them. Before a new person
is recorded, `person_find_duplicates` looks through every person (not only those the
officer can see) for the same document or a similar name with a compatible birth date and
a shared nationality; the officer then either uses an existing record
(`person_link_existing`, which links the officer's agency to it) or confirms a new person
(`person_create` with the candidates rejected). Each of these steps is audited.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_read, audit_record
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.people import mrz
from jembatan.people.models import IdentityDocument, Nationality, Person, PersonAgencyLink, Sex
from jembatan.people.permissions import ADD_PERSON
from jembatan.people.querysets import normalise_search_text
from jembatan.reference.models import Country

# A name pair at or above this rapidfuzz score (0–100) counts as "similar".
NAME_SIMILARITY_THRESHOLD = 85
# At most this many candidates are proposed, the most likely first.
MAX_CANDIDATES = 10
EARLIEST_BIRTH_YEAR = 1900
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_DOCUMENT_NUMBER = re.compile(r"^[A-Z0-9]+$")


# --- input -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentData:
    """An identity document as entered or read from the MRZ."""

    document_type: str = IdentityDocument.DocumentType.PASSPORT
    number: str = ""
    issuing_state: str = ""
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    mrz: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.number or self.issuing_state or self.issued_on or self.expires_on)


@dataclass(frozen=True)
class PersonData:
    """A person as entered at intake (form or API) or read from an MRZ.

    Birth date parts may be missing (year only, or year and month); `0` means unknown, as
    `00` does in the exchange format. `nationalities` are ICAO/ISO codes, the first one
    primary.
    """

    surname: str = ""
    given_names: str = ""
    native_name: str = ""
    native_name_lang: str = ""
    sex: str = Sex.UNSPECIFIED
    birth_year: int | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    nationalities: tuple[str, ...] = ()
    is_refugee: bool = False
    is_asylum_seeker: bool = False
    is_stateless: bool = False
    is_trafficking_victim: bool = False
    document: DocumentData | None = None

    @property
    def document_name(self) -> str:
        return f"{self.surname} {self.given_names}".strip()


class MrzInvalid(ApplicationError):
    """The MRZ cannot be read; `extra["mrz_field"]` names the MRZ field at fault."""

    code = "mrz_invalid"


class DocumentAlreadyRecorded(Conflict):
    """A document of the same type, number and issuing state belongs to a person already."""

    code = "document_already_recorded"
    default_message = _(
        "A person with this document is already recorded. Use the existing record, or check the document type, number and issuing state."
    )


# --- reading an MRZ ----------------------------------------------------------------------

_MRZ_FIELD_LABELS = {
    "format": _("layout"),
    "document_code": _("document code"),
    "issuing_state": _("issuing state"),
    "document_number": _("document number"),
    "nationality": _("nationality"),
    "birth_date": _("date of birth"),
    "sex": _("sex"),
    "expiry_date": _("date of expiry"),
    "optional_data": _("personal number (optional data)"),
    "composite": _("overall check digit (last character of the line with the document number)"),
}


def _mrz_field_label(name: str) -> str:
    line = re.fullmatch(r"line (\d)", name)
    if line:
        return gettext("line %(number)s") % {"number": line.group(1)}
    return str(_MRZ_FIELD_LABELS.get(name, name))


def mrz_error_message(error: mrz.MrzError) -> str:
    """The MRZ error in the active language, naming the MRZ field at fault."""
    problem = error.message_en if (get_language() or "id").startswith("en") else error.message_id
    return gettext("MRZ, %(field)s: %(problem)s. Check the MRZ, or fill in the fields yourself.") % {
        "field": _mrz_field_label(error.field),
        "problem": problem,
    }


def known_country_codes() -> frozenset[str]:
    """Every nationality and issuing-state code in the reference data (ISO and ICAO, including
    withdrawn codes still printed on valid documents)."""
    return frozenset(Country.objects.values_list("code", flat=True))


def _mrz_birth(raw: str, today: dt.date) -> tuple[int | None, int | None, int | None]:
    """Year, month and day of an MRZ birth date, where `<<` marks an unknown part."""
    if not raw[:2].isdigit():
        return None, None, None
    year = 2000 + int(raw[:2])
    month = int(raw[2:4]) if raw[2:4].isdigit() else None
    day = int(raw[4:6]) if raw[4:6].isdigit() else None
    if (year, month or 1, day or 1) > (today.year, today.month, today.day):
        year -= 100  # nobody is born in the future: a later date is from the 1900s
    return year, month, day


_MRZ_DOCUMENT_TYPES = {
    "P": IdentityDocument.DocumentType.PASSPORT,
    "I": IdentityDocument.DocumentType.IDENTITY_CARD,
    "A": IdentityDocument.DocumentType.IDENTITY_CARD,
    "C": IdentityDocument.DocumentType.IDENTITY_CARD,
}


def person_data_from_mrz(*, text: str, today: dt.date | None = None) -> PersonData:
    """What an MRZ says about its holder, as `PersonData`; `MrzInvalid` (field `mrz`) if it
    cannot be read.

    Check digits and the nationality and issuing-state codes (against the reference data)
    are verified by `mrz.parse`; the message names the MRZ field at fault in the active
    language. The document's MRZ lines are kept with the document. Nationality `XXA`
    (stateless) ticks the stateless flag, `XXB`/`XXC` (refugee) the refugee flag.
    """
    today = today or timezone.localdate()
    if not (text or "").strip():
        raise MrzInvalid(gettext("Paste or scan the MRZ, or fill in the fields yourself."), field="mrz")
    try:
        parsed = mrz.parse(text, known_codes=known_country_codes(), today=today)
    except mrz.MrzError as error:
        raise MrzInvalid(mrz_error_message(error), field="mrz", extra={"mrz_field": error.field}) from None
    if parsed.birth_date is not None:
        birth: tuple[int | None, int | None, int | None] = (parsed.birth_date.year, parsed.birth_date.month, parsed.birth_date.day)
    else:
        birth = _mrz_birth(parsed.birth_date_raw, today)
    return PersonData(
        surname=parsed.surname,
        given_names=parsed.given_names,
        sex=parsed.sex if parsed.sex in Sex.values else Sex.UNSPECIFIED,
        birth_year=birth[0],
        birth_month=birth[1],
        birth_day=birth[2],
        nationalities=(parsed.nationality,),
        is_stateless=parsed.nationality == "XXA",
        is_refugee=parsed.nationality in ("XXB", "XXC"),
        document=DocumentData(
            document_type=_MRZ_DOCUMENT_TYPES.get(parsed.document_code[:1], IdentityDocument.DocumentType.OTHER),
            number=parsed.document_number,
            issuing_state=parsed.issuing_state,
            expires_on=parsed.expiry_date,
            mrz="\n".join(parsed.lines),
        ),
    )


# --- validation ------------------------------------------------------------------------


def _error(message: Any, field_name: str, **extra: Any) -> ApplicationError:
    return ApplicationError(str(message), field=field_name, extra=extra or None)


def _clean_birth(data: PersonData, today: dt.date) -> tuple[int | None, int | None, int | None]:
    year, month, day = data.birth_year or None, data.birth_month or None, data.birth_day or None
    if day and not month:
        raise _error(_("Enter the month of birth too, or leave the day empty"), "birth_date", part="month")
    if (month or day) and not year:
        raise _error(_("Enter the year of birth"), "birth_date", part="year")
    if year is None:
        return None, None, None
    if month is not None and not 1 <= month <= 12:
        raise _error(_("Month of birth must be a number from 1 to 12"), "birth_date", part="month")
    if year < EARLIEST_BIRTH_YEAR:
        raise _error(_("Year of birth must be 1900 or later"), "birth_date", part="year")
    if day is not None and month is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise _error(_("Date of birth must be a real date"), "birth_date", part="day")
    if (year, month or 1, day or 1) > (today.year, today.month, today.day):
        raise _error(_("Date of birth must be today or in the past"), "birth_date", part="year")
    return year, month, day


def _clean_nationalities(codes: Iterable[str], known: frozenset[str]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for index, raw in enumerate(codes):
        code = (raw or "").strip().upper()
        if not code or code in cleaned:
            continue
        if code not in known:
            raise _error(
                gettext("Nationality code %(code)s is not known. Select a nationality from the list") % {"code": code},
                "nationalities",
                index=index,
            )
        cleaned.append(code)
    if not cleaned:
        raise _error(_("Select a nationality. For a stateless person, select XXA"), "nationalities", index=0)
    return tuple(cleaned)


def _clean_document(doc: DocumentData | None, known: frozenset[str], birth_year: int | None, today: dt.date) -> DocumentData | None:
    if doc is None or doc.is_empty:
        return None
    number = "".join((doc.number or "").split()).upper()
    state = (doc.issuing_state or "").strip().upper()
    if doc.document_type not in IdentityDocument.DocumentType.values:
        raise _error(_("Select the document type"), "document_type")
    if not number:
        raise _error(_("Enter the document number"), "document_number")
    if not _DOCUMENT_NUMBER.match(number):
        raise _error(_("Document number must only include letters and numbers"), "document_number")
    if len(number) > 20:
        raise _error(_("Document number must be 20 characters or fewer"), "document_number")
    if not state:
        raise _error(_("Select the issuing state"), "issuing_state")
    if state not in known:
        raise _error(
            gettext("Issuing state code %(code)s is not known. Select the issuing state from the list") % {"code": state},
            "issuing_state",
        )
    if doc.issued_on and doc.issued_on > today:
        raise _error(_("Date of issue must be today or in the past"), "issued_on")
    if doc.issued_on and birth_year and doc.issued_on.year < birth_year:
        raise _error(_("Date of issue must be after the date of birth"), "issued_on")
    if doc.issued_on and doc.expires_on and doc.expires_on <= doc.issued_on:
        raise _error(_("Date of expiry must be after the date of issue"), "expires_on")
    return DocumentData(
        document_type=doc.document_type,
        number=number,
        issuing_state=state,
        issued_on=doc.issued_on,
        expires_on=doc.expires_on,
        mrz=(doc.mrz or "").strip(),
    )


def person_validate(*, data: PersonData, today: dt.date | None = None) -> PersonData:
    """Check `data` and return it normalised; `ApplicationError` naming the field otherwise.

    Fields named in errors: `surname`, `given_names`, `native_name`, `native_name_lang`,
    `sex`, `birth_date` (`extra["part"]`: day, month or year), `nationalities`
    (`extra["index"]`), `document_type`, `document_number`, `issuing_state`, `issued_on`,
    `expires_on`. Reads reference data only; writes nothing.
    """
    today = today or timezone.localdate()
    surname = " ".join((data.surname or "").split())
    given_names = " ".join((data.given_names or "").split())
    native_name = " ".join((data.native_name or "").split())
    native_name_lang = (data.native_name_lang or "").strip()
    if not surname:
        raise _error(_("Enter the surname as in the document"), "surname")
    if len(surname) > 120:
        raise _error(_("Surname must be 120 characters or fewer"), "surname")
    if len(given_names) > 200:
        raise _error(_("Given names must be 200 characters or fewer"), "given_names")
    if len(native_name) > 300:
        raise _error(_("Name in native script must be 300 characters or fewer"), "native_name")
    if native_name_lang and (len(native_name_lang) > 16 or not _LANGUAGE_TAG.match(native_name_lang)):
        raise _error(_("Enter the language as a code such as ar, ru or zh-Hans"), "native_name_lang")
    sex = (data.sex or Sex.UNSPECIFIED).upper()
    if sex not in Sex.values:
        raise _error(_("Select the sex"), "sex")
    year, month, day = _clean_birth(data, today)
    known = known_country_codes()
    nationalities = _clean_nationalities(data.nationalities, known)
    document = _clean_document(data.document, known, year, today)
    return PersonData(
        surname=surname,
        given_names=given_names,
        native_name=native_name,
        native_name_lang=native_name_lang if native_name else "",
        sex=sex,
        birth_year=year,
        birth_month=month,
        birth_day=day,
        nationalities=nationalities,
        is_refugee=bool(data.is_refugee),
        is_asylum_seeker=bool(data.is_asylum_seeker),
        is_stateless=bool(data.is_stateless),
        is_trafficking_victim=bool(data.is_trafficking_victim),
        document=document,
    )


# --- capability and scope ----------------------------------------------------------------


def _require_add(actor: Any) -> None:
    has_capability = getattr(actor, "has_capability", None)
    if not (has_capability and has_capability(ADD_PERSON)) or getattr(actor, "agency", None) is None:
        raise PermissionDenied()


def _ensure_visible(actor: Any, person: Person) -> None:
    """STYLE rule 11: what was just written must be inside the actor's scope, else roll back."""
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise PermissionDenied(gettext("You could not see this person after recording them, so nothing was saved."))


# --- the duplicate guard -------------------------------------------------------------------


class MatchReason(models.TextChoices):
    """Why a recorded person may be the person being entered."""

    SAME_DOCUMENT = "same_document", _("same document")
    SIMILAR_NAME = "similar_name", _("similar name")
    SAME_BIRTH_DATE = "same_birth_date", _("same date of birth")
    SAME_BIRTH_MONTH = "same_birth_month", _("same month and year of birth")
    SAME_BIRTH_YEAR = "same_birth_year", _("same year of birth")
    SAME_NATIONALITY = "same_nationality", _("same nationality")


@dataclass(frozen=True)
class DuplicateCandidate:
    """A recorded person who may be the person being entered.

    `score` is 100 for the same document, otherwise the name similarity (0–99, lowered a
    little when only the year or month of birth could be compared). The facts below are
    the minimum an officer needs to decide; they are all a candidate outside the actor's
    scope shows (`visible` False): `person` is then None and document numbers are masked.
    """

    person_id: uuid.UUID
    score: int
    reasons: tuple[MatchReason, ...]
    visible: bool
    document_name: str
    native_name: str
    native_name_lang: str
    birth_year: int | None
    birth_month: int | None
    birth_day: int | None
    nationalities: tuple[str, ...]
    document_numbers: tuple[str, ...]
    person: Person | None = None

    @property
    def birth_date_display(self) -> str:
        """YYYY-MM-DD with 00 for unknown parts, as in the exchange format."""
        if not self.birth_year:
            return ""
        return f"{self.birth_year:04d}-{self.birth_month or 0:02d}-{self.birth_day or 0:02d}"

    @property
    def reason_labels(self) -> list[str]:
        return [str(reason.label) for reason in self.reasons]


@dataclass
class _Match:
    person: Person
    score: int = 0
    reasons: list[MatchReason] = field(default_factory=list)


def _equivalent_codes(codes: Iterable[str]) -> set[str]:
    """`codes` with their ICAO/ISO equivalents (`D` ↔ `DEU`, `GBN` → `GBR`)."""
    codes = {c.strip().upper() for c in codes if c and c.strip()}
    if not codes:
        return set()
    rows = Country.objects.filter(Q(code__in=codes) | Q(iso_equivalent__in=codes)).values_list("code", "iso_equivalent")
    expanded = set(codes)
    for code, iso in rows:
        expanded.add(code)
        if iso:
            expanded.add(iso)
    return expanded


def _name_score(new_names: Sequence[str], person: Person) -> int:
    """The best rapidfuzz similarity between any name entered and any name recorded, all
    normalised to lower-case ASCII first (anyascii), so scripts compare with each other."""
    recorded = [n for n in (normalise_search_text(person.document_name), normalise_search_text(person.native_name)) if n]
    best = 0.0
    for a in new_names:
        for b in recorded:
            best = max(best, fuzz.token_sort_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))
    return round(best)


def _birth_reason(data: PersonData, person: Person) -> tuple[MatchReason, int] | None:
    """The birth-date agreement of `data` and `person` and a penalty for partial dates;
    None when the dates disagree or cannot be compared."""
    if not data.birth_year or data.birth_year != person.birth_year:
        return None
    if data.birth_month and person.birth_month:
        if data.birth_month != person.birth_month:
            return None
        if data.birth_day and person.birth_day:
            if data.birth_day != person.birth_day:
                return None
            return MatchReason.SAME_BIRTH_DATE, 0
        return MatchReason.SAME_BIRTH_MONTH, 5
    return MatchReason.SAME_BIRTH_YEAR, 10


def _find_matches(data: PersonData) -> list[_Match]:
    """Every recorded person who may be the person in `data`, across all agencies.

    Deliberately unscoped: one person is one record, so the guard must find a person
    whichever agency recorded them. Callers decide what the actor may learn about each.
    """
    matches: dict[uuid.UUID, _Match] = {}
    doc = data.document
    if doc is not None and doc.number and doc.issuing_state:
        number = "".join(doc.number.split()).upper()
        documents = IdentityDocument.objects.filter(number=number, issuing_state__code=doc.issuing_state.strip().upper())
        for document in documents.select_related("person"):
            matches[document.person_id] = _Match(person=document.person, score=100, reasons=[MatchReason.SAME_DOCUMENT])

    new_names = [n for n in (normalise_search_text(data.document_name), normalise_search_text(data.native_name)) if n]
    codes = _equivalent_codes(data.nationalities)
    if data.birth_year and new_names and codes:
        people = Person.objects.filter(birth_year=data.birth_year)
        if data.birth_month:
            people = people.filter(Q(birth_month=data.birth_month) | Q(birth_month__isnull=True))
            if data.birth_day:
                people = people.filter(Q(birth_day=data.birth_day) | Q(birth_day__isnull=True))
        people = people.filter(id__in=Nationality.objects.filter(country__code__in=codes).values("person_id"))
        fields = ("id", "surname", "given_names", "native_name", "native_name_lang", "birth_year", "birth_month", "birth_day")
        for person in people.only(*fields, "recorded_by_agency_id"):
            birth = _birth_reason(data, person)
            name_score = _name_score(new_names, person)
            if birth is None or name_score < NAME_SIMILARITY_THRESHOLD:
                continue
            match = matches.setdefault(person.pk, _Match(person=person))
            match.reasons += [MatchReason.SIMILAR_NAME, birth[0], MatchReason.SAME_NATIONALITY]
            match.score = match.score or max(0, min(99, name_score) - birth[1])
    ranked = sorted(matches.values(), key=lambda m: (-m.score, m.person.surname, str(m.person.pk)))
    return ranked[:MAX_CANDIDATES]


def _mask(number: str) -> str:
    """A document number with all but its last three characters hidden."""
    return "*" * max(0, len(number) - 3) + number[-3:]


def _candidates(actor: Any, matches: list[_Match]) -> list[DuplicateCandidate]:
    ids = [m.person.pk for m in matches]
    visible = set(Person.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
    nationalities: dict[uuid.UUID, list[str]] = {}
    for person_id, code in (
        Nationality.objects.filter(person_id__in=ids).order_by("-is_primary", "country__code").values_list("person_id", "country__code")
    ):
        nationalities.setdefault(person_id, []).append(code)
    numbers: dict[uuid.UUID, list[str]] = {}
    for person_id, number, state in (
        IdentityDocument.objects.filter(person_id__in=ids).order_by("-expires_on").values_list("person_id", "number", "issuing_state__code")
    ):
        shown = number if person_id in visible else _mask(number)
        numbers.setdefault(person_id, []).append(f"{shown} ({state})")
    candidates = []
    for m in matches:
        p = m.person
        seen = p.pk in visible
        candidates.append(
            DuplicateCandidate(
                person_id=p.pk,
                score=m.score,
                reasons=tuple(dict.fromkeys(m.reasons)),
                visible=seen,
                document_name=p.document_name,
                native_name=p.native_name,
                native_name_lang=p.native_name_lang,
                birth_year=p.birth_year,
                birth_month=p.birth_month,
                birth_day=p.birth_day,
                nationalities=tuple(nationalities.get(p.pk, [])),
                document_numbers=tuple(numbers.get(p.pk, [])),
                person=p if seen else None,
            )
        )
    return candidates


def person_find_duplicates(*, actor: Any, data: PersonData) -> list[DuplicateCandidate]:
    """The recorded persons who may be the person in `data`, most likely first.

    A candidate is a person holding a document with the same number and issuing state
    (certain: score 100), or a person whose name is similar in any script (rapidfuzz on
    anyascii-normalised document and native names) AND whose birth date is compatible (the
    same full date, or the same year and month where either date is partial) AND who shares
    a nationality. Without a year of birth and a nationality only the document can match.

    Every person is searched, whichever agency recorded them; for a candidate the actor
    cannot otherwise see, only minimal facts are returned (see `DuplicateCandidate`).
    Needs `people.add_person`. Records `PERSON_DUPLICATES_SEARCHED` with the candidates.
    """
    _require_add(actor)
    candidates = _candidates(actor, _find_matches(data))
    audit_read(
        actor=actor,
        action=AuditAction.PERSON_DUPLICATES_SEARCHED,
        target=("people.person", "", ""),
        data={
            "name": data.document_name,
            "birth_date": _birth_display(data),
            "nationalities": list(data.nationalities),
            "document": _mask(data.document.number) if data.document and data.document.number else "",
            "candidates": [{"id": str(c.person_id), "score": c.score, "reasons": [r.value for r in c.reasons]} for c in candidates],
        },
    )
    return candidates


def _birth_display(data: PersonData) -> str:
    if not data.birth_year:
        return ""
    return f"{data.birth_year:04d}-{data.birth_month or 0:02d}-{data.birth_day or 0:02d}"


# --- writes ----------------------------------------------------------------------------------


def person_link_agency(*, person: Person, agency: Any, reason: str, actor: Any = None) -> PersonAgencyLink | None:
    """Let `agency` see `person` from now on, because of `reason`. Idempotent.

    Called when an agency opens a case on a person another agency recorded, and when an
    officer confirms at intake that the person is an existing record. A second call for
    the same agency changes nothing (the first reason stays); the recording agency needs
    no link (returns None). Records `PERSON_AGENCY_LINKED` once, in the caller's
    transaction; `actor` defaults to the request's actor. A link never widens what a
    foreign mission sees.
    """
    if agency.pk == person.recorded_by_agency_id:
        return None
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise ApplicationError(gettext("Give the reason the agency needs to see this person"), field="reason")
    with transaction.atomic():
        link, created = PersonAgencyLink.objects.get_or_create(person=person, agency=agency, defaults={"reason": reason})
        if created:
            audit_record(
                action=AuditAction.PERSON_AGENCY_LINKED, target=person, actor=actor, data={"agency": agency.code, "reason": reason}
            )
    return link


def person_create(*, actor: Any, data: PersonData, rejected_candidates: Sequence[Any] = (), today: dt.date | None = None) -> Person:
    """Record a new person with nationalities, protection flags and identity document.

    Validates `data` (`person_validate`), refuses a document already recorded
    (`DocumentAlreadyRecorded`, field `document_number`), and writes everything in one
    transaction with `PERSON_CREATED`; nothing is written on any error. The person is
    recorded by the actor's agency and must be visible to the actor afterwards (STYLE rule
    11). `rejected_candidates` are the ids of the possible existing records the officer was
    shown and said are someone else: each gets a `PERSON_MATCH_REJECTED` event. Needs
    `people.add_person`.
    """
    _require_add(actor)
    data = person_validate(data=data, today=today)
    countries = {
        c.code: c for c in Country.objects.filter(code__in=[*data.nationalities, *([data.document.issuing_state] if data.document else [])])
    }
    rejected_ids = _rejected_ids(rejected_candidates, data)
    with transaction.atomic():
        person = Person.objects.create(
            surname=data.surname,
            given_names=data.given_names,
            native_name=data.native_name,
            native_name_lang=data.native_name_lang,
            sex=data.sex,
            birth_year=data.birth_year,
            birth_month=data.birth_month,
            birth_day=data.birth_day,
            is_refugee=data.is_refugee,
            is_asylum_seeker=data.is_asylum_seeker,
            is_stateless=data.is_stateless,
            is_trafficking_victim=data.is_trafficking_victim,
            recorded_by_agency=actor.agency,
        )
        Nationality.objects.bulk_create(
            [Nationality(person=person, country=countries[code], is_primary=(i == 0)) for i, code in enumerate(data.nationalities)]
        )
        doc = data.document
        if doc is not None:
            duplicate = IdentityDocument.objects.filter(
                document_type=doc.document_type, number=doc.number, issuing_state__code=doc.issuing_state
            )
            if duplicate.exists():
                raise DocumentAlreadyRecorded(field="document_number")
            try:
                with transaction.atomic():
                    IdentityDocument.objects.create(
                        person=person,
                        document_type=doc.document_type,
                        number=doc.number,
                        issuing_state=countries[doc.issuing_state],
                        issued_on=doc.issued_on,
                        expires_on=doc.expires_on,
                        mrz=doc.mrz,
                    )
            except IntegrityError:
                raise DocumentAlreadyRecorded(field="document_number") from None
        audit_record(
            action=AuditAction.PERSON_CREATED,
            target=person,
            actor=actor,
            data={
                "nationalities": list(data.nationalities),
                "document": {"type": doc.document_type, "issuing_state": doc.issuing_state, "from_mrz": bool(doc.mrz)} if doc else None,
                "protection_flags": [
                    name for name in ("is_refugee", "is_asylum_seeker", "is_stateless", "is_trafficking_victim") if getattr(data, name)
                ],
                "rejected_candidates": [str(pk) for pk in rejected_ids],
            },
        )
        # Unscoped on purpose: the guard proposed these persons to the officer.
        for candidate in Person.objects.filter(pk__in=rejected_ids):
            audit_record(action=AuditAction.PERSON_MATCH_REJECTED, target=candidate, actor=actor, data={"new_person": str(person.pk)})
        _ensure_visible(actor, person)
    return person


def _rejected_ids(values: Sequence[Any], data: PersonData) -> list[uuid.UUID]:
    """The ids in `values` that are candidates for `data`: only a person the guard really
    proposes can be recorded as rejected (a posted id alone writes nothing)."""
    ids = []
    for value in values:
        try:
            ids.append(value if isinstance(value, uuid.UUID) else uuid.UUID(str(getattr(value, "pk", value))))
        except ValueError:
            continue
    if not ids:
        return []
    candidates = {m.person.pk for m in _find_matches(data)}
    return [pk for pk in dict.fromkeys(ids) if pk in candidates]


def person_link_existing(*, actor: Any, person: Person | uuid.UUID | str, reason: str, data: PersonData) -> Person:
    """Record the officer's choice: the person in `data` is the existing record `person`.

    `person` must be one of the candidates `person_find_duplicates` finds for `data`
    (otherwise `NotFound`, as for an unknown id): the guard, not the caller, decides which
    records may be linked, so nobody gains access to an arbitrary person by naming its id.
    Links the actor's agency to the person (`person_link_agency`, with `reason`) and
    records `PERSON_MATCH_CONFIRMED`, in one transaction. Needs `people.add_person`.
    """
    _require_add(actor)
    try:
        wanted = person.pk if isinstance(person, Person) else uuid.UUID(str(person))
    except ValueError:
        raise NotFound() from None
    match = next((m for m in _find_matches(data) if m.person.pk == wanted), None)
    if match is None:
        raise NotFound()
    chosen = match.person
    reason = " ".join((reason or "").split()) or gettext("Confirmed at intake as the same person")
    with transaction.atomic():
        person_link_agency(person=chosen, agency=actor.agency, reason=reason, actor=actor)
        audit_record(
            action=AuditAction.PERSON_MATCH_CONFIRMED,
            target=chosen,
            actor=actor,
            data={"reason": reason, "score": match.score, "reasons": [r.value for r in dict.fromkeys(match.reasons)]},
        )
        _ensure_visible(actor, chosen)
    return chosen
