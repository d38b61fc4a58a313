"""Embassy portal models (owned by the portal app).

* `WhereaboutsInquiry`: a mission asks whether a named national is detained or known to the
  authorities; the consular directorate answers from the case register (and the
  border-crossing records once they exist) or forwards it to immigration. `result` keeps
  everything that was looked at to answer it.
* `MessageThread` / `Message` / `MessageAttachment` / `ThreadReadMarker`: one thread per
  (case, mission) between the mission and the consular directorate, with attachments and
  a read marker per user.

Notifications, access requests and visits are the `notifications` app's; the portal shows
them through `visible_to`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jembatan.core.models import BaseModel, PublicModel
from jembatan.portal.querysets import MissionScopedQuerySet, ThreadQuerySet

# A whereabouts inquiry is answered within 72 hours of being asked: the same order of
# speed the consular directorate keeps for notifications (docs/portal.md). Reminders go
# out before it and escalations after it (`inquiries.inquiries_remind_job`).
INQUIRY_ANSWER_HOURS = 72


def inquiry_due(asked_at: dt.datetime) -> dt.datetime:
    return asked_at + dt.timedelta(hours=INQUIRY_ANSWER_HOURS)


class InquiryPurpose(models.TextChoices):
    FAMILY = "family", _("Family inquiry")
    WELFARE = "welfare", _("Welfare check")
    LEGAL = "legal", _("Legal proceedings")
    OTHER = "other", _("Other purpose")


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FORWARDED = "forwarded", _("Forwarded to immigration")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class WhereaboutsInquiry(PublicModel):
    """A mission's question: is this national detained or known to the authorities?

    The birth date may be partial (year only, year and month). `purpose` is required: the
    ministry discloses a national's whereabouts for a stated reason only.
    """

    reference = models.CharField(_("reference number"), max_length=32, unique=True)
    mission = models.ForeignKey("reference.ForeignMission", on_delete=models.PROTECT, related_name="+", verbose_name=_("mission"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    surname = models.CharField(_("surname (as in the document)"), max_length=120)
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(_("month of birth"), null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(_("day of birth"), null=True, blank=True)
    document_number = models.CharField(_("document number"), max_length=20, blank=True)
    document_issuing_state = models.ForeignKey(
        "reference.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing state")
    )
    nationality = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("nationality"))
    purpose = models.CharField(_("purpose"), max_length=12, choices=InquiryPurpose.choices)
    purpose_text = models.TextField(_("details of the purpose"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=InquiryStatus.choices, default=InquiryStatus.OPEN, db_index=True)
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due by"), db_index=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    forward_note = models.TextField(_("note to immigration"), blank=True)
    result = models.JSONField(_("what was looked at"), default=dict, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = _("whereabouts inquiry")
        verbose_name_plural = _("whereabouts inquiries")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_pending(self) -> bool:
        return self.status in (InquiryStatus.OPEN, InquiryStatus.FORWARDED)

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and timezone.now() > self.due_at

    @property
    def birth_date_text(self) -> str:
        parts = [f"{self.birth_year:04d}" if self.birth_year else "????"]
        if self.birth_month:
            parts.append(f"{self.birth_month:02d}")
            if self.birth_day:
                parts.append(f"{self.birth_day:02d}")
        return "-".join(parts) if self.birth_year else ""


class Side(models.TextChoices):
    MISSION = "mission", _("Mission")
    MINISTRY = "ministry", _("Consular directorate")


class MessageThread(PublicModel):
    """The conversation about one case between one mission and the consular directorate."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("case"))
    mission = models.ForeignKey("reference.ForeignMission", on_delete=models.PROTECT, related_name="+", verbose_name=_("mission"))
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True, db_index=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at"]
        constraints = [models.UniqueConstraint(fields=["case", "mission"], name="portal_thread_once_per_case_mission")]
        verbose_name = _("message thread")
        verbose_name_plural = _("message threads")

    def __str__(self) -> str:
        return f"{self.case_id} / {self.mission_id}"


class Message(PublicModel):
    thread = models.ForeignKey(MessageThread, on_delete=models.PROTECT, related_name="messages")
    side = models.CharField(_("from"), max_length=8, choices=Side.choices)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("sender"))
    sender_label = models.CharField(_("sender (name at the time)"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["sent_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.thread_id} {self.side} {self.sent_at:%Y-%m-%d %H:%M}"


class MessageAttachment(PublicModel):
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to="portal/messages/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("message attachment")
        verbose_name_plural = _("message attachments")

    def __str__(self) -> str:
        return self.original_name


class ThreadReadMarker(BaseModel):
    """Up to when one user has read one thread: later messages from the other side are unread."""

    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="read_markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="portal_read_marker_once")]

    def __str__(self) -> str:
        return f"{self.thread_id} {self.user_id} {self.last_read_at:%Y-%m-%d %H:%M}"
