"""Reference data: facts officers pick from instead of typing.

Every table is effective-dated (`valid_from`/`valid_to`), bilingual where it names
something, and keeps the `source` and `confidence` of the public compilation it was loaded
from. Administrators may correct a row; a corrected row is marked `locally_corrected` and
the loader never overwrites it again. simple-history keeps every version.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jembatan.core.models import BaseModel
from jembatan.core.zones import ZONE_ABBREVIATIONS as ZONE_ABBREVIATIONS  # re-exported: defined in core


class Confidence(models.TextChoices):
    HIGH = "high", _("High: seen in at least one recent source")
    MEDIUM = "medium", _("Medium: old, partial or unofficial source")
    LOW = "low", _("Low: unconfirmed; treat as a lead")


class TimeZoneName(models.TextChoices):
    """Indonesia's three zones (Keppres 41/1987); no daylight saving."""

    WIB = "Asia/Jakarta", "WIB (UTC+7)"
    WITA = "Asia/Makassar", "WITA (UTC+8)"
    WIT = "Asia/Jayapura", "WIT (UTC+9)"


class EffectiveQuerySet(models.QuerySet):
    def in_force(self, on: dt.date | None = None) -> EffectiveQuerySet:
        """Rows valid on `on` (default today): valid_from <= on and (no valid_to or valid_to >= on)."""
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


class ReferenceRecord(BaseModel):
    """Fields every reference table shares."""

    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True, help_text=_("Where the fact comes from (URLs or repository files)."))
    confidence = models.CharField(_("confidence"), max_length=8, choices=Confidence.choices, default=Confidence.HIGH)
    locally_corrected = models.BooleanField(
        _("corrected by an administrator"), default=False, help_text=_("The loader never overwrites a corrected row.")
    )

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_in_force(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or self.valid_to >= on)


class BilingualName(models.Model):
    """A name in Indonesian and English; `name` picks the active language."""

    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class Country(ReferenceRecord, BilingualName):
    """A nationality or issuing-state code usable in a travel document.

    ISO 3166-1 alpha-3 countries (from pycountry) plus ICAO Doc 9303 special codes (`D`
    for Germany, `GBD`, `UNO`, `XXA` stateless…). `iso_equivalent` maps an ICAO code to the
    ISO country it belongs to, where there is one.
    """

    class Kind(models.TextChoices):
        ISO = "iso", _("ISO 3166-1 country")
        ICAO = "icao", _("ICAO 9303 special code")

    code = models.CharField(_("code"), max_length=3, unique=True, help_text=_("As written in the MRZ, without fillers."))
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.ISO)
    alpha2 = models.CharField(_("ISO alpha-2"), max_length=2, blank=True)
    numeric = models.CharField(_("ISO numeric"), max_length=3, blank=True)
    iso_equivalent = models.CharField(_("ISO equivalent"), max_length=3, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country or nationality code")
        verbose_name_plural = _("countries and nationality codes")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def is_indonesia(self) -> bool:
        return self.code == "IDN"


class ImmigrationOffice(ReferenceRecord, BilingualName):
    """A Kantor Imigrasi (immigration office), with its class and time zone."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    office_class = models.CharField(_("class"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=120)
    province = models.CharField(_("province"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=32, choices=TimeZoneName.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_id"]
        verbose_name = _("immigration office")
        verbose_name_plural = _("immigration offices")

    def __str__(self) -> str:
        return self.name


class DetentionCentre(ReferenceRecord, BilingualName):
    """A Rumah Detensi Imigrasi (Rudenim, immigration detention centre)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    city = models.CharField(_("city"), max_length=120)
    province = models.CharField(_("province"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=32, choices=TimeZoneName.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_id"]
        verbose_name = _("immigration detention centre")
        verbose_name_plural = _("immigration detention centres")

    def __str__(self) -> str:
        return self.name


class Checkpoint(ReferenceRecord, BilingualName):
    """A Tempat Pemeriksaan Imigrasi (TPI, immigration checkpoint): airport, seaport or land post."""

    class Kind(models.TextChoices):
        AIRPORT = "airport", _("Airport")
        SEAPORT = "seaport", _("Seaport")
        LAND_BORDER = "land_border", _("Land border post")

    code = models.CharField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=120)
    province = models.CharField(_("province"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=32, choices=TimeZoneName.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("immigration checkpoint")
        verbose_name_plural = _("immigration checkpoints")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class ForeignMission(ReferenceRecord, BilingualName):
    """A foreign mission: resident in Indonesia, or accredited to Indonesia from abroad.

    `country` is empty for international organisations. `consular_district` says which
    areas the post covers, as far as a source states it.
    """

    class MissionType(models.TextChoices):
        EMBASSY = "embassy", _("Embassy")
        CONSULATE_GENERAL = "consulate_general", _("Consulate-general")
        CONSULATE = "consulate", _("Consulate")
        HONORARY_CONSULATE = "honorary_consulate", _("Honorary consulate")
        REPRESENTATIVE_OFFICE = "representative_office", _("Representative office")
        INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")

    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="missions", verbose_name=_("country")
    )
    sending_entity = models.CharField(_("sending state or organisation"), max_length=200)
    mission_type = models.CharField(_("type"), max_length=32, choices=MissionType.choices)
    city = models.CharField(_("city"), max_length=200)
    province = models.CharField(_("province or location"), max_length=200)
    is_resident = models.BooleanField(_("resident in Indonesia"), default=True)
    consular_district = models.TextField(_("consular district"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sending_entity", "mission_type", "city"]
        constraints = [
            models.UniqueConstraint(fields=["sending_entity", "mission_type", "city"], name="mission_natural_key"),
        ]
        verbose_name = _("foreign mission")
        verbose_name_plural = _("foreign missions")

    def __str__(self) -> str:
        return self.name


class LegalBasis(ReferenceRecord):
    """An article (and paragraph) of a law that a case or action rests on."""

    class Kind(models.TextChoices):
        ADMINISTRATIVE_ACTION = "administrative_action", _("Administrative action (TAK)")
        DETENTION = "detention", _("Detention")
        CRIME = "crime", _("Immigration crime")
        DURATION_RULE = "duration_rule", _("Duration rule")
        PROTECTION = "protection", _("Protection")

    law = models.CharField(_("law"), max_length=120)
    article = models.CharField(_("article"), max_length=10)
    paragraph = models.CharField(_("paragraph"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    summary_en = models.TextField(_("summary (English)"))
    summary_id = models.TextField(_("summary (Indonesian)"))
    max_penalty = models.TextField(_("maximum penalty"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["law", "kind", "article", "paragraph"]
        constraints = [models.UniqueConstraint(fields=["law", "article", "paragraph"], name="legal_basis_natural_key")]
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")

    def __str__(self) -> str:
        para = f" ayat {self.paragraph}" if self.paragraph else ""
        return f"{self.law} Pasal {self.article}{para}"

    @property
    def summary(self) -> str:
        return self.summary_en if (get_language() or "id").startswith("en") else self.summary_id
