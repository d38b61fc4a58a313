"""Home-page panel of the reference app."""

from __future__ import annotations

from jembatan.core.home import Panel


def reference_review_panel(user: object) -> Panel | None:
    return None
