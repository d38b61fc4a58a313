"""Choices of the missions app that other apps store too (cases keep the immunity level
found at intake)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImmunityLevel(models.TextChoices):
    """What immunity an accredited person enjoys (domain.md §2.8; VCDR art. 29/31/37,
    VCCR art. 41/43)."""

    FULL = "full", _("Full immunity (no arrest or detention in any form)")
    OFFICIAL_ACTS = "official_acts", _("Immunity for official acts only")
    NONE = "none", _("No immunity")
    UNKNOWN = "unknown", _("Unknown")
