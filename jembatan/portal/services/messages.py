"""Messages between a mission and the consular directorate: one thread per (case, mission),
attachments checked by content like case documents, read markers per user, and an alert
(with e-mail) to the other side for each message."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from jembatan.accounts.alerts import alert_send, users_with_capability
from jembatan.accounts.models import Agency, User
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.cases.models import Case
from jembatan.cases.services.documents import DOCUMENT_FORMATS
from jembatan.core.exceptions import ApplicationError, NotFound, PermissionDenied
from jembatan.notifications.models import Notification
from jembatan.notifications.querysets import MISSION_VISIBLE_STATUSES
from jembatan.portal.models import Message, MessageAttachment, MessageThread, Side, ThreadReadMarker
from jembatan.portal.querysets import can, mission_of
from jembatan.reference.models import ForeignMission

MESSAGE_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MESSAGE_MAX_ATTACHMENTS = 5
MESSAGE_MAX_LENGTH = 10_000


def _side(actor: Any) -> str:
    return Side.MISSION if mission_of(actor) is not None else Side.MINISTRY


def _may_message(actor: Any) -> None:
    codename = "portal.message_ministry" if _side(actor) == Side.MISSION else "portal.message_mission"
    if not can(actor, codename):
        raise PermissionDenied()


@transaction.atomic
def thread_open(
    *, actor: Any, notification: Notification | None = None, case: Case | None = None, mission: ForeignMission | None = None
) -> MessageThread:
    """The thread about a case with a mission, created on first use.

    A mission opens it from a notification it received; the consular directorate for a
    case it may see and a mission that was sent a notification about that case.
    """
    _may_message(actor)
    own = mission_of(actor)
    if own is not None:
        if notification is None or not Notification.objects.visible_to(actor).filter(pk=notification.pk).exists():
            raise NotFound()
        case_id, mission_id = notification.case_id, own.pk
    else:
        if notification is not None:
            case_id, mission_id = notification.case_id, notification.mission_id
        elif case is not None and mission is not None:
            case_id, mission_id = case.pk, mission.pk
        else:
            raise NotFound()
        if not Case.objects.visible_to(actor).filter(pk=case_id).exists():
            raise NotFound()
        if not Notification.objects.filter(case_id=case_id, mission_id=mission_id, status__in=MISSION_VISIBLE_STATUSES).exists():
            raise ApplicationError(_("This mission has not been sent a notification about this case."), field="mission")
    thread = MessageThread.objects.filter(case_id=case_id, mission_id=mission_id).first()
    if thread is None:
        try:
            with transaction.atomic():
                thread = MessageThread.objects.create(case_id=case_id, mission_id=mission_id)
        except IntegrityError:
            thread = MessageThread.objects.get(case_id=case_id, mission_id=mission_id)
    return thread


def _sniff(head: bytes) -> str | None:
    for name, (_content_type, signatures, _extensions) in DOCUMENT_FORMATS.items():
        if any(head.startswith(signature) for signature in signatures):
            return name
    return None


def _clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    return "".join(ch for ch in base if ch.isprintable()).strip()[:255] or "attachment"


def _check_files(files: list[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    if len(files) > MESSAGE_MAX_ATTACHMENTS:
        raise ApplicationError(_("Attach at most %(n)d files to one message") % {"n": MESSAGE_MAX_ATTACHMENTS}, field="attachments")
    checked = []
    for uploaded in files:
        name = _clean_name(uploaded.name or "")
        if not uploaded.size:
            raise ApplicationError(_("“%(name)s” is empty. Choose a PDF, JPG or PNG file") % {"name": name}, field="attachments")
        if uploaded.size > MESSAGE_ATTACHMENT_MAX_BYTES:
            size = formats.number_format(MESSAGE_ATTACHMENT_MAX_BYTES / (1024 * 1024), decimal_pos=0)
            raise ApplicationError(_("“%(name)s” must be smaller than %(size)s MB") % {"name": name, "size": size}, field="attachments")
        uploaded.seek(0)
        detected = _sniff(uploaded.read(16))
        uploaded.seek(0)
        extension = os.path.splitext(name)[1].lower()
        if detected is None:
            raise ApplicationError(_("“%(name)s” must be a PDF, JPG or PNG") % {"name": name}, field="attachments")
        if extension not in DOCUMENT_FORMATS[detected][2]:
            raise ApplicationError(
                _("The content of “%(name)s” is a %(format)s, not what its name says. Choose a file whose name matches its content")
                % {"name": name, "format": detected.upper()},
                field="attachments",
            )
        checked.append((uploaded, name, detected))
    return checked


def _other_side_users(thread: MessageThread, side: str) -> list[User]:
    if side == Side.MISSION:
        return [u for u in users_with_capability("portal.message_mission") if u.agency and u.agency.kind == Agency.Kind.FOREIGN_MINISTRY]
    agency = Agency.objects.filter(mission_id=thread.mission_id, is_active=True).first()
    return users_with_capability("portal.message_ministry", agency=agency) if agency is not None else []


def message_send(*, actor: Any, thread: MessageThread, body: str, attachments: Iterable[UploadedFile] = ()) -> Message:
    """Send a message (with up to five PDF/JPG/PNG attachments) in a thread the actor sees.
    The other side is alerted and e-mailed; the sender's own read marker moves on."""
    _may_message(actor)
    if not MessageThread.objects.visible_to(actor).filter(pk=thread.pk).exists():
        raise NotFound()
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("Enter your message"), field="body")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ApplicationError(_("Your message must be %(n)d characters or fewer") % {"n": MESSAGE_MAX_LENGTH}, field="body")
    checked = _check_files(list(attachments))
    side = _side(actor)
    stored: list[MessageAttachment] = []
    try:
        with transaction.atomic():
            thread = MessageThread.objects.select_for_update().get(pk=thread.pk)
            now = timezone.now()
            sender_label = (getattr(actor, "full_name", "") or actor.get_username())[:200]
            message = Message.objects.create(
                thread=thread,
                side=side,
                sender=actor if isinstance(actor, User) else None,
                sender_label=sender_label,
                body=body,
                sent_at=now,
            )
            for uploaded, name, detected in checked:
                digest = hashlib.sha256()
                for chunk in uploaded.chunks():
                    digest.update(chunk)
                uploaded.seek(0)
                attachment = MessageAttachment(
                    message=message,
                    original_name=name,
                    content_type=DOCUMENT_FORMATS[detected][0],
                    size=uploaded.size or 0,
                    sha256=digest.hexdigest(),
                )
                attachment.file.save(name, uploaded, save=False)
                stored.append(attachment)
                attachment.save(force_insert=True)
            thread.last_message_at = now
            thread.save(update_fields=["last_message_at", "updated_at"])
            if isinstance(actor, User):
                ThreadReadMarker.objects.update_or_create(thread=thread, user=actor, defaults={"last_read_at": now})
            audit_record(
                action=AuditAction.MESSAGE_SENT,
                target=message,
                actor=actor,
                data={
                    "thread": str(thread.pk),
                    "case": str(thread.case_id),
                    "mission": thread.mission_id,
                    "side": side,
                    "attachments": [{"name": a.original_name, "sha256": a.sha256, "size": a.size} for a in stored],
                },
            )
            if side == Side.MISSION:
                with translation.override("id"):
                    title = _("New message from %(mission)s") % {"mission": thread.mission.sending_entity}
                    body_text = _("About case %(case)s.") % {"case": thread.case.reference}
                url = reverse("portal:desk_thread_detail", args=[thread.pk])
            else:
                with translation.override("en"):
                    title = _("New message from the consular directorate")
                    body_text = _("Sign in to the portal to read it.")
                url = reverse("portal:thread_detail", args=[thread.pk])
            alert_send(recipients=_other_side_users(thread, side), title=title, body=body_text, url=url, dedupe_key=f"message:{message.pk}")
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return message


def thread_mark_read(*, actor: Any, thread: MessageThread) -> None:
    if not isinstance(actor, User):
        return
    ThreadReadMarker.objects.update_or_create(thread=thread, user=actor, defaults={"last_read_at": timezone.now()})


def attachment_get(*, actor: Any, attachment_id: Any) -> MessageAttachment:
    try:
        return MessageAttachment.objects.select_related("message__thread").get(
            pk=attachment_id, message__thread__in=MessageThread.objects.visible_to(actor)
        )
    except (MessageAttachment.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound() from None


def attachment_open(*, actor: Any, attachment: MessageAttachment) -> IO[bytes]:
    """Open an attachment of a thread the actor sees (`NotFound` otherwise). Audited."""
    if not MessageThread.objects.visible_to(actor).filter(pk=attachment.message.thread_id).exists():
        raise NotFound()
    audit_record(
        action=AuditAction.MESSAGE_ATTACHMENT_READ,
        target=attachment,
        actor=actor,
        data={"thread": str(attachment.message.thread_id), "sha256": attachment.sha256},
    )
    return attachment.file.open("rb")
