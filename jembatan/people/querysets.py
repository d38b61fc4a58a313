"""Row scoping and search for people: who may see which person, found by which words."""

from __future__ import annotations

import re
from typing import Any

from anyascii import anyascii
from django.db import models
from django.db.models import Q

from jembatan.accounts.permissions import actor_can
from jembatan.people.permissions import VIEW_ALL_PERSON, VIEW_PERSON, is_mission_actor

_WORDS = re.compile(r"[a-z0-9]+")


def normalise_search_text(text: str) -> str:
    """Lower-case ASCII words of `text` in any script: "Nguyễn" → "nguyen", "Иван" → "ivan",
    "王秀英" → "wangxiuying". Punctuation and spacing collapse to single spaces."""
    return " ".join(_WORDS.findall(anyascii(text or "").lower()))


def person_search_key(*names: str) -> str:
    """The stored search key of a person: every name, normalised, space-separated."""
    return " ".join(part for part in (normalise_search_text(n) for n in names) if part)


class PersonQuerySet(models.QuerySet):
    def visible_to(self, actor: Any) -> PersonQuerySet:
        """The persons `actor` (a user or an API client) may see; the one place scope is decided.

        - Nobody without an active agency sees anyone; neither does an anonymous actor.
        - A foreign mission (agency kind `foreign_mission`) sees no one here, whatever
          capability it holds. It learns of its nationals only through what it is sent (the
          embassy portal: notifications, access, inquiries, messages): a national who
          declined notification (VCCR art. 36(1)(b)) must stay unknown to the embassy, and a
          refugee or asylum seeker must never be disclosed (domain.md §2.7).
        - `people.view_all_person` (consular officers, immigration supervisors) sees everyone.
        - `people.view_person` sees the persons its own agency recorded, and the persons
          recorded by another agency that are linked to its agency (`PersonAgencyLink`:
          it opened a case on them, or confirmed them as an existing record at intake).
        - Anyone else sees no one.
        """
        if actor is None or not getattr(actor, "is_authenticated", False):
            return self.none()
        agency = getattr(actor, "agency", None)
        if agency is None or not agency.is_active:
            return self.none()
        if is_mission_actor(actor):
            return self.none()
        if actor_can(actor, VIEW_ALL_PERSON):
            return self.all()
        if actor_can(actor, VIEW_PERSON):
            from jembatan.people.models import PersonAgencyLink

            linked = PersonAgencyLink.objects.filter(agency_id=agency.pk).values("person_id")
            return self.filter(Q(recorded_by_agency_id=agency.pk) | Q(id__in=linked))
        return self.none()

    def search(self, query: str) -> PersonQuerySet:
        """Persons whose names contain every word of `query`, in any script, ignoring case and
        accents (both sides go through `normalise_search_text`), or whose identity document
        number is `query` (spaces ignored)."""
        words = normalise_search_text(query).split()
        if not words:
            return self
        by_name = Q()
        for word in words:
            by_name &= Q(search_key__contains=word)
        compact = "".join(query.split()).upper()
        if compact.isalnum() and len(compact) >= 5:
            from jembatan.people.models import IdentityDocument

            holders = IdentityDocument.objects.filter(number=compact).values("person_id")
            return self.filter(by_name | Q(id__in=holders))
        return self.filter(by_name)
