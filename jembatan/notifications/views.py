"""Pages of the consular desk and of the detaining side: the inbox, one notification with
its actions, the overdue list, consular access, the case-page forms and the KPIs.

Thin views: capability (`capability_required`), parse, one selector or service, render.
Out of scope is a 404 exactly like nonexistent; domain refusals go back onto the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jembatan.accounts.models import Agency, OrgUnit
from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_read
from jembatan.cases.models import Case
from jembatan.cases.selectors import case_get
from jembatan.core import exceptions as domain
from jembatan.core.pages import capability_required, querystring_without_page
from jembatan.notifications import access as access_services
from jembatan.notifications import forms as nforms
from jembatan.notifications import kpi as kpi_module
from jembatan.notifications.models import AccessStatus, DeliveryStatus, DetaineeLetter, Notification, NotificationStatus
from jembatan.notifications.selectors import (
    INBOX_TABS,
    SOON_HOURS,
    AccessFilters,
    access_request_get,
    access_request_list,
    access_visits,
    inbox_counts,
    notification_deliveries,
    notification_get,
    notification_list,
    notification_reminders,
    overdue_items,
    parse_uuid,
)
from jembatan.notifications.templatetags.notification_tags import hours
from jembatan.notifications.templatetags.notification_tags import month_label as month_name
from jembatan.reference.models import ZONE_ABBREVIATIONS, Country, ForeignMission

VIEW = "notifications.view_notification"
PAGE_SIZE = 50


def _zone(request: HttpRequest) -> str:
    return getattr(request.user, "time_zone", None) or "Asia/Jakarta"


def _need(request: HttpRequest, codename: str) -> None:
    if not request.user.has_perm(codename):
        raise DjangoPermissionDenied


# --- inbox ----------------------------------------------------------------------------------


def _countries_seen(items: QuerySet[Notification]) -> QuerySet[Country]:
    return Country.objects.filter(pk__in=items.values("country_id")).order_by("code")


def _offices_seen(items: QuerySet[Notification]) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(pk__in=items.values("case__reporting_unit_id")).order_by("name_id")


def _tab_label(tab: str) -> str:
    return {
        "to_check": _("To check"),
        "overdue": _("Overdue"),
        "soon": _("Due within %(hours)d hours") % {"hours": SOON_HOURS},
        "awaiting_ack": _("Awaiting acknowledgement"),
        "sent": _("Dispatched"),
        "all": _("All"),
    }[tab]


@capability_required(VIEW)
@require_GET
def inbox_view(request: HttpRequest) -> HttpResponse:
    """The consular desk's work queue: tabs with counts, filters, search, 50 a page."""
    tab = request.GET.get("tab") or "to_check"
    if tab not in INBOX_TABS:
        tab = "to_check"
    visible = Notification.objects.visible_to(request.user)
    params = {k: str(v) for k, v in request.GET.items() if k not in ("tab", "page") and v}
    form = nforms.InboxFilterForm(params or None, countries=_countries_seen(visible), offices=_offices_seen(visible))
    filters = form.to_filters(tab)
    items = notification_list(actor=request.user, filters=filters)
    counts = inbox_counts(actor=request.user, filters=filters)
    page_obj = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    from urllib.parse import urlencode

    base = urlencode(params)
    tabs = [
        {"key": key, "label": _tab_label(key), "count": counts[key], "url": "?" + urlencode({**params, "tab": key}), "current": key == tab}
        for key in INBOX_TABS
    ]
    filter_tags = []
    for name, value in params.items():
        if name in form.fields and name not in form.errors:
            rest = {k: v for k, v in params.items() if k != name}
            field: Any = form.fields[name]
            choices = getattr(field, "choices", None)
            shown = str({str(k): v for k, v in choices}.get(value, value)) if choices else value
            if value in ("on", "1", "true") and not choices:
                shown = ""
            label = f"{field.label}: {shown}" if shown else str(field.label)
            filter_tags.append({"label": label, "url": "?" + urlencode({**rest, "tab": tab})})
    return render(
        request,
        "notifications/inbox.html",
        {
            "form": form,
            "tab": tab,
            "tab_label": _tab_label(tab),
            "tabs": tabs,
            "page_obj": page_obj,
            "items": list(page_obj),
            "filter_tags": filter_tags,
            "querystring_without_page": querystring_without_page(request),
            "filter_base": base,
            "soon_hours": SOON_HOURS,
            "may_dispatch": request.user.has_perm("notifications.dispatch_notification"),
        },
    )


# --- one notification -----------------------------------------------------------------------


def _facts(notification: Notification) -> dict[str, Any]:
    if notification.facts:
        return dict(notification.facts)
    from jembatan.notifications.dispatch import notification_facts

    return notification_facts(notification)


def _pick(data: Any, lang: str, stem: str = "name") -> str:
    """`name_en`/`name_id` (or `{"id":…, "en":…}`) in the active language."""
    if not isinstance(data, dict):
        return str(data or "")
    if lang in data and isinstance(data[lang], str):
        return data[lang]
    return str(data.get(f"{stem}_{lang}") or data.get(f"{stem}_id") or "")


def _local_time(at_utc: Any, zone: Any, abbr: str) -> str:
    """An ISO UTC time as "27 Nov 2026, 14.30 WITA" in the place's zone."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import formats

    try:
        moment = dt.datetime.fromisoformat(str(at_utc)).astimezone(ZoneInfo(str(zone or "Asia/Jakarta")))
    except (ValueError, KeyError):
        return str(at_utc or "")
    return f"{formats.date_format(moment, 'SHORT_DATETIME_FORMAT')} {abbr}".strip()


def facts_summary(facts: dict[str, Any]) -> list[tuple[str, str]]:
    """What the mission is (or will be) told, as (label, value) lines in the viewer's
    language, for the check-answers list (UX.md §3.6)."""
    from django.utils.translation import get_language

    lang = "en" if (get_language() or "id").startswith("en") else "id"
    lines: list[tuple[str, str]] = []
    person = facts.get("person") or {}
    if person:
        lines.append((_("Name as in the document"), person.get("document_name", "")))
        if person.get("native_name"):
            lines.append((_("Name in native script"), person["native_name"]))
        lines.append((_("Sex"), _pick(person.get("sex_label"), lang)))
        lines.append((_("Date of birth"), _pick(person.get("birth_date_label"), lang) or "—"))
    if facts.get("nationality"):
        lines.append((_("Nationality concerned"), _pick(facts["nationality"], lang)))
    doc = facts.get("identity_document")
    if doc:
        lines.append((_("Identity document"), f"{_pick(doc.get('type_label'), lang)} {doc.get('number', '')}"))
    event = facts.get("event") or {}
    if event:
        lines.append((_("Event"), _pick(event.get("label"), lang)))
        lines.append((_("Time of the event"), _local_time(event.get("at_utc"), event.get("time_zone"), event.get("zone", ""))))
    place = facts.get("place") or {}
    if place:
        centre = place.get("detention_centre")
        lines.append((_("Place"), _pick(centre, lang) if centre else place.get("description", "") or "—"))
    basis = facts.get("legal_basis")
    if basis:
        lines.append((_("Legal basis"), f"{basis.get('law', '')} art. {basis.get('article', '')} {basis.get('paragraph', '')}".strip()))
    office = facts.get("reporting_office")
    if office:
        lines.append((_("Reporting office"), _pick(office, lang)))
    consent = facts.get("consent") or {}
    if consent:
        lines.append((_("Consent statement"), _pick(consent.get("statement"), lang)))
        lines.append((_("Consular visits"), _pick(consent.get("visits"), lang)))
    manual = facts.get("manual")
    if manual:
        lines.append((_("Sent outside Jembatan"), f"{manual.get('channel', '')}: {manual.get('note', '')}"))
    return [(label, value) for label, value in lines if value]


def _detail_context(request: HttpRequest, notification: Notification, **forms: Any) -> dict[str, Any]:
    user = request.user
    try:
        facts = _facts(notification)
    except Exception:  # noqa: BLE001 - a facts failure must not hide the rest of the page
        facts = {}
    context = {
        "notification": notification,
        "decision": notification.decision,
        "case": notification.case,
        "facts": facts_summary(facts),
        "deliveries": notification_deliveries(notification),
        "reminders": notification_reminders(notification),
        "access_requests": list(notification.case.access_requests.filter(mission_id=notification.mission_id).select_related("mission")),
        "visits": list(notification.case.consular_visits.filter(mission_id=notification.mission_id)),
        "may_dispatch": user.has_perm("notifications.dispatch_notification") and notification.status == NotificationStatus.TO_CHECK,
        "may_cancel": user.has_perm("notifications.dispatch_notification")
        and notification.status in (NotificationStatus.TO_CHECK, NotificationStatus.DISPATCHING, NotificationStatus.DISPATCHED),
        "may_acknowledge": user.has_perm("notifications.record_acknowledgement") and notification.status == NotificationStatus.DISPATCHED,
        "may_retry": user.has_perm("notifications.dispatch_notification"),
        "retryable": (DeliveryStatus.FAILED, DeliveryStatus.RETRYING),
        "ack_form": forms.get("ack_form") or nforms.AcknowledgeForm(),
        "cancel_form": forms.get("cancel_form") or nforms.CancelForm(),
        "zone_abbr": ZONE_ABBREVIATIONS.get(_zone(request), ""),
        "policy_url": _policy_url(notification) if user.has_perm("notifications.view_policy") else "",
    }
    context["form"] = next((f for f in forms.values() if f is not None and f.errors), None)
    return context


def _policy_url(notification: Notification) -> str:
    policy = notification.decision.policy
    if policy is None:
        return ""
    try:
        return reverse("notifications:policies:history", kwargs={"code": policy.country.code})
    except NoReverseMatch:
        return ""


@capability_required(VIEW)
@require_GET
def detail_view(request: HttpRequest, notification_id: str) -> HttpResponse:
    notification = notification_get(actor=request.user, notification_id=notification_id)
    return render(request, "notifications/detail.html", _detail_context(request, notification))


def _to_detail(notification: Notification, anchor: str = "") -> HttpResponse:
    return redirect(reverse("notifications:detail", kwargs={"notification_id": notification.pk}) + anchor)


@capability_required("notifications.dispatch_notification")
@require_http_methods(["GET", "POST"])
def dispatch_view(request: HttpRequest, notification_id: str) -> HttpResponse:
    """Review and send (UX.md §3.6): what the mission will receive, then "Send"."""
    notification = notification_get(actor=request.user, notification_id=notification_id, audit=request.method == "GET")
    if request.method == "POST":
        from jembatan.notifications.dispatch import notification_dispatch

        if notification.status != NotificationStatus.TO_CHECK:
            messages.info(request, _("This notification was already dispatched."))
            return _to_detail(notification)
        manual_form = None
        if notification.mission_id is None:
            from jembatan.notifications.dispatch import notification_record_manual_dispatch

            manual_form = nforms.ManualDispatchForm(request.POST)
            if not manual_form.is_valid():
                return _confirm_page(request, notification, manual_form, status=400)
        try:
            if manual_form is not None:
                notification = notification_record_manual_dispatch(
                    actor=request.user,
                    notification=notification,
                    channel=manual_form.cleaned_data["channel"],
                    note=manual_form.cleaned_data["note"],
                )
            else:
                notification = notification_dispatch(actor=request.user, notification=notification)
        except domain.ApplicationError as error:
            if manual_form is not None and not isinstance(error, domain.NotFound | domain.PermissionDenied):
                manual_form.add_service_error(error)
                return _confirm_page(request, notification, manual_form, status=400)
            messages.error(request, error.message)
            return _to_detail(notification)
        messages.success(request, _("Notification dispatched: %(ref)s.") % {"ref": notification.reference})
        return _to_detail(notification)
    if notification.status != NotificationStatus.TO_CHECK:
        return _to_detail(notification)
    return _confirm_page(request, notification, nforms.ManualDispatchForm() if notification.mission_id is None else None)


def _confirm_page(request: HttpRequest, notification: Notification, manual_form: Any, status: int = 200) -> HttpResponse:
    context = _detail_context(request, notification)
    context["contacts"] = (
        list(notification.mission.contacts.filter(is_active=True, receives_notifications=True)) if notification.mission else []
    )
    context["manual_form"] = manual_form
    context["form"] = manual_form if manual_form is not None and manual_form.errors else None
    return render(request, "notifications/dispatch_confirm.html", context, status=status)


@capability_required(VIEW)
@require_GET
def document_view(request: HttpRequest, notification_id: str) -> HttpResponse:
    """The bilingual PDF: the stored one once dispatched, a preview before. Audited."""
    notification = notification_get(actor=request.user, notification_id=notification_id, audit=False)
    if notification.document:
        with notification.document.open("rb") as handle:
            content = handle.read()
    else:
        from jembatan.notifications.documents import notification_pdf

        content = notification_pdf(notification)
    audit_read(
        actor=request.user,
        action=AuditAction.NOTIFICATION_DOCUMENT_READ,
        target=notification,
        data={"preview": not bool(notification.document)},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{notification.reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@capability_required("notifications.record_acknowledgement")
@require_POST
def acknowledge_view(request: HttpRequest, notification_id: str) -> HttpResponse:
    notification = notification_get(actor=request.user, notification_id=notification_id, audit=False)
    form = nforms.AcknowledgeForm(request.POST)
    if form.is_valid():
        when = form.acknowledged_at(_zone(request))
        if not form.errors:
            from jembatan.notifications.dispatch import notification_acknowledge

            try:
                notification = notification_acknowledge(
                    actor=request.user,
                    notification=notification,
                    channel=form.cleaned_data["channel"],
                    note=form.cleaned_data["note"],
                    acknowledged_at=when,
                )
            except domain.ApplicationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Acknowledgement recorded."))
                return _to_detail(notification, "#acknowledgement")
    return render(request, "notifications/detail.html", _detail_context(request, notification, ack_form=form), status=400)


@capability_required("notifications.dispatch_notification")
@require_POST
def cancel_view(request: HttpRequest, notification_id: str) -> HttpResponse:
    notification = notification_get(actor=request.user, notification_id=notification_id, audit=False)
    form = nforms.CancelForm(request.POST)
    if form.is_valid():
        from jembatan.notifications.dispatch import notification_cancel

        try:
            notification = notification_cancel(actor=request.user, notification=notification, reason=form.cleaned_data["reason"])
        except domain.ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Notification cancelled."))
            return _to_detail(notification)
    return render(request, "notifications/detail.html", _detail_context(request, notification, cancel_form=form), status=400)


@capability_required("notifications.dispatch_notification")
@require_POST
def delivery_retry_view(request: HttpRequest, notification_id: str, delivery_id: int) -> HttpResponse:
    notification = notification_get(actor=request.user, notification_id=notification_id, audit=False)
    delivery = notification.deliveries.filter(pk=delivery_id).first()
    if delivery is None:
        raise domain.NotFound()
    from jembatan.notifications.dispatch import delivery_retry

    try:
        delivery_retry(actor=request.user, delivery=delivery)
    except domain.ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Delivery to %(recipient)s will be tried again.") % {"recipient": delivery.recipient})
    return _to_detail(notification, "#deliveries")


# --- overdue --------------------------------------------------------------------------------


@capability_required(VIEW)
@require_GET
def overdue_view(request: HttpRequest) -> HttpResponse:
    items = overdue_items(actor=request.user)
    from jembatan.notifications.selectors import ACK_FOLLOW_UP_HOURS

    return render(request, "notifications/overdue.html", {"overdue": items, "ack_hours": ACK_FOLLOW_UP_HOURS})


# --- consular access (detaining side) -------------------------------------------------------


@capability_required(VIEW)
@require_GET
def access_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    if status not in AccessStatus.values:
        status = ""
    items = access_request_list(actor=request.user, filters=AccessFilters(status=status))
    page_obj = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/access_list.html",
        {
            "page_obj": page_obj,
            "items": list(page_obj),
            "status": status,
            "statuses": AccessStatus.choices,
            "querystring_without_page": querystring_without_page(request),
        },
    )


def _access_context(request: HttpRequest, item: Any, **forms: Any) -> dict[str, Any]:
    user = request.user
    may_host = user.has_perm("notifications.schedule_access") and Case.objects.visible_to(user).filter(pk=item.case_id).exists()
    is_open = item.status in (AccessStatus.REQUESTED, AccessStatus.SCHEDULED)
    context = {
        "item": item,
        "case": item.case,
        "visits": access_visits(item),
        "is_open": is_open,
        "may_host": may_host and is_open,
        "may_visit": is_open and user.has_perm("notifications.record_visit") and may_host,
        "schedule_form": forms.get("schedule_form") or nforms.ScheduleForm(),
        "refuse_form": forms.get("refuse_form") or nforms.RefuseForm(),
        "decline_form": forms.get("decline_form") or nforms.DeclineForm(),
        "visit_form": forms.get("visit_form") or nforms.VisitForm(initial={"kind": item.kind, "officers": item.officers}),
        "place_zone": item.case.time_zone,
        "place_zone_abbr": ZONE_ABBREVIATIONS.get(item.case.time_zone, item.case.time_zone),
    }
    context["form"] = next((f for f in forms.values() if f is not None and f.errors), None)
    return context


@capability_required(VIEW)
@require_GET
def access_detail_view(request: HttpRequest, access_id: str) -> HttpResponse:
    item = access_request_get(actor=request.user, access_id=access_id)
    return render(request, "notifications/access_detail.html", _access_context(request, item))


def _to_access(item: Any) -> HttpResponse:
    return redirect(reverse("notifications:access_detail", kwargs={"access_id": item.pk}))


@capability_required("notifications.schedule_access")
@require_POST
def access_action_view(request: HttpRequest, access_id: str, action: str) -> HttpResponse:
    """Schedule, refuse, declined by the detainee, or record the visit."""
    item = access_request_get(actor=request.user, access_id=access_id)
    zone = item.case.time_zone
    form: Any
    try:
        if action == "schedule":
            form = nforms.ScheduleForm(request.POST)
            if form.is_valid() and (when := form.scheduled_for(zone)) is not None and not form.errors:
                access_services.access_schedule(actor=request.user, request=item, scheduled_for=when, note=form.cleaned_data["note"])
                messages.success(request, _("The visit is scheduled. The mission has been told."))
                return _to_access(item)
            return _access_error(request, item, schedule_form=form)
        if action == "refuse":
            form = nforms.RefuseForm(request.POST)
            if form.is_valid():
                access_services.access_refuse(actor=request.user, request=item, reason=form.cleaned_data["reason"])
                messages.success(request, _("The refusal is recorded. The mission has been told."))
                return _to_access(item)
            return _access_error(request, item, refuse_form=form)
        if action == "decline":
            form = nforms.DeclineForm(request.POST)
            if form.is_valid():
                access_services.access_declined_by_detainee(actor=request.user, request=item, statement=form.cleaned_data["statement"])
                messages.success(request, _("The detainee's refusal is recorded. The mission has been told."))
                return _to_access(item)
            return _access_error(request, item, decline_form=form)
        if action == "visit":
            _need(request, "notifications.record_visit")
            form = nforms.VisitForm(request.POST)
            if form.is_valid() and (when := form.occurred_at(zone)) is not None and not form.errors:
                access_services.visit_record(
                    actor=request.user,
                    case=item.case,
                    mission=item.mission,
                    occurred_at=when,
                    officers=form.cleaned_data["officers"],
                    outcome=form.cleaned_data["outcome"],
                    kind=form.cleaned_data["kind"],
                    duration_minutes=form.cleaned_data.get("duration_minutes"),
                    access_request=item,
                )
                messages.success(request, _("The visit is recorded on the case history."))
                return _to_access(item)
            return _access_error(request, item, visit_form=form)
    except (domain.NotFound, domain.PermissionDenied):
        raise
    except domain.ApplicationError as error:
        form.add_service_error(error)
        return _access_error(request, item, **{f"{action}_form": form})
    raise domain.NotFound()


def _access_error(request: HttpRequest, item: Any, **forms: Any) -> HttpResponse:
    return render(request, "notifications/access_detail.html", _access_context(request, item, **forms), status=400)


# --- forms of the case-page section ---------------------------------------------------------


def _case(request: HttpRequest, case_id: str) -> Case:
    return case_get(actor=request.user, case_id=case_id)


def _to_case(case: Case) -> HttpResponse:
    return redirect(reverse("cases:detail", kwargs={"case_id": case.pk}) + "#consular")


def _case_form_page(request: HttpRequest, case: Case, form: Any, title: str, action: str, status: int = 200) -> HttpResponse:
    return render(
        request,
        "notifications/case_form.html",
        {"case": case, "form": form, "title": title, "action": action, "zone_abbr": ZONE_ABBREVIATIONS.get(case.time_zone, case.time_zone)},
        status=status,
    )


def _case_missions(case: Case) -> QuerySet[ForeignMission]:
    countries = case.person.nationality_links.values("country_id")
    return ForeignMission.objects.filter(country_id__in=countries).order_by("sending_entity", "city")


@capability_required("notifications.record_access_request")
@require_http_methods(["GET", "POST"])
def case_access_request_view(request: HttpRequest, case_id: str) -> HttpResponse:
    case = _case(request, case_id)
    form = nforms.AccessRequestForm(request.POST or None, missions=_case_missions(case))
    if request.method == "POST" and form.is_valid():
        times = form.proposed(case.time_zone)
        if not form.errors:
            try:
                access_services.access_request_create(
                    actor=request.user,
                    case=case,
                    mission=form.cleaned_data["mission"],
                    kind=form.cleaned_data["kind"],
                    proposed_times=times,
                    officers=form.cleaned_data["officers"],
                    note=form.cleaned_data["note"],
                )
            except domain.ApplicationError as error:
                if isinstance(error, domain.NotFound | domain.PermissionDenied):
                    raise
                form.add_service_error(error)
            else:
                messages.success(request, _("The access request is recorded. The detaining office has been told."))
                return _to_case(case)
    title = _("Record a consular access request")
    return _case_form_page(request, case, form, title, request.path, 400 if form.errors else 200)


@capability_required(VIEW)
@require_http_methods(["GET", "POST"])
def case_rights_view(request: HttpRequest, case_id: str) -> HttpResponse:
    """A changed answer on consular notification (the person changes their mind)."""
    case = _case(request, case_id)
    form = nforms.RightsAdviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        when = form.informed_at(case.time_zone)
        if when is not None and not form.errors:
            from jembatan.notifications.services import rights_advice_record

            data = form.cleaned_data
            try:
                rights_advice_record(
                    actor=request.user,
                    case=case,
                    informed_at=when,
                    language=data["language"],
                    answer=data["answer"],
                    objects_to_visits=data["objects_to_visits"],
                    statement=data["statement"],
                    interpreter=data["interpreter"],
                )
            except domain.ApplicationError as error:
                if isinstance(error, domain.NotFound | domain.PermissionDenied):
                    raise
                form.add_service_error(error)
            else:
                messages.success(request, _("The person's answer is recorded."))
                return _to_case(case)
    return _case_form_page(
        request, case, form, _("Record the person's answer on consular notification"), request.path, 400 if form.errors else 200
    )


@capability_required("notifications.log_letter")
@require_http_methods(["GET", "POST"])
def case_letter_view(request: HttpRequest, case_id: str) -> HttpResponse:
    case = _case(request, case_id)
    form = nforms.LetterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        when = form.received_at(case.time_zone)
        if when is not None and not form.errors:
            from jembatan.notifications.services import letter_log

            try:
                letter_log(actor=request.user, case=case, received_at=when, description=form.cleaned_data["description"])
            except domain.ApplicationError as error:
                if isinstance(error, domain.NotFound | domain.PermissionDenied):
                    raise
                form.add_service_error(error)
            else:
                messages.success(request, _("The letter is logged. It must be forwarded to the consulate without delay."))
                return _to_case(case)
    return _case_form_page(
        request, case, form, _("Log a letter from the detainee to the consulate"), request.path, 400 if form.errors else 200
    )


@capability_required("notifications.forward_letter")
@require_http_methods(["GET", "POST"])
def letter_forward_view(request: HttpRequest, letter_id: str) -> HttpResponse:
    pk = parse_uuid(DetaineeLetter, letter_id)
    letter = DetaineeLetter.objects.visible_to(request.user).select_related("case").filter(pk=pk).first()
    if letter is None:
        raise domain.NotFound()
    form = nforms.ForwardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from jembatan.notifications.services import letter_forward

        try:
            letter_forward(actor=request.user, letter=letter, note=form.cleaned_data["note"])
        except domain.ApplicationError as error:
            if isinstance(error, domain.NotFound | domain.PermissionDenied):
                raise
            form.add_service_error(error)
        else:
            messages.success(request, _("The letter is recorded as forwarded."))
            return _to_case(letter.case)
    return _case_form_page(request, letter.case, form, _("Record that the letter was forwarded"), request.path, 400 if form.errors else 200)


# --- KPIs -----------------------------------------------------------------------------------


def _kpi_filters(request: HttpRequest) -> tuple[nforms.KpiFilterForm, kpi_module.KpiFilters]:
    visible = Notification.objects.visible_to(request.user)
    agencies = Agency.objects.filter(pk__in=visible.values("case__reporting_agency_id")).order_by("name_id")
    form = nforms.KpiFilterForm(request.GET or None, countries=_countries_seen(visible), agencies=agencies)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    agency = data.get("agency")
    filters = kpi_module.KpiFilters(
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        country=data.get("country") or "",
        agency_id=agency.pk if agency else None,
        zone=_zone(request),
    )
    return form, filters


@capability_required("notifications.view_kpi")
@require_GET
def kpi_view(request: HttpRequest) -> HttpResponse:
    form, filters = _kpi_filters(request)
    report = kpi_module.kpi_report(actor=request.user, filters=filters)
    return render(
        request,
        "notifications/kpi.html",
        {
            "form": form if form.errors else None,
            "filter_form": form,
            "report": report,
            "month_rows": [(month_name(m), n, str(n)) for m, n in report.per_month],
            "country_rows": [
                (row.label, row.detention_to_dispatch.median, hours(row.detention_to_dispatch.median)) for row in report.by_country
            ],
            "zone_abbr": ZONE_ABBREVIATIONS.get(filters.zone, filters.zone),
            "querystring": request.GET.urlencode(),
        },
    )


@capability_required("notifications.view_kpi")
@require_GET
def kpi_csv_view(request: HttpRequest) -> HttpResponse:
    _form, filters = _kpi_filters(request)
    body = kpi_module.kpi_csv(actor=request.user, filters=filters)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="jembatan-konvensi-kpi.csv"'
    return response
