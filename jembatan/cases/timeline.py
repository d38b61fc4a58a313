"""Writing to a case's append-only timeline. Services call `case_event_record` in the same
transaction as the change it describes (and audit it themselves)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from jembatan.cases.models import Case, CaseEvent


def case_event_record(
    *,
    case: Case,
    kind: str,
    actor: Any = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
    occurred_at: dt.datetime | None = None,
    corrects: CaseEvent | None = None,
) -> CaseEvent:
    """Append one entry to `case`'s timeline. `actor` None means the system (a job)."""
    is_user = actor is not None and hasattr(actor, "_meta") and actor._meta.label_lower == "accounts.user"
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if actor is not None else "system")[:200],
        agency=getattr(actor, "agency", None),
        from_status=from_status,
        to_status=to_status,
        summary=summary,
        data=data or {},
        corrects=corrects,
    )
