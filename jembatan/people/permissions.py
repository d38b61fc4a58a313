"""Who may see what about a person, beyond which rows (that is `querysets.visible_to`)."""

from __future__ import annotations

from typing import Any

from jembatan.accounts.models import Agency

VIEW_PERSON = "people.view_person"
VIEW_ALL_PERSON = "people.view_all_person"
ADD_PERSON = "people.add_person"


def is_mission_actor(actor: Any) -> bool:
    """True for a user or API client of a foreign mission (an embassy or consulate)."""
    agency = getattr(actor, "agency", None)
    return agency is not None and agency.kind == Agency.Kind.FOREIGN_MISSION


def may_see_protection_flags(actor: Any) -> bool:
    """Refugee, asylum, statelessness and trafficking flags are never shown to a mission.

    A mission must not learn that its national has sought protection, even indirectly
    (domain.md §2.7); the persons flagged refugee or asylum seeker are also outside its
    scope altogether.
    """
    return not is_mission_actor(actor)


def may_see_agency_links(actor: Any) -> bool:
    """Which agencies deal with a person is the agencies' business, never a mission's: a
    link can reveal a police or corrections case."""
    return not is_mission_actor(actor)
