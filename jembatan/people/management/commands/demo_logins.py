"""`manage.py demo_logins`: who to sign in as for a demo, with the current TOTP codes."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from jembatan.accounts.models import User
from jembatan.accounts.roles import Role
from jembatan.people.management.commands.seed_demo import DEMO_USERNAME_PREFIX, demo_password


def current_totp(secret: str, *, now: float | None = None) -> tuple[str, int]:
    """The 6-digit code for `secret` at `now` and how many seconds it stays valid."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    now = time.time() if now is None else now
    period = app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, int(now) // period)), period - int(now) % period


def totp_secret_of(user: User) -> str:
    """The TOTP secret the user is enrolled with (decrypted), or "" without TOTP."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return decrypt(authenticator.data["secret"]) if authenticator else ""


class Command(BaseCommand):
    help = "Print the demo accounts: username, role, agency, password and, for 2FA users, the TOTP secret and current code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--allow-production", action="store_true", help="Run even with production settings.")

    def handle(self, *args: Any, **options: Any) -> None:
        if str(getattr(settings, "SETTINGS_MODULE", "")).endswith(".production") and not options["allow_production"]:
            raise CommandError("Refusing to list demo logins with production settings.")
        users = list(User.objects.filter(username__startswith=DEMO_USERNAME_PREFIX).select_related("agency", "unit").order_by("username"))
        if not users:
            raise CommandError("There are no demo users: run `manage.py seed_demo` first.")
        password = demo_password()
        rows = [("USERNAME", "ROLE", "AGENCY", "PASSWORD", "TOTP SECRET", "CODE NOW")]
        expires_in = 0
        for user in users:
            with translation.override("en"):  # the whole table is in English
                roles = ", ".join(str(Role(r).label) for r in user.roles if r in Role.values)
            agency = user.agency.name_en if user.agency else ""
            secret = totp_secret_of(user)
            code = ""
            if secret:
                code, expires_in = current_totp(secret)
            rows.append((user.username, roles, agency, password, secret or "-", code or "-"))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(value.ljust(widths[i]) for i, value in enumerate(row)).rstrip())
        if expires_in:
            self.stdout.write(f"\nCodes change every 30 seconds; these are valid for {expires_in} more seconds.")
        self.stdout.write("The password shown is DEMO_PASSWORD (default for new demo users); a user who changed theirs keeps the new one.")
