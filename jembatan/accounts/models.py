"""Agencies, their units, users and API clients."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jembatan.accounts.roles import MFA_REQUIRED_ROLES, Role, capabilities_for
from jembatan.core.models import BaseModel
from jembatan.reference.models import TimeZoneName


class Agency(BaseModel):
    """An organisation whose people use Jembatan: a directorate general, a ministry, a police
    force, a foreign mission. Everything a user may see is scoped by their agency."""

    class Kind(models.TextChoices):
        IMMIGRATION = "immigration", _("Immigration")
        FOREIGN_MINISTRY = "foreign_ministry", _("Foreign ministry")
        CORRECTIONS = "corrections", _("Corrections")
        PARTNER_AGENCY = "partner_agency", _("Partner agency")
        FOREIGN_MISSION = "foreign_mission", _("Foreign mission")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    mission = models.OneToOneField(
        "reference.ForeignMission", null=True, blank=True, on_delete=models.PROTECT, related_name="agency", verbose_name=_("mission")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name_id"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="foreign_mission", mission__isnull=False) | ~models.Q(kind="foreign_mission"),
                name="mission_agency_has_mission",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class OrgUnit(BaseModel):
    """A unit inside an agency: an immigration office, a detention centre, a directorate, a
    prison, a mission's consular section. Its time zone is the one its officers work in."""

    class Kind(models.TextChoices):
        HEADQUARTERS = "headquarters", _("Headquarters")
        DIRECTORATE = "directorate", _("Directorate")
        IMMIGRATION_OFFICE = "immigration_office", _("Immigration office")
        DETENTION_CENTRE = "detention_centre", _("Immigration detention centre")
        PRISON = "prison", _("Prison")
        POLICE_UNIT = "police_unit", _("Police unit")
        MISSION_SECTION = "mission_section", _("Mission section")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units", verbose_name=_("agency"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent unit")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=32, choices=TimeZoneName.choices, default=TimeZoneName.WIB)
    immigration_office = models.ForeignKey(
        "reference.ImmigrationOffice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("immigration office"),
    )
    detention_centre = models.ForeignKey(
        "reference.DetentionCentre", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("detention centre")
    )

    class Meta:
        ordering = ["agency", "name_id"]
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


# Capabilities that need Django admin (where administrators correct reference data).
STAFF_CAPABILITIES = frozenset({"reference.change_reference", "reference.change_mission"})


class JembatanUserManager(UserManager["User"]):
    pass


class User(AbstractUser):
    """A person who signs in. Belongs to exactly one agency (and usually one unit of it).

    `roles` holds role codes (`accounts.roles.Role`); capabilities come from them. A
    user's time zone is their unit's unless they chose another in their profile.
    """

    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("agency"))
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("unit"))
    roles = models.JSONField(_("roles"), default=list, blank=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    time_zone_override = models.CharField(_("time zone"), max_length=32, choices=TimeZoneName.choices, blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=5, choices=[("id", "Bahasa Indonesia"), ("en", "English")], default="id"
    )

    objects = JembatanUserManager()  # type: ignore[misc]  # django-stubs declares it a ClassVar

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep `is_staff` derived from capabilities: Django admin (reference-data
        corrections) opens exactly to users whose roles may correct reference data."""
        self.is_staff = self.is_superuser or (self.is_active and bool(STAFF_CAPABILITIES & capabilities_for(self.roles)))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "is_staff" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "is_staff"]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        unknown = [r for r in self.roles if r not in Role.values]
        if unknown:
            raise ValidationError({"roles": _("Unknown role: %(roles)s") % {"roles": ", ".join(unknown)}})
        if self.unit is not None and self.agency_id and self.unit.agency_id != self.agency_id:
            raise ValidationError({"unit": _("Choose a unit of the user's own agency.")})

    @property
    def capabilities(self) -> frozenset[str]:
        return capabilities_for(self.roles) if self.is_active else frozenset()

    def has_capability(self, codename: str) -> bool:
        return codename in self.capabilities

    @property
    def requires_mfa(self) -> bool:
        return bool(MFA_REQUIRED_ROLES.intersection(self.roles)) or self.is_superuser

    @property
    def time_zone(self) -> str:
        if self.time_zone_override:
            return self.time_zone_override
        if self.unit is not None:
            return self.unit.time_zone
        return TimeZoneName.WIB

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles if r in Role.values]


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiClient(BaseModel):
    """An agency system that calls the API with a token.

    The token is shown once at creation; only its SHA-256 hash and a short public prefix
    (for lookup) are stored. `permissions` lists the capability codenames the client holds;
    its rows are scoped by `agency` exactly as a user's would be.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_clients", verbose_name=_("agency"))
    name = models.CharField(_("name"), max_length=120)
    token_prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.code})"

    @staticmethod
    def new_token() -> tuple[str, str, str]:
        """Return (token, prefix, hash). The token is `jbt_<prefix>_<secret>`."""
        prefix = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        token = f"jbt_{prefix}_{secret}"
        return token, prefix, _hash_secret(token)

    def matches(self, token: str) -> bool:
        return secrets.compare_digest(self.token_hash, _hash_secret(token))

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset(self.permissions) if self.is_active else frozenset()

    def has_capability(self, codename: str) -> bool:
        return codename in self.capabilities

    def mark_used(self) -> None:
        self.last_used_at = timezone.now()
        self.save(update_fields=["last_used_at"])

    # An API client acts like a user in scoping code (agency, capabilities) but is never staff.
    is_authenticated = True
    roles: list[Any] = []

    def get_username(self) -> str:
        return f"api:{self.name}"


class Alert(BaseModel):
    """A message to one Jembatan user: something needs their attention (an immunity match,
    a detention nearing its ceiling, a deadline). Not a VCCR notification (STYLE rule 19).

    `dedupe_key` makes sending idempotent: the same key for the same recipient is stored
    once, so a job that runs twice alerts once.
    """

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        URGENT = "urgent", _("Urgent")

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("recipient"))
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="alert_unread")]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="alert_once_per_key")
        ]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"
