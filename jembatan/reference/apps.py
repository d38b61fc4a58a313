from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferenceConfig(AppConfig):
    """Countries, ICAO codes, offices, detention centres, checkpoints, missions, legal bases."""

    name = "jembatan.reference"
    label = "reference"
    verbose_name = _("Reference data")
