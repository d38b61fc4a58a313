"""The authorisation matrix: every URL pattern and API operation, classified.

A `Row` is one page or API operation that shows (or acts on) personal data: the capability
it needs, the kind of object in its path (or none: a list, a count, an export), and how to
call it. The expected answer for a role and an object follows from the row and the world:

- anonymous: sign-in redirect (pages) or 401 (API);
- a role without the capability: 403;
- an object the role may not see (`seen_by` in world.py): 404, exactly like a missing one;
- otherwise 200, with the object in the body.

POST operations are only called where the answer must be a refusal (never 200), so the
matrix changes nothing it is allowed to change.

`NON_PERSONAL` lists, with a reason, every URL that shows no personal data; the coverage
test fails when a URL is in neither (a new page must be classified here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jembatan.accounts.roles import capabilities_for

ANY_CASE_VIEW = ("cases.view_case", "cases.view_all_case", "cases.view_notifiable_case")


@dataclass(frozen=True)
class Row:
    key: str  # URL name ("notifications:detail") or API operation ("GET /api/v1/portal/notifications/{notification_id}")
    kind: str | None  # object kind in world.objects, or None for lists, counts, exports
    caps: tuple[str, ...] = ()  # any one of these; () = any signed-in user
    method: str = "GET"
    kwargs: Callable[[Any], dict[str, Any]] | None = None  # object -> URL kwargs
    extra: dict[str, Any] = field(default_factory=dict)  # fixed URL kwargs (e.g. action)
    mission_only: bool = False  # the API refuses non-mission callers (403) even with the capability
    no_mission: bool = False  # a mission caller is refused (403) even with the capability
    search: bool = False  # list with a `q` search: also called with other persons' names
    marker: Callable[[Any], str] | None = None  # text that a 200 about the object must contain
    binary: str = ""  # "pdf", "xlsx", "file": how to read the body
    body: dict[str, Any] | None = None  # JSON body of an API POST (valid, so the answer is about access)
    refusal: int = 403  # the answer to a signed-in role without the capability (404: "as if it did not exist")
    anon: int | str | None = None  # the answer to an anonymous caller when not the usual one
    overrides: dict[str, int] = field(default_factory=dict)  # role key -> answer, where a role is half-way (see the row)
    redirects: bool = False  # a 302 to the object's own page counts as showing it (e.g. dispatch of a sent notice)

    @property
    def is_api(self) -> bool:
        return self.key.split(" ", 1)[-1].startswith("/api/")

    def allowed(self, role: str) -> bool:
        from tests.isolation.world import MISSION_ROLES, ROLE_ROLES

        if role == "anon":
            return False
        if self.mission_only and role not in MISSION_ROLES:
            return False
        if self.no_mission and role in MISSION_ROLES:
            return False
        if not self.caps:
            return True
        granted = capabilities_for([ROLE_ROLES[role]])
        return any(c in granted for c in self.caps)


def _pk(name: str) -> Callable[[Any], dict[str, Any]]:
    return lambda o: {name: o.pk}


person, case, note, access, inquiry, thread, attachment = (
    _pk("person_id"),
    _pk("case_id"),
    _pk("notification_id"),
    _pk("access_id"),
    _pk("inquiry_id"),
    _pk("thread_id"),
    _pk("attachment_id"),
)


def _ref(o: Any) -> str:
    return str(o.reference)


def _surname(o: Any) -> str:
    return str(o.person.surname if hasattr(o, "person") else o.case.person.surname)


NOTE_VIEW = ("notifications.view_notification",)
PORTAL = ("portal.view_portal",)
P = "/api/v1"

ROWS: list[Row] = [
    # --- counts, lists, search, exports (no object in the path) ---
    Row("home", None),
    Row("accounts:alerts", None),
    Row("accounts:profile", None),
    Row("people:list", None, ("people.view_person",), search=True),
    Row("people:intake", None, ("people.add_person",)),
    Row("cases:list", None, ANY_CASE_VIEW, no_mission=True, search=True),
    Row("cases:create", None, ("cases.add_case",), no_mission=True, search=True),  # its person search is the autocomplete
    Row("cases:export_csv", None, ("cases.export_case",), search=True),
    Row("cases:export_xlsx", None, ("cases.export_case",), binary="xlsx"),
    Row("notifications:inbox", None, NOTE_VIEW, search=True),
    Row("notifications:overdue", None, NOTE_VIEW),
    Row("notifications:access_list", None, NOTE_VIEW),
    Row("notifications:kpi", None, ("notifications.view_kpi",)),
    Row("notifications:kpi_csv", None, ("notifications.view_kpi",)),
    Row("portal:inbox", None, PORTAL, search=True),
    Row("portal:inquiry_list", None, ("portal.ask_whereabouts",)),
    Row("portal:inquiry_new", None, ("portal.ask_whereabouts",)),
    Row("portal:thread_list", None, ("portal.message_ministry",)),
    Row("portal:desk_inquiry_list", None, ("portal.answer_inquiry",)),
    Row("portal:desk_thread_list", None, ("portal.message_mission",)),
    Row("portal:mission_manage", None, ("portal.manage_own_mission_users", "missions.manage_own_contacts"), refusal=404),
    Row("portal:admin_mission_list", None, ("portal.manage_mission_users", "missions.manage_contacts")),
    Row("missions:accredited_list", None, ("missions.view_accredited",), search=True),
    Row("traffic:whereabouts", None, ("traffic.view_whereabouts",)),
    Row("traffic:overstays", None, ("traffic.view_overstays",)),
    Row("traffic:statistics", None, ("traffic.view_statistics",)),
    Row("traffic:imports", None, ("traffic.import_traffic",)),
    Row("traffic:import_detail", "batch", ("traffic.import_traffic",), kwargs=_pk("batch_id")),
    Row("traffic:import_progress", "batch", ("traffic.import_traffic",), kwargs=_pk("batch_id")),
    Row("traffic:import_report", "batch", ("traffic.import_traffic",), kwargs=_pk("batch_id")),
    Row("audit:list", None, ("audit.view_auditevent",)),
    Row("audit:export", None, ("audit.export_auditevent",)),
    Row("accounts:user_list", None, ("accounts.manage_users",)),
    Row("accounts:api_client_list", None, ("accounts.manage_api_clients",)),
    Row(f"GET {P}/people/", None, ("people.view_person",), search=True),
    Row(f"GET {P}/cases/", None, ANY_CASE_VIEW, no_mission=True, search=True),
    Row(f"GET {P}/notifications/", None, ("notifications.view_notification", "portal.view_portal"), search=True),
    Row(f"GET {P}/notifications/performance", None, ("notifications.view_kpi",)),
    Row(f"GET {P}/notifications/access-requests", None, ("notifications.view_notification", "portal.view_portal")),
    Row(f"GET {P}/portal/notifications", None, PORTAL, mission_only=True, search=True),
    Row(f"GET {P}/portal/inquiries", None, ("portal.ask_whereabouts",), mission_only=True),
    Row(f"GET {P}/portal/threads", None, ("portal.message_ministry",), mission_only=True),
    Row(f"GET {P}/traffic/overstays", None, ("traffic.view_overstays",)),
    Row(f"GET {P}/traffic/statistics", None, ("traffic.view_statistics",)),
    Row(f"GET {P}/traffic/crossings/changes", None, ("traffic.read_crossing_feed",)),
    Row(f"GET {P}/accounts/users", None, ("accounts.manage_users",)),
    Row(f"GET {P}/accounts/me", None),
    # --- one person, one case ---
    Row("people:detail", "person", ("people.view_person",), kwargs=person, marker=lambda o: o.surname),
    Row(f"GET {P}/people/{{person_id}}", "person", ("people.view_person",), kwargs=person, marker=lambda o: o.surname),
    Row("cases:detail", "case", ANY_CASE_VIEW, kwargs=case, marker=_ref, no_mission=True),
    Row("cases:ban_extend", "case", ANY_CASE_VIEW, kwargs=case, no_mission=True, method="POST", refusal=404),
    Row("cases:transition", "case", ANY_CASE_VIEW, kwargs=case, no_mission=True, method="POST"),
    Row("cases:note", "case", ANY_CASE_VIEW, kwargs=case, no_mission=True, method="POST"),
    Row("cases:event", "case", ANY_CASE_VIEW, kwargs=case, no_mission=True, method="POST"),
    Row("cases:document_upload", "case", ANY_CASE_VIEW, kwargs=case, no_mission=True, method="POST"),
    Row(
        "cases:document",
        "document",
        ANY_CASE_VIEW,
        kwargs=lambda o: {"case_id": o.case_id, "document_id": o.pk},
        no_mission=True,
        binary="file",
    ),
    Row(f"GET {P}/cases/{{case_id}}", "case", ANY_CASE_VIEW, kwargs=case, no_mission=True, marker=_ref),
    Row(f"GET {P}/cases/{{case_id}}/events", "case", ANY_CASE_VIEW, kwargs=case, no_mission=True),
    Row(f"POST {P}/cases/{{case_id}}/events", "case", ANY_CASE_VIEW, kwargs=case, no_mission=True, method="POST", body={"kind": "release"}),
    Row(
        f"POST {P}/cases/{{case_id}}/transitions",
        "case",
        ANY_CASE_VIEW,
        kwargs=case,
        no_mission=True,
        method="POST",
        body={"to_status": "released"},
    ),
    Row(f"POST {P}/cases/{{case_id}}/notes", "case", ANY_CASE_VIEW, kwargs=case, no_mission=True, method="POST", body={"text": "x"}),
    Row("notifications:case_rights", "case", NOTE_VIEW, kwargs=case),
    Row("notifications:case_letter", "case", ("notifications.log_letter",), kwargs=case),
    Row("notifications:case_access_request", "case", ("notifications.record_access_request",), kwargs=case),
    # --- notifications (desk side, portal side, API) ---
    Row("notifications:detail", "notification", NOTE_VIEW, kwargs=note, marker=_ref),
    Row("notifications:dispatch", "notification", ("notifications.dispatch_notification",), kwargs=note, redirects=True),
    Row("notifications:document", "notification", NOTE_VIEW, kwargs=note, binary="pdf", marker=_ref),
    Row("notifications:acknowledge", "notification", ("notifications.record_acknowledgement",), kwargs=note, method="POST"),
    Row("notifications:cancel", "notification", ("notifications.dispatch_notification",), kwargs=note, method="POST"),
    Row(
        "notifications:delivery_retry",
        "delivery",
        ("notifications.dispatch_notification",),
        kwargs=lambda d: {"notification_id": d.notification_id, "delivery_id": d.pk},
        method="POST",
    ),
    Row("portal:notification_detail", "notification", PORTAL, kwargs=note, marker=_ref),
    Row("portal:notification_document", "notification", PORTAL, kwargs=note, binary="pdf", marker=_ref),
    Row("portal:notification_acknowledge", "notification", ("portal.acknowledge_notification",), kwargs=note, method="POST"),
    Row("portal:access_request_new", "notification", ("portal.request_access",), kwargs=note),
    Row("portal:notification_thread", "notification", ("portal.message_ministry",), kwargs=note, method="POST"),
    Row(
        f"GET {P}/notifications/{{notification_id}}",
        "notification",
        ("notifications.view_notification", "portal.view_portal"),
        kwargs=note,
        marker=_ref,
    ),
    Row(
        f"POST {P}/notifications/{{notification_id}}/acknowledge",
        "notification",
        ("portal.acknowledge_notification", "notifications.record_acknowledgement"),
        kwargs=note,
        method="POST",
    ),
    Row(f"GET {P}/portal/notifications/{{notification_id}}", "notification", PORTAL, kwargs=note, mission_only=True, marker=_ref),
    Row(
        f"POST {P}/portal/notifications/{{notification_id}}/acknowledge",
        "notification",
        ("portal.acknowledge_notification",),
        kwargs=note,
        mission_only=True,
        method="POST",
    ),
    Row(f"GET {P}/portal/notifications/{{notification_id}}/access-requests", "notification", PORTAL, kwargs=note, mission_only=True),
    Row(
        f"POST {P}/portal/notifications/{{notification_id}}/access-requests",
        "notification",
        ("portal.request_access",),
        kwargs=note,
        mission_only=True,
        method="POST",
        body={"kind": "visit", "proposed_times": ["2031-01-06T02:00:00Z"], "officers": "Consul"},
    ),
    Row(
        f"POST {P}/portal/notifications/{{notification_id}}/messages",
        "notification",
        ("portal.message_ministry",),
        kwargs=note,
        mission_only=True,
        method="POST",
        body={"body": "Hello"},
    ),
    # --- consular access, letters ---
    Row("notifications:access_detail", "access", NOTE_VIEW, kwargs=access, marker=_surname),
    Row(
        "notifications:access_action",
        "access",
        ("notifications.schedule_access",),
        kwargs=access,
        extra={"action": "schedule"},
        method="POST",
    ),
    Row("portal:access_detail", "access", PORTAL, kwargs=access, marker=lambda o: str(o.notification_id)),
    Row(f"GET {P}/portal/access-requests/{{access_id}}", "access", PORTAL, kwargs=access, mission_only=True),
    Row(
        "notifications:letter_forward",
        "letter",
        ("notifications.forward_letter",),
        kwargs=_pk("letter_id"),
        marker=lambda o: o.case.reference,
    ),
    # --- whereabouts inquiries ---
    Row("portal:inquiry_detail", "inquiry", ("portal.ask_whereabouts",), kwargs=inquiry, marker=_ref),
    Row("portal:inquiry_close", "inquiry", ("portal.ask_whereabouts",), kwargs=inquiry, method="POST"),
    Row("portal:desk_inquiry_detail", "inquiry", ("portal.answer_inquiry",), kwargs=inquiry, marker=_ref),
    Row("portal:desk_inquiry_forward", "inquiry", ("portal.answer_inquiry",), kwargs=inquiry, method="POST"),
    Row(f"GET {P}/portal/inquiries/{{inquiry_id}}", "inquiry", ("portal.ask_whereabouts",), kwargs=inquiry, mission_only=True, marker=_ref),
    # --- messages and attachments ---
    Row("portal:thread_detail", "thread", ("portal.message_ministry",), kwargs=thread, marker=_surname),
    Row("portal:desk_thread_detail", "thread", ("portal.message_mission",), kwargs=thread, marker=_surname),
    Row(
        "portal:desk_thread_open",
        "thread",
        ("portal.message_mission",),
        kwargs=lambda t: {"case_id": t.case_id, "mission_id": t.mission_id},
        method="POST",
    ),
    Row(f"GET {P}/portal/threads/{{thread_id}}", "thread", ("portal.message_ministry",), kwargs=thread, mission_only=True, marker=_surname),
    Row("portal:attachment_download", "attachment", (), kwargs=attachment, binary="file"),
    # --- the registry of accredited persons, traffic permits ---
    Row(
        "missions:accredited_detail",
        "accredited",
        ("missions.view_accredited",),
        kwargs=_pk("accredited_person_id"),
        marker=lambda o: o.surname,
    ),
    Row(
        "missions:accredited_edit",
        "accredited",
        ("missions.manage_accredited",),
        kwargs=_pk("accredited_person_id"),
        marker=lambda o: o.surname,
    ),
    # The case register's confirm page for a traffic overstay (cases imports traffic, not the reverse).
    Row("cases:overstay_propose", "permit", ("traffic.propose_overstay_action",), kwargs=_pk("permit_id"), method="POST"),
    # --- mission accounts and contacts (personal data of mission staff) ---
    Row(
        "portal:admin_mission_detail",
        "mission",
        ("portal.manage_mission_users", "missions.manage_contacts", "portal.manage_own_mission_users"),
        kwargs=_pk("mission_id"),
        refusal=404,
    ),
    Row(
        "portal:own_user_action",
        "mission_user",
        ("portal.manage_own_mission_users",),
        kwargs=lambda u: {"user_id": u.pk},
        extra={"action": "suspend"},
        method="POST",
        refusal=404,
        anon=403,
    ),
    Row(
        "portal:user_action",
        "mission_user",
        ("portal.manage_mission_users", "portal.manage_own_mission_users"),
        kwargs=lambda u: {"user_id": u.pk, "mission_id": u.agency.mission_id},
        extra={"action": "suspend"},
        method="POST",
        refusal=404,
        anon=403,
        overrides={"protocol": 403},  # protocol manages a mission's contacts, so sees the mission, but not its users
    ),
    Row(
        "portal:own_contact_toggle",
        "contact",
        ("missions.manage_own_contacts",),
        kwargs=_pk("contact_id"),
        method="POST",
        refusal=404,
        anon=403,
    ),
    Row(
        "portal:contact_toggle",
        "contact",
        ("missions.manage_contacts", "missions.manage_own_contacts"),
        kwargs=lambda c: {"contact_id": c.pk, "mission_id": c.mission_id},
        method="POST",
        refusal=404,
        anon=403,
    ),
    Row("accounts:user_detail", "staff_user", ("accounts.manage_users",), kwargs=lambda u: {"user_id": u.pk}, marker=lambda u: u.username),
    Row("accounts:user_edit", "staff_user", ("accounts.manage_users",), kwargs=lambda u: {"user_id": u.pk}, marker=lambda u: u.username),
    Row(f"GET {P}/accounts/users/{{user_id}}", "staff_user", ("accounts.manage_users",), kwargs=lambda u: {"user_id": u.pk}),
]

# Pages and operations that show no personal data, or only write without showing (each
# with why). Writes listed here are covered by their services' own tests.
NON_PERSONAL: dict[str, str] = {
    "healthz": "liveness probe",
    "favicon.ico": "static icon",
    "set_language": "language switch (POST, redirect)",
    "i18n": "language switch",
    "account_login": "sign-in form",
    "account_logout": "sign-out",
    "account_inactive": "static notice",
    "account_signup": "closed (adapter refuses sign-up)",
    "account_reauthenticate": "password re-entry form",
    "account_email": "own e-mail address",
    "account_email_verification_sent": "static notice",
    "account_confirm_email": "token link",
    "account_change_password": "own password form",
    "account_set_password": "own password form",
    "account_reset_password": "reset form",
    "account_reset_password_done": "static notice",
    "account_reset_password_from_key": "token link",
    "account_reset_password_from_key_done": "static notice",
    "account_confirm_login_code": "login code form",
    "mfa_index": "own 2FA settings",
    "mfa_authenticate": "TOTP step",
    "mfa_reauthenticate": "TOTP step",
    "mfa_activate_totp": "own 2FA settings",
    "mfa_deactivate_totp": "own 2FA settings",
    "mfa_view_recovery_codes": "own recovery codes",
    "mfa_generate_recovery_codes": "own recovery codes",
    "mfa_download_recovery_codes": "own recovery codes",
    "accounts:alerts_read_all": "write only (own alerts)",
    "accounts:alert_read": "write only (own alert, scoped to its owner by the accounts tests)",
    "accounts:user_create": "form for a new user (administrators)",
    "accounts:user_deactivate": "administrator write, no body",
    "accounts:user_reactivate": "administrator write, no body",
    "accounts:user_unlock": "administrator write, no body",
    "accounts:user_send_password_mail": "administrator write, no body",
    "accounts:api_client_create": "administrator form",
    "accounts:api_client_revoke": "administrator write, no body",
    "audit:verify": "hash-chain check (no row contents)",
    "reference:index": "reference data",
    "reference:country_list": "reference data",
    "reference:office_list": "reference data",
    "reference:detention_centre_list": "reference data",
    "reference:checkpoint_list": "reference data",
    "reference:mission_list": "reference data",
    "reference:legal_basis_list": "reference data",
    "missions:accredited_create": "protocol form",
    "missions:accredited_import": "protocol upload form",
    "missions:accredited_import_confirm": "protocol upload confirmation (own upload)",
    "missions:accredited_import_template": "empty CSV template",
    "notifications:policies:list": "country policies (treaty facts)",
    "notifications:policies:history": "country policies (treaty facts)",
    "notifications:policies:change": "country policies (treaty facts)",
    "portal:own_user_invite": "lead's write into its own mission (no other mission's data)",
    "portal:own_contact_add": "lead's write into its own mission",
    "portal:user_invite": "ministry write (administrators)",
    "portal:contact_add": "ministry write (administrators)",
    "api-v1:openapi-json": "API schema",
    "api-v1:openapi-view": "API docs page",
    "api-v1:api-root": "API index",
    f"GET {P}/reference/countries": "reference data",
    f"GET {P}/reference/countries/{{code}}": "reference data",
    f"GET {P}/reference/immigration-offices": "reference data",
    f"GET {P}/reference/detention-centres": "reference data",
    f"GET {P}/reference/checkpoints": "reference data",
    f"GET {P}/reference/missions": "reference data",
    f"GET {P}/reference/legal-bases": "reference data",
    f"POST {P}/people/": "create (answers the created row to its creator)",
    f"POST {P}/people/duplicates": "duplicate check for a new record: covered by its own scoping tests",
    f"POST {P}/cases/": "create (answers the created row to its creator)",
    f"POST {P}/notifications/access-requests": "create; scope checked in notifications/tests/test_api.py",
    f"POST {P}/portal/inquiries": "create for the caller's own mission",
    f"POST {P}/traffic/whereabouts/by-document": "immigration query; missions hold no traffic capability (checked below)",
    f"POST {P}/traffic/whereabouts/by-name": "immigration query; missions hold no traffic capability (checked below)",
    f"POST {P}/traffic/imports": "upload",
    f"GET {P}/traffic/imports/{{batch_id}}": "import progress counts",
    f"POST {P}/traffic/crossings/push": "upload",
}
# The Django admin: staff accounts only; no role is staff (every role gets the sign-in redirect).
ADMIN_PREFIX = "admin:"
