"""Domain errors. Services raise these; one handler per surface (pages, API) turns them into
messages and HTTP answers, so views never format domain errors themselves."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A rule of the domain refused the request. `message` is shown to the user as is."""

    status_code = 400
    code = "application_error"

    def __init__(self, message: object = None, *, field: str | None = None, extra: dict | None = None) -> None:
        self.message = str(message or self.default_message)
        self.field = field
        self.extra = extra or {}
        super().__init__(self.message)

    default_message = _("The request could not be completed.")


class NotFound(ApplicationError):
    """The object does not exist or is outside the actor's scope: the two are indistinguishable."""

    status_code = 404
    code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(ApplicationError):
    """The actor sees the object but lacks the capability for this action."""

    status_code = 403
    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class Conflict(ApplicationError):
    """The request conflicts with the current state (e.g. an illegal transition)."""

    status_code = 409
    code = "conflict"
    default_message = _("This conflicts with the current state.")
