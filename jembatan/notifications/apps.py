from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The consular notification and access engine (VCCR art. 36 and 37)."""

    name = "jembatan.notifications"
    label = "notifications"
    verbose_name = "Consular notifications"
