"""What every case service shares: collecting refusals by field, reading event times,
locking a case the actor may change."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from jembatan.cases.models import Case
from jembatan.core.exceptions import ApplicationError, NotFound, PermissionDenied
from jembatan.people.models import Person
from jembatan.reference.models import ZONE_ABBREVIATIONS

# Clocks of agency systems and officers' PCs differ a little: an event stamped up to this
# far ahead of the server's clock is still "now", not "in the future".
CLOCK_SKEW = dt.timedelta(minutes=2)
NOTE_MAX_LENGTH = 10_000


TEXT_LIMITS = {"place_description": 300, "requesting_agency": 200, "decision_number": 100, "court": 200}


class Problems:
    """Collects every problem with a submission, so the user sees them all at once."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, message: Any) -> None:
        self.items.append((field, str(message)))

    def has(self, field: str) -> bool:
        return any(f == field for f, _m in self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise refusal(self.items)


def refusal(items: list[tuple[str, str]], error: type[ApplicationError] = ApplicationError) -> ApplicationError:
    field, message = items[0]
    return error(message, field=field, extra={"errors": [{"field": f, "message": m} for f, m in items]})


def refuse(field: str, message: Any, error: type[ApplicationError] = ApplicationError) -> ApplicationError:
    return refusal([(field, str(message))], error)


def is_user(actor: Any) -> bool:
    meta = getattr(actor, "_meta", None)
    return meta is not None and meta.label_lower == settings.AUTH_USER_MODEL.lower()


def date_text(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def time_text(moment: dt.datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {ZONE_ABBREVIATIONS.get(zone, zone)}"


def earliest_birth(person: Person) -> dt.date | None:
    """The earliest day the person can have been born on (birth dates may be partial)."""
    if not person.birth_year:
        return None
    try:
        return dt.date(person.birth_year, person.birth_month or 1, person.birth_day or 1)
    except ValueError:
        return dt.date(person.birth_year, 1, 1)


def actor_zone(actor: Any) -> str:
    unit = getattr(actor, "unit", None) if is_user(actor) else None
    return getattr(unit, "time_zone", None) or "Asia/Jakarta"


def lock_for_change(*, actor: Any, case: Case) -> Case:
    """The case, locked for the rest of the transaction, if `actor` may change it.

    Out of the actor's sight: `NotFound`, as if it did not exist. Seen but not theirs to
    change: `PermissionDenied`.
    """
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise NotFound()
    try:
        return Case.objects.visible_to(actor, "change").select_for_update().get(pk=case.pk)
    except Case.DoesNotExist:
        raise PermissionDenied() from None


def resolve(model: Any, value: Any, *, by_code: bool = False) -> Any:
    """A reference row given as an instance, a primary key or (where it has one) a code."""
    if value in (None, ""):
        return None
    if isinstance(value, model):
        return value
    try:
        if by_code and isinstance(value, str) and not value.isdigit():
            return model.objects.get(code=value)
        return model.objects.get(pk=value)
    except (model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise LookupError(value) from None


def event_time(value: Any, *, zone: str, field: str, problems: Problems, not_before: dt.datetime | None = None) -> dt.datetime | None:
    """An aware event time (a naive one is read in `zone`), checked against the clock."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        problems.add(field, _("Enter the date and time of the event"))
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=ZoneInfo(zone))
    if value > timezone.now() + CLOCK_SKEW:
        problems.add(field, _("The date and time must be now or in the past"))
    elif not_before is not None and value < not_before:
        problems.add(
            field,
            _("The date and time must be on or after the start of the case (%(time)s)") % {"time": time_text(not_before, zone)},
        )
    return value
