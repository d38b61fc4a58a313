"""Ministry-side pages of the portal (consular directorate): whereabouts inquiries to
answer, message threads with missions; and mission accounts and contacts (for
administrators and consular supervisors, and for a mission's lead officer in the portal)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jembatan.accounts.selectors import user_has_totp
from jembatan.cases.models import Case
from jembatan.core.exceptions import ApplicationError, Conflict, NotFound
from jembatan.core.pages import capability_required, querystring_without_page
from jembatan.portal import selectors
from jembatan.portal.forms import AnswerForm, ContactForm, ForwardForm, InviteForm, put_error
from jembatan.portal.querysets import can, mission_of
from jembatan.portal.services import accounts as account_services
from jembatan.portal.services import inquiries as inquiry_services
from jembatan.portal.services import messages as message_services
from jembatan.portal.views import portal_context, thread_page
from jembatan.reference.models import ForeignMission

PAGE_SIZE = 50


# --- inquiries (consular desk) ----------------------------------------------------------------------


@capability_required("portal.answer_inquiry")
@require_GET
def desk_inquiry_list(request: HttpRequest) -> HttpResponse:
    if mission_of(request.user) is not None:
        raise DjangoPermissionDenied
    show = request.GET.get("show", "pending")
    if show == "all":
        rows = selectors.inquiry_list(actor=request.user).order_by("-asked_at")
    else:
        rows = selectors.inquiry_list(actor=request.user, pending_only=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/desk/inquiry_list.html",
        {"page_obj": page, "inquiries": page.object_list, "show": show, "querystring_without_page": querystring_without_page(request)},
    )


@capability_required("portal.answer_inquiry")
@require_http_methods(["GET", "POST"])
def desk_inquiry_detail(request: HttpRequest, inquiry_id: Any) -> HttpResponse:
    if mission_of(request.user) is not None:
        raise DjangoPermissionDenied
    inquiry = selectors.inquiry_get(actor=request.user, inquiry_id=inquiry_id)
    result = inquiry.result or {}
    answer_form = AnswerForm(request.POST or None)
    if request.method == "POST":
        if answer_form.is_valid():
            try:
                inquiry_services.inquiry_answer(actor=request.user, inquiry=inquiry, answer=answer_form.cleaned_data["answer"])
            except ApplicationError as exc:
                put_error(answer_form, exc)
            else:
                messages.success(request, _("The answer has been sent to the mission."))
                return redirect("portal:desk_inquiry_detail", inquiry.pk)
    elif inquiry.is_pending:
        result = inquiry_services.inquiry_search(actor=request.user, inquiry=inquiry)
        answer_form = AnswerForm(initial={"answer": inquiry_services.suggested_answer(result)})
    return render(
        request,
        "portal/desk/inquiry_detail.html",
        {"inquiry": inquiry, "result": result, "form": answer_form, "forward_form": ForwardForm()},
    )


@capability_required("portal.answer_inquiry")
@require_POST
def desk_inquiry_forward(request: HttpRequest, inquiry_id: Any) -> HttpResponse:
    inquiry = selectors.inquiry_get(actor=request.user, inquiry_id=inquiry_id)
    form = ForwardForm(request.POST)
    form.is_valid()
    try:
        inquiry_services.inquiry_forward(actor=request.user, inquiry=inquiry, note=form.cleaned_data.get("note", ""))
    except Conflict as exc:
        messages.warning(request, exc.message)
    else:
        messages.success(request, _("The inquiry has been forwarded to immigration."))
    return redirect("portal:desk_inquiry_detail", inquiry.pk)


# --- messages (consular desk) -------------------------------------------------------------------------


@capability_required("portal.message_mission")
@require_GET
def desk_thread_list(request: HttpRequest) -> HttpResponse:
    if mission_of(request.user) is not None:
        raise DjangoPermissionDenied
    threads = selectors.threads_with_unread(actor=request.user)
    if request.GET.get("unread") == "1":
        threads = threads.filter(unread__gt=0)
    page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/desk/thread_list.html",
        {"page_obj": page, "threads": page.object_list, "querystring_without_page": querystring_without_page(request)},
    )


@capability_required("portal.message_mission")
@require_http_methods(["GET", "POST"])
def desk_thread_detail(request: HttpRequest, thread_id: Any) -> HttpResponse:
    if mission_of(request.user) is not None:
        raise DjangoPermissionDenied
    return thread_page(request, thread_id, template="portal/desk/thread_detail.html", detail_name="portal:desk_thread_detail", extra={})


@capability_required("portal.message_mission")
@require_POST
def desk_thread_open(request: HttpRequest, case_id: Any, mission_id: int) -> HttpResponse:
    if mission_of(request.user) is not None:
        raise DjangoPermissionDenied
    try:
        case = Case.objects.visible_to(request.user).get(pk=case_id)
        mission = ForeignMission.objects.get(pk=mission_id)
    except (Case.DoesNotExist, ForeignMission.DoesNotExist):
        raise Http404 from None
    try:
        thread = message_services.thread_open(actor=request.user, case=case, mission=mission)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.warning(request, exc.message)
        return redirect("cases:detail", case.pk)
    return redirect("portal:desk_thread_detail", thread.pk)


# --- mission accounts and contacts ----------------------------------------------------------------------


def _may_see_missions_admin(user: Any) -> bool:
    return mission_of(user) is None and (can(user, account_services.MANAGE_ANY) or can(user, account_services.CONTACTS_ANY))


@require_GET
def admin_mission_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not _may_see_missions_admin(request.user):
        raise DjangoPermissionDenied
    q = (request.GET.get("q") or "").strip()
    missions = ForeignMission.objects.in_force()
    if q:
        missions = missions.filter(
            Q(name_en__icontains=q) | Q(name_id__icontains=q) | Q(sending_entity__icontains=q) | Q(city__icontains=q)
        )
    missions = missions.annotate(
        officers=Count("agency__users", filter=Q(agency__users__is_active=True), distinct=True),
        contact_count=Count("contacts", filter=Q(contacts__is_active=True), distinct=True),
    ).order_by("sending_entity", "city")
    page = Paginator(missions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/admin/mission_list.html",
        {"page_obj": page, "missions": page.object_list, "q": q, "querystring_without_page": querystring_without_page(request)},
    )


def _mission_for_manager(request: HttpRequest, mission_id: int | None) -> ForeignMission:
    """The mission whose users/contacts the user manages (404 when it is not theirs)."""
    own = mission_of(request.user)
    if mission_id is None:
        if own is None:
            raise Http404
        mission = own
    else:
        try:
            mission = ForeignMission.objects.get(pk=mission_id)
        except ForeignMission.DoesNotExist:
            raise Http404 from None
    if not (account_services.may_manage_users_of(request.user, mission) or account_services.may_manage_contacts_of(request.user, mission)):
        if own is not None or not _may_see_missions_admin(request.user):
            raise Http404
        raise DjangoPermissionDenied
    return mission


def _manage_url(request: HttpRequest, mission: ForeignMission) -> str:
    if mission_of(request.user) is not None:
        return reverse("portal:mission_manage")
    return reverse("portal:admin_mission_detail", args=[mission.pk])


@require_GET
def mission_manage(request: HttpRequest, mission_id: int | None = None) -> HttpResponse:
    """The users and contact addresses of one mission."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    mission = _mission_for_manager(request, mission_id)
    return _mission_page(request, mission, InviteForm(), ContactForm())


def _mission_page(
    request: HttpRequest, mission: ForeignMission, invite_form: InviteForm, contact_form: ContactForm, status: int = 200
) -> HttpResponse:
    in_portal = mission_of(request.user) is not None
    may_users = account_services.may_manage_users_of(request.user, mission)
    may_contacts = account_services.may_manage_contacts_of(request.user, mission)
    users = list(account_services.mission_users(mission=mission)) if may_users else []
    for user in users:
        user.has_totp = user_has_totp(user)  # type: ignore[attr-defined]
    contacts = account_services.mission_contacts(actor=request.user, mission=mission) if may_contacts else []
    context = {
        "managed_mission": mission,
        "layout": "portal/base_portal.html" if in_portal else "base.html",
        "may_users": may_users,
        "may_contacts": may_contacts,
        "mission_users": users,
        "contacts": contacts,
        "invite_form": invite_form,
        "contact_form": contact_form,
        "form": invite_form if invite_form.errors else contact_form,
    }
    if in_portal:
        context.update(portal_context(request))
    return render(request, "portal/admin/mission_detail.html", context, status=status)


def _mission_for_post(request: HttpRequest, mission_id: int | None) -> ForeignMission:
    if not request.user.is_authenticated:
        raise DjangoPermissionDenied
    return _mission_for_manager(request, mission_id)


@require_POST
def mission_user_invite(request: HttpRequest, mission_id: int | None = None) -> HttpResponse:
    mission = _mission_for_post(request, mission_id)
    if not account_services.may_manage_users_of(request.user, mission):
        raise DjangoPermissionDenied
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            user = account_services.mission_user_invite(
                actor=request.user,
                mission=mission,
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                lead=bool(form.cleaned_data.get("lead")),
                preferred_language=form.cleaned_data["preferred_language"],
                site_url=getattr(settings, "SITE_URL", request.build_absolute_uri("/")),
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s has been invited. They will receive an e-mail to set their password.") % {"name": user.full_name}
            )
            return redirect(_manage_url(request, mission))
    return _mission_page(request, mission, form, ContactForm(), status=400)


@require_POST
def mission_user_action(request: HttpRequest, user_id: int, action: str, mission_id: int | None = None) -> HttpResponse:
    mission = _mission_for_post(request, mission_id)
    try:
        user = account_services.mission_user_get(actor=request.user, mission=mission, user_id=user_id)
        if action == "suspend":
            account_services.mission_user_suspend(actor=request.user, user=user)
            messages.success(request, _("%(name)s can no longer sign in.") % {"name": user.full_name or user.username})
        elif action == "reinstate":
            account_services.mission_user_reinstate(actor=request.user, user=user)
            messages.success(request, _("%(name)s can sign in again.") % {"name": user.full_name or user.username})
        elif action == "resend":
            account_services.mission_user_resend_invitation(
                actor=request.user, user=user, site_url=getattr(settings, "SITE_URL", request.build_absolute_uri("/"))
            )
            messages.success(request, _("A new invitation has been sent to %(email)s.") % {"email": user.email})
        else:
            raise Http404
    except NotFound:
        raise Http404 from None
    except Conflict as exc:
        messages.warning(request, exc.message)
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise DjangoPermissionDenied from None
        messages.warning(request, exc.message)
    return redirect(_manage_url(request, mission))


@require_POST
def mission_contact_add(request: HttpRequest, mission_id: int | None = None) -> HttpResponse:
    mission = _mission_for_post(request, mission_id)
    if not account_services.may_manage_contacts_of(request.user, mission):
        raise DjangoPermissionDenied
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            account_services.mission_contact_create(actor=request.user, mission=mission, **form.cleaned_data)
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("The address has been added."))
            return redirect(_manage_url(request, mission))
    return _mission_page(request, mission, InviteForm(), form, status=400)


@require_POST
def mission_contact_toggle(request: HttpRequest, contact_id: Any, mission_id: int | None = None) -> HttpResponse:
    mission = _mission_for_post(request, mission_id)
    try:
        contact = account_services.mission_contact_get(actor=request.user, mission=mission, contact_id=contact_id)
        field = request.POST.get("field", "is_active")
        if field not in ("is_active", "receives_notifications"):
            raise Http404
        account_services.mission_contact_update(actor=request.user, contact=contact, data={field: not getattr(contact, field)})
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise DjangoPermissionDenied from None
        messages.warning(request, exc.message)
    else:
        messages.success(request, _("The address has been updated."))
    return redirect(_manage_url(request, mission))
