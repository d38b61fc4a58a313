from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared base classes, request context, jobs and the page skeleton: no domain logic."""

    name = "jembatan.core"
    label = "core"
    verbose_name = "Core"
