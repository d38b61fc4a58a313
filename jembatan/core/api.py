"""The API root: `/api/v1/`, its authentication, errors and pagination.

Agency systems authenticate with a bearer token (`Authorization: Bearer jbt_…`), issued
per client, stored hashed, scoped to one agency and a set of capabilities. Signed-in users
may call the same endpoints from the browser with their session (CSRF-protected).

Every error has the same body: `{"code": "...", "message": "...", "detail": ...}`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from jembatan.core.exceptions import ApplicationError


class ErrorBody(Schema):
    """The body of every error response."""

    code: str
    message: str
    detail: Any = None


def create_api(*, auth: list[Any]) -> NinjaAPI:
    """The one NinjaAPI with the project's error contract; `config/api.py` adds routers."""
    api = NinjaAPI(
        title="Jembatan API",
        version="1",
        description=(
            "Consular notification and immigration data exchange between Ditjen Imigrasi and "
            "Kemlu Ditjen Protokol dan Konsuler. Authenticate with `Authorization: Bearer <token>`; "
            "every error body is `{code, message, detail}`."
        ),
        urls_namespace="api-v1",
        auth=auth,
    )

    def _error(request: HttpRequest, status: int, code: str, message: str, detail: Any = None) -> HttpResponse:
        return api.create_response(request, {"code": code, "message": message, "detail": detail}, status=status)

    @api.exception_handler(ApplicationError)
    def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        detail = {"field": exc.field, **exc.extra} if (exc.field or exc.extra) else None
        return _error(request, exc.status_code, exc.code, exc.message, detail)

    @api.exception_handler(ValidationError)
    def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return _error(request, 422, "validation_error", "The request is not valid; see detail for each field.", exc.errors)

    @api.exception_handler(AuthenticationError)
    def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _error(request, 401, "unauthenticated", "Authentication required: send a valid bearer token.")

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {403: "permission_denied", 404: "not_found", 409: "conflict", 429: "rate_limited"}
        return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))

    return api


def session_auth(request: HttpRequest) -> Any:
    """A signed-in user (session cookie, CSRF-checked); the MFA middleware has already run."""
    return django_auth(request)


def api_caller(request: HttpRequest) -> Any:
    """The authenticated caller of an API operation: a user (session) or an API client."""
    return request.auth  # type: ignore[attr-defined]


def require_capability(request: HttpRequest, codename: str) -> None:
    """Refuse with 403 unless the caller (user or API client) holds `codename`."""
    caller = api_caller(request)
    if not getattr(caller, "has_capability", None) or not caller.has_capability(codename):
        raise HttpError(403, "You do not have permission to do this.")
