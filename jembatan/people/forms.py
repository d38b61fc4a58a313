"""Forms of the people pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PersonSearchForm(forms.Form):
    """The one search box: any name, in any script, or a document number."""

    q = forms.CharField(
        label=_("Name or document number"),
        help_text=_("Any part of the name as in the passport or in the native script, or the full passport number."),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Enter at most 200 characters")},
        widget=forms.TextInput(
            attrs={"type": "search", "class": "form-control", "dir": "auto", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
