from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The embassy portal: what a foreign mission sees and does (its own URL tree, /portal/)."""

    name = "jembatan.portal"
    label = "portal"
    verbose_name = "Embassy portal"
