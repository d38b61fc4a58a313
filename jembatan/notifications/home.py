"""Home-page panels: the consular desk's queue, and the access requests a detention centre
must answer."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from jembatan.core.home import Panel, PanelItem
from jembatan.notifications.models import AccessRequest, AccessStatus, Notification
from jembatan.notifications.selectors import NotificationFilters, inbox_counts, overdue_count
from jembatan.people.permissions import is_mission_actor


def _count(value: int) -> str:
    return number_format(value, force_grouping=True)


def consular_panel(user: Any) -> Panel | None:
    """For the consular desk (`notifications.dispatch_notification`): notifications to
    check, due soon and overdue, and everything overdue; a link to the KPIs."""
    if not getattr(user, "is_authenticated", False) or is_mission_actor(user) or not user.has_perm("notifications.dispatch_notification"):
        return None
    counts = inbox_counts(actor=user, filters=NotificationFilters())
    inbox = reverse("notifications:inbox")
    late = overdue_count(actor=user)
    items = [
        PanelItem(label=_("Notifications to check"), value=_count(counts["to_check"]), url=f"{inbox}?tab=to_check"),
        PanelItem(
            label=_("Past their deadline"), value=_count(counts["overdue"]), url=f"{inbox}?tab=overdue", urgent=counts["overdue"] > 0
        ),
        PanelItem(label=_("Due within 6 hours"), value=_count(counts["soon"]), url=f"{inbox}?tab=soon", urgent=counts["soon"] > 0),
        PanelItem(label=_("Awaiting acknowledgement"), value=_count(counts["awaiting_ack"]), url=f"{inbox}?tab=awaiting_ack"),
        PanelItem(label=_("Everything overdue"), value=_count(late), url=reverse("notifications:overdue"), urgent=late > 0),
    ]
    actions = [PanelItem(label=_("Open the inbox"), url=inbox)]
    if user.has_perm("notifications.view_kpi"):
        actions.append(PanelItem(label=_("Performance of the Convention"), url=reverse("notifications:kpi")))
    return Panel(title=_("Consular notifications"), items=items, actions=actions, order=20)


def access_panel(user: Any) -> Panel | None:
    """For the detaining side (`notifications.schedule_access`): access requests to answer."""
    if not getattr(user, "is_authenticated", False) or is_mission_actor(user) or not user.has_perm("notifications.schedule_access"):
        return None
    visible = AccessRequest.objects.visible_to(user)
    to_answer = visible.filter(status=AccessStatus.REQUESTED).count()
    scheduled = visible.filter(status=AccessStatus.SCHEDULED).count()
    notes = Notification.objects.visible_to(user).filter(status__in=("dispatched", "acknowledged")).count()
    url = reverse("notifications:access_list")
    items = [
        PanelItem(
            label=_("Consular access requests to answer"), value=_count(to_answer), url=f"{url}?status=requested", urgent=to_answer > 0
        ),
        PanelItem(label=_("Consular visits scheduled"), value=_count(scheduled), url=f"{url}?status=scheduled"),
        PanelItem(
            label=_("Consular notifications sent about your cases"), value=_count(notes), url=reverse("notifications:inbox") + "?tab=sent"
        ),
    ]
    return Panel(title=_("Consular access"), items=items, order=35)
