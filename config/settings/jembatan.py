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
]

# Counts the signed-in user's unread alerts for the header.
JEMBATAN_ALERT_COUNTER = "jembatan.accounts.alerts.alert_unread_count"

API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50, minimum=1)
UI_PAGE_SIZE = env_int("UI_PAGE_SIZE", 50, minimum=1)

# The address users reach Jembatan at, for links in e-mails sent by the worker (which has
# no request to take the host from).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Largest file that may be attached to a case.
CASE_DOCUMENT_MAX_BYTES = env_int("CASE_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
