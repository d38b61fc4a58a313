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
    CONSULAR_SUPERVISOR = "consular_supervisor", _("Consular supervisor")
    PROTOCOL_OFFICER = "protocol_officer", _("Protocol officer")
    ANALYST = "analyst", _("Analyst")
    JOINT_TEAM_MEMBER = "joint_team_member", _("Joint-team member")
    MISSION_OFFICER = "mission_officer", _("Mission officer")
    MISSION_LEAD = "mission_lead", _("Mission lead officer")
    PARTNER_OFFICER = "partner_officer", _("Partner-agency officer")
    ADMINISTRATOR = "administrator", _("Administrator")
    AUDITOR = "auditor", _("Auditor")


# Roles whose accounts must have two-factor authentication before they can do anything.
MFA_REQUIRED_ROLES = frozenset({Role.ADMINISTRATOR, Role.MISSION_OFFICER, Role.MISSION_LEAD})

# Capability codenames. Apps add theirs as they arrive; keep this the only table.
_REF = "reference.view_reference"
_CASE_REPORTER = frozenset({"people.view_person", "people.add_person", "cases.view_case", "cases.add_case", "cases.change_case", _REF})

# What the detaining side does about consular access (schedules visits, records them,
# logs and forwards detainee letters, records the rights advice).
_ACCESS_HOST = frozenset(
    {
        "notifications.view_notification",
        "notifications.schedule_access",
        "notifications.record_visit",
        "notifications.log_letter",
    }
)
_CONSULAR = frozenset(
    {
        "people.view_person",
        "people.view_all_person",
        "cases.view_case",
        "cases.view_notifiable_case",
        "cases.export_case",
        _REF,
        "notifications.view_notification",
        "notifications.dispatch_notification",
        "notifications.record_acknowledgement",
        "notifications.record_access_request",
        "notifications.forward_letter",
        "notifications.view_kpi",
        "notifications.view_policy",
        "portal.answer_inquiry",
        "portal.message_mission",
        "traffic.view_whereabouts",
    }
)
# A mission reads what it was sent (notifications, access, inquiries, messages) through the
# portal, never the person register: a national who declined notification (VCCR art.
# 36(1)(b)) must stay unknown to their embassy.
_MISSION = frozenset(
    {
        "portal.view_portal",
        "portal.acknowledge_notification",
        "portal.request_access",
        "portal.ask_whereabouts",
        "portal.message_ministry",
    }
)
_TRAFFIC_READ = frozenset({"traffic.view_whereabouts", "traffic.view_overstays", "traffic.view_statistics"})

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.IMMIGRATION_OFFICER: _CASE_REPORTER | _ACCESS_HOST | {"traffic.view_whereabouts"},
    Role.IMMIGRATION_SUPERVISOR: _CASE_REPORTER
    | _ACCESS_HOST
    | _TRAFFIC_READ
    | {
        "people.view_all_person",
        "cases.view_all_case",
        "cases.export_case",
        "cases.override_immunity",
        "missions.view_accredited",
        "notifications.view_kpi",
        "notifications.receive_escalation",
        "traffic.import_traffic",
        "traffic.read_crossing_feed",
        "traffic.propose_overstay_action",
    },
    Role.CORRECTIONS_OFFICER: _CASE_REPORTER | _ACCESS_HOST,
    Role.CONSULAR_OFFICER: _CONSULAR,
    Role.CONSULAR_SUPERVISOR: _CONSULAR
    | {
        "notifications.receive_escalation",
        "notifications.manage_policy",
        "portal.manage_mission_users",
        "missions.manage_contacts",
    },
    Role.PROTOCOL_OFFICER: frozenset(
        {
            _REF,
            "reference.change_mission",
            "missions.view_accredited",
            "missions.manage_accredited",
            "missions.receive_immunity_alert",
            "missions.manage_contacts",
        }
    ),
    Role.ANALYST: frozenset({_REF, "notifications.view_kpi", "traffic.view_statistics"}),
    Role.JOINT_TEAM_MEMBER: frozenset({_REF, "notifications.view_kpi"}),
    Role.MISSION_OFFICER: _MISSION,
    Role.MISSION_LEAD: _MISSION | {"portal.manage_own_mission_users", "missions.manage_own_contacts"},
    Role.PARTNER_OFFICER: _CASE_REPORTER,
    Role.ADMINISTRATOR: frozenset(
        {
            "accounts.manage_users",
            "accounts.manage_api_clients",
            _REF,
            "reference.change_reference",
            "reference.change_mission",
            "notifications.manage_policy",
            "notifications.view_policy",
            "portal.manage_mission_users",
            "missions.manage_contacts",
            "traffic.import_traffic",
        }
    ),
    Role.AUDITOR: frozenset({"audit.view_auditevent", "audit.export_auditevent", "notifications.view_kpi"}),
}


def capabilities_for(roles: list[str] | set[str] | frozenset[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= CAPABILITIES.get(role, frozenset())
    return frozenset(granted)
