"""Reads for accounts: users and API clients, scoped to the actor's agency.

Who sees which users: a superuser sees everybody; anyone else sees only the users of their
own agency, and never a superuser (superusers are managed by superusers only). An object
outside that scope is reported exactly like one that does not exist (`NotFound`), so an
administrator cannot learn which user ids exist in another agency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from jembatan.accounts.models import Agency, ApiClient, OrgUnit, User
from jembatan.accounts.roles import MFA_REQUIRED_ROLES, Role
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_read
from jembatan.core.exceptions import NotFound, PermissionDenied

MANAGE_USERS = "accounts.manage_users"
MANAGE_API_CLIENTS = "accounts.manage_api_clients"


def actor_can(actor: Any, codename: str) -> bool:
    """Whether `actor` (a user or an API client) holds the capability `codename`."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if hasattr(actor, "has_perm"):
        return bool(actor.has_perm(codename))
    return bool(actor.has_capability(codename))


def require_capability(actor: Any, codename: str) -> None:
    if not actor_can(actor, codename):
        raise PermissionDenied()


def is_superuser(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False))


def role_q(role: str) -> Q:
    """Users holding `role`. Matches the quoted JSON string, so `mission_officer` never
    matches inside another role's code; works on SQLite and PostgreSQL alike."""
    return Q(roles__icontains=f'"{role}"')


def users_visible_to(actor: Any) -> QuerySet[User]:
    """Every user `actor` may see (no capability check, no audit): the scoping rule."""
    users = User.objects.select_related("agency", "unit")
    if is_superuser(actor):
        return users
    agency_id = getattr(actor, "agency_id", None)
    if agency_id is None:
        return users.none()
    return users.filter(agency_id=agency_id, is_superuser=False)


def _totp_exists() -> Exists:
    return Exists(Authenticator.objects.filter(user_id=OuterRef("pk"), type=Authenticator.Type.TOTP))


def locked_out_usernames(usernames: Iterable[str] | None = None) -> set[str]:
    """Usernames locked out now: failures within the cool-off period at or over the limit.

    Mirrors django-axes' own rule for the database handler with lock-out by username.
    """
    attempts = AccessAttempt.objects.filter(username__isnull=False)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    if usernames is not None:
        attempts = attempts.filter(username__in=list(usernames))
    rows = attempts.values("username").annotate(failures=Sum("failures_since_start"))
    return {row["username"] for row in rows if row["failures"] >= settings.AXES_FAILURE_LIMIT}


def user_is_locked_out(user: User) -> bool:
    return user.username in locked_out_usernames([user.username])


def user_has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def user_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[User]:
    """The users `actor` may manage, filtered, ordered by username. Audited as a list view.

    `filters`: `q` (part of the username, full name or e-mail), `role` (a role code),
    `active` ("yes"/"no"), `locked` ("yes": locked out now), `mfa` ("missing": a role needs
    2FA but the user has not enrolled). Unknown or empty values are ignored.
    """
    require_capability(actor, MANAGE_USERS)
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    users = users_visible_to(actor)
    q = str(filters.get("q", "")).strip()
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(email__icontains=q))
    role = filters.get("role")
    if role in Role.values:
        users = users.filter(role_q(role))
    active = filters.get("active")
    if active in ("yes", "no"):
        users = users.filter(is_active=(active == "yes"))
    if filters.get("locked") == "yes":
        users = users.filter(username__in=locked_out_usernames())
    if filters.get("mfa") == "missing":
        needs = Q()
        for mfa_role in MFA_REQUIRED_ROLES:
            needs |= role_q(mfa_role)
        users = users.filter(needs).annotate(has_totp=_totp_exists()).filter(has_totp=False)
    audit_read(
        actor=actor,
        action=AuditAction.USER_LISTED,
        target=("accounts.user", "", "users"),
        data={"filters": {k: str(v) for k, v in filters.items() if k in ("q", "role", "active", "locked", "mfa")}},
    )
    return users.order_by("username")


def user_get(*, actor: Any, user_id: Any) -> User:
    """One user `actor` may manage; `NotFound` when absent or outside scope. Audited."""
    require_capability(actor, MANAGE_USERS)
    try:
        user = users_visible_to(actor).get(pk=int(user_id))
    except (User.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None
    audit_read(actor=actor, action=AuditAction.USER_VIEWED, target=user)
    return user


def user_get_for_change(*, actor: Any, user_id: Any) -> User:
    """One user `actor` may manage, for a write: same scope as `user_get`, no read audit
    (the service that changes the user records the event)."""
    require_capability(actor, MANAGE_USERS)
    try:
        return users_visible_to(actor).get(pk=int(user_id))
    except (User.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


@dataclass(frozen=True)
class UserSecurityState:
    """What an administrator needs to know about a user's sign-in: 2FA and lock-out."""

    has_totp: bool
    locked_out: bool
    mfa_required: bool


def user_security_state(*, user: User) -> UserSecurityState:
    return UserSecurityState(has_totp=user_has_totp(user), locked_out=user_is_locked_out(user), mfa_required=user.requires_mfa)


@dataclass(frozen=True)
class UserCounts:
    """Figures for an administrator's home panel (counts only: no personal data read)."""

    total: int
    locked_out: int
    mfa_missing: int
    inactive: int


def user_counts(*, actor: Any) -> UserCounts:
    require_capability(actor, MANAGE_USERS)
    users = users_visible_to(actor)
    needs = Q()
    for mfa_role in MFA_REQUIRED_ROLES:
        needs |= role_q(mfa_role)
    usernames = list(users.values_list("username", flat=True))
    return UserCounts(
        total=len(usernames),
        locked_out=len(locked_out_usernames(usernames)),
        mfa_missing=users.filter(needs).annotate(has_totp=_totp_exists()).filter(has_totp=False).count(),
        inactive=users.filter(is_active=False).count(),
    )


def agencies_for(*, actor: Any) -> QuerySet[Agency]:
    """The agencies `actor` may create users or API clients in."""
    agencies = Agency.objects.filter(is_active=True)
    if is_superuser(actor):
        return agencies
    agency_id = getattr(actor, "agency_id", None)
    return agencies.filter(pk=agency_id) if agency_id is not None else agencies.none()


def units_for(*, actor: Any, agency: Agency | None = None) -> QuerySet[OrgUnit]:
    """The units `actor` may assign: their own agency's (a superuser: `agency`'s, or all)."""
    units = OrgUnit.objects.select_related("agency")
    if is_superuser(actor):
        return units.filter(agency=agency) if agency is not None else units
    agency_id = getattr(actor, "agency_id", None)
    return units.filter(agency_id=agency_id) if agency_id is not None else units.none()


def api_clients_visible_to(actor: Any) -> QuerySet[ApiClient]:
    clients = ApiClient.objects.select_related("agency", "created_by")
    if is_superuser(actor):
        return clients
    agency_id = getattr(actor, "agency_id", None)
    if agency_id is None:
        return clients.none()
    return clients.filter(agency_id=agency_id)


def api_client_list(*, actor: Any) -> QuerySet[ApiClient]:
    """The API clients of `actor`'s agency (a superuser: all), newest first."""
    require_capability(actor, MANAGE_API_CLIENTS)
    return api_clients_visible_to(actor).order_by("-created_at")


def api_client_get(*, actor: Any, client_id: Any) -> ApiClient:
    """One API client of `actor`'s agency; `NotFound` when absent or outside scope."""
    require_capability(actor, MANAGE_API_CLIENTS)
    try:
        return api_clients_visible_to(actor).get(pk=client_id)
    except (ApiClient.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound() from None
