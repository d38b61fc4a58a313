"""Home-page panel of immigration traffic: the overstays count for those who review them,
and the ways into whereabouts, statistics and the import ledger."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from jembatan.accounts.selectors import actor_can
from jembatan.core.home import Panel, PanelItem
from jembatan.traffic.overstays import may_view_overstays, overstay_count
from jembatan.traffic.selectors import may_view_statistics, may_view_whereabouts


def traffic_panel(user: Any) -> Panel | None:
    """Overstays today (urgent when any) for `traffic.view_overstays`; links to the
    whereabouts search, the statistics and the imports for those who may use them; None
    otherwise."""
    if not getattr(user, "is_authenticated", False):
        return None
    items: list[PanelItem] = []
    if may_view_overstays(user):
        count = overstay_count(actor=user)
        items.append(
            PanelItem(
                label=_("Foreign nationals overstaying today"),
                value=number_format(count, force_grouping=True),
                url=reverse("traffic:overstays"),
                urgent=count > 0,
            )
        )
    actions: list[PanelItem] = []
    if may_view_whereabouts(user):
        actions.append(PanelItem(label=_("Is this person in Indonesia?"), url=reverse("traffic:whereabouts")))
    if may_view_statistics(user):
        actions.append(PanelItem(label=_("Arrivals and departures"), url=reverse("traffic:statistics")))
    if actor_can(user, "traffic.import_traffic"):
        actions.append(PanelItem(label=_("Traffic imports"), url=reverse("traffic:imports")))
    if not items and not actions:
        return None
    return Panel(
        title=_("Immigration traffic"),
        items=items,
        empty_text=_("Search crossings and stay permits, or see the figures."),
        actions=actions,
        order=40,
    )
