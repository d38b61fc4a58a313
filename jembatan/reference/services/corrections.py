"""Administrators' corrections of reference rows (through the Django admin)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.reference.models import ReferenceRecord


def _value(record: ReferenceRecord, name: str) -> Any:
    field = record._meta.get_field(name)
    return field.value_from_object(record) if hasattr(field, "value_from_object") else getattr(record, name)


def reference_record_save(*, record: ReferenceRecord, actor: Any, changed_fields: list[str], created: bool) -> ReferenceRecord:
    """Save an administrator's new row or correction, mark it corrected and audit it.

    A corrected row is never overwritten by the loader. Unticking "corrected by an
    administrator" (and saving) is the one way to hand the row back to the loader.
    Saving an existing row with no change writes nothing.
    """
    if not created and not changed_fields:
        return record
    released = not created and "locally_corrected" in changed_fields and not record.locally_corrected
    with transaction.atomic():
        before: dict[str, Any] = {}
        if not created:
            previous = type(record).objects.get(pk=record.pk)
            before = {name: _value(previous, name) for name in changed_fields}
        record.locally_corrected = not released
        record.save()
        after = {name: _value(record, name) for name in changed_fields}
        audit_record(
            action=AuditAction.REFERENCE_CREATED if created else AuditAction.REFERENCE_CHANGED,
            target=record,
            actor=actor,
            data={
                "table": record._meta.model_name,
                "changes": {name: {"from": before.get(name), "to": after[name]} for name in changed_fields},
                "released_to_loader": released,
            },
        )
    return record


def reference_record_delete(*, record: ReferenceRecord, actor: Any) -> None:
    """Delete a row (the history keeps its versions) and audit it.

    Raises `django.db.models.ProtectedError` when other rows still refer to it (a country
    with missions); the admin checks that before it offers deletion.
    """
    with transaction.atomic():
        audit_record(action=AuditAction.REFERENCE_DELETED, target=record, actor=actor, data={"table": record._meta.model_name})
        record.delete()
