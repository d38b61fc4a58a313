"""Two-factor authentication is required for some roles (django-allauth has no switch for
it: STACK.md §1.4 item 10), so this middleware enforces it on every path."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

# Paths a user without 2FA may still reach: the enrolment pages, logout, language, assets.
ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/i18n/",
    "/static/",
    "/healthz",
)


def has_totp(user: object) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class MfaRequiredMiddleware:
    """Send a signed-in user whose role requires 2FA, and who has none, to enrol first.

    Pages redirect to the TOTP activation page; API calls with a session get 403 JSON.
    Covers every login path because it runs on every request after authentication.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "requires_mfa", False)
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not has_totp(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "mfa_required", "message": "Two-factor authentication must be set up first.", "detail": None},
                    status=403,
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
