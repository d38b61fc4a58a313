"""Home-page panel of the accounts app: what an administrator should look at."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from jembatan.accounts.selectors import MANAGE_USERS, actor_can, user_counts
from jembatan.core.home import Panel, PanelItem


def administrator_panel(user: Any) -> Panel | None:
    """Counts of the users the administrator manages, each linking to the filtered list."""
    if not actor_can(user, MANAGE_USERS):
        return None
    counts = user_counts(actor=user)
    users_url = reverse("accounts:user_list")
    return Panel(
        title=_("Users"),
        items=[
            PanelItem(label=_("Users you manage"), value=str(counts.total), url=users_url),
            PanelItem(label=_("Locked out now"), value=str(counts.locked_out), url=f"{users_url}?locked=on", urgent=counts.locked_out > 0),
            PanelItem(
                label=_("Must set up 2FA and have not"),
                value=str(counts.mfa_missing),
                url=f"{users_url}?mfa=on",
                urgent=counts.mfa_missing > 0,
            ),
            PanelItem(label=_("Inactive"), value=str(counts.inactive), url=f"{users_url}?active=no"),
        ],
        actions=[PanelItem(label=_("Add a user"), url=reverse("accounts:user_create"))],
        order=10,
    )
