"""allauth adapters: accounts are created by administrators, never by sign-up."""

from __future__ import annotations

import datetime
import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # UX.md §3.1: never say which of the two was wrong; say what to do.
        "username_password_mismatch": _("The username or password is not right. Check them and try again."),
        "enter_current_password": _("Enter your current password."),
        "incorrect_password": _("The password is not right. Enter your current password."),
        "invalid_password_reset": _("This link has expired or has already been used. Ask for a new one."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        # django-axes reads the username from the credentials under its form-field name
        # (AXES_USERNAME_FORM_FIELD = "login"), while allauth passes it as "username". Pass
        # both so every failed sign-in is counted against the right account and lock-out works.
        field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
        if "username" in credentials and field not in credentials:
            credentials[field] = credentials["username"]
        return super().authenticate(request, **credentials)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Do not ask for the password again for a first 2FA enrolment right after sign-in.

        Roles that require 2FA are sent to the TOTP activation page straight from the
        sign-in form; allauth would ask them to re-enter the password they typed seconds
        ago. Re-authentication protects an existing second factor from a hijacked session;
        for a user with none, a password sign-in within the re-authentication timeout
        proves the same, for the few minutes of the re-authentication timeout. Changing
        a second factor that existed before this sign-in still re-authenticates.
        """
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and app == "allauth.mfa" and self._signed_in_recently_without_authenticator():
            return False
        return required

    def _signed_in_recently_without_authenticator(self) -> bool:
        from allauth.account import app_settings as account_settings
        from allauth.account.internal.flows.login import get_authentication_records
        from allauth.mfa.models import Authenticator

        request = self.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return False
        records = [r for r in get_authentication_records(request, user) if r.get("method") == "password"]
        if not records:
            return False
        signed_in_at = float(records[-1]["at"])
        if time.time() - signed_in_at >= account_settings.REAUTHENTICATION_TIMEOUT:
            return False
        # Only authenticators added in this very session (e.g. the recovery codes shown
        # right after activation) may skip re-authentication, never an older one.
        before = datetime.datetime.fromtimestamp(signed_in_at, tz=datetime.UTC)
        return not Authenticator.objects.filter(user=user, created_at__lt=before).exists()

    def format_email_subject(self, subject: str) -> str:
        return f"[Jembatan] {subject}"

    def post_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> HttpResponse:
        """After sign-in (and 2FA), show the interface in the user's preferred language."""
        response = super().post_login(request, user, **kwargs)
        language = getattr(user, "preferred_language", "")
        if language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response


class MfaAdapter(DefaultMFAAdapter):
    """Error wording from UX.md §3.1 (to use: `MFA_ADAPTER = "jembatan.accounts.adapters.MfaAdapter"`)."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _("The code is wrong or has expired. Enter the latest code from your app."),
    }
