"""Home-page panel of the case register."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from jembatan.cases.lifecycle import CaseKind
from jembatan.cases.permissions import may_add_cases, may_view_cases
from jembatan.cases.selectors import case_counts
from jembatan.core.home import Panel, PanelItem


def case_panel(user: Any) -> Panel | None:
    """For users who may see cases: open cases in their scope (their agency's, or all they
    may see), detentions nearing the 10-year ceiling, cases flagged by the immunity
    registry and cases needing attention, each linking to the filtered list; and the
    primary action "Record a new detention" for those who may record cases."""
    if not getattr(user, "is_authenticated", False) or not may_view_cases(user):
        return None
    counts = case_counts(actor=user)
    list_url = reverse("cases:list")

    def count(value: int) -> str:
        return number_format(value, force_grouping=True)

    items = [
        PanelItem(label=_("Open cases you can see"), value=count(counts.open), url=f"{list_url}?{urlencode({'open': '1'})}"),
        PanelItem(
            label=_("Cases needing attention"),
            value=count(counts.needing_attention),
            url=f"{list_url}?{urlencode({'overdue': '1'})}",
            urgent=counts.needing_attention > 0,
        ),
        PanelItem(
            label=_("Detentions nearing the 10-year ceiling"),
            value=count(counts.nearing_ceiling),
            url=f"{list_url}?{urlencode({'ceiling': '1'})}",
            urgent=counts.nearing_ceiling > 0,
        ),
        PanelItem(
            label=_("Open cases flagged by the immunity registry"),
            value=count(counts.immunity_flagged),
            url=f"{list_url}?{urlencode({'immunity': '1', 'open': '1'})}",
            urgent=counts.immunity_flagged > 0,
        ),
    ]
    actions = [PanelItem(label=_("Record a new detention"), url=f"{reverse('cases:create')}?{urlencode({'kind': CaseKind.DETENTION})}")]
    if not may_add_cases(user):
        actions = [PanelItem(label=_("Search cases"), url=list_url)]
    return Panel(title=_("Cases"), items=items, empty_text=_("There are no cases you can see yet."), actions=actions, order=30)
