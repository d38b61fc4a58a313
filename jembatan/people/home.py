"""Home-page panel of the people app."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from jembatan.core.home import Panel, PanelItem
from jembatan.people.permissions import ADD_PERSON, VIEW_PERSON
from jembatan.people.selectors import person_count


def people_panel(user: Any) -> Panel | None:
    """For users who may view people: how many they can see, a link to the list (and to the
    intake for those who may add people), and a search box (rendered by the home page when `Panel` supports `search_url`)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(VIEW_PERSON):
        return None
    list_url = reverse("people:list")
    count = person_count(actor=user)
    options: dict[str, Any] = {}
    if "search_url" in getattr(Panel, "__dataclass_fields__", {}):
        options = {"search_url": list_url, "search_label": _("Search people by name or document number")}
    actions = [PanelItem(label=_("Search people"), url=list_url)]
    if user.has_perm(ADD_PERSON):
        actions.append(PanelItem(label=_("Add a person"), url=reverse("people:intake")))
    return Panel(
        title=_("People"),
        items=[PanelItem(label=_("People you can see"), value=number_format(count, force_grouping=True), url=list_url)],
        empty_text=_("There are no people you can see yet."),
        actions=actions,
        order=40,
        **options,
    )
