"""The shared case register."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jembatan.cases.lifecycle import CaseKind, CaseStatus, DetentionGround
from jembatan.cases.querysets import CaseQuerySet
from jembatan.core.models import BaseModel, PublicModel
from jembatan.missions.choices import ImmunityLevel


class Case(PublicModel):
    """One actual case of a foreign national that both ministries must know about.

    `kind` decides which fields apply (validated by the services) and which lifecycle the
    `status` follows (`cases.lifecycle`). `reporting_agency`/`reporting_unit` are who
    reported it; scope is decided from them (`CaseQuerySet.visible_to`). Every change is
    also an entry on the append-only timeline (`CaseEvent`).
    """

    reference = models.CharField(_("case number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=CaseKind.choices, db_index=True)
    status = models.CharField(_("status"), max_length=32, choices=CaseStatus.choices, db_index=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases", verbose_name=_("person"))
    reporting_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="reported_cases", verbose_name=_("reporting agency")
    )
    reporting_unit = models.ForeignKey(
        "accounts.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_cases",
        verbose_name=_("reporting office"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    legal_basis = models.ForeignKey(
        "reference.LegalBasis", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("legal basis")
    )
    occurred_at = models.DateTimeField(_("date and time of the event"), help_text=_("Detention, arrest, death or decision."))
    time_zone = models.CharField(_("time zone of the place"), max_length=32, default="Asia/Jakarta")
    summary = models.TextField(_("summary of the facts"), blank=True)

    # Where the person is held or the event happened.
    detention_centre = models.ForeignKey(
        "reference.DetentionCentre", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("detention centre")
    )
    place_description = models.CharField(_("place"), max_length=300, blank=True, help_text=_("Where, if not a detention centre."))

    # Detention (UU 6/2011 art. 83–85).
    detention_ground = models.CharField(_("ground of detention"), max_length=1, choices=DetentionGround.choices, blank=True)
    detention_ceiling_on = models.DateField(_("statutory ceiling"), null=True, blank=True)

    # Administrative actions, bans and deportation.
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    requesting_agency = models.CharField(_("requesting agency"), max_length=200, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    overstay_days = models.PositiveIntegerField(_("days of overstay"), null=True, blank=True)
    charge_amount = models.DecimalField(_("charge (IDR)"), max_digits=14, decimal_places=0, null=True, blank=True)

    # Criminal and civil proceedings.
    court = models.CharField(_("court or investigating body"), max_length=200, blank=True)

    # Immunity found at intake (missions registry) and any override.
    immunity_level = models.CharField(_("immunity"), max_length=16, choices=ImmunityLevel.choices, blank=True)
    immunity_match = models.JSONField(_("immunity registry match"), default=dict, blank=True)
    immunity_override_reason = models.TextField(_("reason for overriding immunity"), blank=True)
    immunity_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("override by")
    )

    # A case opened because of an event on another one (a death reported on a detention
    # opens the death case): the case it came from.
    origin_case = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_up_cases", verbose_name=_("opened from case")
    )

    is_demo = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["reporting_agency", "-occurred_at"], name="case_agency_time"),
            models.Index(fields=["kind", "status"], name="case_kind_status"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_kind_display()})"

    @property
    def is_immunity_flagged(self) -> bool:
        return bool(self.immunity_match)


class CaseSequence(models.Model):
    """The last case number issued per year (JBT-2026-000123): one row per year, bumped
    under a row lock so numbers are unique and gap-free per year."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class CaseEventQuerySet(models.QuerySet["CaseEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Case timeline entries cannot be changed; add a correcting entry.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Case timeline entries cannot be deleted; add a correcting entry.")


class CaseEvent(models.Model):
    """One entry on a case's timeline: who did what, when, from which agency.

    Append-only: a mistake is corrected by a new entry that points at the one it corrects
    (`corrects`), which stays visible. `occurred_at` is when it happened; `recorded_at`
    when it was written down.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Case recorded")
        STATUS_CHANGED = "status_changed", _("Status changed")
        NOTE = "note", _("Note")
        DOCUMENT_ADDED = "document_added", _("Document attached")
        IMMUNITY_FLAGGED = "immunity_flagged", _("Immunity registry match")
        IMMUNITY_OVERRIDDEN = "immunity_overridden", _("Immunity override by supervisor")
        CEILING_ALERT = "ceiling_alert", _("Detention nearing its statutory ceiling")
        TRANSFER = "transfer", _("Transfer between places of detention")
        SERIOUS_ILLNESS = "serious_illness", _("Serious illness")
        RELEASE = "release", _("Release")
        DEATH = "death", _("Death")
        EXTENDED = "extended", _("Extended")
        LAPSED = "lapsed", _("Lapsed")
        CORRECTION = "correction", _("Correction")
        DETAILS_CHANGED = "details_changed", _("Details changed")
        # Consular notification and access (written by the notifications app; VCCR art. 36/37).
        RIGHTS_ADVISED = "rights_advised", _("Informed of consular rights")
        NOTIFICATION_DECIDED = "notification_decided", _("Consular notification decided")
        NOTIFICATION_SENT = "notification_sent", _("Consular notification dispatched")
        NOTIFICATION_ACKED = "notification_acked", _("Notification acknowledged by the mission")
        LETTER_LOGGED = "letter_logged", _("Letter from the detainee to the consulate")
        LETTER_FORWARDED = "letter_forwarded", _("Letter forwarded to the consulate")
        ACCESS_REQUESTED = "access_requested", _("Consular access requested")
        ACCESS_SCHEDULED = "access_scheduled", _("Consular access scheduled")
        ACCESS_REFUSED = "access_refused", _("Consular access refused or declined")
        VISIT_RECORDED = "visit_recorded", _("Consular visit took place")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("happened at"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    actor_label = models.CharField(_("by (name at the time)"), max_length=200, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    from_status = models.CharField(_("from status"), max_length=32, blank=True)
    to_status = models.CharField(_("to status"), max_length=32, blank=True)
    summary = models.TextField(_("description"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("case timeline entry")
        verbose_name_plural = _("case timeline entries")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.recorded_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Case timeline entries cannot be changed; add a correcting entry.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Case timeline entries cannot be deleted; add a correcting entry.")


def case_document_path(instance: CaseDocument, filename: str) -> str:
    # The stored name never comes from the user: a random name under the case's folder.
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}"


class CaseDocument(BaseModel):
    """A file attached to a case (decision letter, medical note, death certificate…).

    Stored through Django's storage under a random name; served only by a view that
    checks the case is visible to the requester.
    """

    class DocumentType(models.TextChoices):
        DECISION = "decision", _("Decision letter")
        REPORT = "report", _("Report or minutes")
        MEDICAL = "medical", _("Medical document")
        DEATH_CERTIFICATE = "death_certificate", _("Death certificate")
        IDENTITY = "identity", _("Identity document copy")
        CORRESPONDENCE = "correspondence", _("Correspondence")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents", verbose_name=_("case"))
    document_type = models.CharField(_("document type"), max_length=24, choices=DocumentType.choices)
    file = models.FileField(_("file"), upload_to=case_document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")

    def __str__(self) -> str:
        return self.original_name


class OverstayRule(BaseModel):
    """How UU 6/2011 art. 78 is applied to an overstay, effective-dated.

    Below `threshold_days` the foreigner is charged `charge_per_day` (PP 28/2019: Rp1,000,000)
    per day; above it, deportation and an entry ban follow. The statute says "less than 60
    days" and "more than 60 days", leaving day 60 itself open: `at_threshold` records which
    side this rule puts it on, and every assessment stores the rule it used.
    """

    class AtThreshold(models.TextChoices):
        CHARGE = "charge", _("Charge per day")
        DEPORT = "deport", _("Deportation and entry ban")

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    threshold_days = models.PositiveSmallIntegerField(_("threshold (days)"), default=60)
    at_threshold = models.CharField(
        _("on exactly the threshold day"), max_length=8, choices=AtThreshold.choices, default=AtThreshold.CHARGE
    )
    charge_per_day = models.DecimalField(_("charge per day (IDR)"), max_digits=12, decimal_places=0, default=1_000_000)
    source = models.TextField(_("source"), default="UU 6/2011 art. 78; PP 28/2019 (tariff)")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("overstay rule")
        verbose_name_plural = _("overstay rules")

    def __str__(self) -> str:
        return f"{self.threshold_days} days from {self.valid_from}"


class RightsAnswer(models.TextChoices):
    """The detainee's answer when informed of the right to consular notification."""

    REQUESTED = "requested", _("Asked for the consulate to be notified")
    DECLINED = "declined", _("Declined notification")
    NO_ANSWER = "no_answer", _("Could not or would not answer")


class ConsularRightsAdvice(BaseModel):
    """When and in which language the person was informed of their consular rights (VCCR
    art. 36(1)(b), last sentence), and what they answered.

    Required at intake for the kinds that deprive a person of liberty
    (`lifecycle.RIGHTS_ADVICE_KINDS`). The person may change their mind: a new row is added
    (the latest counts) and a `rights_advised` timeline entry lets the notification engine
    reassess. `objects_to_visits` records an express objection to consular action
    (art. 36(1)(c)), with the person's statement.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="rights_advice", verbose_name=_("case"))
    nationality_known_at = models.DateTimeField(_("foreign nationality known or suspected at"), null=True, blank=True)
    informed_at = models.DateTimeField(_("informed at"))
    language = models.CharField(_("language used"), max_length=16, help_text=_("ISO 639-1 code, e.g. en, zh, ar."))
    answer = models.CharField(_("answer"), max_length=12, choices=RightsAnswer.choices)
    objects_to_visits = models.BooleanField(_("expressly objects to consular visits"), default=False)
    statement = models.TextField(_("the person's statement"), blank=True)
    interpreter = models.CharField(_("interpreter"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-informed_at", "-created_at"]
        verbose_name = _("consular rights advice")
        verbose_name_plural = _("consular rights advice")

    def __str__(self) -> str:
        return f"{self.case_id} {self.answer} {self.informed_at:%Y-%m-%d %H:%M}"
