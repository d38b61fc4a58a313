"""The audit-log filter form (shape only; the selector does the filtering)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from jembatan.audit.events import AuditAction
from jembatan.audit.selectors import AuditFilters


def _text_input(name: str, *, hint: bool = False, **attrs: Any) -> forms.TextInput:
    if hint:
        attrs["aria-describedby"] = f"id_{name}-hint"
    return forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", **attrs})


def _date_input(name: str) -> forms.DateInput:
    return forms.DateInput(
        attrs={"class": "form-control", "type": "date", "aria-describedby": f"id_{name}-hint"},
        format="%Y-%m-%d",
    )


class AuditFilterForm(forms.Form):
    """Filters in the query string. Every field is optional; dates are in the viewer's zone."""

    user = forms.CharField(
        label=_("User"), required=False, max_length=150, help_text=_("Part of the username"), widget=_text_input("user", hint=True)
    )
    agency: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=None,  # set in __init__: agencies by lazy model reference (audit sits below accounts)
        required=False,
        empty_label=_("All agencies"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    action = forms.TypedChoiceField(
        label=_("Action"),
        choices=[("", _("All actions")), *AuditAction.choices],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    object_type = forms.CharField(
        label=_("Object type"),
        required=False,
        max_length=100,
        help_text=_("For example people.person"),
        widget=_text_input("object_type", hint=True, spellcheck="false"),
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64, widget=_text_input("object_id", spellcheck="false"))
    request_id = forms.CharField(label=_("Request id"), required=False, max_length=64, widget=_text_input("request_id", spellcheck="false"))
    date_from = forms.DateField(
        label=_("From date"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=_date_input("date_from"),
        error_messages={"invalid": _("Enter the start date as a real date, for example 2026-11-27")},
    )
    date_to = forms.DateField(
        label=_("To date"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=_date_input("date_to"),
        error_messages={"invalid": _("Enter the end date as a real date, for example 2026-11-27")},
    )

    def __init__(self, *args: Any, zone_abbr: str = "WIB", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = cast("forms.ModelChoiceField[Any]", self.fields["agency"])
        agency_field.queryset = apps.get_model("accounts", "Agency").objects.order_by("kind", "name_id")
        hint = _("Whole day in %(zone)s, included") % {"zone": zone_abbr}
        self.fields["date_from"].help_text = hint
        self.fields["date_to"].help_text = hint

    def full_clean(self) -> None:
        super().full_clean()
        # Fields in error point at their message (UX.md §2.6).
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = " ".join(filter(None, [attrs.get("aria-describedby"), f"id_{name}-error"]))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must be the same as or after the start date"))
        return cleaned

    def to_filters(self, *, zone: str) -> AuditFilters:
        """The validated filters; call only after `is_valid()`."""
        data = self.cleaned_data
        agency = data.get("agency")
        return AuditFilters(
            user=(data.get("user") or "").strip(),
            agency_id=agency.pk if agency else None,
            action=data.get("action"),
            object_type=(data.get("object_type") or "").strip(),
            object_id=(data.get("object_id") or "").strip(),
            request_id=(data.get("request_id") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            zone=zone,
        )
