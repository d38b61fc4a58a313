"""Immigration traffic: border crossings and stay permits (issue #6; docs/traffic-format.md).

Contract shared by the import pipeline, the queries and the pages:

* `Crossing` rows are written only by the bulk/incremental loaders (set-based SQL, never
  the ORM row by row). On PostgreSQL the table is partitioned by month of `crossed_at`
  (migration `0002_partition_crossings`), so its primary key there is (`id`,
  `crossed_at`); Django addresses rows by `id` alone, which stays unique (one sequence).
* `source_key` decides identity: the `CrossingKey` table (unpartitioned, primary key
  `source_key`) is what makes a re-import add nothing twice, on a partitioned table
  that cannot hold a global unique index.
* `name_key` is the normalised name used for fuzzy/any-script search
  (`people.querysets.person_search_key` of surname + given names).
* Dates of birth may be partial: `birth_year`, `birth_month`, `birth_day` (null when
  `00` in the file).
* `batch` is the ledger row that loaded the row; the change feed reads rows in `id`
  order (ids are handed out under the import lock, so they grow in commit order).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jembatan.core.models import BaseModel


class Direction(models.TextChoices):
    ARRIVAL = "A", _("Arrival")
    DEPARTURE = "D", _("Departure")


class ImportBatch(BaseModel):
    """One file (or pushed batch) loaded into the traffic store: the ledger."""

    class Kind(models.TextChoices):
        CROSSINGS = "crossings", _("Border crossings")
        PERMITS = "permits", _("Stay permits")

    class Source(models.TextChoices):
        COMMAND = "command", _("Command line")
        UPLOAD = "upload", _("Upload")
        API_PUSH = "api_push", _("API push")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    file_name = models.CharField(_("file name"), max_length=300, blank=True)
    file_sha256 = models.CharField(_("file hash (SHA-256)"), max_length=64, db_index=True)
    file_size = models.BigIntegerField(_("file size (bytes)"), default=0)
    format_version = models.CharField(_("format version"), max_length=10, default="1.0")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    rows_total = models.BigIntegerField(_("rows read"), default=0)
    rows_loaded = models.BigIntegerField(_("rows loaded"), default=0)
    rows_duplicate = models.BigIntegerField(_("duplicates skipped"), default=0)
    rows_rejected = models.BigIntegerField(_("rows rejected"), default=0)
    rows_updated = models.BigIntegerField(_("rows updated"), default=0, help_text=_("Stay permits whose status or expiry changed."))
    bytes_done = models.BigIntegerField(_("bytes processed"), default=0)
    resume_row = models.BigIntegerField(
        _("rows committed"), default=0, help_text=_("Rows of the file committed so far; a re-run resumes after them.")
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    api_client = models.ForeignKey("accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("traffic import")
        verbose_name_plural = _("traffic imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name or self.pk} ({self.status})"


class QuarantinedRow(models.Model):
    """A row of an import that failed validation: kept with its row number and reason."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="quarantined")
    row_number = models.BigIntegerField(_("row"))
    field = models.CharField(_("field"), max_length=40, blank=True)
    reason = models.TextField(_("reason"))
    raw = models.TextField(_("row as received"))

    class Meta:
        ordering = ["batch_id", "row_number"]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} {self.reason}"


class Crossing(models.Model):
    """One border crossing (arrival or departure) at an immigration checkpoint."""

    id = models.BigAutoField(primary_key=True)
    source_key = models.CharField(_("source key"), max_length=64)
    crossed_at = models.DateTimeField(_("crossed at"))
    direction = models.CharField(_("direction"), max_length=1, choices=Direction.choices)
    checkpoint_code = models.CharField(_("checkpoint"), max_length=20)
    document_type = models.CharField(_("document type"), max_length=2)
    document_number = models.CharField(_("document number"), max_length=20)
    issuing_state = models.CharField(_("issuing state"), max_length=3)
    nationality = models.CharField(_("nationality"), max_length=3)
    surname = models.CharField(_("surname"), max_length=120)
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    name_key = models.CharField(max_length=320, blank=True)
    birth_year = models.SmallIntegerField(_("year of birth"), null=True)
    birth_month = models.SmallIntegerField(_("month of birth"), null=True)
    birth_day = models.SmallIntegerField(_("day of birth"), null=True)
    sex = models.CharField(_("sex"), max_length=1)
    permit_type = models.CharField(_("permit type"), max_length=24)
    permit_number = models.CharField(_("permit number"), max_length=40, blank=True)
    carrier = models.CharField(_("carrier"), max_length=20, blank=True)
    # No index on batch: one more index to maintain on every one of tens of millions of
    # rows, for a question (which rows did batch N load) nobody asks of the crossings.
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False)

    class Meta:
        ordering = ["-crossed_at"]
        indexes = [
            models.Index(fields=["document_number", "issuing_state", "crossed_at"], name="crossing_document"),
            # Year of birth first, then the name-key prefix (`LIKE 'abc%'`): on PostgreSQL the
            # pattern operator class lets a prefix use the index whatever the collation.
            models.Index(fields=["birth_year", "name_key"], name="crossing_name", opclasses=["int2_ops", "varchar_pattern_ops"]),
        ]
        verbose_name = _("border crossing")
        verbose_name_plural = _("border crossings")

    def __str__(self) -> str:
        return f"{self.direction} {self.document_number} {self.crossed_at:%Y-%m-%d %H:%M}"


class CrossingKey(models.Model):
    """The identity of every crossing ever loaded: `source_key` decides duplicates."""

    source_key = models.CharField(max_length=64, primary_key=True)
    crossing_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("crossing key")

    def __str__(self) -> str:
        return self.source_key


class PermitType(models.TextChoices):
    VISIT = "visit", _("Visit stay permit")
    VISA_ON_ARRIVAL = "visa_on_arrival", _("Visa on arrival")
    VISA_EXEMPT = "visa_exempt", _("Visa-exempt visit")
    LIMITED_STAY = "limited_stay", _("Limited stay permit (ITAS)")
    PERMANENT_STAY = "permanent_stay", _("Permanent stay permit (ITAP)")
    DIPLOMATIC = "diplomatic", _("Diplomatic stay permit")
    SERVICE = "service", _("Service stay permit")
    TRANSIT = "transit", _("Transit")
    CREW = "crew", _("Crew")
    CITIZEN = "citizen", _("Indonesian citizen")


class StayPermit(models.Model):
    """A stay permit (izin tinggal) as issued; the latest by `issued_on` is current."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        CONVERTED = "converted", _("Converted")

    id = models.BigAutoField(primary_key=True)
    source_key = models.CharField(_("source key"), max_length=64, unique=True)
    permit_number = models.CharField(_("permit number"), max_length=40)
    permit_type = models.CharField(_("permit type"), max_length=24, choices=PermitType.choices)
    document_number = models.CharField(_("document number"), max_length=20)
    issuing_state = models.CharField(_("issuing state"), max_length=3)
    nationality = models.CharField(_("nationality"), max_length=3)
    surname = models.CharField(_("surname"), max_length=120)
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    name_key = models.CharField(max_length=320, blank=True)
    birth_year = models.SmallIntegerField(null=True)
    birth_month = models.SmallIntegerField(null=True)
    birth_day = models.SmallIntegerField(null=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    sponsor = models.CharField(_("sponsor"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+", db_constraint=False)

    class Meta:
        ordering = ["-issued_on"]
        indexes = [
            models.Index(fields=["document_number", "issuing_state", "issued_on"], name="permit_document"),
            models.Index(fields=["expires_on"], name="permit_expiry"),
        ]
        verbose_name = _("stay permit")
        verbose_name_plural = _("stay permits")

    def __str__(self) -> str:
        return f"{self.permit_number} ({self.permit_type})"


class TrafficMonthly(models.Model):
    """Pre-aggregated arrivals and departures by month, nationality and checkpoint,
    refreshed for the months an import touched."""

    month = models.DateField(_("month"))
    nationality = models.CharField(_("nationality"), max_length=3)
    checkpoint_code = models.CharField(_("checkpoint"), max_length=20)
    arrivals = models.BigIntegerField(_("arrivals"), default=0)
    departures = models.BigIntegerField(_("departures"), default=0)

    class Meta:
        ordering = ["-month", "nationality", "checkpoint_code"]
        constraints = [models.UniqueConstraint(fields=["month", "nationality", "checkpoint_code"], name="traffic_monthly_unique")]
        verbose_name = _("monthly traffic figure")
        verbose_name_plural = _("monthly traffic figures")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.nationality} {self.checkpoint_code}"
