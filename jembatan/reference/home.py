"""Home-page panel of the reference app: low-confidence rows for administrators to review."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from jembatan.core.home import Panel, PanelItem
from jembatan.reference import permissions
from jembatan.reference.selectors import reference_review_counts


def reference_review_panel(user: object) -> Panel | None:
    """For users who may correct reference data: how many low-confidence rows each table has."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(permissions.CHANGE_REFERENCE):  # type: ignore[attr-defined]
        return None
    items = [
        PanelItem(label=str(table.title), value=number_format(count), url=f"{reverse(table.url_name)}?confidence=low")
        for table, count in reference_review_counts()
    ]
    return Panel(
        title=_("Reference data to review"),
        items=items,
        empty_text=_("No reference rows have low confidence."),
        actions=[PanelItem(label=_("All reference data"), url=reverse("reference:index"))],
        order=60,
    )
