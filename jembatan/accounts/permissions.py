"""The one capability check for every actor (STYLE rule 10).

Users and API clients both answer `has_capability` (the capabilities of their roles, or
the permissions given to the client), so a service, a selector or a queryset asks the same
question whoever calls it. Which rows an actor sees is a separate question, answered by the
querysets' `visible_to`.
"""

from __future__ import annotations

from typing import Any


def actor_can(actor: Any, codename: str) -> bool:
    """True if `actor` (a user or an API client) is signed in, active and holds `codename`.

    `None` (the system, or nobody) holds nothing: callers that let the system act check for
    `None` first.
    """
    if actor is None or not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", True):
        return False
    has_capability = getattr(actor, "has_capability", None)
    return bool(has_capability and has_capability(codename))
