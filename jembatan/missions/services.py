"""Writes to the accredited-persons registry. Each one validates the row (`full_clean`),
saves it and records the audit event in the same transaction.

The immunity check and the alert to protocol are in `jembatan.missions.immunity`; the
CSV import in `jembatan.missions.importing`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.core.exceptions import Conflict
from jembatan.missions.models import AccreditedPerson, ImmunityLevelSource

# What a protocol officer may write (the derived keys and `is_demo` are never written).
WRITABLE_FIELDS = (
    "mission",
    "category",
    "principal",
    "rank",
    "surname",
    "given_names",
    "native_name",
    "native_name_lang",
    "sex",
    "birth_date",
    "nationality",
    "document_type",
    "document_number",
    "document_issuing_state",
    "card_number",
    "card_valid_from",
    "card_valid_until",
    "immunity_level",
    "notes",
    "is_active",
)


def _plain(value: Any) -> Any:
    """A field value as the audit log keeps it: codes and ids, never model objects."""
    if isinstance(value, models.Model):
        code = getattr(value, "code", None)
        return str(code) if code else str(value.pk)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _current(person: AccreditedPerson, field: str) -> Any:
    if field == "immunity_level":
        return person.immunity_level if person.immunity_level_source == ImmunityLevelSource.PROTOCOL else ""
    model_field = person._meta.get_field(field)
    if isinstance(model_field, models.ForeignKey):
        # Compare by id: an unsaved row has no related object yet.
        related_id = getattr(person, model_field.attname)
        return None if related_id is None else getattr(person, field)
    return getattr(person, field)


def _apply(person: AccreditedPerson, data: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the writable fields present in `data` on `person`; return what changed.

    `immunity_level` "" (or absent on create) means "derive it from the category"; any
    level means a protocol officer decided it.
    """
    unknown = set(data) - set(WRITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not writable: {sorted(unknown)}")
    changes: dict[str, list[Any]] = {}
    for field in WRITABLE_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if isinstance(value, str):
            value = value.strip()
        old = _current(person, field)
        old_plain, new_plain = _plain(old), _plain(value)
        if old_plain == new_plain or (old_plain in (None, "") and new_plain in (None, "")):
            continue
        changes[field] = [old_plain, new_plain]
        if field == "immunity_level":
            if value:
                person.immunity_level = value
                person.immunity_level_source = ImmunityLevelSource.PROTOCOL
            else:
                person.immunity_level_source = ImmunityLevelSource.CATEGORY
            continue
        if value is None and not person._meta.get_field(field).null:
            value = ""
        setattr(person, field, value)
    return changes


def _save(person: AccreditedPerson, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            person.save(**kwargs)
    except IntegrityError as exc:
        # The same card or document was saved by someone else since `full_clean` ran.
        raise Conflict(_("Another person in the registry already has this card number or document. Reload and check.")) from exc


@transaction.atomic
def accredited_person_create(*, actor: Any, data: Mapping[str, Any], audit_data: dict[str, Any] | None = None) -> AccreditedPerson:
    """Add a person to the registry.

    Raises `ValidationError` (by field, both languages) when a rule of
    `AccreditedPerson.clean` fails, `Conflict` when a concurrent write took the card or
    document first. Records `ACCREDITED_PERSON_CREATED`.
    """
    person = AccreditedPerson()
    changes = _apply(person, data)
    person.full_clean(validate_constraints=False)
    _save(person)
    audit_record(
        action=AuditAction.ACCREDITED_PERSON_CREATED,
        target=person,
        actor=actor,
        data={"changes": {f: [None, after] for f, (_before, after) in changes.items()}, **(audit_data or {})},
    )
    return person


@transaction.atomic
def accredited_person_update(
    *, actor: Any, accredited_person: AccreditedPerson, data: Mapping[str, Any], audit_data: dict[str, Any] | None = None
) -> tuple[AccreditedPerson, bool]:
    """Change the fields given in `data`; return the row and whether anything changed.

    Nothing is written (no history version, no audit event) when nothing changed, which
    is what makes a repeated import a no-op. Records `ACCREDITED_PERSON_UPDATED` with the
    before/after of each changed field.
    """
    person = AccreditedPerson.objects.select_for_update().get(pk=accredited_person.pk)
    changes = _apply(person, data)
    if not changes:
        return person, False
    person.full_clean(validate_constraints=False)
    update_fields = {"updated_at", *(f for f in changes if f != "immunity_level")}
    if "immunity_level" in changes:
        update_fields |= {"immunity_level", "immunity_level_source"}
    _save(person, update_fields=update_fields)
    audit_record(
        action=AuditAction.ACCREDITED_PERSON_UPDATED,
        target=person,
        actor=actor,
        data={"changes": changes, **(audit_data or {})},
    )
    return person, True
