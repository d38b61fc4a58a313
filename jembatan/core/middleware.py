"""Binds each request to a request id and its actor, for audit and logs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from jembatan.core import request_context


def client_ip(request: HttpRequest) -> str | None:
    # Behind a proxy, production sets the header; REMOTE_ADDR is the proxy otherwise.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Sets `request.request_id` and binds the request context for the whole request.

    The response carries `X-Request-ID` so a user can quote it and an auditor can find the
    request's events.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else request_context.new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        channel = "api" if request.path.startswith("/api/") else "web"
        with request_context.bind(actor=actor, ip_address=client_ip(request), channel=channel, request_id=request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
