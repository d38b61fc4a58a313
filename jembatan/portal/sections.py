"""The portal's section on the case page (`JEMBATAN_CASE_SECTIONS`): the consular
directorate's conversations with missions about the case."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from jembatan.notifications.models import Notification
from jembatan.notifications.querysets import MISSION_VISIBLE_STATUSES
from jembatan.portal.querysets import can, mission_of
from jembatan.portal.selectors import threads_with_unread
from jembatan.reference.models import ForeignMission


def case_messages_section(request: HttpRequest | None, case: Any) -> str:
    """Threads about `case` with unread counts, and a button per notified mission without
    one. Empty for anyone without `portal.message_mission`."""
    user = getattr(request, "user", None)
    if request is None or user is None or mission_of(user) is not None or not can(user, "portal.message_mission"):
        return ""
    threads = list(threads_with_unread(actor=user).filter(case_id=case.pk))
    with_thread = {t.mission_id for t in threads}
    notified = Notification.objects.filter(case_id=case.pk, status__in=MISSION_VISIBLE_STATUSES, mission__isnull=False).values("mission_id")
    startable = ForeignMission.objects.filter(pk__in=notified).exclude(pk__in=with_thread)
    return render_to_string(
        "portal/includes/case_messages.html", {"case": case, "threads": threads, "startable": startable}, request=request
    )
