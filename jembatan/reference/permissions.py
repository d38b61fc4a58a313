"""Who may see and who may correct reference data (capabilities from `accounts.roles`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from jembatan.reference.models import ForeignMission

VIEW_REFERENCE = "reference.view_reference"
CHANGE_REFERENCE = "reference.change_reference"
# Protocol officers keep the foreign-mission list (and only that list) up to date.
CHANGE_MISSION = "reference.change_mission"


def change_capabilities(model: type[Model]) -> tuple[str, ...]:
    """The capabilities that allow correcting rows of `model` (any one suffices)."""
    if model is ForeignMission:
        return (CHANGE_REFERENCE, CHANGE_MISSION)
    return (CHANGE_REFERENCE,)


def can_change(user: Any, model: type[Model]) -> bool:
    return bool(user is not None and user.is_active and any(user.has_perm(c) for c in change_capabilities(model)))
