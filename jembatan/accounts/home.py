"""Home-page panel of the accounts app."""

from __future__ import annotations

from jembatan.core.home import Panel


def administrator_panel(user: object) -> Panel | None:
    return None
