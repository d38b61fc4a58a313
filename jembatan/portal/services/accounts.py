"""Mission accounts and mission contacts.

Who manages whom:
- `portal.manage_mission_users` (administrators, consular supervisors): the officers of any
  mission: invite, suspend, reinstate.
- `portal.manage_own_mission_users` (a mission's lead officer): the officers of its own
  mission only.
- `missions.manage_contacts` (protocol officers, consular supervisors, administrators): any
  mission's contact addresses; `missions.manage_own_contacts` (the lead): its own.

An invitation creates the account without a password and e-mails a one-time
set-password link (allauth's password-reset-by-key page, Django's token generator): the
ministry never sets nor sees a mission officer's password. Two-factor authentication is
then required at first sign-in (mission roles are in `MFA_REQUIRED_ROLES`).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jembatan.accounts.models import Agency, OrgUnit, User
from jembatan.accounts.roles import Role
from jembatan.accounts.services import set_password_url
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_record
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from jembatan.missions.models import MissionContact
from jembatan.portal.querysets import can, mission_of
from jembatan.reference.models import ForeignMission

logger = logging.getLogger(__name__)

MANAGE_ANY = "portal.manage_mission_users"
MANAGE_OWN = "portal.manage_own_mission_users"
CONTACTS_ANY = "missions.manage_contacts"
CONTACTS_OWN = "missions.manage_own_contacts"
MISSION_USER_ROLES = (Role.MISSION_OFFICER.value, Role.MISSION_LEAD.value)


# --- scope -----------------------------------------------------------------------------------


def may_manage_users_of(actor: Any, mission: ForeignMission) -> bool:
    if can(actor, MANAGE_ANY) and mission_of(actor) is None:
        return True
    own = mission_of(actor)
    return can(actor, MANAGE_OWN) and own is not None and own.pk == mission.pk


def may_manage_contacts_of(actor: Any, mission: ForeignMission) -> bool:
    if can(actor, CONTACTS_ANY) and mission_of(actor) is None:
        return True
    own = mission_of(actor)
    return can(actor, CONTACTS_OWN) and own is not None and own.pk == mission.pk


def mission_users(*, mission: ForeignMission) -> QuerySet[User]:
    return User.objects.filter(agency__mission=mission, agency__kind=Agency.Kind.FOREIGN_MISSION).order_by("username")


def _require_users(actor: Any, mission: ForeignMission) -> None:
    if not (can(actor, MANAGE_ANY) or can(actor, MANAGE_OWN)):
        raise PermissionDenied()
    if not may_manage_users_of(actor, mission):
        raise NotFound()


def _require_contacts(actor: Any, mission: ForeignMission) -> None:
    if not (can(actor, CONTACTS_ANY) or can(actor, CONTACTS_OWN)):
        raise PermissionDenied()
    if not may_manage_contacts_of(actor, mission):
        raise NotFound()


def mission_agency_for(mission: ForeignMission) -> Agency:
    """The agency of kind foreign_mission for `mission`, created on first use, with a
    consular section unit."""
    agency = Agency.objects.filter(mission=mission).first()
    if agency is None:
        agency = Agency.objects.create(
            code=f"mission-{mission.pk}",
            kind=Agency.Kind.FOREIGN_MISSION,
            name_id=mission.name_id or mission.name_en,
            name_en=mission.name_en or mission.name_id,
            mission=mission,
        )
    return agency


def _section_for(agency: Agency) -> OrgUnit:
    unit = agency.units.filter(kind=OrgUnit.Kind.MISSION_SECTION).order_by("code").first()
    if unit is None:
        unit = OrgUnit.objects.create(
            agency=agency,
            kind=OrgUnit.Kind.MISSION_SECTION,
            code=slugify(f"{agency.code}-consular")[:60],
            name_id=f"Bagian Konsuler, {agency.name_id}"[:200],
            name_en=f"Consular section, {agency.name_en}"[:200],
        )
    return unit


# --- users ------------------------------------------------------------------------------------


@transaction.atomic
def mission_user_invite(
    *,
    actor: Any,
    mission: ForeignMission,
    username: str,
    full_name: str,
    email: str,
    lead: bool = False,
    preferred_language: str = "en",
    site_url: str = "",
) -> User:
    """Create a mission officer (or lead officer, `lead=True`) of `mission` with no password
    and e-mail them a set-password link (after commit). Records `PORTAL_USER_INVITED`."""
    _require_users(actor, mission)
    username = (username or "").strip()
    full_name = (full_name or "").strip()
    email = (email or "").strip().lower()
    if not full_name:
        raise ApplicationError(_("Enter the officer's full name."), field="full_name")
    if not username:
        raise ApplicationError(_("Enter a username."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(_("This username is already taken. Choose another one."), field="username")
    if not email:
        raise ApplicationError(_("Enter the officer's e-mail address."), field="email")
    try:
        validate_email(email)
    except Exception:
        raise ApplicationError(_("Enter an e-mail address in the correct format, like name@example.org"), field="email") from None
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(_("Another user already has this e-mail address. Enter a different one."), field="email")
    if preferred_language not in ("id", "en"):
        raise ApplicationError(_("Select a language."), field="preferred_language")
    agency = mission_agency_for(mission)
    if not agency.is_active:
        raise Conflict(_("This mission's access to the portal is suspended."))
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        agency=agency,
        unit=_section_for(agency),
        roles=[Role.MISSION_LEAD.value if lead else Role.MISSION_OFFICER.value],
        preferred_language=preferred_language,
    )
    user.set_unusable_password()
    user.save()
    audit_record(
        action=AuditAction.PORTAL_USER_INVITED,
        target=user,
        actor=actor,
        data={"mission": mission.pk, "roles": user.roles, "agency": agency.code},
    )
    site = (site_url or getattr(settings, "SITE_URL", "")).rstrip("/")
    user_id = user.pk
    transaction.on_commit(lambda: send_invitation_mail(user_id=user_id, site_url=site))
    return user


def send_invitation_mail(*, user_id: int, site_url: str) -> None:
    """E-mail the invitation with the set-password link. A failure is logged: the manager
    can send the invitation again from the mission's page."""
    user = User.objects.select_related("agency").get(pk=user_id)
    try:
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            context = {
                "user": user,
                "url": set_password_url(user=user, site_url=site_url),
                "login_url": site_url + reverse("account_login"),
                "portal_url": site_url + reverse("portal:inbox"),
                "timeout_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            }
            subject = " ".join(render_to_string("portal/email/invitation_subject.txt", context).split())
            body = render_to_string("portal/email/invitation_message.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:
        logger.exception("Could not send the portal invitation to user %s", user_id)


def _mission_user(actor: Any, user: User) -> tuple[User, ForeignMission]:
    agency = user.agency
    mission = agency.mission if agency is not None and agency.kind == Agency.Kind.FOREIGN_MISSION else None
    if mission is None:
        raise NotFound()
    _require_users(actor, mission)
    return user, mission


@transaction.atomic
def mission_user_resend_invitation(*, actor: Any, user: User, site_url: str = "") -> None:
    user, mission = _mission_user(actor, user)
    if not user.is_active:
        raise Conflict(_("Reinstate the account before sending a new invitation."))
    audit_record(action=AuditAction.USER_PASSWORD_RESET_REQUESTED, target=user, actor=actor, data={"reason": "portal_invitation_resent"})
    site = (site_url or getattr(settings, "SITE_URL", "")).rstrip("/")
    user_id = user.pk
    transaction.on_commit(lambda: send_invitation_mail(user_id=user_id, site_url=site))


@transaction.atomic
def mission_user_suspend(*, actor: Any, user: User) -> User:
    """Stop a mission officer from signing in (sessions stop working at the next request)."""
    user, mission = _mission_user(actor, user)
    if user.pk == getattr(actor, "pk", None):
        raise Conflict(_("You cannot suspend your own account."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise Conflict(_("This account is already suspended."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(action=AuditAction.PORTAL_USER_SUSPENDED, target=user, actor=actor, data={"mission": mission.pk})
    return user


@transaction.atomic
def mission_user_reinstate(*, actor: Any, user: User) -> User:
    user, mission = _mission_user(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise Conflict(_("This account is already active."))
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(action=AuditAction.PORTAL_USER_REINSTATED, target=user, actor=actor, data={"mission": mission.pk})
    return user


def mission_user_get(*, actor: Any, mission: ForeignMission, user_id: Any) -> User:
    _require_users(actor, mission)
    try:
        return mission_users(mission=mission).get(pk=int(user_id))
    except (User.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


# --- contacts ---------------------------------------------------------------------------------


def _clean_contact(label: str, email: str) -> tuple[str, str]:
    label = (label or "").strip()
    email = (email or "").strip().lower()
    if not label:
        raise ApplicationError(_("Enter a label for the address, like Consular section"), field="label")
    if not email:
        raise ApplicationError(_("Enter the e-mail address"), field="email")
    try:
        validate_email(email)
    except Exception:
        raise ApplicationError(_("Enter an e-mail address in the correct format, like name@example.org"), field="email") from None
    return label, email


@transaction.atomic
def mission_contact_create(
    *, actor: Any, mission: ForeignMission, label: str, email: str, phone: str = "", receives_notifications: bool = True
) -> MissionContact:
    _require_contacts(actor, mission)
    label, email = _clean_contact(label, email)
    if MissionContact.objects.filter(mission=mission, email=email).exists():
        raise ApplicationError(_("This mission already has this address. Enter a different one."), field="email")
    contact = MissionContact.objects.create(
        mission=mission, label=label, email=email, phone=(phone or "").strip()[:40], receives_notifications=receives_notifications
    )
    audit_record(
        action=AuditAction.MISSION_CONTACT_CHANGED,
        target=contact,
        actor=actor,
        data={"mission": mission.pk, "created": {"label": label, "email": email, "receives_notifications": receives_notifications}},
    )
    return contact


CONTACT_FIELDS = ("label", "email", "phone", "receives_notifications", "is_active")


@transaction.atomic
def mission_contact_update(*, actor: Any, contact: MissionContact, data: dict[str, Any]) -> MissionContact:
    """Change a contact's label, address, phone, notification flag or active flag."""
    _require_contacts(actor, contact.mission)
    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    contact = MissionContact.objects.select_for_update().get(pk=contact.pk)
    label, email = _clean_contact(data.get("label", contact.label), data.get("email", contact.email))
    if email != contact.email and MissionContact.objects.filter(mission_id=contact.mission_id, email=email).exclude(pk=contact.pk).exists():
        raise ApplicationError(_("This mission already has this address. Enter a different one."), field="email")
    new = {
        "label": label,
        "email": email,
        "phone": (data.get("phone", contact.phone) or "").strip()[:40],
        "receives_notifications": bool(data.get("receives_notifications", contact.receives_notifications)),
        "is_active": bool(data.get("is_active", contact.is_active)),
    }
    changes = {f: [getattr(contact, f), v] for f, v in new.items() if getattr(contact, f) != v}
    if not changes:
        return contact
    for field, (_old, value) in changes.items():
        setattr(contact, field, value)
    contact.save(update_fields=[*changes, "updated_at"])
    audit_record(
        action=AuditAction.MISSION_CONTACT_CHANGED, target=contact, actor=actor, data={"mission": contact.mission_id, "changes": changes}
    )
    return contact


def mission_contacts(*, actor: Any, mission: ForeignMission) -> QuerySet[MissionContact]:
    _require_contacts(actor, mission)
    return MissionContact.objects.filter(mission=mission).order_by("-is_active", "label")


def mission_contact_get(*, actor: Any, mission: ForeignMission, contact_id: Any) -> MissionContact:
    _require_contacts(actor, mission)
    try:
        return MissionContact.objects.select_related("mission").get(pk=contact_id, mission=mission)
    except (MissionContact.DoesNotExist, ValueError, TypeError, Exception):
        raise NotFound() from None
