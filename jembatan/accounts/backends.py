"""Capabilities from roles, through Django's permission API (`user.has_perm`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend


class RoleBackend(BaseBackend):
    """Grants the capabilities of a user's roles; authenticates nobody (allauth does)."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not getattr(user_obj, "is_active", False) or getattr(user_obj, "is_anonymous", True):
            return set()
        return set(user_obj.capabilities)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def get_user(self, user_id: Any) -> Any:
        """Load an active user for a session recorded against this backend.

        Real sign-ins are recorded against allauth's backend; this one is the first backend
        with `get_user`, so Django's `Client.force_login` (tests) records it. Inactive users
        get None, exactly as with `ModelBackend`, so a deactivated account's sessions end.
        """
        model = get_user_model()
        try:
            user = model._default_manager.get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if user.is_active else None
