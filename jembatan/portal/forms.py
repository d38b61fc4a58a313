"""Forms of the portal pages: input shape only; the rules are the services', whose
refusals are put back on these fields (UX.md §2.6)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from jembatan.core.exceptions import ApplicationError
from jembatan.notifications.models import AccessKind, Trigger
from jembatan.portal.models import InquiryPurpose

TEXT = {"class": "form-control"}


def put_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's refusal on its field (or at the top of the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Reference number, name in any script, or document number"),
        widget=forms.TextInput(attrs={**TEXT, "type": "search", "dir": "auto"}),
    )
    acknowledged = forms.ChoiceField(
        label=_("Receipt"),
        required=False,
        choices=[("", _("All")), ("no", _("Not yet confirmed")), ("yes", _("Confirmed"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    unread = forms.BooleanField(label=_("Only unread"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    trigger = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=[("", _("All events")), *Trigger.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    period_from = forms.DateField(label=_("Sent from"), required=False, widget=forms.DateInput(attrs={**TEXT, "type": "date"}))
    period_to = forms.DateField(label=_("Sent until"), required=False, widget=forms.DateInput(attrs={**TEXT, "type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            self.add_error("period_to", _("The end of the period must be the same as or after its start"))
        return data


class AccessRequestForm(forms.Form):
    """Kind of access, up to three proposed times in the mission's own zone, officers."""

    kind = forms.ChoiceField(
        label=_("Kind of access"),
        choices=AccessKind.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial=AccessKind.VISIT,
    )
    time_1 = forms.DateTimeField(
        label=_("First proposed date and time"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={**TEXT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    time_2 = forms.DateTimeField(
        label=_("Second proposed date and time (optional)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={**TEXT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    time_3 = forms.DateTimeField(
        label=_("Third proposed date and time (optional)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={**TEXT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    officers = forms.CharField(
        label=_("Consular officers who will visit or call"),
        help_text=_("Names and passport or diplomatic card numbers, one officer per line"),
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )
    interpreter = forms.BooleanField(
        label=_("An interpreter is needed"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3}))

    def __init__(self, *args: Any, zone: str = "Asia/Jakarta", **kwargs: Any) -> None:
        self.zone = zone
        super().__init__(*args, **kwargs)
        self.fields["time_1"].error_messages["required"] = _("Enter at least one proposed date and time")
        self.fields["officers"].error_messages["required"] = _("Enter the names of the consular officers")

    def proposed_times(self) -> list[dt.datetime]:
        tz = ZoneInfo(self.zone)
        times = []
        for name in ("time_1", "time_2", "time_3"):
            value = self.cleaned_data.get(name)
            if value:
                times.append(value.replace(tzinfo=None).replace(tzinfo=tz))
        return times

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        now = dt.datetime.now(ZoneInfo(self.zone)).replace(tzinfo=None)
        for name in ("time_1", "time_2", "time_3"):
            value = data.get(name)
            if value and value.replace(tzinfo=None) < now:
                self.add_error(name, _("The proposed time must be in the future"))
        return data


class InquiryForm(forms.Form):
    surname = forms.CharField(
        label=_("Surname"),
        help_text=_("As written in the passport"),
        max_length=120,
        widget=forms.TextInput(attrs={**TEXT, "dir": "auto", "autocomplete": "off"}),
    )
    given_names = forms.CharField(
        label=_("Given names"), required=False, max_length=200, widget=forms.TextInput(attrs={**TEXT, "dir": "auto", "autocomplete": "off"})
    )
    birth_day = forms.IntegerField(
        label=_("Day of birth"),
        required=False,
        min_value=1,
        max_value=31,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric", "maxlength": "2", "size": "3"}),
    )
    birth_month = forms.IntegerField(
        label=_("Month of birth"),
        required=False,
        min_value=1,
        max_value=12,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric", "maxlength": "2", "size": "3"}),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        min_value=1900,
        max_value=2100,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric", "maxlength": "4", "size": "5"}),
    )
    document_number = forms.CharField(
        label=_("Passport or document number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off", "spellcheck": "false"}),
    )
    purpose = forms.ChoiceField(
        label=_("Purpose of the inquiry"), choices=InquiryPurpose.choices, widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    purpose_text = forms.CharField(
        label=_("Details of the purpose"),
        required=False,
        help_text=_("Required when the purpose is Other"),
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["surname"].error_messages["required"] = _("Enter the surname as written in the passport")
        self.fields["purpose"].error_messages["required"] = _("Select the purpose of the inquiry")


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer to the mission"), widget=forms.Textarea(attrs={**TEXT, "rows": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["answer"].error_messages["required"] = _("Enter the answer to the mission")


class ForwardForm(forms.Form):
    note = forms.CharField(label=_("Note to immigration (optional)"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={**TEXT, "rows": 5, "dir": "auto"}))
    attachments = MultipleFileField(
        label=_("Attachments (optional)"), required=False, help_text=_("Up to 5 PDF, JPG or PNG files, each smaller than 10 MB")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].error_messages["required"] = _("Enter your message")


class InviteForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"}))
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off", "spellcheck": "false"})
    )
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={**TEXT, "autocomplete": "off"}))
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        choices=[("en", "English"), ("id", "Bahasa Indonesia")],
        initial="en",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    lead = forms.BooleanField(
        label=_("Lead officer (manages the mission's users and contacts)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].error_messages["required"] = _("Enter the officer's full name.")
        self.fields["username"].error_messages["required"] = _("Enter a username.")
        self.fields["email"].error_messages["required"] = _("Enter the officer's e-mail address.")
        self.fields["email"].error_messages["invalid"] = _("Enter an e-mail address in the correct format, like name@example.org")


class ContactForm(forms.Form):
    label = forms.CharField(
        label=_("Label"), max_length=120, help_text=_("For example: Consular section, duty officer"), widget=forms.TextInput(attrs=TEXT)
    )
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs=TEXT))
    phone = forms.CharField(
        label=_("Telephone (optional)"), required=False, max_length=40, widget=forms.TextInput(attrs={**TEXT, "type": "tel"})
    )
    receives_notifications = forms.BooleanField(
        label=_("Receives consular notifications"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label"].error_messages["required"] = _("Enter a label for the address, like Consular section")
        self.fields["email"].error_messages["required"] = _("Enter the e-mail address")
        self.fields["email"].error_messages["invalid"] = _("Enter an e-mail address in the correct format, like name@example.org")
