"""Jembatan's own switches."""

from config.env import env_int, env_str

# Home-page panels: each is a callable (user) -> Panel | None. Apps add theirs here so the
# core home view needs no import of any domain app.
JEMBATAN_HOME_PANELS = [
    "jembatan.accounts.home.administrator_panel",
    "jembatan.audit.home.auditor_panel",
    "jembatan.reference.home.reference_review_panel",
    "jembatan.cases.home.case_panel",
    "jembatan.people.home.people_panel",
    "jembatan.missions.home.protocol_panel",
    "jembatan.notifications.home.consular_panel",
    "jembatan.notifications.home.access_panel",
    "jembatan.portal.home.portal_panel",
    "jembatan.traffic.home.traffic_panel",
]

# Sections higher apps add to the case page and the person page: callables
# (request, obj) -> safe HTML or "" (see core templatetag `extension_sections`).
JEMBATAN_CASE_SECTIONS: list[str] = ["jembatan.notifications.sections.case_section", "jembatan.portal.sections.case_messages_section"]
JEMBATAN_PERSON_SECTIONS: list[str] = ["jembatan.traffic.sections.person_section"]

# What higher apps add to a traffic whereabouts answer: callables (actor, person_ids) ->
# list of dicts (the open cases: id, reference, kind, status, kind_label, status_label).
JEMBATAN_WHEREABOUTS_EXTRAS: list[str] = ["jembatan.cases.selectors.open_cases_for_whereabouts"]
# The art. 78 assessment the traffic overstay list shows: (days: set[int], on=date) -> {days: outcome}.
JEMBATAN_OVERSTAY_OUTCOMES = "jembatan.cases.overstays.overstay_outcomes"

# Counts the signed-in user's unread alerts for the header.
JEMBATAN_ALERT_COUNTER = "jembatan.accounts.alerts.alert_unread_count"

API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50, minimum=1)
UI_PAGE_SIZE = env_int("UI_PAGE_SIZE", 50, minimum=1)

# The address users reach Jembatan at, for links in e-mails sent by the worker (which has
# no request to take the host from).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Largest file that may be attached to a case.
CASE_DOCUMENT_MAX_BYTES = env_int("CASE_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)

# The notification engine assesses only case timeline entries recorded at or after this
# moment (ISO 8601; a date means its start in Jakarta). Empty: every entry (the demo relies
# on it). Set it when switching the engine on over existing data.
NOTIFICATIONS_ASSESS_SINCE = env_str("NOTIFICATIONS_ASSESS_SINCE", "") or None
