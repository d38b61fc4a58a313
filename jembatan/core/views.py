"""Pages of the core app: home, health check, error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from jembatan.core.home import panels_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What is waiting for the signed-in user, by role."""
    return render(request, "core/home.html", {"panels": panels_for(request.user)})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and `make run`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", {"request_id": getattr(request, "request_id", "")}, status=500)


def admin_login_redirect(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """Django admin's own login form would bypass 2FA and lock-out: use allauth's."""
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.get_full_path(), "account_login")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico; point them at the static SVG (resolved per request so
    the manifest is only needed once static files are collected)."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.shortcuts import redirect

    return redirect(staticfiles_storage.url("jembatan/favicon.svg"), permanent=True)
