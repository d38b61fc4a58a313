"""Home-page panel of the missions app: what the protocol officer should look at."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from jembatan.accounts.alerts import alert_list
from jembatan.core.home import Panel, PanelItem
from jembatan.missions.immunity import ALERT_KEY_PREFIX
from jembatan.missions.querysets import MANAGE_ACCREDITED, RECEIVE_IMMUNITY_ALERT, VIEW_ACCREDITED
from jembatan.missions.selectors import CARD_EXPIRED, CARD_EXPIRING, EXPIRING_WITHIN_DAYS, registry_counts


def protocol_panel(user: Any) -> Panel | None:
    """For users who receive immunity alerts or keep the registry: unread immunity alerts,
    cards ending within 30 days, expired cards of active persons, and links.

    Counts only, no names: looking at the home page is not a read of personal data.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    receives = user.has_perm(RECEIVE_IMMUNITY_ALERT)
    views = user.has_perm(VIEW_ACCREDITED)
    if not (receives or views):
        return None
    items: list[PanelItem] = []
    if receives:
        unread = alert_list(user=user).filter(read_at__isnull=True, dedupe_key__startswith=ALERT_KEY_PREFIX).count()
        items.append(
            PanelItem(label=_("Unread immunity alerts"), value=number_format(unread), url=reverse("accounts:alerts"), urgent=unread > 0)
        )
    actions: list[PanelItem] = []
    if views:
        list_url = reverse("missions:accredited_list")
        counts = registry_counts(actor=user)
        items += [
            PanelItem(
                label=_("Cards ending within %(days)s days") % {"days": EXPIRING_WITHIN_DAYS},
                value=number_format(counts.expiring),
                url=f"{list_url}?card={CARD_EXPIRING}&active=yes",
                urgent=counts.expiring > 0,
            ),
            PanelItem(
                label=_("Active persons with an expired card"),
                value=number_format(counts.expired_active),
                url=f"{list_url}?card={CARD_EXPIRED}&active=yes",
            ),
            PanelItem(
                label=_("Active persons in the registry"),
                value=number_format(counts.active, force_grouping=True),
                url=f"{list_url}?active=yes",
            ),
        ]
        actions.append(PanelItem(label=_("Open the registry"), url=list_url))
    if user.has_perm(MANAGE_ACCREDITED):
        actions += [
            PanelItem(label=_("Add an accredited person"), url=reverse("missions:accredited_create")),
            PanelItem(label=_("Import from a CSV file"), url=reverse("missions:accredited_import")),
        ]
    return Panel(
        title=_("Immunity registry"),
        items=items,
        actions=actions,
        order=20,
        search_url=reverse("missions:accredited_list") if views else "",
        search_label=_("Search the registry by name, card or document number") if views else "",
    )
