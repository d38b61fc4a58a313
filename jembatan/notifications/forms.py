"""Forms of the notification pages: input shape only; the services decide the rules and their
refusals are put back on these fields (UX.md §2.6)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jembatan.accounts.models import Agency, OrgUnit
from jembatan.cases.forms import CaseForm, DatePartsField, language_choices, parse_time
from jembatan.cases.models import RightsAnswer
from jembatan.notifications.models import AccessKind, AcknowledgementChannel, NotificationStatus, Trigger
from jembatan.notifications.selectors import NotificationFilters
from jembatan.reference.models import Country, ForeignMission


def _optional(label: Any) -> Any:
    return _("%(label)s (optional)") % {"label": label}


class WhenMixin:
    """A date (three fields) plus a local time, read in the zone of the place."""

    def when(self, date_name: str, time_name: str, zone: str, *, required: bool, what: Any) -> dt.datetime | None:
        form: Any = self
        cleaned = form.cleaned_data
        day = cleaned.get(date_name)
        text = (cleaned.get(time_name) or "").strip()
        parsed = parse_time(text) if text else None
        if text and parsed is None:
            form.add_error(time_name, _("Enter the time as hours and minutes, for example 14.30"))
            return None
        if day is None and parsed is None:
            if required and date_name not in form.errors:
                form.add_error(date_name, _("Enter %(what)s") % {"what": what})
            return None
        if day is None:
            if date_name not in form.errors:
                form.add_error(date_name, _("Enter %(what)s") % {"what": what})
            return None
        if parsed is None:
            form.add_error(time_name, _("Enter the time, for example 14.30"))
            return None
        return timezone.make_aware(dt.datetime.combine(day, parsed), ZoneInfo(zone))


def _time_field(label: Any, zone_abbr: str = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=5, required=False, help_text=_("Local time, for example 14.30"))


class InboxFilterForm(CaseForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Notification number, case number or the person's name in any script"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *NotificationStatus.choices])
    country = forms.ChoiceField(label=_("Nationality"), required=False)
    trigger = forms.ChoiceField(label=_("Event"), required=False, choices=[("", _("Any event")), *Trigger.choices])
    office = forms.ModelChoiceField(
        label=_("Reporting office"), required=False, queryset=OrgUnit.objects.none(), empty_label=_("Any office")
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)

    def __init__(self, *args: Any, countries: QuerySet[Country], offices: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["country"]
        field.choices = [("", _("Any nationality")), *[(c.code, f"{c.code} – {c.name}") for c in countries]]
        office: Any = self.fields["office"]
        office.queryset = offices

    def to_filters(self, tab: str) -> NotificationFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        office = data.get("office")
        return NotificationFilters(
            tab=tab,
            status=data.get("status") or "",
            country=data.get("country") or "",
            trigger=data.get("trigger") or "",
            overdue=bool(data.get("overdue")),
            office_id=office.pk if office else None,
            query=data.get("q") or "",
        )


class CancelForm(CaseForm):
    reason = forms.CharField(
        label=_("Why is this notification cancelled?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Enter the reason for cancelling")},
    )


class AcknowledgeForm(WhenMixin, CaseForm):
    field_aliases = {"acknowledged_at": "ack_date", "channel": "channel", "note": "note"}

    channel = forms.ChoiceField(
        label=_("How did the mission confirm receipt?"),
        choices=[c for c in AcknowledgementChannel.choices if c[0] != AcknowledgementChannel.PORTAL],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how the mission confirmed receipt")},
    )
    ack_date = DatePartsField(label=_optional(_("Date of the confirmation")), what=_("The date"), help_text=_("Leave empty for now"))
    ack_time = _time_field(_optional(_("Time of the confirmation")))
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who confirmed, the note number or the e-mail"),
        error_messages={"required": _("Enter who confirmed receipt and how")},
    )

    def acknowledged_at(self, zone: str) -> dt.datetime | None:
        return self.when("ack_date", "ack_time", zone, required=False, what=_("the date of the confirmation"))


class AccessRequestForm(WhenMixin, CaseForm):
    """The consular desk records a request received by note, phone or e-mail."""

    field_aliases = {"proposed_times": "proposed_date"}

    mission = forms.ModelChoiceField(
        label=_("Mission asking for access"),
        queryset=ForeignMission.objects.none(),
        error_messages={"required": _("Select the mission that asks for access")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of access"),
        choices=AccessKind.choices,
        widget=forms.RadioSelect,
        initial=AccessKind.VISIT,
        error_messages={"required": _("Select a visit, a telephone call or a video call")},
    )
    proposed_date = DatePartsField(label=_optional(_("Proposed date")), what=_("The proposed date"))
    proposed_time = _time_field(_optional(_("Proposed time")))
    officers = forms.CharField(label=_optional(_("Consular officers")), required=False, max_length=1000)
    note = forms.CharField(label=_optional(_("Note")), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, missions: QuerySet[ForeignMission], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["mission"]
        field.queryset = missions

    def proposed(self, zone: str) -> list[dt.datetime]:
        moment = self.when("proposed_date", "proposed_time", zone, required=False, what=_("the proposed date"))
        return [moment] if moment else []


class ScheduleForm(WhenMixin, CaseForm):
    field_aliases = {"scheduled_for": "scheduled_date"}

    scheduled_date = DatePartsField(
        label=_("Date of the visit"),
        what=_("The date of the visit"),
        required=True,
        error_messages={"required": _("Enter the date of the visit")},
    )
    scheduled_time = _time_field(_("Time of the visit"))
    note = forms.CharField(
        label=_optional(_("Message to the mission")),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where to come, what to bring"),
    )

    def scheduled_for(self, zone: str) -> dt.datetime | None:
        return self.when("scheduled_date", "scheduled_time", zone, required=True, what=_("the date of the visit"))


class RefuseForm(CaseForm):
    reason = forms.CharField(
        label=_("Reason for refusing access"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The mission is told this reason"),
        error_messages={"required": _("Enter the reason for refusing access")},
    )


class DeclineForm(CaseForm):
    statement = forms.CharField(
        label=_("What the detainee said"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        help_text=_("In the detainee's own words (VCCR art. 36(1)(c))"),
        error_messages={"required": _("Enter what the detainee said when declining the visit")},
    )


class VisitForm(WhenMixin, CaseForm):
    field_aliases = {"occurred_at": "visit_date"}

    kind = forms.ChoiceField(label=_("Kind of access"), choices=AccessKind.choices, widget=forms.RadioSelect, initial=AccessKind.VISIT)
    visit_date = DatePartsField(
        label=_("Date of the visit"),
        what=_("The date of the visit"),
        required=True,
        error_messages={"required": _("Enter the date of the visit")},
    )
    visit_time = _time_field(_("Time of the visit"))
    duration_minutes = forms.IntegerField(label=_optional(_("Duration in minutes")), required=False, min_value=0, max_value=1440)
    officers = forms.CharField(
        label=_("Consular officers present"),
        max_length=1000,
        error_messages={"required": _("Enter the names of the consular officers present")},
    )
    outcome = forms.CharField(label=_optional(_("Outcome")), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def occurred_at(self, zone: str) -> dt.datetime | None:
        return self.when("visit_date", "visit_time", zone, required=True, what=_("the date of the visit"))


class RightsAdviceForm(WhenMixin, CaseForm):
    """A changed answer: the person now asks for, or declines, notification."""

    field_aliases = {
        "informed_at": "informed_date",
        "rights_informed_at": "informed_date",
        "rights_language": "language",
        "rights_answer": "answer",
        "rights_objects_to_visits": "objects_to_visits",
        "rights_statement": "statement",
        "rights_interpreter": "interpreter",
    }

    answer = forms.ChoiceField(
        label=_("The person's answer"),
        choices=RightsAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the person's answer")},
    )
    informed_date = DatePartsField(
        label=_("Date the person was informed"),
        what=_("The date"),
        required=True,
        error_messages={"required": _("Enter the date the person was informed")},
    )
    informed_time = _time_field(_("Time the person was informed"))
    language = forms.ChoiceField(
        label=_("Language used"),
        choices=[],
        error_messages={"required": _("Select the language used to explain consular rights")},
    )
    interpreter = forms.CharField(label=_optional(_("Interpreter")), required=False, max_length=200)
    objects_to_visits = forms.BooleanField(label=_("The person expressly objects to consular visits"), required=False)
    statement = forms.CharField(
        label=_optional(_("The person's statement")),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["language"]
        field.choices = language_choices()

    def informed_at(self, zone: str) -> dt.datetime | None:
        return self.when("informed_date", "informed_time", zone, required=True, what=_("the date the person was informed"))


class LetterForm(WhenMixin, CaseForm):
    field_aliases = {"received_at": "received_date"}

    received_date = DatePartsField(
        label=_("Date the letter was handed over"),
        what=_("The date"),
        required=True,
        error_messages={"required": _("Enter the date the letter was handed over")},
    )
    received_time = _time_field(_("Time the letter was handed over"))
    description = forms.CharField(
        label=_("Description of the letter"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Describe the letter")},
    )

    def received_at(self, zone: str) -> dt.datetime | None:
        return self.when("received_date", "received_time", zone, required=True, what=_("the date the letter was handed over"))


class ForwardForm(CaseForm):
    note = forms.CharField(
        label=_("How the letter was forwarded"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Enter how the letter was forwarded")},
    )


class KpiFilterForm(CaseForm):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    country = forms.ChoiceField(label=_("Nationality"), required=False)
    agency = forms.ModelChoiceField(
        label=_("Reporting agency"), required=False, queryset=Agency.objects.none(), empty_label=_("Any agency")
    )

    def __init__(self, *args: Any, countries: QuerySet[Country], agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["country"]
        field.choices = [("", _("Any nationality")), *[(c.code, f"{c.code} – {c.name}") for c in countries]]
        agency: Any = self.fields["agency"]
        agency.queryset = agencies

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period must be on or after its start"))
        return cleaned


class ManualDispatchForm(CaseForm):
    """A notice sent outside Jembatan (no mission on record): how, and a note."""

    channel = forms.ChoiceField(
        label=_("How was the notification sent?"),
        choices=[],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how the notification was sent")},
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("To whom, the note number or the address"),
        error_messages={"required": _("Enter to whom and how the notification was sent")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.utils.translation import get_language

        from jembatan.notifications.dispatch import MANUAL_CHANNELS

        super().__init__(*args, **kwargs)
        index = 1 if (get_language() or "id").startswith("en") else 0
        field: Any = self.fields["channel"]
        field.choices = [(key, pair[index]) for key, pair in MANUAL_CHANNELS.items()]
