"""Roles and the named capabilities they grant (STYLE rule 10).

Views and API operations declare the capability they need (`accounts.manage_users`);
never a role name. Scope (which rows) is decided separately, on the queryset.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    IMMIGRATION_OFFICER = "immigration_officer", _("Immigration officer")
    IMMIGRATION_SUPERVISOR = "immigration_supervisor", _("Immigration supervisor")
    CORRECTIONS_OFFICER = "corrections_officer", _("Corrections officer")
    CONSULAR_OFFICER = "consular_officer", _("Consular officer")
    PROTOCOL_OFFICER = "protocol_officer", _("Protocol officer")
    ANALYST = "analyst", _("Analyst")
    JOINT_TEAM_MEMBER = "joint_team_member", _("Joint-team member")
    MISSION_OFFICER = "mission_officer", _("Mission officer")
    PARTNER_OFFICER = "partner_officer", _("Partner-agency officer")
    ADMINISTRATOR = "administrator", _("Administrator")
    AUDITOR = "auditor", _("Auditor")


# Roles whose accounts must have two-factor authentication before they can do anything.
MFA_REQUIRED_ROLES = frozenset({Role.ADMINISTRATOR, Role.MISSION_OFFICER})

# Capability codenames. Apps add theirs as they arrive; keep this the only table.
_REF = "reference.view_reference"
_CASE_REPORTER = frozenset({"people.view_person", "people.add_person", "cases.view_case", "cases.add_case", "cases.change_case", _REF})

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.IMMIGRATION_OFFICER: _CASE_REPORTER,
    Role.IMMIGRATION_SUPERVISOR: _CASE_REPORTER
    | {
        "people.view_all_person",
        "cases.view_all_case",
        "cases.export_case",
        "cases.override_immunity",
        "missions.view_accredited",
    },
    Role.CORRECTIONS_OFFICER: _CASE_REPORTER,
    Role.CONSULAR_OFFICER: frozenset(
        {"people.view_person", "people.view_all_person", "cases.view_case", "cases.view_notifiable_case", "cases.export_case", _REF}
    ),
    Role.PROTOCOL_OFFICER: frozenset(
        {
            _REF,
            "reference.change_mission",
            "missions.view_accredited",
            "missions.manage_accredited",
            "missions.receive_immunity_alert",
        }
    ),
    Role.ANALYST: frozenset({_REF}),
    Role.JOINT_TEAM_MEMBER: frozenset({_REF}),
    Role.MISSION_OFFICER: frozenset({"people.view_person"}),
    Role.PARTNER_OFFICER: _CASE_REPORTER,
    Role.ADMINISTRATOR: frozenset(
        {
            "accounts.manage_users",
            "accounts.manage_api_clients",
            _REF,
            "reference.change_reference",
            "reference.change_mission",
        }
    ),
    Role.AUDITOR: frozenset({"audit.view_auditevent", "audit.export_auditevent"}),
}


def capabilities_for(roles: list[str] | set[str] | frozenset[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= CAPABILITIES.get(role, frozenset())
    return frozenset(granted)
