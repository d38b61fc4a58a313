"""Row scoping of notifications and consular access: the one place that decides who sees
which (STYLE rules 6–8). Pages, the portal, the API and exports all go through it; a row
outside the scope is answered exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from jembatan.accounts.permissions import actor_can
from jembatan.people.permissions import is_mission_actor

# What a mission may see of a notification: only once it has been sent to it.
MISSION_VISIBLE_STATUSES = ("dispatched", "acknowledged")


def actor_mission_id(actor: Any) -> int | None:
    """The foreign mission a mission officer belongs to, or None."""
    agency = getattr(actor, "agency", None)
    return getattr(agency, "mission_id", None) if agency is not None else None


def _active_agency(actor: Any) -> Any:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    agency = getattr(actor, "agency", None)
    return agency if agency is not None and agency.is_active else None


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, actor: Any) -> NotificationQuerySet:
        """The notifications `actor` may see.

        - A mission officer (`portal.view_portal`) sees the notifications addressed to its
          own mission once dispatched, never one to check or cancelled, never another
          mission's (a dual national's notice to the other State stays with that State).
        - `notifications.view_notification` with `cases.view_notifiable_case` (consular
          desk) sees every notification.
        - `notifications.view_notification` otherwise (detention centres, immigration
          offices, prisons) sees the notifications about cases it may see.
        - Anyone else sees none.
        """
        agency = _active_agency(actor)
        if agency is None:
            return self.none()
        if is_mission_actor(actor):
            mission_id = actor_mission_id(actor)
            if mission_id is None or not actor_can(actor, "portal.view_portal"):
                return self.none()
            return self.filter(mission_id=mission_id, status__in=MISSION_VISIBLE_STATUSES)
        if not actor_can(actor, "notifications.view_notification"):
            return self.none()
        if actor_can(actor, "cases.view_notifiable_case") or actor_can(actor, "cases.view_all_case"):
            return self.all()
        from jembatan.cases.models import Case

        return self.filter(case__in=Case.objects.visible_to(actor).values("pk"))


class CaseBoundQuerySet(models.QuerySet):
    """Access requests, visits and detainee letters: rows about one case and one mission."""

    def visible_to(self, actor: Any) -> CaseBoundQuerySet:
        """A mission officer sees the rows of its own mission (access requests and visits;
        letters too, once forwarded is decided by the caller); agency staff with
        `notifications.view_notification` see the rows of the cases they may see."""
        agency = _active_agency(actor)
        if agency is None:
            return self.none()
        if is_mission_actor(actor):
            mission_id = actor_mission_id(actor)
            if mission_id is None or not actor_can(actor, "portal.view_portal"):
                return self.none()
            return self.filter(mission_id=mission_id)
        if not actor_can(actor, "notifications.view_notification"):
            return self.none()
        if actor_can(actor, "cases.view_notifiable_case") or actor_can(actor, "cases.view_all_case"):
            return self.all()
        from jembatan.cases.models import Case

        return self.filter(case__in=Case.objects.visible_to(actor).values("pk"))
