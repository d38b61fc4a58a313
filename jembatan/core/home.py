"""The home page's building blocks: panels that tell a role what is waiting for it.

Apps contribute panel functions listed in `settings.JEMBATAN_HOME_PANELS`; each takes the
user and returns a `Panel` or None (nothing for this user). The home view imports none of
the apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PanelItem:
    """One line in a panel: a label, a count or short value, and where to go."""

    label: str
    value: str = ""
    url: str = ""
    urgent: bool = False


@dataclass(frozen=True)
class Panel:
    """A card on the home page."""

    title: str
    items: list[PanelItem] = field(default_factory=list)
    empty_text: str = ""
    actions: list[PanelItem] = field(default_factory=list)
    order: int = 50
    search_url: str = ""
    search_label: str = ""


def panels_for(user: object) -> list[Panel]:
    found: list[Panel] = []
    for path in settings.JEMBATAN_HOME_PANELS:
        provider: Callable[[object], Panel | None] = import_string(path)
        panel = provider(user)
        if panel is not None:
            found.append(panel)
    return sorted(found, key=lambda p: p.order)


def unread_alert_count(user: object) -> int:
    """Unread alerts of `user` for the page header (`settings.JEMBATAN_ALERT_COUNTER`)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    counter: Callable[..., int] = import_string(settings.JEMBATAN_ALERT_COUNTER)
    return counter(user=user)
