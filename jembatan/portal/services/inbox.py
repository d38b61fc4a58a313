"""What a mission does with a notification in the portal: open it (first opening marks it
read), download its document, acknowledge it, ask for consular access.

Acknowledgement and access requests are the `notifications` app's services
(`dispatch.notification_acknowledge`, `access.access_request_create`); the portal only
calls them for the signed-in mission.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jembatan.accounts.models import User
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.core.exceptions import NotFound, PermissionDenied
from jembatan.notifications.models import AccessRequest, Notification
from jembatan.portal.querysets import can, mission_of


def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """The mission's first opening sets `read_by_mission_at` (later openings change nothing).
    Ministry staff looking at the same notification never mark it read."""
    mission = mission_of(actor)
    if mission is None or notification.mission_id != mission.pk or notification.read_by_mission_at is not None:
        return notification
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk, read_by_mission_at__isnull=True).update(read_by_mission_at=now)
    notification.read_by_mission_at = Notification.objects.values_list("read_by_mission_at", flat=True).get(pk=notification.pk)
    return notification


def notification_document(*, actor: Any, notification: Notification) -> tuple[bytes, str]:
    """The notification document (PDF) for the mission it was sent to. The stored file when
    there is one, else rendered now. Records `NOTIFICATION_DOCUMENT_READ`."""
    if not Notification.objects.visible_to(actor).filter(pk=notification.pk).exists():
        raise NotFound()
    if notification.document:
        with notification.document.open("rb") as handle:
            content = handle.read()
    else:
        from jembatan.notifications.documents import notification_pdf

        content = notification_pdf(notification)
    audit_record(
        action=AuditAction.NOTIFICATION_DOCUMENT_READ,
        target=notification,
        actor=actor,
        data={"reference": notification.reference, "portal": mission_of(actor) is not None, "bytes": len(content)},
    )
    return content, f"{notification.reference}.pdf"


def notification_acknowledge_in_portal(*, actor: Any, notification: Notification, note: str = "") -> Notification:
    """Confirm receipt for the signed-in mission (channel "portal")."""
    if not can(actor, "portal.acknowledge_notification"):
        raise PermissionDenied()
    if not isinstance(actor, User):
        # The acknowledgement is evidence of who received the notice: a person, not a system.
        raise PermissionDenied(_("Only a signed-in mission officer can confirm receipt."))
    if not Notification.objects.visible_to(actor).filter(pk=notification.pk).exists():
        raise NotFound()
    from jembatan.notifications.dispatch import notification_acknowledge

    return notification_acknowledge(actor=actor, notification=notification, channel="portal", note=note)


def access_request_from_portal(
    *,
    actor: Any,
    notification: Notification,
    kind: str,
    proposed_times: Iterable[dt.datetime],
    officers: str = "",
    note: str = "",
) -> AccessRequest:
    """Ask for consular access to the person of `notification`, for the caller's mission
    (a signed-in officer or the mission's system)."""
    if not can(actor, "portal.request_access"):
        raise PermissionDenied()
    # A mission's system may ask too (as on /api/v1/notifications/): unlike the receipt, a
    # request names no person's act; `requested_by` stays empty for a system.
    if not Notification.objects.visible_to(actor).filter(pk=notification.pk).exists():
        raise NotFound()
    from jembatan.notifications.access import access_request_create

    return access_request_create(
        actor=actor,
        case=notification.case,
        mission=notification.mission,
        kind=kind,
        proposed_times=list(proposed_times),
        officers=officers,
        note=note,
        notification=notification,
    )


def access_request_for_portal(*, actor: Any, access_id: Any) -> AccessRequest:
    from django.core.exceptions import ValidationError

    try:
        return AccessRequest.objects.visible_to(actor).select_related("case", "mission", "notification").get(pk=access_id)
    except (AccessRequest.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound() from None
