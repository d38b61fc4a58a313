"""The immunity check run at every new case, and the alert it raises at the protocol
directorate (DESIGN.md "The core flow", step 2; domain.md §2.8).

A match does not decide immunity: it stops the ordinary flow so that a protocol officer
confirms the person's status before any arrest, detention or administrative action.
That is why the check errs towards showing more: expired cards and (by document)
inactive rows are returned too, because immunity may last a reasonable period after the
post ends and official-acts immunity never ends (VCDR art. 39(2)).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from rapidfuzz import fuzz

from jembatan.accounts.alerts import alert_send, users_with_capability
from jembatan.accounts.models import Alert
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.missions.choices import ImmunityLevel
from jembatan.missions.models import AccreditedPerson, Category
from jembatan.missions.querysets import (
    RECEIVE_IMMUNITY_ALERT,
    document_number_normalise,
    issuing_state_normalise,
    name_match_key,
)
from jembatan.reference.models import Country

MATCHED_ON_DOCUMENT = "document"
MATCHED_ON_NAME_AND_BIRTH_DATE = "name_and_birth_date"

# rapidfuzz token_sort_ratio (0–100) on anyascii-normalised names, word order ignored.
# 92 accepts a one-letter difference in a two-word name of usual length ("ERIKSON" for
# "ERIKSSON") and rejects a different given name; a name match also needs the same full
# date of birth.
NAME_SIMILARITY_THRESHOLD = 92

# Alerts about immunity matches carry this prefix in their dedupe key (one per case).
ALERT_KEY_PREFIX = "immunity:"


@dataclass(frozen=True)
class ImmunityMatch:
    """One registry row that may be the person being checked, and why.

    `card_valid` says whether the person's identity card was valid on the day checked;
    an expired card is still a match. `mission_name` is in the language active when the
    check ran; `mission_name_id`/`mission_name_en` keep both for stored results.
    """

    accredited_person_id: uuid.UUID
    display_name: str
    mission_id: int
    mission_name: str
    mission_name_id: str
    mission_name_en: str
    category: str
    immunity_level: str
    matched_on: str
    card_number: str
    card_valid: bool
    card_valid_until: dt.date | None
    is_active: bool
    name_score: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (ids and dates as strings) to store with the case."""
        data = asdict(self)
        data["accredited_person_id"] = str(self.accredited_person_id)
        data["card_valid_until"] = self.card_valid_until.isoformat() if self.card_valid_until else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImmunityMatch:
        """The inverse of `as_dict`, for a result stored earlier."""
        values: dict[str, Any] = {name: data.get(name) for name in cls.__dataclass_fields__}
        values["accredited_person_id"] = uuid.UUID(str(data["accredited_person_id"]))
        until = data.get("card_valid_until")
        values["card_valid_until"] = dt.date.fromisoformat(until) if until else None
        return cls(**values)

    @property
    def immunity_level_label(self) -> str:
        return str(ImmunityLevel(self.immunity_level).label)

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label)

    @property
    def matched_on_label(self) -> str:
        if self.matched_on == MATCHED_ON_DOCUMENT:
            return gettext("Document number and issuing state")
        return gettext("Name and date of birth")


def _issuer_ids(code: str) -> list[int]:
    """The countries that denote the same issuer as `code`: itself and its ICAO/ISO twins
    (a German passport's MRZ says "D", the registry may say "DEU")."""
    country = Country.objects.filter(code=code).only("code", "iso_equivalent").first()
    if country is None:
        return []
    canonical = country.iso_equivalent or country.code
    return list(Country.objects.filter(Q(code=canonical) | Q(iso_equivalent=canonical)).values_list("pk", flat=True))


def _match(person: AccreditedPerson, *, matched_on: str, on: dt.date, score: float | None = None) -> ImmunityMatch:
    mission = person.mission
    return ImmunityMatch(
        accredited_person_id=person.pk,
        display_name=person.document_name,
        mission_id=mission.pk,
        mission_name=mission.name,
        mission_name_id=mission.name_id,
        mission_name_en=mission.name_en,
        category=person.category,
        immunity_level=person.immunity_level,
        matched_on=matched_on,
        card_number=person.card_number,
        card_valid=person.card_valid_on(on),
        card_valid_until=person.card_valid_until,
        is_active=person.is_active,
        name_score=score,
    )


def immunity_check(
    *,
    document_number: str = "",
    issuing_state: str = "",
    surname: str = "",
    given_names: str = "",
    birth_date: dt.date | None = None,
    on: dt.date | None = None,
    actor: Any = None,
    purpose: str = "",
) -> list[ImmunityMatch]:
    """Registry rows that may be the person described; an empty list when none.

    Two rules, either is enough:
    - **document**: the document number (compared without spaces, MRZ fillers, punctuation
      or case) and the issuing state (the same code, or its ICAO/ISO twin such as D/DEU)
      both equal a registry row's. Inactive rows match this way too.
    - **name and date of birth**: the names (anyascii-normalised, word order ignored)
      reach `NAME_SIMILARITY_THRESHOLD` with `rapidfuzz.fuzz.token_sort_ratio` and the
      full date of birth is the same. Active rows only: a name is weaker evidence.

    `on` (default today) is the day the card validity is judged on. Expired cards are
    returned with `card_valid` False. Document matches come first, then by similarity.

    Records `IMMUNITY_CHECKED` (what was compared and how many matched, without the
    identifiers themselves) and one `IMMUNITY_MATCHED` per match, in the caller's
    transaction; `actor` defaults to the request's.
    """
    on = on or timezone.localdate()
    found: dict[uuid.UUID, ImmunityMatch] = {}
    number = document_number_normalise(document_number)
    state = issuing_state_normalise(issuing_state)
    rows = AccreditedPerson.objects.select_related("mission")
    if number and state:
        issuers = _issuer_ids(state)
        for person in rows.filter(document_number_normalised=number, document_issuing_state_id__in=issuers):
            found[person.pk] = _match(person, matched_on=MATCHED_ON_DOCUMENT, on=on)
    key = name_match_key(surname, given_names)
    if key and birth_date is not None:
        for person in rows.filter(is_active=True, birth_date=birth_date).exclude(pk__in=list(found)):
            score = fuzz.token_sort_ratio(key, person.match_key)
            if score >= NAME_SIMILARITY_THRESHOLD:
                found[person.pk] = _match(person, matched_on=MATCHED_ON_NAME_AND_BIRTH_DATE, on=on, score=round(score, 1))
    matches = sorted(
        found.values(),
        key=lambda m: (m.matched_on != MATCHED_ON_DOCUMENT, -(m.name_score or 100), m.display_name, str(m.accredited_person_id)),
    )
    audit_record(
        action=AuditAction.IMMUNITY_CHECKED,
        target=("missions.accreditedperson", "", "immunity check"),
        actor=actor,
        purpose=purpose,
        data={
            "by_document": bool(number and state),
            "by_name_and_birth_date": bool(key and birth_date is not None),
            "on": on.isoformat(),
            "matches": len(matches),
        },
    )
    for match in matches:
        audit_record(
            action=AuditAction.IMMUNITY_MATCHED,
            target=("missions.accreditedperson", str(match.accredited_person_id), match.display_name),
            actor=actor,
            purpose=purpose,
            data={
                "matched_on": match.matched_on,
                "name_score": match.name_score,
                "card_valid": match.card_valid,
                "is_active": match.is_active,
            },
        )
    return matches


def _card_text(match: ImmunityMatch) -> str:
    if not match.card_number:
        return gettext("no identity card recorded")
    until = formats.date_format(match.card_valid_until, "j F Y") if match.card_valid_until else ""
    if match.card_valid:
        if until:
            return gettext("card %(card)s valid until %(date)s") % {"card": match.card_number, "date": until}
        return gettext("card %(card)s valid") % {"card": match.card_number}
    if until:
        return gettext("card %(card)s NOT valid (ended %(date)s)") % {"card": match.card_number, "date": until}
    return gettext("card %(card)s NOT valid on this day") % {"card": match.card_number}


def _alert_text(language: str, *, matches: Sequence[ImmunityMatch], case_reference: str, person_name: str) -> tuple[str, str]:
    """Title and body of the alert in one language."""
    with translation.override(language):
        title = gettext("Immunity registry match")
        lines = [
            gettext("The person in case %(case)s, %(name)s, matches the registry of accredited persons:")
            % {"case": case_reference, "name": person_name}
        ]
        for match in matches:
            mission = match.mission_name_en if language == "en" else match.mission_name_id
            details = gettext("%(name)s — %(mission)s — %(category)s; immunity: %(level)s; matched on: %(matched_on)s; %(card)s") % {
                "name": match.display_name,
                "mission": mission,
                "category": match.category_label,
                "level": match.immunity_level_label,
                "matched_on": match.matched_on_label,
                "card": _card_text(match),
            }
            if not match.is_active:
                details += "; " + gettext("no longer active in the registry")
            lines.append(f"- {details}")
        lines.append(gettext("Confirm the person's immunity status with the immigration office before any further action."))
    return title, "\n".join(lines)


def immunity_alert_protocol(
    *, matches: Iterable[ImmunityMatch | Mapping[str, Any]], case_reference: str, case_url: str, person_name: str
) -> list[Alert]:
    """Alert every active user holding `missions.receive_immunity_alert` that a new case
    matches the registry: urgent, e-mailed, once per case (`dedupe_key` = "immunity:" +
    `case_reference`, so a retried intake alerts nobody twice).

    Title and body are bilingual (Indonesian first, then English) because the recipients'
    languages differ. Runs in the caller's transaction; nothing is sent when `matches` is
    empty. Returns the alerts created.
    """
    items = [m if isinstance(m, ImmunityMatch) else ImmunityMatch.from_dict(m) for m in matches]
    if not items:
        return []
    title_id, body_id = _alert_text("id", matches=items, case_reference=case_reference, person_name=person_name)
    title_en, body_en = _alert_text("en", matches=items, case_reference=case_reference, person_name=person_name)
    return alert_send(
        recipients=users_with_capability(RECEIVE_IMMUNITY_ALERT),
        title=f"{title_id} / {title_en}: {case_reference}",
        body=f"{body_id}\n\n{body_en}",
        url=case_url,
        level=Alert.Level.URGENT,
        dedupe_key=f"{ALERT_KEY_PREFIX}{case_reference}",
    )
