"""Writes of the portal: mission accounts and contacts (`accounts`), what a mission does
with a notification (`inbox`), whereabouts inquiries (`inquiries`), messages (`messages`)."""
