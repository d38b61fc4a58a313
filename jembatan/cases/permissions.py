"""Capabilities of the case register (STYLE rule 10). Which rows is `querysets.visible_to`.

Users and API clients both answer `has_capability`, so every check here works for either.
"""

from __future__ import annotations

from typing import Any

from jembatan.accounts.permissions import actor_can

VIEW_CASE = "cases.view_case"
VIEW_ALL_CASE = "cases.view_all_case"
VIEW_NOTIFIABLE_CASE = "cases.view_notifiable_case"
ADD_CASE = "cases.add_case"
CHANGE_CASE = "cases.change_case"
EXPORT_CASE = "cases.export_case"
OVERRIDE_IMMUNITY = "cases.override_immunity"

VIEW_CAPABILITIES = (VIEW_CASE, VIEW_ALL_CASE, VIEW_NOTIFIABLE_CASE)


def can(actor: Any, codename: str) -> bool:
    """True if `actor` (user or API client) is signed in and holds `codename`."""
    return actor_can(actor, codename)


def may_view_cases(actor: Any) -> bool:
    """Holds any capability that opens the case register (which rows is a separate question)."""
    return any(can(actor, codename) for codename in VIEW_CAPABILITIES)


def may_add_cases(actor: Any) -> bool:
    return can(actor, ADD_CASE)


def may_change_cases(actor: Any) -> bool:
    return can(actor, CHANGE_CASE)


def may_override_immunity(actor: Any) -> bool:
    """Only immigration supervisors may record the detention of a person the registry shows
    with full immunity, and only with a stated reason (VCDR art. 29 inviolability)."""
    return can(actor, OVERRIDE_IMMUNITY)
