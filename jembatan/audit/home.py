"""Home-page panel of the audit app."""

from __future__ import annotations

from jembatan.core.home import Panel


def auditor_panel(user: object) -> Panel | None:
    return None
