"""Consular notification and access (VCCR art. 36 and 37; domain.md §2.2–2.7, §6, §7).

The engine reads cases and their timeline (the domain events of `cases`); it never writes
case fields. What it decides and does is kept here, one table per fact:

* `CountryPolicy`: the treaty facts per country, effective-dated (mode, deadline, automatic
  dispatch, languages, protecting power, agreement, scope notes).
* `NotificationDecision`: one per (timeline entry, country of nationality): notify or not,
  why, under which rule version. Its existence also marks the entry as assessed, so the
  assessment job can run any number of times without deciding twice.
* `Notification`: one per (decision, mission): the tracked object with its deadline,
  document, dispatch, deliveries, reminders and acknowledgement.
* `NotificationDelivery`: one per (notification, channel, recipient): the e-mail or portal
  entry, with attempts and the last error. Never silently dropped.
* `NotificationReminder`: one per (notification, step): reminders before the deadline and
  escalations after it. The unique step makes catch-up after a worker outage send each
  reminder once.
* `DetaineeLetter`: a communication from the detainee to the post (art. 36(1)(b)), with
  its own deadline.
* `AccessRequest` and `ConsularVisit`: consular access (art. 36(1)(a), (c)).

All times are stored in UTC and shown in the office's zone.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jembatan.core.models import BaseModel, PublicModel
from jembatan.notifications.querysets import CaseBoundQuerySet, NotificationQuerySet


class NotificationMode(models.TextChoices):
    ON_REQUEST = "on_request", _("At the person's request (VCCR art. 36(1)(b))")
    MANDATORY = "mandatory", _("Mandatory under a bilateral agreement")


class CountryPolicy(BaseModel):
    """How and how fast the nationals of one country are notified, for a period.

    Effective-dated: a change is a new row from a date (the old row gets `valid_to`), so a
    decision made under an earlier rule is explained by the rule then in force. The rule
    version stored on a decision is `str(policy.pk)` plus `valid_from`.
    """

    country = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="consular_policies", verbose_name=_("country"))
    mode = models.CharField(_("notification mode"), max_length=16, choices=NotificationMode.choices, default=NotificationMode.ON_REQUEST)
    deadline_hours = models.PositiveSmallIntegerField(
        _("deadline (hours)"), default=72, help_text=_("Counted from the time of detention or of the event.")
    )
    automatic_dispatch = models.BooleanField(_("dispatch automatically"), default=False)
    languages = models.JSONField(
        _("languages of the notice"), default=list, blank=True, help_text=_("Language codes, e.g. id, en. Indonesian and English always.")
    )
    covers_protected_persons = models.BooleanField(
        _("mandatory rule covers refugees and asylum seekers"),
        default=False,
        help_text=_("Off by default: a refugee or asylum seeker who has not asked is not notified, even where notice is mandatory."),
    )
    excludes_permanent_residents = models.BooleanField(_("permanent residents excluded from mandatory notice"), default=False)
    protecting_power = models.ForeignKey(
        "reference.Country",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("protecting power"),
        help_text=_("Receives the notices where the country has no mission accredited to Indonesia."),
    )
    agreement_reference = models.CharField(_("agreement"), max_length=300, blank=True)
    source_instrument = models.TextField(_("source"), blank=True)
    scope_notes = models.TextField(_("scope notes"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty while in force."))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["country__name_en", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["country", "valid_from"], name="consular_policy_one_per_start"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")), name="consular_policy_period"
            ),
        ]
        verbose_name = _("country consular policy")
        verbose_name_plural = _("country consular policies")

    def __str__(self) -> str:
        return f"{self.country_id} {self.mode} from {self.valid_from}"

    @property
    def rule_version(self) -> str:
        return f"policy {self.pk} ({self.country_id}, from {self.valid_from:%Y-%m-%d})"


class Trigger(models.TextChoices):
    """The notifiable events (domain.md §2.2, §2.3, §6)."""

    DETENTION = "detention", _("Detention or arrest")
    ADMINISTRATIVE_ACTION = "administrative_action", _("Administrative action")
    DEPORTATION = "deportation", _("Deportation")
    CONVICTION = "conviction", _("Conviction")
    TRANSFER = "transfer", _("Transfer between places of detention")
    SERIOUS_ILLNESS = "serious_illness", _("Serious illness")
    RELEASE = "release", _("Release")
    DEATH = "death", _("Death")
    GUARDIANSHIP = "guardianship", _("Guardianship of a minor or incapacitated person")
    WRECK_OR_AIR_ACCIDENT = "wreck_or_air_accident", _("Wreck or air accident")


class Outcome(models.TextChoices):
    NOTIFY = "notify", _("Notify")
    NOT_NOTIFIED = "not_notified", _("Not notified")
    HELD_BACK = "held_back", _("Held back")
    AWAITING_ANSWER = "awaiting_answer", _("Awaiting the person's answer")


class Reason(models.TextChoices):
    REQUESTED = "requested", _("The person asked for their consulate to be notified")
    MANDATORY = "mandatory", _("Notification is mandatory under a bilateral agreement")
    ARTICLE_37 = "article_37", _("Always notified (VCCR art. 37)")
    DECLINED = "declined", _("The person declined and notice is not mandatory for this country")
    LOCAL_NATIONAL = "local_national", _("Also a national of Indonesia: treated as a citizen")
    PROTECTED_PERSON = "protected_person", _("Held back: refugee or asylum seeker who has not asked for notification")
    NOT_ASKED = "not_asked", _("The person has not yet been informed of the right or has not answered")
    STATELESS = "stateless", _("Stateless: no State of nationality to notify")
    NOT_NOTIFIABLE = "not_notifiable", _("The event is not notifiable")


class NotificationDecision(BaseModel):
    """What the engine decided about one timeline entry for one country of nationality.

    Unique per (case_event, country): the assessment job is idempotent. `country` is null
    for an outcome that concerns no country (stateless, not notifiable). Never shown to a
    mission: `reason` may be `protected_person`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="notification_decisions", verbose_name=_("case"))
    case_event = models.ForeignKey("cases.CaseEvent", on_delete=models.PROTECT, related_name="notification_decisions")
    country = models.ForeignKey(
        "reference.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    trigger = models.CharField(_("event"), max_length=32, choices=Trigger.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    explanation = models.TextField(_("explanation"), blank=True, help_text=_("In English: the record."))
    explanation_id = models.TextField(_("explanation (Indonesian)"), blank=True)
    policy = models.ForeignKey(CountryPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("policy"))
    rule_version = models.CharField(_("rule version"), max_length=200)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [models.UniqueConstraint(fields=["case_event", "country"], name="notification_decision_once", nulls_distinct=False)]
        verbose_name = _("notification decision")
        verbose_name_plural = _("notification decisions")

    def __str__(self) -> str:
        return f"{self.case_id} {self.trigger} {self.outcome} ({self.reason})"

    @property
    def explanation_shown(self) -> str:
        """The explanation in the reader's language (English when no Indonesian is stored)."""
        from django.utils import translation

        if (translation.get_language() or "id").startswith("id") and self.explanation_id:
            return self.explanation_id
        return self.explanation


class NotificationStatus(models.TextChoices):
    TO_CHECK = "to_check", _("To check")
    DISPATCHING = "dispatching", _("Being dispatched")
    DISPATCHED = "dispatched", _("Dispatched")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CANCELLED = "cancelled", _("Cancelled")


class AcknowledgementChannel(models.TextChoices):
    PORTAL = "portal", _("Mission portal")
    PHONE = "phone", _("Telephone")
    EMAIL = "email", _("E-mail")
    NOTE = "note", _("Diplomatic note")


class Notification(PublicModel):
    """One notice to one mission about one notifiable event.

    `reference` is the ministry's number (e.g. `NK-2026-000123`); `event_at` is when the
    event happened (the detention time): `due_at = event_at + policy.deadline_hours`.
    `mission` is null only when the country has no mission and no protecting power on
    record: the consular desk sends it through another channel and records that.
    """

    reference = models.CharField(_("reference number"), max_length=32, unique=True)
    decision = models.ForeignKey(NotificationDecision, on_delete=models.PROTECT, related_name="notifications")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="notifications", verbose_name=_("case"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    country = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("nationality concerned"))
    mission = models.ForeignKey(
        "reference.ForeignMission", null=True, blank=True, on_delete=models.PROTECT, related_name="notifications", verbose_name=_("mission")
    )
    via_protecting_power = models.BooleanField(_("through the protecting power"), default=False)
    trigger = models.CharField(_("event"), max_length=32, choices=Trigger.choices)
    basis = models.CharField(_("basis"), max_length=20, choices=Reason.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.TO_CHECK, db_index=True
    )
    event_at = models.DateTimeField(_("event time"))
    time_zone = models.CharField(_("time zone of the office"), max_length=32, default="Asia/Jakarta")
    due_at = models.DateTimeField(_("due by"), db_index=True)
    automatic = models.BooleanField(_("automatic dispatch"), default=False)
    facts = models.JSONField(_("facts sent"), default=dict, blank=True, help_text=_("What the mission is told; never protection flags."))
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    document = models.FileField(_("notification document"), upload_to="notifications/%Y/%m/", blank=True, max_length=300)
    document_sha256 = models.CharField(max_length=64, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledgement_channel = models.CharField(_("acknowledged by"), max_length=8, choices=AcknowledgementChannel.choices, blank=True)
    acknowledgement_note = models.TextField(_("acknowledgement note"), blank=True)
    read_by_mission_at = models.DateTimeField(_("first opened by the mission"), null=True, blank=True)
    cancelled_reason = models.TextField(_("reason for cancelling"), blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["decision", "mission"], name="notification_once_per_mission", nulls_distinct=False)]
        indexes = [models.Index(fields=["mission", "status", "-created_at"], name="notif_mission_inbox")]
        verbose_name = _("consular notification")
        verbose_name_plural = _("consular notifications")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_overdue(self) -> bool:
        """Past due and not yet dispatched (a dispatched notice has met or missed its deadline once)."""
        return self.dispatched_at is None and self.status not in (NotificationStatus.CANCELLED,) and timezone.now() > self.due_at

    @property
    def dispatched_in_time(self) -> bool | None:
        return None if self.dispatched_at is None else self.dispatched_at <= self.due_at


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Mission portal")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Failed, will retry")
    FAILED = "failed", _("Failed")


class NotificationDelivery(BaseModel):
    """One channel of one notification to one recipient; the truth the delivery job checks.

    Retry contract (docs/notifications.md): the job sends, then records `SENT`. A worker
    killed between the two re-sends once on recovery: at most one duplicate per crash, with
    the same `message_id` so the mission's mail system can recognise it. Nothing is lost.
    """

    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=8, choices=DeliveryChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    message_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel", "recipient"], name="delivery_once_per_recipient")]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.recipient} {self.status}"


class ReminderKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder before the deadline")
    ESCALATION = "escalation", _("Escalation after the deadline")


class NotificationReminder(BaseModel):
    """One reminder or escalation step of one tracked item (a notification, a letter, an
    access request or a whereabouts inquiry), sent once.

    `subject_type` + `subject_id` name the item; `step` numbers the escalations
    (1 = at the deadline, 2 = a period later, …). Unique per (subject, kind, step): a worker
    catching up after an outage inserts each step once, whatever runs twice.
    """

    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=12, choices=ReminderKind.choices)
    step = models.PositiveSmallIntegerField(_("step"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["subject_type", "subject_id", "kind", "step"], name="reminder_once_per_step")]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.kind} {self.step}"


class DetaineeLetter(PublicModel):
    """A communication from the detainee to the consular post (art. 36(1)(b)): forwarded
    without delay, with its own deadline."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="detainee_letters", verbose_name=_("case"))
    mission = models.ForeignKey(
        "reference.ForeignMission", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("mission")
    )
    received_at = models.DateTimeField(_("handed over at"))
    description = models.TextField(_("description"))
    due_at = models.DateTimeField(_("forward by"))
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    forwarding_note = models.TextField(_("how it was forwarded"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    scan = models.FileField(_("scan"), upload_to="letters/%Y/%m/", blank=True, max_length=300)

    objects = CaseBoundQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("letter from the detainee")
        verbose_name_plural = _("letters from detainees")

    def __str__(self) -> str:
        return f"{self.case_id} letter {self.received_at:%Y-%m-%d}"


class AccessKind(models.TextChoices):
    VISIT = "visit", _("Visit in person")
    PHONE = "phone", _("Telephone call")
    VIDEO = "video", _("Video call")


class AccessStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Took place")
    REFUSED = "refused", _("Refused")
    DECLINED_BY_DETAINEE = "declined_by_detainee", _("Declined by the detainee")
    CANCELLED = "cancelled", _("Cancelled")


class AccessRequest(PublicModel):
    """A mission's request for consular access to a detained national (art. 36(1)(a), (c)).

    Made by the mission (portal) or recorded for it by the consular desk; scheduled by the
    detention centre or prison holding the person; ends in a visit, a refusal with a reason,
    or the detainee's express objection (recorded with their statement).
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="access_requests", verbose_name=_("case"))
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.PROTECT, related_name="access_requests")
    mission = models.ForeignKey(
        "reference.ForeignMission", on_delete=models.PROTECT, related_name="access_requests", verbose_name=_("mission")
    )
    kind = models.CharField(_("kind of access"), max_length=8, choices=AccessKind.choices, default=AccessKind.VISIT)
    proposed_times = models.JSONField(_("proposed times"), default=list, blank=True, help_text=_("ISO 8601 date-times, UTC."))
    officers = models.TextField(_("consular officers"), blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=24, choices=AccessStatus.choices, default=AccessStatus.REQUESTED, db_index=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("answer due by"))
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_note = models.TextField(_("answer"), blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    detainee_statement = models.TextField(_("detainee's statement"), blank=True)

    objects = CaseBoundQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("consular access request")
        verbose_name_plural = _("consular access requests")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.status}"


class ConsularVisit(PublicModel):
    """A consular visit or call that took place (art. 36(1)(c))."""

    access_request = models.OneToOneField(AccessRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="visit")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="consular_visits", verbose_name=_("case"))
    mission = models.ForeignKey("reference.ForeignMission", on_delete=models.PROTECT, related_name="+", verbose_name=_("mission"))
    kind = models.CharField(_("kind of access"), max_length=8, choices=AccessKind.choices, default=AccessKind.VISIT)
    occurred_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True, blank=True)
    officers = models.TextField(_("consular officers present"))
    outcome = models.TextField(_("outcome"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = CaseBoundQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("consular visit")
        verbose_name_plural = _("consular visits")

    def __str__(self) -> str:
        return f"{self.case_id} visit {self.occurred_at:%Y-%m-%d}"
