"""Jembatan's own switches."""

from config.env import env_int

# Home-page panels: each is a callable (user) -> Panel | None. Apps add theirs here so the
# core home view needs no import of any domain app.
JEMBATAN_HOME_PANELS = [
    "jembatan.accounts.home.administrator_panel",
    "jembatan.audit.home.auditor_panel",
    "jembatan.reference.home.reference_review_panel",
    "jembatan.people.home.people_panel",
]

API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50, minimum=1)
UI_PAGE_SIZE = env_int("UI_PAGE_SIZE", 50, minimum=1)
