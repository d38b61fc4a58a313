"""Row scoping of the portal's own tables: the one place that decides who sees which
inquiry and which message thread. A row outside the scope is answered like one that does
not exist."""

from __future__ import annotations

from typing import Any

from django.db import models

from jembatan.accounts.permissions import actor_can
from jembatan.people.permissions import is_mission_actor


def can(actor: Any, codename: str) -> bool:
    """The shared capability check (`accounts.permissions.actor_can`)."""
    return actor_can(actor, codename)


def active_agency(actor: Any) -> Any:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    agency = getattr(actor, "agency", None)
    return agency if agency is not None and agency.is_active else None


def mission_of(actor: Any) -> Any:
    """The ForeignMission a mission actor (user or API client) belongs to, or None."""
    agency = active_agency(actor)
    if agency is None or not is_mission_actor(actor):
        return None
    return agency.mission


class MissionScopedQuerySet(models.QuerySet):
    """Whereabouts inquiries."""

    def visible_to(self, actor: Any) -> MissionScopedQuerySet:
        """A mission actor with `portal.view_portal` sees its own mission's inquiries; the
        consular desk (`portal.answer_inquiry`) sees every inquiry; nobody else any."""
        agency = active_agency(actor)
        if agency is None:
            return self.none()
        if is_mission_actor(actor):
            mission = agency.mission
            if mission is None or not can(actor, "portal.view_portal"):
                return self.none()
            return self.filter(mission_id=mission.pk)
        if can(actor, "portal.answer_inquiry"):
            return self.all()
        return self.none()


class ThreadQuerySet(models.QuerySet):
    """Message threads."""

    def visible_to(self, actor: Any) -> ThreadQuerySet:
        """A mission actor with `portal.message_ministry` sees its own mission's threads;
        the consular directorate (`portal.message_mission`) sees the threads of the cases
        it may see; nobody else any."""
        agency = active_agency(actor)
        if agency is None:
            return self.none()
        if is_mission_actor(actor):
            mission = agency.mission
            if mission is None or not can(actor, "portal.message_ministry"):
                return self.none()
            return self.filter(mission_id=mission.pk)
        if not can(actor, "portal.message_mission"):
            return self.none()
        from jembatan.cases.models import Case

        return self.filter(case__in=Case.objects.visible_to(actor).values("pk"))
