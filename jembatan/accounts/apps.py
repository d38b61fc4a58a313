from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Agencies, organisational units, users, roles, API clients."""

    name = "jembatan.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from jembatan.accounts import signals  # noqa: F401  (login/logout/lock-out audit)
