"""The registry of accredited diplomatic, consular and international-organisation staff and
their families, kept by the protocol directorate (domain.md §2.8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from jembatan.core.models import PublicModel
from jembatan.missions.choices import ImmunityLevel
from jembatan.missions.querysets import AccreditedPersonQuerySet, document_number_normalise, name_match_key
from jembatan.people.models import Sex
from jembatan.people.querysets import person_search_key

# Changing any of these changes a derived, stored key.
_DERIVED_FROM = {
    "match_key": frozenset({"surname", "given_names"}),
    "search_key": frozenset({"surname", "given_names", "native_name"}),
    "document_number_normalised": frozenset({"document_number"}),
    "card_number_normalised": frozenset({"card_number"}),
    "immunity_level": frozenset({"category", "nationality", "immunity_level_source"}),
}


class Category(models.TextChoices):
    """What a person is accredited as. The family categories need a principal. Labels carry
    a context: "Consular officer" here is the VCCR officer, not the ministry's job title."""

    DIPLOMATIC_AGENT = "diplomatic_agent", pgettext_lazy("accreditation category", "Diplomatic agent")
    ADMINISTRATIVE_TECHNICAL = (
        "administrative_technical",
        pgettext_lazy("accreditation category", "Member of the administrative and technical staff"),
    )
    SERVICE_STAFF = "service_staff", pgettext_lazy("accreditation category", "Member of the service staff")
    CONSULAR_OFFICER = "consular_officer", pgettext_lazy("accreditation category", "Consular officer")
    CONSULAR_EMPLOYEE = "consular_employee", pgettext_lazy("accreditation category", "Consular employee")
    HONORARY_CONSUL = "honorary_consul", pgettext_lazy("accreditation category", "Honorary consular officer")
    INTERNATIONAL_ORGANISATION_OFFICIAL = "io_official", pgettext_lazy("accreditation category", "International organisation official")
    FAMILY_OF_DIPLOMATIC_AGENT = "family_diplomatic_agent", pgettext_lazy("accreditation category", "Family member of a diplomatic agent")
    FAMILY_OF_ADMINISTRATIVE_TECHNICAL = (
        "family_administrative_technical",
        pgettext_lazy("accreditation category", "Family member of a member of the administrative and technical staff"),
    )
    FAMILY_OF_SERVICE_STAFF = (
        "family_service_staff",
        pgettext_lazy("accreditation category", "Family member of a member of the service staff"),
    )
    FAMILY_OF_CONSULAR_MEMBER = (
        "family_consular",
        pgettext_lazy("accreditation category", "Family member of a consular officer or employee"),
    )
    FAMILY_OF_INTERNATIONAL_ORGANISATION_OFFICIAL = (
        "family_io_official",
        pgettext_lazy("accreditation category", "Family member of an international organisation official"),
    )


FAMILY_CATEGORIES = frozenset(
    {
        Category.FAMILY_OF_DIPLOMATIC_AGENT,
        Category.FAMILY_OF_ADMINISTRATIVE_TECHNICAL,
        Category.FAMILY_OF_SERVICE_STAFF,
        Category.FAMILY_OF_CONSULAR_MEMBER,
        Category.FAMILY_OF_INTERNATIONAL_ORGANISATION_OFFICIAL,
    }
)

# Which principal a family category belongs to (the principal's category must be one of these).
FAMILY_OF: dict[str, frozenset[str]] = {
    Category.FAMILY_OF_DIPLOMATIC_AGENT: frozenset({Category.DIPLOMATIC_AGENT}),
    Category.FAMILY_OF_ADMINISTRATIVE_TECHNICAL: frozenset({Category.ADMINISTRATIVE_TECHNICAL}),
    Category.FAMILY_OF_SERVICE_STAFF: frozenset({Category.SERVICE_STAFF}),
    Category.FAMILY_OF_CONSULAR_MEMBER: frozenset({Category.CONSULAR_OFFICER, Category.CONSULAR_EMPLOYEE, Category.HONORARY_CONSUL}),
    Category.FAMILY_OF_INTERNATIONAL_ORGANISATION_OFFICIAL: frozenset({Category.INTERNATIONAL_ORGANISATION_OFFICIAL}),
}

# The immunity each category enjoys by default under the Vienna Conventions. The protocol
# officer may set another level for a person (a bilateral agreement, a headquarters
# agreement, a waiver); the registry then keeps that level whatever the category.
DEFAULT_IMMUNITY: dict[str, str] = {
    # VCDR art. 29 (inviolability: no arrest or detention in any form) and art. 31.
    Category.DIPLOMATIC_AGENT: ImmunityLevel.FULL,
    # VCDR art. 37(1): household family members who are not nationals, same as the agent.
    Category.FAMILY_OF_DIPLOMATIC_AGENT: ImmunityLevel.FULL,
    # VCDR art. 37(2): full criminal immunity and inviolability (civil immunity only for
    # official acts); for an arrest decision that is full immunity. Their households too.
    Category.ADMINISTRATIVE_TECHNICAL: ImmunityLevel.FULL,
    Category.FAMILY_OF_ADMINISTRATIVE_TECHNICAL: ImmunityLevel.FULL,
    # VCDR art. 37(3): immunity for acts performed in the course of their duties.
    Category.SERVICE_STAFF: ImmunityLevel.OFFICIAL_ACTS,
    # VCCR art. 41 (no arrest or pre-trial detention except for a grave crime and on a
    # decision of the competent judicial authority) and art. 43 (official acts).
    Category.CONSULAR_OFFICER: ImmunityLevel.OFFICIAL_ACTS,
    Category.CONSULAR_EMPLOYEE: ImmunityLevel.OFFICIAL_ACTS,
    # VCCR art. 58(2) applies art. 43 to honorary consular officers.
    Category.HONORARY_CONSUL: ImmunityLevel.OFFICIAL_ACTS,
    # No immunity of their own under the Conventions, but bilateral agreements and
    # headquarters agreements differ: protocol decides.
    Category.FAMILY_OF_SERVICE_STAFF: ImmunityLevel.UNKNOWN,
    Category.FAMILY_OF_CONSULAR_MEMBER: ImmunityLevel.UNKNOWN,
    # Headquarters agreements and conventions on privileges and immunities differ.
    Category.INTERNATIONAL_ORGANISATION_OFFICIAL: ImmunityLevel.UNKNOWN,
    Category.FAMILY_OF_INTERNATIONAL_ORGANISATION_OFFICIAL: ImmunityLevel.UNKNOWN,
}

RECEIVING_STATE_CODES = frozenset({"IDN"})


def default_immunity_level(category: str, nationality_code: str = "") -> str:
    """The immunity the Conventions give `category`, before protocol says otherwise.

    A national of the receiving State (Indonesia) gets less: a diplomatic agent (VCDR
    art. 38(1)) and a consular officer, honorary or career (VCCR art. 71(1)), only
    immunity for official acts; other staff and family only what Indonesia grants, which
    protocol must state, so "unknown" until it does.
    """
    if nationality_code in RECEIVING_STATE_CODES:
        if category in (Category.DIPLOMATIC_AGENT, Category.CONSULAR_OFFICER, Category.HONORARY_CONSUL):
            return str(ImmunityLevel.OFFICIAL_ACTS)
        return str(ImmunityLevel.UNKNOWN)
    return str(DEFAULT_IMMUNITY.get(category, ImmunityLevel.UNKNOWN))


class DocumentType(models.TextChoices):
    DIPLOMATIC_PASSPORT = "diplomatic_passport", _("Diplomatic passport")
    SERVICE_PASSPORT = "service_passport", _("Service or official passport")
    PASSPORT = "passport", _("Ordinary passport")
    LAISSEZ_PASSER = "laissez_passer", _("Laissez-passer of an international organisation")
    OTHER = "other", _("Other travel document")


class ImmunityLevelSource(models.TextChoices):
    CATEGORY = "category", _("Derived from the category")
    PROTOCOL = "protocol", _("Set by a protocol officer")


class AccreditedPerson(PublicModel):
    """One person accredited to Indonesia through a foreign mission or an international
    organisation, or a family member of one, as registered by the protocol directorate.

    Being here, not holding a diplomatic passport, is what may confer immunity (domain.md
    §2.8). `immunity_level` follows the category (`DEFAULT_IMMUNITY`) unless a protocol
    officer set it (`immunity_level_source = protocol`). Names are as in the passport
    (Latin) plus the native-script name. The derived keys (`match_key`,
    `search_key`, `document_number_normalised`, `card_number_normalised`) are computed
    on every save, never typed. A row is never deleted: a person who left the post
    becomes inactive, and stays matchable by document (official-acts immunity survives,
    VCDR art. 39(2)).
    """

    mission = models.ForeignKey(
        "reference.ForeignMission", on_delete=models.PROTECT, related_name="accredited_persons", verbose_name=_("mission")
    )
    category = models.CharField(_("category"), max_length=40, choices=Category.choices)
    principal = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="family_members",
        verbose_name=_("family member of"),
    )
    rank = models.CharField(_("rank or title"), max_length=120, blank=True)
    surname = models.CharField(_("surname (as in the passport)"), max_length=120)
    given_names = models.CharField(_("given names (as in the passport)"), max_length=200, blank=True)
    native_name = models.CharField(_("name in native script"), max_length=300, blank=True)
    native_name_lang = models.CharField(_("language of the native name"), max_length=16, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNSPECIFIED)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("nationality"))
    document_type = models.CharField(_("document type"), max_length=24, choices=DocumentType.choices, blank=True)
    document_number = models.CharField(_("document number"), max_length=30, blank=True)
    document_issuing_state = models.ForeignKey(
        "reference.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing state")
    )
    card_number = models.CharField(_("identity card number"), max_length=40, blank=True)
    card_valid_from = models.DateField(_("card valid from"), null=True, blank=True)
    card_valid_until = models.DateField(_("card valid until"), null=True, blank=True)
    immunity_level = models.CharField(_("immunity"), max_length=16, choices=ImmunityLevel.choices, default=ImmunityLevel.UNKNOWN)
    immunity_level_source = models.CharField(
        _("immunity decided by"), max_length=10, choices=ImmunityLevelSource.choices, default=ImmunityLevelSource.CATEGORY
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(default=False, editable=False)
    match_key = models.CharField(_("name match key"), max_length=400, blank=True, default="", editable=False)
    search_key = models.TextField(_("search key"), blank=True, default="", editable=False)
    document_number_normalised = models.CharField(max_length=30, blank=True, default="", editable=False, db_index=True)
    card_number_normalised = models.CharField(max_length=40, blank=True, default="", editable=False)
    history = HistoricalRecords(excluded_fields=["match_key", "search_key", "document_number_normalised", "card_number_normalised"])

    objects = AccreditedPersonQuerySet.as_manager()

    class Meta:
        ordering = ["surname", "given_names"]
        indexes = [
            models.Index(fields=["surname", "given_names"], name="accredited_name"),
            models.Index(fields=["birth_date"], name="accredited_birth_date"),
            models.Index(fields=["card_valid_until"], name="accredited_card_until"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["card_number_normalised"], condition=~Q(card_number_normalised=""), name="accredited_card_unique"
            ),
            models.UniqueConstraint(
                fields=["document_issuing_state", "document_number_normalised"],
                condition=~Q(document_number_normalised=""),
                name="accredited_document_unique",
            ),
        ]
        verbose_name = _("accredited person")
        verbose_name_plural = _("accredited persons")

    def __str__(self) -> str:
        return self.document_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.match_key = name_match_key(self.surname, self.given_names)
        self.search_key = person_search_key(self.surname, self.given_names, self.native_name)
        self.document_number_normalised = document_number_normalise(self.document_number)
        self.card_number_normalised = document_number_normalise(self.card_number)
        if self.immunity_level_source == ImmunityLevelSource.CATEGORY:
            self.immunity_level = default_immunity_level(self.category, self.nationality_code)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {derived for derived, sources in _DERIVED_FROM.items() if sources.intersection(update_fields)}
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Rules every registry row obeys, each reported on its field in both languages."""
        errors: dict[str, list[Any]] = {}

        def add(field: str, message: Any) -> None:
            errors.setdefault(field, []).append(ValidationError(message, code="invalid"))

        if self.category in FAMILY_CATEGORIES:
            if self.principal_id is None:
                add("principal", _("Enter the accredited staff member this person is a family member of"))
            elif self.principal_id == self.pk:
                add("principal", _("A person cannot be their own family member"))
            else:
                principal = self.principal
                if principal is not None and principal.category not in FAMILY_OF[self.category]:
                    add("principal", _("The staff member must be accredited in a category this family category belongs to"))
                if principal is not None and self.mission_id is not None and principal.mission_id != self.mission_id:
                    add("principal", _("A family member must be registered at the same mission as the staff member"))
        elif self.principal_id is not None:
            add("principal", _("Only a family member has a staff member they belong to: choose a family category or remove it"))
        if self.birth_date and self.birth_date > timezone.localdate():
            add("birth_date", _("Date of birth must be today or in the past"))
        number = document_number_normalise(self.document_number)
        if self.document_number and not number:
            add("document_number", _("Document number must include letters or numbers"))
        if number and self.document_issuing_state_id is None:
            add("document_issuing_state", _("Select the state that issued the document"))
        if self.document_issuing_state_id is not None and not number:
            add("document_number", _("Enter the document number, or remove the issuing state"))
        if self.card_valid_from and self.card_valid_until and self.card_valid_until < self.card_valid_from:
            add("card_valid_until", _("The card's end date must be the same as or after its start date"))
        if (self.card_valid_from or self.card_valid_until) and not self.card_number:
            add("card_number", _("Enter the card number, or remove the card's dates"))
        others = AccreditedPerson.objects.exclude(pk=self.pk)
        card = document_number_normalise(self.card_number)
        if card and others.filter(card_number_normalised=card).exists():
            add("card_number", _("Another person in the registry already has this card number"))
        issuer_id = self.document_issuing_state_id
        if (
            number
            and issuer_id is not None
            and others.filter(document_number_normalised=number, document_issuing_state_id=issuer_id).exists()
        ):
            add("document_number", _("Another person in the registry already has this document"))
        if errors:
            raise ValidationError(errors)

    @property
    def nationality_code(self) -> str:
        if self.nationality_id is None:
            return ""
        return str(self.nationality.code)

    @property
    def document_name(self) -> str:
        return f"{self.surname} {self.given_names}".strip()

    @property
    def is_family_member(self) -> bool:
        return self.category in FAMILY_CATEGORIES

    def card_valid_on(self, on: dt.date) -> bool:
        """True when the person holds a card and `on` lies within its validity."""
        if not self.card_number:
            return False
        if self.card_valid_from and on < self.card_valid_from:
            return False
        return not (self.card_valid_until and on > self.card_valid_until)


class MissionContact(PublicModel):
    """An address at which a foreign mission receives consular notifications and alerts.

    Registered by the protocol directorate or the mission's lead officer; a notification is
    e-mailed to every active contact of the mission with `receives_notifications`.
    """

    mission = models.ForeignKey("reference.ForeignMission", on_delete=models.PROTECT, related_name="contacts", verbose_name=_("mission"))
    label = models.CharField(_("label"), max_length=120, help_text=_("E.g. Consular section, duty officer."))
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    receives_notifications = models.BooleanField(_("receives consular notifications"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["mission_id", "label"]
        constraints = [models.UniqueConstraint(fields=["mission", "email"], name="mission_contact_unique_email")]
        verbose_name = _("mission contact")
        verbose_name_plural = _("mission contacts")

    def __str__(self) -> str:
        return f"{self.label} <{self.email}>"
