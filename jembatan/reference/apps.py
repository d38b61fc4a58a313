from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    """Countries, ICAO codes, offices, detention centres, checkpoints, missions, legal bases."""

    name = "jembatan.reference"
    label = "reference"
    verbose_name = "Reference data"
