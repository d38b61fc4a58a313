from django.apps import AppConfig


class MissionsConfig(AppConfig):
    """The registry of accredited diplomatic and consular staff (immunity), kept by protocol."""

    name = "jembatan.missions"
    label = "missions"
    verbose_name = "Missions"
