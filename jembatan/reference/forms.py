"""The filter form of the reference list pages (input shape only; the selector filters)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jembatan.reference.models import Confidence
from jembatan.reference.selectors import ReferenceTable, reference_kind_choices, reference_province_choices

CONFIDENCE_SHORT = {
    Confidence.HIGH.value: _("High"),
    Confidence.MEDIUM.value: _("Medium"),
    Confidence.LOW.value: _("Low"),
}


class ReferenceFilterForm(forms.Form):
    """Search, kind/type/class, province, confidence and "in force on" for one table."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    confidence = forms.ChoiceField(
        label=_("Confidence"),
        required=False,
        choices=[("", _("All")), *CONFIDENCE_SHORT.items()],
    )
    in_force_on = forms.DateField(
        label=_("In force on"),
        required=False,
        help_text=_("Only rows valid on this date."),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date, for example 2026-11-27")},
    )

    def __init__(self, *args: Any, table: ReferenceTable, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = table
        self.fields["q"].help_text = _("Name or code; several words narrow the search.")
        if table.kind_field:
            kind_field: Any = self.fields["kind"]
            kind_field.label = table.kind_label
            kind_field.choices = [("", _("All")), *reference_kind_choices(table)]
        else:
            del self.fields["kind"]
        if table.has_province:
            province_field: Any = self.fields["province"]
            province_field.choices = [("", _("All")), *[(p, p) for p in reference_province_choices(table)]]
        else:
            del self.fields["province"]
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}-hint"
        if "kind" in self.fields:
            self.fields["kind"].error_messages["invalid_choice"] = _("Select a value from the list")
        if "province" in self.fields:
            self.fields["province"].error_messages["invalid_choice"] = _("Select a province from the list")
        self.fields["confidence"].error_messages["invalid_choice"] = _("Select high, medium or low")

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments (only the valid, non-empty ones)."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            for name in self.errors:
                if name in self.fields:
                    attrs = self.fields[name].widget.attrs
                    attrs["aria-invalid"] = "true"
                    attrs["aria-describedby"] = f"{attrs.get('aria-describedby', '')} id_{name}-error".strip()
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value not in (None, "")}
