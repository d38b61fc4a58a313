"""Foreign nationals and their identity documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jembatan.core.models import BaseModel, PublicModel
from jembatan.people.querysets import PersonQuerySet, person_search_key

# Changing any of these changes the stored search key.
SEARCH_KEY_SOURCES = frozenset({"surname", "given_names", "native_name"})


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNSPECIFIED = "X", _("Unspecified")


class Person(PublicModel):
    """One human being known to the authorities; one person is one record.

    Names are kept as printed in the travel document (Latin, as in the MRZ) and in the
    native script. The date of birth may be partial (year only, or year and month) as
    some documents allow. Protection flags are never disclosed to a foreign mission.

    `search_key` is derived, never typed: the names transliterated to lower-case ASCII
    (anyascii), so one search box finds a person by the Latin or the native-script name.
    Read people through `Person.objects.visible_to(actor)` (or the selectors), never
    through an unscoped `Person.objects`.
    """

    surname = models.CharField(_("surname (as in the document)"), max_length=120)
    given_names = models.CharField(_("given names (as in the document)"), max_length=200, blank=True)
    native_name = models.CharField(_("name in native script"), max_length=300, blank=True)
    native_name_lang = models.CharField(
        _("language of the native name"), max_length=16, blank=True, help_text=_("BCP 47 tag, e.g. ar, zh-Hans, ru.")
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNSPECIFIED)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(_("month of birth"), null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(_("day of birth"), null=True, blank=True)
    nationalities = models.ManyToManyField("reference.Country", through="Nationality", related_name="+", verbose_name=_("nationalities"))
    is_refugee = models.BooleanField(_("refugee"), default=False)
    is_asylum_seeker = models.BooleanField(_("asylum seeker"), default=False)
    is_stateless = models.BooleanField(_("stateless"), default=False)
    is_trafficking_victim = models.BooleanField(_("victim of trafficking or smuggling"), default=False)
    recorded_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    is_demo = models.BooleanField(default=False, editable=False)
    search_key = models.TextField(_("search key"), blank=True, default="", editable=False)
    history = HistoricalRecords(excluded_fields=["search_key"])

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["surname", "given_names"]
        indexes = [models.Index(fields=["surname", "given_names"], name="person_name")]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.surname}, {self.given_names}".strip(", ")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = person_search_key(self.surname, self.given_names, self.native_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and SEARCH_KEY_SOURCES.intersection(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    @property
    def document_name(self) -> str:
        return f"{self.surname} {self.given_names}".strip()

    @property
    def birth_date(self) -> dt.date | None:
        if self.birth_year and self.birth_month and self.birth_day:
            return dt.date(self.birth_year, self.birth_month, self.birth_day)
        return None

    @property
    def birth_date_display(self) -> str:
        """YYYY-MM-DD with 00 for unknown parts, as in the exchange format."""
        if not self.birth_year:
            return ""
        return f"{self.birth_year:04d}-{self.birth_month or 0:02d}-{self.birth_day or 0:02d}"

    @property
    def has_protection_flag(self) -> bool:
        return self.is_refugee or self.is_asylum_seeker


class Nationality(models.Model):
    """A nationality a person holds (a person may hold several)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="nationality_links")
    country = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="+")
    is_primary = models.BooleanField(default=True)

    class Meta:
        ordering = ["-is_primary", "country__code"]
        constraints = [models.UniqueConstraint(fields=["person", "country"], name="nationality_once_per_person")]

    def __str__(self) -> str:
        return self.country.code


class IdentityDocument(PublicModel):
    """A travel or identity document a person holds."""

    class DocumentType(models.TextChoices):
        PASSPORT = "P", _("Passport")
        IDENTITY_CARD = "ID", _("Identity card")
        TRAVEL_DOCUMENT = "TD", _("Travel document")
        OTHER = "OT", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents", verbose_name=_("person"))
    document_type = models.CharField(_("document type"), max_length=2, choices=DocumentType.choices, default=DocumentType.PASSPORT)
    number = models.CharField(_("document number"), max_length=20)
    issuing_state = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing state"))
    issued_on = models.DateField(_("date of issue"), null=True, blank=True)
    expires_on = models.DateField(_("date of expiry"), null=True, blank=True)
    mrz = models.TextField(_("MRZ"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-expires_on"]
        constraints = [models.UniqueConstraint(fields=["document_type", "number", "issuing_state"], name="document_unique_per_issuer")]
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} {self.number} ({self.issuing_state_id})"


class PersonAgencyLink(BaseModel):
    """An agency other than the recording one that has a reason to see this person.

    One person is one record shared by the agencies that deal with them: when an agency
    opens a case on a person another agency recorded, or an officer confirms at intake that
    the person before them is an existing record, the agency is linked here and
    `people.view_person` then shows the person to its staff (`PersonQuerySet.visible_to`).
    A link never widens what a foreign mission sees. Rows are written only by
    `services.person_link_agency`, at most one per person and agency.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="agency_links", verbose_name=_("person"))
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "agency"], name="person_agency_link_once")]
        verbose_name = _("agency linked to a person")
        verbose_name_plural = _("agencies linked to people")

    def __str__(self) -> str:
        return f"{self.person_id} → {self.agency_id}"
