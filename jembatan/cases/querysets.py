"""Row scoping of the case register, and the reusable filters of its work queues.

`Case.objects.visible_to(actor)` is the one place that decides which cases an actor (a user
or an API client) may see or change (STYLE rules 6–8). Selectors, pages and the API all go
through it; a case outside the scope is answered exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from jembatan.cases.lifecycle import (
    BAN_KINDS,
    DETENTION_ATTENTION_YEARS,
    DETENTION_NEAR_CEILING_YEARS,
    LIFECYCLES,
    NOTIFIABLE_KINDS,
    CaseKind,
    CaseStatus,
    add_years,
)
from jembatan.cases.permissions import CHANGE_CASE, VIEW_ALL_CASE, VIEW_CASE, VIEW_NOTIFIABLE_CASE, can
from jembatan.people.permissions import is_mission_actor


def _final_statuses() -> Q:
    """(kind, status) pairs with no way out: a case there is finished."""
    condition = Q(pk__in=[])
    for kind, lifecycle in LIFECYCLES.items():
        finals = [status for status in lifecycle.statuses if lifecycle.is_final(status)]
        condition |= Q(kind=kind, status__in=finals)
    return condition


class CaseQuerySet(models.QuerySet):
    def visible_to(self, actor: Any, action: str = "view") -> CaseQuerySet:
        """The cases `actor` may see (`action="view"`) or change (`action="change"`).

        Seeing:
        - nobody without an active agency, and no anonymous actor, sees any case;
        - a foreign mission sees none here, whatever it holds: missions read their
          nationals' notifications through the embassy portal, which has its own scope;
        - `cases.view_all_case` (immigration supervisors) sees every case;
        - `cases.view_notifiable_case` (consular officers) sees every case of a kind that
          concerns a consular notification (`lifecycle.NOTIFIABLE_KINDS`), whoever reported it;
        - `cases.view_case` sees the cases its own agency reported (an immigration office,
          a prison, a police force);
        - these add up: an actor holding two of them sees both sets.

        Changing (status, notes, events, documents) needs `cases.change_case` and covers the
        cases of the actor's own agency, or every case with `cases.view_all_case`. Seeing a
        notifiable case never grants changing it.
        """
        if action not in ("view", "change"):
            raise ValueError(f"unknown action {action!r}")
        if actor is None or not getattr(actor, "is_authenticated", False):
            return self.none()
        agency = getattr(actor, "agency", None)
        if agency is None or not agency.is_active or is_mission_actor(actor):
            return self.none()
        if action == "change":
            if not can(actor, CHANGE_CASE):
                return self.none()
            if can(actor, VIEW_ALL_CASE):
                return self.all()
            if can(actor, VIEW_CASE):
                return self.filter(reporting_agency_id=agency.pk)
            return self.none()
        if can(actor, VIEW_ALL_CASE):
            return self.all()
        condition = Q()
        if can(actor, VIEW_NOTIFIABLE_CASE):
            condition |= Q(kind__in=NOTIFIABLE_KINDS)
        if can(actor, VIEW_CASE):
            condition |= Q(reporting_agency_id=agency.pk)
        if not condition:
            return self.none()
        return self.filter(condition)

    def open(self) -> CaseQuerySet:
        """Cases not yet in a final status of their lifecycle."""
        return self.exclude(_final_statuses())

    def needing_attention(self, now: dt.datetime | None = None) -> CaseQuerySet:
        """ "Overdue": detentions running for more than a year (domain.md §8.5 alerts at 1, 5,
        9 and 10 years) and bans still in force after their end date (they should have been
        extended or marked lapsed)."""
        now = now or timezone.now()
        today = timezone.localdate(now)
        long_detention = Q(
            kind=CaseKind.DETENTION, status=CaseStatus.DETAINED, occurred_at__lte=_years_before(now, DETENTION_ATTENTION_YEARS)
        )
        stale_ban = Q(kind__in=BAN_KINDS, status=CaseStatus.ACTIVE, ends_on__lt=today)
        return self.filter(long_detention | stale_ban)

    def nearing_ceiling(self, now: dt.datetime | None = None) -> CaseQuerySet:
        """Detentions within a year of the 10-year ceiling of UU 6/2011 art. 85 (or past it)."""
        now = now or timezone.now()
        today = timezone.localdate(now)
        by_ceiling = Q(detention_ceiling_on__lte=add_years(today, 1))
        by_start = Q(detention_ceiling_on__isnull=True, occurred_at__lte=_years_before(now, DETENTION_NEAR_CEILING_YEARS))
        return self.filter(kind=CaseKind.DETENTION, status=CaseStatus.DETAINED).filter(by_ceiling | by_start)

    def immunity_flagged(self) -> CaseQuerySet:
        """Cases whose person matched the registry of accredited persons at intake."""
        return self.exclude(immunity_level="")


def _years_before(moment: dt.datetime, years: int) -> dt.datetime:
    local = timezone.localtime(moment)
    return local.replace(year=local.year - years, day=min(local.day, 28) if (local.month, local.day) == (2, 29) else local.day)
