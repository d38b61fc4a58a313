"""Forms of the traffic query pages: whereabouts search, overstay filters, statistics
filters (the overstay proposal's form is the case register's: jembatan/cases/overstay_views.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from jembatan.core.exceptions import ApplicationError
from jembatan.reference.models import Checkpoint, ImmigrationOffice
from jembatan.traffic.models import TrafficMonthly
from jembatan.traffic.overstays import DAY_BANDS, OverstayFilters
from jembatan.traffic.selectors import StatisticsFilters

_CODE = re.compile(r"^[A-Za-z]{1,3}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class StyledForm(forms.Form):
    """Bootstrap classes; hints and errors linked to their input (UX.md §2.6)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields and not isinstance(self.fields[name].widget, forms.RadioSelect):
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = " ".join(filter(None, [attrs.get("aria-describedby"), f"{self[name].auto_id}-error"]))

    def add_service_error(self, error: ApplicationError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


def _code_field(label: Any, help_text: Any, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=3,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "form-control jb-code", "size": 4}),
    )


def _date_part(label: Any, size: int) -> forms.CharField:
    """One box of a GOV.UK date input (as the register's intake form has them)."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=size,
        error_messages={"max_length": _("Enter the date of birth as numbers, for example 14 3 1985.")},
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "inputmode": "numeric",
                "autocomplete": "off",
                "size": str(size + 1),
                "maxlength": str(size),
                "aria-describedby": "id_birth-hint",
            }
        ),
    )


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _clean_code(value: str, message: Any) -> str:
    value = (value or "").strip().upper()
    if value and not _CODE.match(value):
        raise forms.ValidationError(message)
    return value


class WhereaboutsForm(StyledForm):
    """By document (number and issuing state) or by name and date of birth; the purpose
    is always required (it goes to the audit log)."""

    BY_DOCUMENT = "document"
    BY_NAME = "name"

    by = forms.ChoiceField(
        label=_("Search by"),
        choices=[(BY_DOCUMENT, _("Travel document")), (BY_NAME, _("Name and date of birth"))],
        initial=BY_DOCUMENT,
        widget=forms.RadioSelect,
    )
    document_number = forms.CharField(
        label=_("Document number"),
        required=False,
        max_length=30,
        help_text=_("As printed in the passport, such as PA1234567."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    issuing_state = _code_field(_("Issuing state"), _("ICAO code of the state that issued the document, such as AUS, CHN or D."))
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        help_text=_("In any script: Latin as in the passport, or Chinese, Arabic, Cyrillic…"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "dir": "auto"}),
    )
    birth_day = _date_part(_("Day"), 2)
    birth_month = _date_part(_("Month"), 2)
    birth_year = _date_part(_("Year"), 4)
    nationality = _code_field(_("Nationality (optional)"), _("ICAO code, such as AUS. Leave empty to search every nationality."))
    purpose = forms.CharField(
        label=_("Purpose of this lookup"),
        max_length=300,
        help_text=_(
            "The inquiry, case or task this answers, such as “Inquiry 2026-0042 from the Australian embassy”. Recorded in the audit log."
        ),
        error_messages={"required": _("Enter the purpose of this lookup, such as the inquiry or case it answers.")},
    )

    def clean_issuing_state(self) -> str:
        return _clean_code(self.cleaned_data.get("issuing_state", ""), _("Enter the issuing state as its ICAO code, such as AUS or D."))

    def clean_nationality(self) -> str:
        return _clean_code(self.cleaned_data.get("nationality", ""), _("Enter the nationality as its ICAO code, such as AUS or D."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("by") == self.BY_DOCUMENT:
            if not (data.get("document_number") or "").strip():
                self.add_error("document_number", _("Enter the document number."))
            if not data.get("issuing_state") and "issuing_state" not in self.errors:
                self.add_error("issuing_state", _("Enter the issuing state as its ICAO code, such as AUS or D."))
        elif data.get("by") == self.BY_NAME:
            if not (data.get("name") or "").strip():
                self.add_error("name", _("Enter the name, in any script."))
            data["birth_date"] = self._clean_birth_date()
        return data

    def _clean_birth_date(self) -> tuple[int | None, int | None, int | None] | None:
        """(year, month, day) from the three boxes; only the year is required, a day needs
        its month. 00 (or nothing) is an unknown day or month. Errors go on the box at fault."""
        if any(f"birth_{part}" in self.errors for part in ("day", "month", "year")):
            return None
        text = {part: (self.cleaned_data.get(f"birth_{part}") or "").strip() for part in ("day", "month", "year")}
        for part, value in text.items():
            if value and not value.isdigit():
                self.add_error(f"birth_{part}", _("Enter the date of birth as numbers, for example 14 3 1985."))
                return None
        day, month, year = (int(text[part]) if text[part] else 0 for part in ("day", "month", "year"))
        if not text["year"]:
            self.add_error("birth_year", _("Enter at least the year of birth, such as 1980."))
        elif len(text["year"]) != 4 or not 1900 <= year <= 2100:
            self.add_error("birth_year", _("Enter the year of birth with 4 digits, such as 1980."))
        elif month > 12:
            self.add_error("birth_month", _("Enter a month of birth from 1 to 12, or leave it empty."))
        elif day and not month:
            self.add_error("birth_month", _("Enter the month of birth when you enter the day."))
        elif day and not _real_date(year, month, day):
            self.add_error("birth_day", _("Enter a real date of birth, for example 14 3 1985."))
        else:
            return (year, month or None, day or None)
        return None

    @property
    def birth_group(self) -> dict[str, Any]:
        """The three boxes as one GOV.UK date input (`people/includes/date_input.html`)."""
        fields = [self["birth_day"], self["birth_month"], self["birth_year"]]
        errors: list[str] = []
        for field in fields:
            errors += [str(e) for e in field.errors if str(e) not in errors]
        hint = _("For example, 14 3 1985. If only the year or the month and year are known, leave the rest empty.")
        return {"name": "birth", "legend": _("Date of birth"), "hint": hint, "fields": fields, "errors": errors, "id": "id_birth"}

    def full_clean(self) -> None:
        super().full_clean()
        # The three boxes are described by the group's hint and error, not their own.
        errors = self.errors if self.is_bound else {}
        invalid = any(errors.get(f"birth_{part}") for part in ("day", "month", "year"))
        for part in ("day", "month", "year"):
            attrs = self.fields[f"birth_{part}"].widget.attrs
            attrs["aria-describedby"] = "id_birth-hint" + (" id_birth-error" if invalid else "")
            if errors.get(f"birth_{part}"):
                attrs["aria-invalid"] = "true"

    def add_service_error(self, error: ApplicationError) -> None:
        if error.field == "birth_date":
            self.add_error("birth_day", error.message)
            return
        super().add_service_error(error)


def _band_choices() -> list[tuple[str, Any]]:
    labels = {
        "1-30": _("1 to 30 days"),
        "31-60": _("31 to 60 days"),
        "61-180": _("61 to 180 days"),
        "181-365": _("181 days to a year"),
        "366-": _("More than a year"),
    }
    return [("", _("Any number of days"))] + [(code, labels[code]) for code, _low, _high in DAY_BANDS]


def _province_choices() -> list[tuple[str, str]]:
    provinces = ImmigrationOffice.objects.order_by("province").values_list("province", flat=True).distinct()
    return [("", str(_("Every province")))] + [(p, p) for p in provinces if p]


class OverstayFilterForm(StyledForm):
    nationality = _code_field(_("Nationality"), _("ICAO code, such as AUS."))
    band = forms.ChoiceField(label=_("Days over"), required=False, choices=_band_choices)
    province = forms.ChoiceField(
        label=_("Province"), required=False, choices=_province_choices, help_text=_("Province of the permit's sponsor or address.")
    )

    def clean_nationality(self) -> str:
        return _clean_code(self.cleaned_data.get("nationality", ""), _("Enter the nationality as its ICAO code, such as AUS or D."))

    def filters(self) -> OverstayFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return OverstayFilters(nationality=data.get("nationality", ""), band=data.get("band", ""), province=data.get("province", ""))


def parse_month(value: str) -> dt.date | None:
    match = _MONTH.match((value or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or not 1900 <= year <= 2100:
        return None
    return dt.date(year, month, 1)


def month_label(month: dt.date) -> str:
    """ "Nov 2025" / "Agu 2026": the month abbreviated in the active language, then the year."""
    return date_format(month, "M Y")


def _month_choices(empty: Any) -> Any:
    def choices() -> list[tuple[str, str]]:
        months = TrafficMonthly.objects.order_by("month").values_list("month", flat=True).distinct()
        return [("", str(empty))] + [(f"{m:%Y-%m}", month_label(m)) for m in months]

    return choices


class MonthField(forms.ChoiceField):
    """A select of the months that have figures ("Nov 2025"); the value is "YYYY-MM", and
    any real month is accepted (a bookmarked link may name one without figures)."""

    def __init__(self, *, empty: Any, **kwargs: Any) -> None:
        super().__init__(choices=_month_choices(empty), required=False, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return parse_month(str(value)) is not None or super().valid_value(value)

    def clean(self, value: Any) -> Any:
        text = (value or "").strip()
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Choose a month from the list."))
        return month


def _checkpoint_choices() -> list[tuple[str, str]]:
    return [("", str(_("Every checkpoint")))] + [(c.code, f"{c.code} – {c.name}") for c in Checkpoint.objects.order_by("code")]


GROUP_LABELS = [("month", _("Month")), ("nationality", _("Nationality")), ("checkpoint", _("Checkpoint"))]


class StatisticsForm(StyledForm):
    group_by = forms.ChoiceField(
        label=_("Figures by"),
        choices=GROUP_LABELS,
        initial="month",
        required=False,
    )
    month_from = MonthField(label=_("From month"), empty=_("The first month with figures"))
    month_to = MonthField(label=_("To month (included)"), empty=_("The last month with figures"))
    nationality = _code_field(_("Nationality"), _("ICAO code, such as AUS."))
    checkpoint = forms.ChoiceField(label=_("Checkpoint"), required=False, choices=_checkpoint_choices)

    def clean_nationality(self) -> str:
        return _clean_code(self.cleaned_data.get("nationality", ""), _("Enter the nationality as its ICAO code, such as AUS or D."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("month_from"), data.get("month_to")
        if start and end and start > end:
            self.add_error("month_to", _("The first month must be the same as or before the last month."))
        return data

    def filters(self) -> StatisticsFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return StatisticsFilters(
            month_from=data.get("month_from"),
            month_to=data.get("month_to"),
            nationality=data.get("nationality", ""),
            checkpoint=data.get("checkpoint", ""),
            group_by=data.get("group_by") or "month",
        )
