from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The tamper-evident log of every write and every read of personal data."""

    name = "jembatan.audit"
    label = "audit"
    verbose_name = "Audit"
