"""Home-page panel of the people app."""

from __future__ import annotations

from jembatan.core.home import Panel


def people_panel(user: object) -> Panel | None:
    return None
