"""Writes for accounts: users, API clients.

Every service runs in one transaction, checks the actor's capability and scope, validates,
writes one audit event, and re-checks after the write that the row is still inside the
actor's scope (STYLE rule 11) so a forged agency or unit id can never leave a row behind.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jembatan.accounts.models import Agency, ApiClient, OrgUnit, User
from jembatan.accounts.roles import CAPABILITIES, Role, capabilities_for
from jembatan.accounts.selectors import (
    MANAGE_API_CLIENTS,
    MANAGE_USERS,
    api_clients_visible_to,
    is_superuser,
    require_capability,
    users_visible_to,
)
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.reference.models import TimeZoneName

logger = logging.getLogger(__name__)

# A mission's staff work in the embassy portal; no agency role fits them but this one.
MISSION_ROLES = frozenset({Role.MISSION_OFFICER.value, Role.MISSION_LEAD.value})
LANGUAGES = ("id", "en")
# Capabilities an API client may never hold: a token must not be able to mint tokens.
NEVER_FOR_CLIENTS = frozenset({MANAGE_API_CLIENTS})


# --- helpers -----------------------------------------------------------------------------


def _clean_roles(roles: Iterable[str], *, agency: Agency | None) -> list[str]:
    cleaned: list[str] = []
    for role in roles:
        if role not in Role.values:
            raise ApplicationError(_("Select roles from the list."), field="roles")
        if role not in cleaned:
            cleaned.append(role)
    if agency is not None and agency.kind == Agency.Kind.FOREIGN_MISSION and set(cleaned) - MISSION_ROLES:
        raise ApplicationError(_("A foreign mission's users can only have the mission officer and mission lead roles."), field="roles")
    return cleaned


def _clean_unit(unit: OrgUnit | None, *, actor: Any, agency: Agency | None) -> OrgUnit | None:
    if unit is None:
        return None
    if agency is None or unit.agency_id != agency.pk:
        raise ApplicationError(_("Choose a unit of the user's own agency."), field="unit")
    if not is_superuser(actor) and unit.agency_id != getattr(actor, "agency_id", None):
        raise ApplicationError(_("Choose a unit of your own agency."), field="unit")
    return unit


def _clean_email(email: str, *, exclude_pk: Any = None) -> str:
    email = (email or "").strip().lower()
    if not email:
        raise ApplicationError(_("Enter the user's e-mail address."), field="email")
    others = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ApplicationError(_("Another user already has this e-mail address. Enter a different one."), field="email")
    return email


def _clean_choice(value: str, allowed: Iterable[str], *, field: str, message: Any) -> str:
    if value not in allowed:
        raise ApplicationError(message, field=field)
    return value


def _full_clean(obj: Any, *, exclude: list[str] | None = None) -> None:
    """Run model validation and report its first problem as an ApplicationError."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        field, messages = next(iter(errors.items()))
        raise ApplicationError(messages[0], field=None if field == "__all__" else field, extra={"errors": errors}) from None


def _ensure_in_scope(actor: Any, user: User) -> None:
    if not users_visible_to(actor).filter(pk=user.pk).exists():
        raise NotFound()


def set_password_url(*, user: User, site_url: str) -> str:
    """The one-time link to allauth's set-password page (its password-reset-by-key view).

    The key is Django's password-reset token: it stops working once the password is set,
    and after `PASSWORD_RESET_TIMEOUT`.
    """
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"}).replace("UID-KEY", quote(key))
    return site_url.rstrip("/") + path


def _send_set_password_mail(user_id: int, site_url: str) -> None:
    """Send the set-password e-mail (runs after commit). A failure is logged, not raised:
    the account exists and an administrator can send the e-mail again from its page."""
    user = User.objects.select_related("agency").get(pk=user_id)
    try:
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            context = {
                "user": user,
                "url": set_password_url(user=user, site_url=site_url),
                "site_url": site_url.rstrip("/"),
                "login_url": site_url.rstrip("/") + reverse("account_login"),
                "timeout_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            }
            subject = " ".join(render_to_string("accounts/email/set_password_subject.txt", context).split())
            body = render_to_string("accounts/email/set_password_message.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:
        logger.exception("Could not send the set-password e-mail to user %s", user_id)


# --- users -------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    email: str,
    roles: Iterable[str],
    unit: OrgUnit | None = None,
    agency: Agency | None = None,
    preferred_language: str = "id",
    time_zone_override: str = "",
    site_url: str,
) -> User:
    """Create a user in `agency` (default: the actor's own) and e-mail them a set-password link.

    The account has no usable password: the administrator never sets or sees it. Only a
    superuser may create users in another agency. Raises `ApplicationError` (with `field`)
    on invalid input, `PermissionDenied` without `accounts.manage_users`.
    """
    require_capability(actor, MANAGE_USERS)
    if agency is None:
        agency = getattr(actor, "agency", None)
    if agency is None:
        raise ApplicationError(_("Choose the user's agency."), field="agency")
    if not is_superuser(actor) and agency.pk != getattr(actor, "agency_id", None):
        raise PermissionDenied(_("You can only create users in your own agency."))
    if not agency.is_active:
        raise ApplicationError(_("This agency is no longer active. Choose another one."), field="agency")
    username = (username or "").strip()
    if not username:
        raise ApplicationError(_("Enter a username."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(_("This username is already taken. Choose another one."), field="username")
    user = User(
        username=username,
        full_name=(full_name or "").strip(),
        email=_clean_email(email),
        agency=agency,
        unit=_clean_unit(unit, actor=actor, agency=agency),
        roles=_clean_roles(roles, agency=agency),
        preferred_language=_clean_choice(preferred_language, LANGUAGES, field="preferred_language", message=_("Select a language.")),
        time_zone_override=_clean_choice(
            time_zone_override, ["", *TimeZoneName.values], field="time_zone_override", message=_("Select a time zone.")
        ),
    )
    if not user.full_name:
        raise ApplicationError(_("Enter the user's full name."), field="full_name")
    user.set_unusable_password()
    _full_clean(user, exclude=["password"])
    user.save()
    audit_record(
        action=AuditAction.USER_CREATED,
        target=user,
        actor=actor,
        data={"agency": agency.code, "unit": unit.code if unit else None, "roles": user.roles},
    )
    _ensure_in_scope(actor, user)
    _schedule_set_password_mail(actor=actor, user=user, site_url=site_url, reason="account_created")
    return user


def _schedule_set_password_mail(*, actor: Any, user: User, site_url: str, reason: str) -> None:
    audit_record(action=AuditAction.USER_PASSWORD_RESET_REQUESTED, target=user, actor=actor, data={"reason": reason})
    user_id = user.pk
    transaction.on_commit(lambda: _send_set_password_mail(user_id, site_url))


@transaction.atomic
def user_set_password_mail_send(*, actor: Any, user: User, site_url: str) -> None:
    """E-mail `user` a new set-password link (e.g. the first one expired or went astray)."""
    require_capability(actor, MANAGE_USERS)
    _ensure_in_scope(actor, user)
    if not user.is_active:
        raise Conflict(_("Reactivate the account before sending a set-password e-mail."))
    if not user.email:
        raise Conflict(_("Add an e-mail address to the account first."))
    _schedule_set_password_mail(actor=actor, user=user, site_url=site_url, reason="resent_by_administrator")


USER_UPDATE_FIELDS = ("full_name", "email", "roles", "unit", "is_active", "preferred_language", "time_zone_override")


@transaction.atomic
def user_update(*, actor: Any, user: User, data: dict[str, Any]) -> User:
    """Change a user's names, e-mail, roles, unit, active flag, language or time zone.

    `data` holds any of `USER_UPDATE_FIELDS`; others are refused. An administrator cannot
    take away their own right to manage users nor deactivate themselves (another
    administrator must), so an agency is never left without one by accident.
    """
    require_capability(actor, MANAGE_USERS)
    _ensure_in_scope(actor, user)
    unknown = set(data) - set(USER_UPDATE_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    user = User.objects.select_for_update().get(pk=user.pk)
    agency = user.agency
    new: dict[str, Any] = {}
    if "full_name" in data:
        new["full_name"] = (data["full_name"] or "").strip()
        if not new["full_name"]:
            raise ApplicationError(_("Enter the user's full name."), field="full_name")
    if "email" in data:
        new["email"] = _clean_email(data["email"], exclude_pk=user.pk)
    if "roles" in data:
        new["roles"] = _clean_roles(data["roles"], agency=agency)
    if "unit" in data:
        new["unit"] = _clean_unit(data["unit"], actor=actor, agency=agency)
    if "is_active" in data:
        new["is_active"] = bool(data["is_active"])
    if "preferred_language" in data:
        new["preferred_language"] = _clean_choice(
            data["preferred_language"], LANGUAGES, field="preferred_language", message=_("Select a language.")
        )
    if "time_zone_override" in data:
        new["time_zone_override"] = _clean_choice(
            data["time_zone_override"] or "", ["", *TimeZoneName.values], field="time_zone_override", message=_("Select a time zone.")
        )
    if user.pk == getattr(actor, "pk", None) and not is_superuser(actor):
        if new.get("is_active") is False:
            raise Conflict(_("You cannot deactivate your own account. Ask another administrator."))
        if "roles" in new and MANAGE_USERS not in capabilities_for(new["roles"]):
            raise Conflict(_("You cannot remove your own administrator role. Ask another administrator."), field="roles")
    changes: dict[str, list[Any]] = {}
    for field, value in new.items():
        old = getattr(user, field)
        if old != value:
            changes[field] = [_plain(old), _plain(value)]
            setattr(user, field, value)
    if not changes:
        return user
    _full_clean(user, exclude=["password"])
    user.save(update_fields=list(changes))
    if set(changes) == {"is_active"}:
        action = AuditAction.USER_REACTIVATED if user.is_active else AuditAction.USER_DEACTIVATED
    else:
        action = AuditAction.USER_UPDATED
    audit_record(action=action, target=user, actor=actor, data={"changes": changes})
    _ensure_in_scope(actor, user)
    return user


def _plain(value: Any) -> Any:
    if isinstance(value, OrgUnit):
        return value.code
    return value


def user_deactivate(*, actor: Any, user: User) -> User:
    """Stop `user` from signing in; their sessions stop working at the next request."""
    if not user.is_active:
        raise Conflict(_("This account is already deactivated."))
    return user_update(actor=actor, user=user, data={"is_active": False})


def user_reactivate(*, actor: Any, user: User) -> User:
    """Let a deactivated `user` sign in again with their existing password."""
    if user.is_active:
        raise Conflict(_("This account is already active."))
    return user_update(actor=actor, user=user, data={"is_active": True})


@transaction.atomic
def user_unlock(*, actor: Any, user: User) -> int:
    """End a lock-out after repeated failed sign-ins: clear `user`'s failed attempts.

    Returns the number of attempt records removed (0 when the user was not locked out).
    """
    require_capability(actor, MANAGE_USERS)
    _ensure_in_scope(actor, user)
    cleared = axes_reset(username=user.username)
    audit_record(action=AuditAction.USER_UNLOCKED, target=user, actor=actor, data={"attempts_cleared": cleared})
    return cleared


@transaction.atomic
def user_profile_update(*, user: User, preferred_language: str, time_zone_override: str) -> User:
    """A user's own preferences: interface language and the time zone pages use for them."""
    user = User.objects.select_for_update().get(pk=user.pk)
    new = {
        "preferred_language": _clean_choice(preferred_language, LANGUAGES, field="preferred_language", message=_("Select a language.")),
        "time_zone_override": _clean_choice(
            time_zone_override or "", ["", *TimeZoneName.values], field="time_zone_override", message=_("Select a time zone.")
        ),
    }
    changes = {f: [getattr(user, f), v] for f, v in new.items() if getattr(user, f) != v}
    if not changes:
        return user
    for field, (_old, value) in changes.items():
        setattr(user, field, value)
    user.save(update_fields=list(changes))
    audit_record(action=AuditAction.USER_UPDATED, target=user, actor=user, data={"changes": changes, "self_service": True})
    return user


# --- API clients -------------------------------------------------------------------------


def client_capabilities_for(agency: Agency) -> list[str]:
    """The capabilities an API client of `agency` may be given, sorted."""
    mission = agency.kind == Agency.Kind.FOREIGN_MISSION
    allowed = set(capabilities_for(MISSION_ROLES)) if mission else set().union(*CAPABILITIES.values())
    return sorted(allowed - NEVER_FOR_CLIENTS)


@transaction.atomic
def api_client_create(*, actor: Any, name: str, permissions: Iterable[str], agency: Agency | None = None) -> tuple[ApiClient, str]:
    """Register an agency system and return it with its bearer token.

    The token is returned this once and never stored: only its SHA-256 hash and public
    prefix are kept. `permissions` are capability codenames the client will hold.
    """
    require_capability(actor, MANAGE_API_CLIENTS)
    if agency is None:
        agency = getattr(actor, "agency", None)
    if agency is None:
        raise ApplicationError(_("Choose the agency the system belongs to."), field="agency")
    if not is_superuser(actor) and agency.pk != getattr(actor, "agency_id", None):
        raise PermissionDenied(_("You can only register systems of your own agency."))
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Enter a name for the system."), field="name")
    if ApiClient.objects.filter(agency=agency, name__iexact=name, is_active=True).exists():
        raise ApplicationError(_("An active API client with this name already exists. Choose another name."), field="name")
    permissions = sorted(set(permissions))
    if not permissions:
        raise ApplicationError(_("Select at least one permission."), field="permissions")
    allowed = set(client_capabilities_for(agency))
    if set(permissions) - allowed:
        raise ApplicationError(_("Select permissions from the list."), field="permissions")
    token, prefix, token_hash = ApiClient.new_token()
    client = ApiClient(
        agency=agency,
        name=name,
        token_prefix=prefix,
        token_hash=token_hash,
        permissions=permissions,
        created_by=actor if isinstance(actor, User) else None,
    )
    _full_clean(client, exclude=["created_by"])
    client.save(force_insert=True)
    audit_record(
        action=AuditAction.API_CLIENT_CREATED,
        target=client,
        actor=actor,
        data={"agency": agency.code, "permissions": permissions, "token_prefix": prefix},
    )
    if not api_clients_visible_to(actor).filter(pk=client.pk).exists():
        raise NotFound()
    return client, token


@transaction.atomic
def api_client_revoke(*, actor: Any, client: ApiClient) -> ApiClient:
    """Revoke `client`'s token at once; the next call with it gets 401."""
    require_capability(actor, MANAGE_API_CLIENTS)
    if not api_clients_visible_to(actor).filter(pk=client.pk).exists():
        raise NotFound()
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not client.is_active:
        raise Conflict(_("This API client has already been revoked."))
    client.is_active = False
    client.revoked_at = timezone.now()
    client.save(update_fields=["is_active", "revoked_at", "updated_at"])
    audit_record(action=AuditAction.API_CLIENT_REVOKED, target=client, actor=actor, data={"token_prefix": client.token_prefix})
    return client


def api_client_authenticate(*, token: str) -> ApiClient | None:
    """Return the active client that owns `token`, or None. Constant-time hash comparison."""
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != "jbt":
        return None
    client = ApiClient.objects.select_related("agency").filter(token_prefix=parts[1], is_active=True).first()
    if client is None or not client.matches(token):
        return None
    with transaction.atomic():
        client.mark_used()
    return client
