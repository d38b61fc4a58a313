"""Audit events for sign-in, sign-out, failed sign-in, lock-out, password and 2FA changes."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.signals import authenticator_added, authenticator_removed
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.USER_LOGGED_IN, target=user, actor=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=AuditAction.USER_LOGGED_OUT, target=user, actor=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username") or credentials.get("login") or "")[:150]
    audit_record(action=AuditAction.USER_LOGIN_FAILED, target=("accounts.user", "", username), data={"username": username})


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None, **kwargs: Any) -> None:
    audit_record(action=AuditAction.USER_LOCKED_OUT, target=("accounts.user", "", username or ""), data={"username": username or ""})


@receiver(authenticator_added)
def _mfa_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.USER_MFA_ACTIVATED, target=user, actor=user, data={"type": authenticator.type})


@receiver(authenticator_removed)
def _mfa_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.USER_MFA_DEACTIVATED, target=user, actor=user, data={"type": authenticator.type})


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def _password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    how = "reset_by_link" if kwargs.get("signal") is password_reset else "changed"
    audit_record(action=AuditAction.USER_PASSWORD_CHANGED, target=user, actor=user, data={"how": how})
