"""Home-page panels of the portal: a mission officer's inbox, the consular desk's
inquiries and messages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from jembatan.core.home import Panel, PanelItem
from jembatan.portal.models import InquiryStatus, WhereaboutsInquiry
from jembatan.portal.querysets import can, mission_of
from jembatan.portal.selectors import inbox_counts, unread_message_count


def portal_panel(user: Any) -> Panel | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if mission_of(user) is not None:
        if not can(user, "portal.view_portal"):
            return None
        counts = inbox_counts(actor=user)
        inbox = reverse("portal:inbox")
        return Panel(
            title=_("Mission portal"),
            items=[
                PanelItem(label=_("Unread notifications"), value=str(counts.unread), url=f"{inbox}?unread=on", urgent=counts.unread > 0),
                PanelItem(label=_("Receipt not yet confirmed"), value=str(counts.unacknowledged), url=f"{inbox}?acknowledged=no"),
                PanelItem(label=_("Unread messages"), value=str(unread_message_count(actor=user)), url=reverse("portal:thread_list")),
            ],
            actions=[PanelItem(label=_("Open the portal"), url=inbox)],
            order=1,
        )
    items = []
    if can(user, "portal.answer_inquiry"):
        pending = WhereaboutsInquiry.objects.visible_to(user).filter(status__in=(InquiryStatus.OPEN, InquiryStatus.FORWARDED))
        overdue = sum(1 for i in pending.only("due_at", "status") if i.is_overdue)
        items.append(
            PanelItem(
                label=_("Whereabouts inquiries waiting for an answer"), value=str(pending.count()), url=reverse("portal:desk_inquiry_list")
            )
        )
        items.append(
            PanelItem(
                label=_("Overdue whereabouts inquiries"), value=str(overdue), url=reverse("portal:desk_inquiry_list"), urgent=overdue > 0
            )
        )
    if can(user, "portal.message_mission"):
        items.append(
            PanelItem(
                label=_("Unread messages from missions"),
                value=str(unread_message_count(actor=user)),
                url=reverse("portal:desk_thread_list") + "?unread=1",
            )
        )
    actions = []
    if can(user, "portal.manage_mission_users") or can(user, "missions.manage_contacts"):
        actions.append(PanelItem(label=_("Mission accounts and addresses"), url=reverse("portal:admin_mission_list")))
    if not items and not actions:
        return None
    return Panel(title=_("Missions"), items=items, actions=actions, order=40)
