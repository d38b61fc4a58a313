"""Pages of the country consular policies (`/notifications/policies/`): the list of the rules
in force, a country's history, and the form to record a new version from a date.

`notifications.view_policy` to see, `notifications.manage_policy` to record a change.
Reference data (treaty facts): no personal data, so no read audit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from jembatan.cases.forms import CaseForm, DatePartsField
from jembatan.core import exceptions as domain
from jembatan.core.pages import capability_required, querystring_without_page
from jembatan.notifications.models import CountryPolicy, NotificationMode
from jembatan.notifications.policies import (
    DEFAULT_POLICY,
    MAX_DEADLINE_HOURS,
    policy_change,
    policy_history,
    policy_in_force,
    policy_list,
)
from jembatan.reference.models import Country


class PolicyFilterForm(CaseForm):
    q = forms.CharField(label=_("Country"), required=False, max_length=100, help_text=_("Name or three-letter code, for example AUS"))
    mode = forms.ChoiceField(label=_("Notification mode"), required=False, choices=[("", _("Any mode")), *NotificationMode.choices])


class CountryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Country) -> str:
        return f"{obj.name} ({obj.code})"


class PolicyChangeForm(CaseForm):
    """A new version of a country's policy, from a date. Checks are the service's."""

    field_aliases = {"country": ""}

    valid_from = DatePartsField(
        label=_("Takes effect on"),
        what=_("The date the rule takes effect"),
        help_text=_("For example 1 12 2026. The current version ends the day before."),
    )
    mode = forms.ChoiceField(label=_("Notification mode"), choices=NotificationMode.choices, widget=forms.RadioSelect, required=False)
    deadline_hours = forms.IntegerField(
        label=_("Deadline (hours)"),
        required=False,
        min_value=1,
        max_value=MAX_DEADLINE_HOURS,
        help_text=_("Counted from the detention or the event. The Convention says “without delay”; 24 to 72 hours is usual."),
        error_messages={
            "invalid": _("Enter the deadline as a whole number of hours"),
            "min_value": _("Enter at least 1 hour"),
            "max_value": _("Enter at most %(limit_value)s hours"),
        },
    )
    automatic_dispatch = forms.BooleanField(label=_("Send notices automatically, without a check by the consular desk"), required=False)
    languages = forms.CharField(
        label=_("Languages of the notice"),
        required=False,
        max_length=100,
        help_text=_("Language codes separated by spaces. Indonesian (id) and English (en) are always included."),
    )
    covers_protected_persons = forms.BooleanField(
        label=_("The mandatory rule also covers refugees and asylum seekers"),
        required=False,
        help_text=_("Leave unticked unless the agreement says so: a refugee or asylum seeker who has not asked is then not notified."),
    )
    excludes_permanent_residents = forms.BooleanField(
        label=_("Permanent residents (ITAP holders) are excluded from the mandatory rule"), required=False
    )
    protecting_power = CountryChoiceField(
        label=_("Protecting power (optional)"),
        queryset=Country.objects.filter(kind=Country.Kind.ISO).order_by("name_en"),
        required=False,
        empty_label=_("None"),
        help_text=_("Receives the notices if the country has no mission accredited to Indonesia"),
    )
    agreement_reference = forms.CharField(label=_("Agreement (optional)"), required=False, max_length=300)
    source_instrument = forms.CharField(
        label=_("Source"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where the rule comes from: the agreement, a diplomatic note, an official statement. Required for a mandatory rule."),
    )
    scope_notes = forms.CharField(label=_("Scope notes (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("valid_from") is None and "valid_from" not in self.errors:
            self.add_error("valid_from", _("Enter the date the rule takes effect"))
        if not cleaned.get("mode") and "mode" not in self.errors:
            self.add_error("mode", _("Select the notification mode"))
        if cleaned.get("deadline_hours") is None and "deadline_hours" not in self.errors:
            self.add_error("deadline_hours", _("Enter the deadline in hours"))
        return cleaned


def _country(code: str) -> Country:
    country = Country.objects.filter(code=code.upper()).first()
    if country is None:
        raise Http404
    return country


@capability_required("notifications.view_policy")
@require_http_methods(["GET"])
def policy_list_view(request: HttpRequest) -> HttpResponse:
    form = PolicyFilterForm(request.GET or None)
    query = mode = ""
    if form.is_valid():
        query, mode = form.cleaned_data["q"], form.cleaned_data["mode"]
    rows = policy_list(query=query, mode=mode)
    page_obj = Paginator(rows, settings.UI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/policies/list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "items": page_obj.object_list,
            "filtered": bool(query or mode),
            "querystring_without_page": querystring_without_page(request),
            "may_manage": request.user.has_perm("notifications.manage_policy"),
            "mandatory_count": policy_list(mode=NotificationMode.MANDATORY).count(),
        },
    )


@capability_required("notifications.view_policy")
@require_http_methods(["GET"])
def policy_history_view(request: HttpRequest, code: str) -> HttpResponse:
    country = _country(code)
    return render(
        request,
        "notifications/policies/history.html",
        {
            "country": country,
            "versions": policy_history(country),
            "current": policy_in_force(country, timezone.now()),
            "default": DEFAULT_POLICY,
            "may_manage": request.user.has_perm("notifications.manage_policy"),
        },
    )


def _initial(policy: CountryPolicy | None) -> dict[str, Any]:
    if policy is None:
        return {"mode": DEFAULT_POLICY.mode, "deadline_hours": DEFAULT_POLICY.deadline_hours, "languages": "id en"}
    return {
        "mode": policy.mode,
        "deadline_hours": policy.deadline_hours,
        "automatic_dispatch": policy.automatic_dispatch,
        "languages": " ".join(policy.languages or []),
        "covers_protected_persons": policy.covers_protected_persons,
        "excludes_permanent_residents": policy.excludes_permanent_residents,
        "protecting_power": policy.protecting_power_id,
        "agreement_reference": policy.agreement_reference,
        "source_instrument": policy.source_instrument,
        "scope_notes": policy.scope_notes,
    }


@capability_required("notifications.manage_policy")
@require_http_methods(["GET", "POST"])
def policy_change_view(request: HttpRequest, code: str) -> HttpResponse:
    country = _country(code)
    latest = CountryPolicy.objects.filter(country=country).order_by("-valid_from").first()
    form = PolicyChangeForm(request.POST or None, initial=_initial(latest))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        valid_from: dt.date = data.pop("valid_from")
        try:
            policy_change(actor=request.user, country=country, valid_from=valid_from, **data)
        except domain.ApplicationError as error:
            if isinstance(error, domain.NotFound | domain.PermissionDenied):
                raise
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("The new rule for %(country)s is recorded from %(date)s.") % {"country": country.name, "date": valid_from.isoformat()},
            )
            return redirect("notifications:policies:history", code=country.code)
    return render(
        request,
        "notifications/policies/form.html",
        {"form": form, "country": country, "latest": latest},
        status=400 if form.errors else 200,
    )
