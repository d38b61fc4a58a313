"""The embassy portal's pages for mission officers: inbox, one notification (document,
facts, timeline, confirm receipt, ask for consular access), whereabouts inquiries and
messages. Thin views: capability check, one selector or service, render. Anything outside
the mission's scope is a 404 exactly like something that does not exist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import Context
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jembatan.core.exceptions import ApplicationError, Conflict
from jembatan.core.pages import capability_required, querystring_without_page
from jembatan.notifications.models import AccessStatus
from jembatan.portal import selectors
from jembatan.portal.forms import AccessRequestForm, InboxFilterForm, InquiryForm, MessageForm, put_error
from jembatan.portal.models import InquiryStatus
from jembatan.portal.querysets import mission_of
from jembatan.portal.services import inbox as inbox_services
from jembatan.portal.services import inquiries as inquiry_services
from jembatan.portal.services import messages as message_services
from jembatan.portal.templatetags.portal import portal_time

VIEW = "portal.view_portal"
PAGE_SIZE = 50
INTERPRETER_NEEDED = "Diperlukan juru bahasa / An interpreter is needed."


def _zone(request: HttpRequest) -> str:
    return getattr(request.user, "time_zone", None) or "Asia/Jakarta"


def portal_context(request: HttpRequest) -> dict[str, Any]:
    """What every portal page shows in its header: the mission and the unread counts."""
    mission = mission_of(request.user)
    if mission is None:
        raise Http404
    return {
        "mission": mission,
        "counts": selectors.inbox_counts(actor=request.user),
        "unread_messages": selectors.unread_message_count(actor=request.user),
    }


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, {**portal_context(request), **context}, status=status)


# --- inbox ---------------------------------------------------------------------------------------


@capability_required(VIEW)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None)
    filters = selectors.InboxFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.InboxFilters(
            q=data.get("q") or "",
            acknowledged=data.get("acknowledged") or "",
            trigger=data.get("trigger") or "",
            unread=bool(data.get("unread")),
            period_from=data.get("period_from"),
            period_to=data.get("period_to"),
        )
    rows = selectors.inbox_list(actor=request.user, filters=filters, zone=_zone(request))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = any(v not in ("", None, False) for v in filters.__dict__.values())
    return _render(
        request,
        "portal/inbox.html",
        {
            "form": form,
            "page_obj": page,
            "notifications": page.object_list,
            "filtered": filtered,
            "querystring_without_page": querystring_without_page(request),
        },
    )


def _notification(request: HttpRequest, notification_id: Any, audit: bool = True) -> Any:
    return selectors.notification_for_portal(actor=request.user, notification_id=notification_id, audit=audit)


@capability_required(VIEW)
@require_GET
def notification_detail(request: HttpRequest, notification_id: Any) -> HttpResponse:
    notification = _notification(request, notification_id)
    inbox_services.notification_mark_read(actor=request.user, notification=notification)
    return _render(
        request,
        "portal/notification_detail.html",
        {
            "notification": notification,
            "facts": selectors.mission_facts(notification),
            "timeline": selectors.mission_timeline(actor=request.user, notification=notification),
            "access_requests": selectors.access_requests_for(actor=request.user, notification=notification),
            "visits": selectors.visits_for(actor=request.user, notification=notification),
            "open_access_statuses": (AccessStatus.REQUESTED, AccessStatus.SCHEDULED),
        },
    )


@capability_required(VIEW)
@require_GET
def notification_document(request: HttpRequest, notification_id: Any) -> HttpResponse:
    notification = _notification(request, notification_id, audit=False)
    content, filename = inbox_services.notification_document(actor=request.user, notification=notification)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@capability_required("portal.acknowledge_notification")
@require_POST
def notification_acknowledge(request: HttpRequest, notification_id: Any) -> HttpResponse:
    notification = _notification(request, notification_id, audit=False)
    try:
        notification = inbox_services.notification_acknowledge_in_portal(actor=request.user, notification=notification)
    except Conflict as exc:
        messages.warning(request, exc.message)
        return redirect("portal:notification_detail", notification.pk)
    when = portal_time(Context({"user": request.user}), notification.acknowledged_at, _zone(request), "DATETIME_FORMAT")
    messages.success(request, format_html("{} {}", _("Receipt confirmed on"), when))
    return redirect("portal:notification_detail", notification.pk)


@capability_required("portal.request_access")
@require_http_methods(["GET", "POST"])
def access_request_new(request: HttpRequest, notification_id: Any) -> HttpResponse:
    notification = _notification(request, notification_id, audit=False)
    zone = _zone(request)
    form = AccessRequestForm(request.POST or None, zone=zone)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data.get("note") or ""
        if form.cleaned_data.get("interpreter"):
            # Read by the detaining side: in both languages, whatever the officer's.
            note = (INTERPRETER_NEEDED + "\n" + note).strip()
        try:
            access = inbox_services.access_request_from_portal(
                actor=request.user,
                notification=notification,
                kind=form.cleaned_data["kind"],
                proposed_times=form.proposed_times(),
                officers=form.cleaned_data["officers"],
                note=note,
            )
        except ApplicationError as exc:
            if exc.status_code == 404:
                raise Http404 from None
            put_error(form, exc)
        else:
            messages.success(request, _("Your request for consular access has been sent."))
            return redirect("portal:access_detail", access.pk)
    return _render(request, "portal/access_form.html", {"notification": notification, "form": form, "zone": zone})


@capability_required(VIEW)
@require_GET
def access_detail(request: HttpRequest, access_id: Any) -> HttpResponse:
    access = inbox_services.access_request_for_portal(actor=request.user, access_id=access_id)
    visit = getattr(access, "visit", None) if hasattr(access, "visit") else None
    return _render(request, "portal/access_detail.html", {"access": access, "visit": visit})


# --- inquiries -----------------------------------------------------------------------------------


@capability_required("portal.ask_whereabouts")
@require_GET
def inquiry_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in InquiryStatus.values else ""
    rows = selectors.inquiry_list(actor=request.user, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "portal/inquiry_list.html",
        {
            "page_obj": page,
            "inquiries": page.object_list,
            "status": status,
            "statuses": InquiryStatus.choices,
            "querystring_without_page": querystring_without_page(request),
        },
    )


@capability_required("portal.ask_whereabouts")
@require_http_methods(["GET", "POST"])
def inquiry_new(request: HttpRequest) -> HttpResponse:
    form = InquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inquiry = inquiry_services.inquiry_create(
                actor=request.user,
                surname=data["surname"],
                given_names=data.get("given_names") or "",
                birth_year=data.get("birth_year"),
                birth_month=data.get("birth_month"),
                birth_day=data.get("birth_day"),
                document_number=data.get("document_number") or "",
                purpose=data["purpose"],
                purpose_text=data.get("purpose_text") or "",
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("Inquiry %(ref)s has been sent to the consular directorate.") % {"ref": inquiry.reference})
            return redirect("portal:inquiry_detail", inquiry.pk)
    return _render(request, "portal/inquiry_form.html", {"form": form})


@capability_required("portal.ask_whereabouts")
@require_GET
def inquiry_detail(request: HttpRequest, inquiry_id: Any) -> HttpResponse:
    inquiry = selectors.inquiry_get(actor=request.user, inquiry_id=inquiry_id)
    return _render(request, "portal/inquiry_detail.html", {"inquiry": inquiry})


@capability_required("portal.ask_whereabouts")
@require_POST
def inquiry_close(request: HttpRequest, inquiry_id: Any) -> HttpResponse:
    inquiry = selectors.inquiry_get(actor=request.user, inquiry_id=inquiry_id)
    try:
        inquiry_services.inquiry_close(actor=request.user, inquiry=inquiry)
    except Conflict as exc:
        messages.warning(request, exc.message)
    else:
        messages.success(request, _("The inquiry is closed."))
    return redirect("portal:inquiry_detail", inquiry.pk)


# --- messages ------------------------------------------------------------------------------------


@capability_required("portal.message_ministry")
@require_GET
def thread_list(request: HttpRequest) -> HttpResponse:
    threads = selectors.threads_with_unread(actor=request.user)
    page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "portal/thread_list.html",
        {"page_obj": page, "threads": page.object_list, "querystring_without_page": querystring_without_page(request)},
    )


@capability_required("portal.message_ministry")
@require_POST
def notification_thread(request: HttpRequest, notification_id: Any) -> HttpResponse:
    notification = _notification(request, notification_id, audit=False)
    thread = message_services.thread_open(actor=request.user, notification=notification)
    return redirect("portal:thread_detail", thread.pk)


def thread_page(request: HttpRequest, thread_id: Any, *, template: str, detail_name: str, extra: dict[str, Any]) -> HttpResponse:
    """One thread with its messages and the reply form; shared by both sides."""
    thread = selectors.thread_get(actor=request.user, thread_id=thread_id)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            message_services.message_send(
                actor=request.user, thread=thread, body=form.cleaned_data["body"], attachments=form.cleaned_data.get("attachments") or []
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("Your message has been sent."))
            return redirect(detail_name, thread.pk)
    items = selectors.thread_messages(thread=thread)
    message_services.thread_mark_read(actor=request.user, thread=thread)
    return render(request, template, {**extra, "thread": thread, "thread_messages": items, "form": form})


@capability_required("portal.message_ministry")
@require_http_methods(["GET", "POST"])
def thread_detail(request: HttpRequest, thread_id: Any) -> HttpResponse:
    return thread_page(
        request, thread_id, template="portal/thread_detail.html", detail_name="portal:thread_detail", extra=portal_context(request)
    )


@require_GET
def attachment_download(request: HttpRequest, attachment_id: Any) -> HttpResponse | FileResponse:
    """An attachment of a thread the user sees (either side)."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    from jembatan.core.exceptions import NotFound

    try:
        attachment = message_services.attachment_get(actor=request.user, attachment_id=attachment_id)
        handle = message_services.attachment_open(actor=request.user, attachment=attachment)
    except NotFound:
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type, as_attachment=True, filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
