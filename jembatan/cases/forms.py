"""Forms of the case pages: input shape only. The rules (which fields a kind needs, dates,
legal bases, immunity) are the services'; their refusals are put back on these fields."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jembatan.cases.lifecycle import (
    ADMINISTRATIVE_ACTIONS,
    BAN_KINDS,
    LEGAL_BASIS_KINDS,
    LEGAL_BASIS_REQUIRED,
    RIGHTS_ADVICE_KINDS,
    CaseKind,
    CaseStatus,
    DetentionGround,
)
from jembatan.cases.models import CaseDocument, RightsAnswer
from jembatan.cases.selectors import CaseFilters
from jembatan.cases.services import REPORTABLE_EVENTS
from jembatan.core.exceptions import ApplicationError
from jembatan.reference.models import ZONE_ABBREVIATIONS, Country, DetentionCentre, LegalBasis, TimeZoneName

# --- GOV.UK date input: day, month and year as three numeric fields (UX.md §2.3) --------------


class DatePartsWidget(forms.MultiWidget):
    """Three numeric inputs. The day input carries the field's own id, so the error
    summary's link (#id_<field>) lands on it."""

    template_name = "cases/widgets/date_parts.html"
    part_labels = (_("Day"), _("Month"), _("Year"))

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        def part(size: int) -> forms.TextInput:
            return forms.TextInput(
                attrs={
                    "class": "form-control",
                    "inputmode": "numeric",
                    "maxlength": str(size),
                    "size": str(size + 1),
                    "autocomplete": "off",
                }
            )

        super().__init__([part(2), part(2), part(4)], attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        base_id = (attrs or {}).get("id") or self.attrs.get("id")
        for index, (sub, label) in enumerate(zip(context["widget"]["subwidgets"], self.part_labels, strict=True)):
            sub["label"] = label
            if base_id:
                sub["attrs"]["id"] = base_id if index == 0 else f"{base_id}_{('day', 'month', 'year')[index]}"
        return context

    def id_for_label(self, id_: str) -> str:
        return id_


class DatePartsField(forms.MultiValueField):
    """A whole date from three numbers; every message says what to enter."""

    widget = DatePartsWidget

    def __init__(self, *, what: Any, **kwargs: Any) -> None:
        self.what = what
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        kwargs.setdefault("required", False)
        super().__init__(fields=fields, require_all_fields=False, **kwargs)
        self.help_text = kwargs.get("help_text") or _("For example, 27 11 2026")

    def compress(self, data_list: list[Any]) -> dt.date | None:
        parts = [str(p or "").strip() for p in (data_list or [])] + ["", "", ""]
        day, month, year = parts[:3]
        if not (day or month or year):
            return None
        missing = [label for value, label in ((day, _("a day")), (month, _("a month")), (year, _("a year"))) if not value]
        if missing:
            raise forms.ValidationError(
                _("%(what)s must include %(parts)s") % {"what": self.what, "parts": " ".join(str(m) for m in missing)}, code="incomplete"
            )
        try:
            if len(year) != 4:
                raise ValueError
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(
                _("%(what)s must be a real date, for example 27 11 2026") % {"what": self.what}, code="invalid"
            ) from None

    def clean(self, value: Any) -> Any:
        # MultiValueField reports "required" per part; we want one message per date.
        if not value or not any(str(v or "").strip() for v in value):
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        return self.compress(list(value))


_TIME = re.compile(r"^(?P<h>\d{1,2})[.:]?(?P<m>\d{2})$")


def parse_time(text: str) -> dt.time | None:
    """ "14.30", "14:30", "1430", "9.05" → a time (UX.md §2.3); None if not a time."""
    match = _TIME.match((text or "").strip().replace(" ", ""))
    if not match:
        return None
    hour, minute = int(match["h"]), int(match["m"])
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


# --- shared behaviour: Bootstrap classes and the ARIA links of UX.md §2.6 -------------------


class CaseForm(forms.Form):
    """Bootstrap classes on every widget; inputs in error point at their message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput | DatePartsWidget):
                if isinstance(widget, forms.CheckboxInput):
                    widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if field.help_text and not isinstance(widget, DatePartsWidget | forms.RadioSelect):
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_errors()

    def mark_errors(self) -> None:
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                if not isinstance(self.fields[name].widget, DatePartsWidget | forms.RadioSelect):
                    error_id = f"{self[name].auto_id}-error"
                    if error_id not in attrs.get("aria-describedby", ""):
                        attrs["aria-describedby"] = " ".join(filter(None, [attrs.get("aria-describedby"), error_id]))

    # Service field → form field, where they differ.
    field_aliases: dict[str, str] = {}

    def add_service_error(self, error: ApplicationError) -> None:
        """Put a service's refusal (all its problems) on the fields it names."""
        problems = error.extra.get("errors") or [{"field": error.field, "message": error.message}]
        for problem in problems:
            field = self.field_aliases.get(problem["field"] or "", problem["field"])
            self.add_error(field if field in self.fields else None, problem["message"])
        self.mark_errors()


# --- the case list filters ------------------------------------------------------------------


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseFilterForm(CaseForm):
    """Filters in the query string (UX.md §2.9); every field optional."""

    q = forms.CharField(
        label=_("Name, document number or case number"),
        help_text=_("Any part of the name, in any script"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": _("Enter at most 200 characters")},
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *CaseKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All statuses")), *CaseStatus.choices])
    nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    office = forms.TypedChoiceField(label=_("Reporting office"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(
        label=_("Event from"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=_date_input(),
        error_messages={"invalid": _("Enter the start date as a real date, for example 2026-11-27")},
    )
    date_to = forms.DateField(
        label=_("Event to"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=_date_input(),
        error_messages={"invalid": _("Enter the end date as a real date, for example 2026-11-27")},
    )
    open = forms.BooleanField(label=_("Open cases only"), required=False)
    overdue = forms.BooleanField(
        label=_("Needing attention only"),
        required=False,
        help_text=_("Detentions longer than a year; bans past their end date that are still in force"),
    )
    ceiling = forms.BooleanField(label=_("Detentions nearing the 10-year ceiling"), required=False)
    immunity = forms.BooleanField(label=_("Flagged by the immunity registry"), required=False)

    def __init__(self, *args: Any, offices: QuerySet[Any], nationalities: QuerySet[Country], zone_abbr: str = "WIB", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office_field: Any = self.fields["office"]
        office_field.choices = [("", _("All offices")), *[(unit.pk, unit.name) for unit in offices]]
        nationality_field: Any = self.fields["nationality"]
        nationality_field.choices = [("", _("All nationalities")), *[(c.code, f"{c.code} – {c.name}") for c in nationalities]]
        hint = _("Whole day in %(zone)s, included") % {"zone": zone_abbr}
        for name in ("date_from", "date_to"):
            self.fields[name].help_text = hint
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}-hint"
        for name in ("kind", "status", "nationality", "office"):
            self.fields[name].error_messages["invalid_choice"] = _("Select a value from the list")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must be the same as or after the start date"))
        return cleaned

    def to_filters(self, *, zone: str) -> CaseFilters:
        """The valid filters; a field in error is left out (the page shows its message)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        ok = {k: v for k, v in data.items() if k not in self.errors}
        return CaseFilters(
            kind=ok.get("kind") or "",
            status=ok.get("status") or "",
            nationality=ok.get("nationality") or "",
            office_id=ok.get("office"),
            date_from=ok.get("date_from"),
            date_to=ok.get("date_to"),
            overdue=bool(ok.get("overdue")),
            nearing_ceiling=bool(ok.get("ceiling")),
            immunity_flagged=bool(ok.get("immunity")),
            open_only=bool(ok.get("open")),
            query=(ok.get("q") or "").strip(),
            zone=zone,
        )


# --- recording a case -----------------------------------------------------------------------

_OCCURRED_LABELS: dict[str, Any] = {
    CaseKind.DETENTION: _("Date of detention"),
    CaseKind.DEATH: _("Date of death"),
    CaseKind.IMMIGRATION_CRIME: _("Date of arrest or report"),
    CaseKind.CRIMINAL_CASE: _("Date of arrest or report"),
    CaseKind.CIVIL_CASE: _("Date the case began"),
    CaseKind.IMPRISONMENT: _("Date the sentence began"),
    CaseKind.GUARDIANSHIP: _("Date the need for a guardian was reported"),
    CaseKind.WRECK_OR_AIR_ACCIDENT: _("Date of the wreck or accident"),
}
_PLACE_LABELS: dict[str, Any] = {
    CaseKind.DETENTION: _("Other place of detention"),
    CaseKind.PLACE_PROHIBITION: _("Places the person may not be in"),
    CaseKind.RESIDENCE_OBLIGATION: _("Place where the person must reside"),
    CaseKind.IMMIGRATION_CRIME: _("Place of arrest or of the offence"),
    CaseKind.CRIMINAL_CASE: _("Place of arrest or of the offence"),
    CaseKind.IMPRISONMENT: _("Prison"),
    CaseKind.DEATH: _("Place of death"),
    CaseKind.GUARDIANSHIP: _("Where the person is staying"),
    CaseKind.WRECK_OR_AIR_ACCIDENT: _("Place of the wreck or accident"),
}
_COURT_KINDS = frozenset(
    {CaseKind.IMMIGRATION_CRIME, CaseKind.CRIMINAL_CASE, CaseKind.CIVIL_CASE, CaseKind.IMPRISONMENT, CaseKind.GUARDIANSHIP}
)
_DECISION_KINDS = frozenset({*ADMINISTRATIVE_ACTIONS, CaseKind.DETENTION})


def _optional(label: Any) -> Any:
    return _("%(label)s (optional)") % {"label": label}


class DetentionCentreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DetentionCentre) -> str:
        return f"{obj.name} ({ZONE_ABBREVIATIONS.get(obj.time_zone, obj.time_zone)})"


class LegalBasisChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LegalBasis) -> str:
        summary = obj.summary
        return f"{obj} – {summary[:100]}{'…' if len(summary) > 100 else ''}"


def language_choices() -> list[tuple[str, Any]]:
    """Every language Django knows, by its name in the active language, with its code."""
    from django.conf.locale import LANG_INFO
    from django.utils.translation import get_language_info

    names = []
    for code, info in LANG_INFO.items():
        if "name" not in info or "-" in code:
            continue
        names.append((code, f"{get_language_info(code)['name_translated']} ({info['name_local']}, {code})"))
    names.sort(key=lambda pair: pair[1].casefold())
    return [("", _("Select the language")), *names]


# The consular rights part of the intake form (VCCR art. 36(1)(b)): the service's names.
RIGHTS_FIELD_NAMES = (
    "rights_informed_date",
    "rights_informed_time",
    "rights_language",
    "rights_interpreter",
    "rights_answer",
    "rights_objects_to_visits",
    "rights_statement",
    "nationality_known_date",
    "nationality_known_time",
)


class CaseCreateForm(CaseForm):
    """The facts of a new case of one kind: only that kind's fields are on the form.

    Times are entered in the zone of the place (the detention centre's, or the one chosen)
    and stored in UTC by the service.
    """

    field_aliases = {
        "occurred_at": "occurred_date",
        "person": "",
        "kind": "",
        "rights_informed_at": "rights_informed_date",
        "nationality_known_at": "nationality_known_date",
    }
    rights_names = RIGHTS_FIELD_NAMES

    def __init__(self, *args: Any, kind: str, zone: str, show_override: bool = False, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(*args, **kwargs)
        f = self.fields
        occurred_label = _OCCURRED_LABELS.get(kind, _("Date of the decision"))
        f["occurred_date"] = DatePartsField(label=occurred_label, what=occurred_label)
        f["occurred_time"] = forms.CharField(
            label=_("Time"),
            max_length=5,
            help_text=_("Local time at the place, for example 14.30"),
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "form-control jb-time"}),
        )
        f["time_zone"] = forms.ChoiceField(
            label=_("Time zone of the place"),
            choices=TimeZoneName.choices,
            initial=zone,
            help_text=_("For a detention centre, the centre's own zone is used"),
        )
        if kind == CaseKind.DETENTION:
            f["detention_ground"] = forms.ChoiceField(
                label=_("Ground of detention (UU 6/2011 art. 83(1))"),
                choices=DetentionGround.choices,
                widget=forms.RadioSelect,
                required=False,
            )
            f["detention_centre"] = DetentionCentreChoiceField(
                label=_("Detention centre"),
                queryset=DetentionCentre.objects.in_force().order_by("name_id"),
                required=False,
                empty_label=_("Not in a detention centre"),
                help_text=_("Or enter the place below: a detention room, a hospital, a shelter for children"),
            )
        if kind in _PLACE_LABELS:
            label = _PLACE_LABELS[kind]
            required = kind in (CaseKind.PLACE_PROHIBITION, CaseKind.RESIDENCE_OBLIGATION)
            f["place_description"] = forms.CharField(label=label if required else _optional(label), max_length=300, required=False)
        if kind in BAN_KINDS:
            f["starts_on"] = DatePartsField(label=_("Start of the ban"), what=_("The start date"))
            f["ends_on"] = DatePartsField(
                label=_("End of the ban"),
                what=_("The end date"),
                help_text=_("At most 6 months after the start") if kind == CaseKind.EXIT_BAN else _("At most 10 years after the start"),
            )
            f["requesting_agency"] = forms.CharField(
                label=_("Requesting agency"),
                max_length=200,
                required=False,
                help_text=_("For example, the Attorney General's Office, the Police, KPK or BNN"),
            )
        if kind == CaseKind.DEPORTATION:
            f["starts_on"] = DatePartsField(label=_optional(_("Planned date of deportation")), what=_("The planned date"))
        if kind == CaseKind.COST_CHARGE:
            f["charge_amount"] = forms.CharField(
                label=_("Amount of the charge (Rp)"),
                max_length=20,
                required=False,
                help_text=_("In figures, for example 15000000"),
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )
            f["overstay_days"] = forms.CharField(
                label=_optional(_("Days of overstay")),
                max_length=6,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )
        if kind in _COURT_KINDS:
            f["court"] = forms.CharField(label=_optional(_("Court or investigating body")), max_length=200, required=False)
        allowed_bases = LEGAL_BASIS_KINDS.get(kind)
        bases = LegalBasis.objects.in_force().order_by("law", "article", "paragraph")
        if allowed_bases:
            bases = bases.filter(kind__in=allowed_bases)
        basis_label = _("Legal basis") if kind in LEGAL_BASIS_REQUIRED else _optional(_("Legal basis"))
        f["legal_basis"] = LegalBasisChoiceField(label=basis_label, queryset=bases, required=False, empty_label=_("Select the article"))
        if kind in _DECISION_KINDS:
            f["decision_number"] = forms.CharField(label=_optional(_("Decision number")), max_length=100, required=False)
        f["summary"] = forms.CharField(
            label=_optional(_("Summary of the facts")),
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        )
        if kind in RIGHTS_ADVICE_KINDS:
            self._add_rights_fields()
        if show_override:
            f["immunity_override_reason"] = forms.CharField(
                label=_("Reason for recording the detention despite full immunity"),
                required=False,
                max_length=2000,
                help_text=_("Stored with your name, shown on the case and recorded in the audit log"),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        # Fields added after the base __init__ get the same classes and ARIA links.
        self.style_fields()

    def _add_rights_fields(self) -> None:
        f = self.fields
        informed = _("Date the person was informed of the right to consular notification")
        f["rights_informed_date"] = DatePartsField(
            label=informed,
            what=_("The date the person was informed"),
            help_text=_("Tell the person without delay once you know or suspect they are a foreign national (VCCR art. 36(1)(b))"),
        )
        f["rights_informed_time"] = forms.CharField(
            label=_("Time the person was informed"),
            max_length=5,
            required=False,
            help_text=_("Local time at the place, for example 14.30"),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "form-control jb-time"}),
        )
        f["rights_language"] = forms.ChoiceField(label=_("Language used to inform the person"), choices=language_choices(), required=False)
        f["rights_interpreter"] = forms.CharField(label=_optional(_("Interpreter")), max_length=200, required=False)
        f["rights_answer"] = forms.ChoiceField(
            label=_("The person's answer"),
            choices=RightsAnswer.choices,
            widget=forms.RadioSelect,
            required=False,
            help_text=_("For some countries the consulate is notified even if the person declines"),
        )
        f["rights_objects_to_visits"] = forms.BooleanField(
            label=_("The person expressly objects to visits by consular officers (VCCR art. 36(1)(c))"), required=False
        )
        f["rights_statement"] = forms.CharField(
            label=_optional(_("The person's statement")),
            required=False,
            max_length=5000,
            help_text=_("Required if the person objects to consular visits: their words, as said"),
            widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        )
        known = _("Date foreign nationality became known or suspected")
        f["nationality_known_date"] = DatePartsField(label=_optional(known), what=_("The date nationality became known"))
        f["nationality_known_time"] = forms.CharField(
            label=_optional(_("Time foreign nationality became known")),
            max_length=5,
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "form-control jb-time"}),
        )

    @property
    def has_rights(self) -> bool:
        return "rights_answer" in self.fields

    def _moment(self, cleaned: dict[str, Any], date_name: str, time_name: str, *, required: bool) -> dt.datetime | None:
        day = cleaned.get(date_name)
        time_text = (cleaned.get(time_name) or "").strip()
        parsed = parse_time(time_text) if time_text else None
        if time_text and parsed is None:
            self.add_error(time_name, _("Enter the time as hours and minutes, for example 14.30"))
        elif day is not None and parsed is None and (required or date_name in self.fields):
            self.add_error(time_name, _("Enter the time, for example 14.30"))
        elif parsed is not None and day is None and date_name not in self.errors:
            self.add_error(date_name, _("Enter the date"))
        return dt.datetime.combine(day, parsed) if day and parsed else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        time_text = (cleaned.get("occurred_time") or "").strip()
        day = cleaned.get("occurred_date")
        if time_text:
            parsed = parse_time(time_text)
            if parsed is None:
                self.add_error("occurred_time", _("Enter the time as hours and minutes, for example 14.30"))
            cleaned["occurred_time_parsed"] = parsed
        elif day is not None:
            self.add_error("occurred_time", _("Enter the time of the event, for example 14.30"))
        if self.has_rights:
            cleaned["rights_informed_at"] = self._moment(cleaned, "rights_informed_date", "rights_informed_time", required=True)
            cleaned["nationality_known_at"] = self._moment(cleaned, "nationality_known_date", "nationality_known_time", required=False)
        return cleaned

    def to_data(self) -> dict[str, Any]:
        """The service's `data`: the event time is naive, in the place's zone (so are the
        times of the consular rights advice)."""
        data = dict(self.cleaned_data)
        day, time = data.pop("occurred_date", None), data.pop("occurred_time_parsed", None)
        data.pop("occurred_time", None)
        for name in ("rights_informed_date", "rights_informed_time", "nationality_known_date", "nationality_known_time"):
            data.pop(name, None)
        data["occurred_at"] = dt.datetime.combine(day, time) if day and time else None
        return {k: v for k, v in data.items() if v not in (None, "")} | {"occurred_at": data["occurred_at"]}


# --- actions on a case ----------------------------------------------------------------------


class TransitionForm(CaseForm):
    # The statuses are buttons, not one input: a refusal is shown for the whole form.
    field_aliases = {"occurred_at": "", "to_status": ""}

    to_status = forms.ChoiceField(label=_("New status"), choices=CaseStatus.choices)
    note = forms.CharField(
        label=_optional(_("Note on the change")),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        error_messages={"max_length": _("Enter at most 10,000 characters")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_status"].error_messages["invalid_choice"] = _("Select one of the statuses offered")


class NoteForm(CaseForm):
    text = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Notes cannot be changed later. To correct one, add a new note."),
        error_messages={"max_length": _("Enter at most 10,000 characters")},
    )


class DocumentForm(CaseForm):
    document_type = forms.ChoiceField(
        label=_("Type of document"), choices=[("", _("Select the type")), *CaseDocument.DocumentType.choices], required=False
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        allow_empty_file=True,
        help_text=_("PDF, JPG or PNG, at most 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args: Any, max_bytes: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if max_bytes:
            size = max_bytes / (1024 * 1024)
            self.fields["file"].help_text = _("PDF, JPG or PNG, at most %(size)s MB") % {"size": f"{size:g}"}


class EventReportForm(CaseForm):
    field_aliases = {"occurred_at": "occurred_date"}

    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[(k.value, k.label) for k in REPORTABLE_EVENTS],
        widget=forms.RadioSelect,
        required=False,
    )
    occurred_date = DatePartsField(label=_optional(_("Date")), what=_("The date"), help_text=_("Leave empty if it happened just now"))
    occurred_time = forms.CharField(label=_optional(_("Time")), max_length=5, required=False, help_text=_("Local time, for example 14.30"))
    detention_centre = DetentionCentreChoiceField(
        label=_("New detention centre (transfer)"),
        queryset=DetentionCentre.objects.none(),
        required=False,
        empty_label=_("Not a detention centre"),
    )
    place_description = forms.CharField(label=_("Or the new place (transfer)"), max_length=300, required=False)
    summary = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        help_text=_("Required for a serious illness: what it is and where the person is treated"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        centre: Any = self.fields["detention_centre"]
        centre.queryset = DetentionCentre.objects.in_force().order_by("name_id")
        self.fields["kind"].error_messages["invalid_choice"] = _("Select what happened")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("kind") and "kind" not in self.errors:
            self.add_error("kind", _("Select what happened"))
        time_text = (cleaned.get("occurred_time") or "").strip()
        day = cleaned.get("occurred_date")
        parsed = parse_time(time_text) if time_text else None
        if time_text and parsed is None:
            self.add_error("occurred_time", _("Enter the time as hours and minutes, for example 14.30"))
        elif day is not None and parsed is None:
            self.add_error("occurred_time", _("Enter the time it happened, for example 14.30"))
        elif parsed is not None and day is None:
            self.add_error("occurred_date", _("Enter the date it happened"))
        cleaned["occurred_naive"] = dt.datetime.combine(day, parsed) if day and parsed else None
        return cleaned

    def occurred_at(self, zone: str) -> dt.datetime | None:
        naive = self.cleaned_data.get("occurred_naive")
        if naive is None:
            return None
        from zoneinfo import ZoneInfo

        return timezone.make_aware(naive, ZoneInfo(zone))
