"""Pages of the accounts app: user management, API clients, the user's own profile.

Views parse input, call one selector or service, and render. Domain errors become HTTP
answers in `_domain_errors` (404 for out-of-scope, 403 for a missing capability) or form
errors in `_form_error`; views never decide scope themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jembatan.accounts import selectors, services
from jembatan.accounts.forms import ApiClientCreateForm, ProfileForm, UserCreateForm, UserEditForm, UserFilterForm
from jembatan.accounts.models import User
from jembatan.accounts.selectors import MANAGE_API_CLIENTS, MANAGE_USERS
from jembatan.core.exceptions import ApplicationError, NotFound, PermissionDenied
from jembatan.core.pages import capability_required, querystring_without_page
from jembatan.reference.models import TimeZoneName


def _form_error(form: Form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# --- users -------------------------------------------------------------------------------


@capability_required(MANAGE_USERS)
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    users = selectors.user_list(actor=request.user, filters=filters)
    page_obj = Paginator(users, settings.UI_PAGE_SIZE).get_page(request.GET.get("page"))
    locked = selectors.locked_out_usernames([u.username for u in page_obj.object_list])
    rows = [{"user": u, "locked_out": u.username in locked} for u in page_obj.object_list]
    return render(
        request,
        "accounts/user_list.html",
        {
            "form": form,
            "filter_form": form,
            "rows": rows,
            "page_obj": page_obj,
            "filtered": any(filters.values()),
            "querystring_without_page": querystring_without_page(request),
        },
    )


@capability_required(MANAGE_USERS)
@require_http_methods(["GET"])
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    user = selectors.user_get(actor=request.user, user_id=user_id)
    state = selectors.user_security_state(user=user)
    zone_label = dict(TimeZoneName.choices).get(user.time_zone, user.time_zone)
    return render(
        request,
        "accounts/user_detail.html",
        {"subject": user, "state": state, "is_self": user.pk == request.user.pk, "zone_label": zone_label},
    )


def _user_form_kwargs(request: HttpRequest, agency: Any = None) -> dict[str, Any]:
    superuser = request.user.is_superuser
    return {"units": selectors.units_for(actor=request.user, agency=agency), "show_agency": superuser}


@capability_required(MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    agencies = selectors.agencies_for(actor=request.user) if request.user.is_superuser else None
    form = UserCreateForm(request.POST or None, agencies=agencies, **_user_form_kwargs(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                roles=data["roles"],
                unit=data["unit"],
                agency=data.get("agency"),
                preferred_language=data["preferred_language"],
                time_zone_override=data["time_zone_override"],
                site_url=_site_url(request),
            )
        except ApplicationError as exc:
            if isinstance(exc, (NotFound, PermissionDenied)) and exc.field is None:
                raise
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("User %(username)s created. A set-password e-mail has been sent to %(email)s.")
                % {"username": user.username, "email": user.email},
            )
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@capability_required(MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = selectors.user_get_for_change(actor=request.user, user_id=user_id)
    initial = {
        "full_name": user.full_name,
        "email": user.email,
        "unit": user.unit_id,
        "roles": user.roles,
        "preferred_language": user.preferred_language,
        "time_zone_override": user.time_zone_override,
    }
    form = UserEditForm(request.POST or None, initial=initial, **_user_form_kwargs(request, agency=user.agency))
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, data=form.cleaned_data)
        except ApplicationError as exc:
            if isinstance(exc, (NotFound, PermissionDenied)) and exc.field is None:
                raise
            _form_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": False, "subject": user})


def _user_action(request: HttpRequest, user_id: int, action: Callable[[User], Any], done: str) -> HttpResponse:
    user = selectors.user_get_for_change(actor=request.user, user_id=user_id)
    try:
        action(user)
    except ApplicationError as exc:
        if isinstance(exc, (NotFound, PermissionDenied)):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("accounts:user_detail", user_id=user.pk)


@capability_required(MANAGE_USERS)
@require_POST
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _user_action(
        request,
        user_id,
        lambda u: services.user_deactivate(actor=request.user, user=u),
        _("Account deactivated. The user can no longer sign in."),
    )


@capability_required(MANAGE_USERS)
@require_POST
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _user_action(
        request,
        user_id,
        lambda u: services.user_reactivate(actor=request.user, user=u),
        _("Account reactivated. The user can sign in again."),
    )


@capability_required(MANAGE_USERS)
@require_POST
def user_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    return _user_action(
        request, user_id, lambda u: services.user_unlock(actor=request.user, user=u), _("Account unlocked. The user can sign in again.")
    )


@capability_required(MANAGE_USERS)
@require_POST
def user_send_password_mail(request: HttpRequest, user_id: int) -> HttpResponse:
    return _user_action(
        request,
        user_id,
        lambda u: services.user_set_password_mail_send(actor=request.user, user=u, site_url=_site_url(request)),
        _("A new set-password e-mail has been sent."),
    )


# --- API clients -------------------------------------------------------------------------


@capability_required(MANAGE_API_CLIENTS)
@require_http_methods(["GET"])
def api_client_list(request: HttpRequest) -> HttpResponse:
    clients = selectors.api_client_list(actor=request.user)
    return render(request, "accounts/api_client_list.html", {"clients": clients})


@capability_required(MANAGE_API_CLIENTS)
@require_http_methods(["GET", "POST"])
def api_client_create(request: HttpRequest) -> HttpResponse:
    superuser = request.user.is_superuser
    agencies = selectors.agencies_for(actor=request.user) if superuser else None
    own_agency = cast(User, request.user).agency
    if own_agency is not None and not superuser:
        choices = services.client_capabilities_for(own_agency)
    else:
        choices = sorted({c for agency in selectors.agencies_for(actor=request.user) for c in services.client_capabilities_for(agency)})
    form = ApiClientCreateForm(request.POST or None, agencies=agencies, permission_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, token = services.api_client_create(
                actor=request.user, name=data["name"], permissions=data["permissions"], agency=data.get("agency")
            )
        except ApplicationError as exc:
            if isinstance(exc, (NotFound, PermissionDenied)) and exc.field is None:
                raise
            _form_error(form, exc)
        else:
            # The token is shown on this response only; it is never stored, so it cannot be
            # shown again. Keep it out of caches and of the browser's history cache.
            response = render(request, "accounts/api_client_created.html", {"client": client, "token": token})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "accounts/api_client_form.html", {"form": form})


@capability_required(MANAGE_API_CLIENTS)
@require_POST
def api_client_revoke(request: HttpRequest, client_id: str) -> HttpResponse:
    client = selectors.api_client_get(actor=request.user, client_id=client_id)
    try:
        services.api_client_revoke(actor=request.user, client=client)
    except ApplicationError as exc:
        if isinstance(exc, (NotFound, PermissionDenied)):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("API client %(name)s revoked. Its token no longer works.") % {"name": client.name})
    return redirect("accounts:api_client_list")


# --- own profile -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = ProfileForm(
        request.POST or None, initial={"preferred_language": user.preferred_language, "time_zone_override": user.time_zone_override}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_profile_update(
                user=user,
                preferred_language=form.cleaned_data["preferred_language"],
                time_zone_override=form.cleaned_data["time_zone_override"],
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            translation.activate(user.preferred_language)
            messages.success(request, _("Your preferences have been saved."))
            response = redirect("accounts:profile")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.preferred_language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
            return response
    has_totp = selectors.user_has_totp(user)
    return render(request, "accounts/profile.html", {"form": form, "has_totp": has_totp})
