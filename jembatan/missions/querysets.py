"""Normalised keys and row scoping for the accredited-persons registry.

The registry is matched against every person taken into custody, so its keys are derived
the same way for every row and every query: names through anyascii (any script → lower-case
ASCII words), document numbers without spaces, fillers or punctuation.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from anyascii import anyascii
from django.db import models
from django.db.models import Q
from django.utils import timezone

from jembatan.accounts.models import Agency
from jembatan.accounts.permissions import actor_can
from jembatan.people.querysets import normalise_search_text

VIEW_ACCREDITED = "missions.view_accredited"
MANAGE_ACCREDITED = "missions.manage_accredited"
RECEIVE_IMMUNITY_ALERT = "missions.receive_immunity_alert"

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def document_number_normalise(value: str) -> str:
    """A document or card number as compared: upper-case letters and digits only.

    " d a 470 0001 ", "DA4700001<<" and "da-4700001" all become "DA4700001" (MRZ fillers,
    spaces and punctuation are not part of the number).
    """
    return _NOT_ALNUM.sub("", anyascii(value or "").upper())


def name_match_key(*names: str) -> str:
    """The words of the names, normalised (anyascii, lower case) and sorted, so the order of
    surname and given names never matters: "ERIKSSON, Anna Maria" → "anna eriksson maria"."""
    words: list[str] = []
    for name in names:
        words.extend(normalise_search_text(name).split())
    return " ".join(sorted(words))


def issuing_state_normalise(value: str) -> str:
    """An issuing-state code as typed or read from an MRZ ("D<<", " aus ") → "D", "AUS"."""
    return _NOT_ALNUM.sub("", (value or "").upper())


class AccreditedPersonQuerySet(models.QuerySet):
    def visible_to(self, actor: Any) -> AccreditedPersonQuerySet:
        """The registry rows `actor` may read; the one place this is decided.

        The registry is kept by the protocol directorate for the whole receiving State:
        anyone holding `missions.view_accredited` (protocol officers, immigration
        supervisors) sees every row. Nobody else sees any, and a foreign mission never
        does, whatever capability it is given: a mission has no business reading the
        staff lists of other missions.
        """
        if actor is None or not getattr(actor, "is_authenticated", False):
            return self.none()
        agency = getattr(actor, "agency", None)
        if agency is None or not agency.is_active:
            return self.none()
        if agency.kind == Agency.Kind.FOREIGN_MISSION:
            return self.none()
        if actor_can(actor, VIEW_ACCREDITED):
            return self.all()
        return self.none()

    def search(self, query: str) -> AccreditedPersonQuerySet:
        """Rows whose names (passport or native script) contain every word of `query`, or whose
        card or document number is `query` (spaces, fillers and case ignored)."""
        words = normalise_search_text(query).split()
        if not words:
            return self
        by_name = Q()
        for word in words:
            by_name &= Q(search_key__contains=word)
        compact = document_number_normalise(query)
        if len(compact) >= 4 and any(ch.isdigit() for ch in compact):
            return self.filter(by_name | Q(card_number_normalised=compact) | Q(document_number_normalised=compact))
        return self.filter(by_name)

    def card_valid_on(self, on: dt.date) -> AccreditedPersonQuerySet:
        """Rows holding a card valid on `on` (both ends of the validity included)."""
        return (
            self.exclude(card_number="")
            .filter(Q(card_valid_from__isnull=True) | Q(card_valid_from__lte=on))
            .filter(Q(card_valid_until__isnull=True) | Q(card_valid_until__gte=on))
        )

    def card_expired_on(self, on: dt.date) -> AccreditedPersonQuerySet:
        return self.exclude(card_number="").filter(card_valid_until__lt=on)

    def card_expiring(self, on: dt.date | None = None, days: int = 30) -> AccreditedPersonQuerySet:
        """Valid cards that end within `days` days of `on` (default today)."""
        on = on or timezone.localdate()
        return self.card_valid_on(on).filter(card_valid_until__isnull=False, card_valid_until__lte=on + dt.timedelta(days=days))
