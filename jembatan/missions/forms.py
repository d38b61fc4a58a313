"""Input shapes for the registry pages. The rules live in the model's `clean` and the
services; forms only parse (UX.md §2.6: errors say what to do, in both languages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jembatan.missions.choices import ImmunityLevel
from jembatan.missions.models import AccreditedPerson, Category, DocumentType, ImmunityLevelSource
from jembatan.missions.selectors import (
    CARD_EXPIRED,
    CARD_EXPIRING,
    CARD_NONE,
    CARD_VALID,
    RegistryFilters,
    accredited_person_by_reference,
    registry_missions,
)
from jembatan.people.models import Sex
from jembatan.reference.models import Country, ForeignMission

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class DatePartsWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes, each with its own label. The day
    box carries the field's own id, so an error-summary link lands on it."""

    template_name = "missions/widgets/date_parts.html"
    PARTS = (("day", _("Day"), 2), ("month", _("Month"), 2), ("year", _("Year"), 4))

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"inputmode": "numeric", "class": "form-control", "autocomplete": "off", "spellcheck": "false"}
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            name: forms.TextInput(attrs={**base, "maxlength": str(size)}) for name, _label, size in self.PARTS
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        base_id = (attrs or {}).get("id") or self.attrs.get("id")
        subwidgets = context["widget"]["subwidgets"]
        for (part, label, size), sub in zip(self.PARTS, subwidgets, strict=True):
            sub["part_label"] = label
            sub["attrs"]["class"] = f"{sub['attrs'].get('class', '')} jb-date-part-{size}".strip()
            if base_id:
                sub["attrs"]["id"] = base_id if part == "day" else f"{base_id}_{part}"
        return context

    def id_for_label(self, id_: str) -> str:
        return id_


class DatePartsField(forms.Field):
    """A known date entered as day, month and year (UX.md §2.3), with GOV.UK messages."""

    widget = DatePartsWidget

    def __init__(self, *, messages: dict[str, Any], **kwargs: Any) -> None:
        self.messages = messages
        kwargs.setdefault("required", False)
        super().__init__(error_messages={"required": messages["required"]}, **kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        parts = [str(v or "").strip() for v in (value or [])] + ["", "", ""]
        day, month, year = parts[:3]
        if not (day or month or year):
            return None
        if not (day and month and year):
            raise ValidationError(self.messages["incomplete"], code="incomplete")
        if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
            raise ValidationError(self.messages["invalid"], code="invalid")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(self.messages["invalid"], code="invalid") from None


BIRTH_DATE_HINT = _("For example 27 3 1984")


def _date_field(label: Any, messages: dict[str, Any], help_text: Any = BIRTH_DATE_HINT) -> DatePartsField:
    return DatePartsField(label=label, help_text=help_text, messages=messages)


class MissionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ForeignMission) -> str:
        return obj.name


class CountryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Country) -> str:
        return f"{obj.code} – {obj.name}"


def _countries() -> Any:
    return Country.objects.in_force().order_by("code")


CARD_CHOICES = [
    ("", _("Any card status")),
    (CARD_VALID, _("Card valid today")),
    (CARD_EXPIRING, _("Card ends within 30 days")),
    (CARD_EXPIRED, _("Card expired")),
    (CARD_NONE, _("No card recorded")),
]


class RegistryFilterForm(forms.Form):
    """The registry list's search box and filters, all in the query string."""

    q = forms.CharField(
        label=_("Name, card number or document number"),
        help_text=_("Any part of the name as in the passport or in the native script, or the full card or document number."),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Enter at most 200 characters")},
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto", "autocomplete": "off", "spellcheck": "false"}),
    )
    mission = MissionChoiceField(label=_("Mission"), queryset=ForeignMission.objects.none(), required=False, empty_label=_("All missions"))
    immunity_level = forms.ChoiceField(label=_("Immunity"), required=False, choices=[("", _("Any immunity")), *ImmunityLevel.choices])
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", _("Any category")), *Category.choices])
    card = forms.ChoiceField(label=_("Identity card"), required=False, choices=CARD_CHOICES)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active and inactive")), ("yes", _("Active")), ("no", _("Inactive"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        used = ForeignMission.objects.filter(accredited_persons__isnull=False).distinct()
        self.fields["mission"].queryset = used.order_by("sending_entity", "mission_type", "city")  # type: ignore[attr-defined]

    def filters(self) -> RegistryFilters:
        if not self.is_valid():
            return RegistryFilters()
        data = self.cleaned_data
        mission = data.get("mission")
        return RegistryFilters(
            query=(data.get("q") or "").strip(),
            mission_id=mission.pk if mission else None,
            immunity_level=data.get("immunity_level") or "",
            category=data.get("category") or "",
            card=data.get("card") or "",
            active=data.get("active") or "",
        )


class AccreditedPersonForm(forms.Form):
    """Add or edit one registry row. `actor` resolves the principal by number."""

    mission = MissionChoiceField(
        label=_("Mission"),
        queryset=ForeignMission.objects.none(),
        empty_label=_("Select the mission"),
        error_messages={"required": _("Select the mission the person is accredited through")},
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Select the category")), *Category.choices],
        help_text=_("As in the note of accreditation. The category sets the immunity unless you choose one below."),
        error_messages={"required": _("Select the category the person is accredited in")},
    )
    principal_reference = forms.CharField(
        label=_("Family member of (card or document number)"),
        required=False,
        max_length=40,
        help_text=_("Only for a family member: the identity card number, or the passport number, of the staff member."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "font-monospace"}),
    )
    rank = forms.CharField(label=_("Rank or title"), required=False, max_length=120, help_text=_("For example Counsellor, Attaché."))
    surname = forms.CharField(
        label=_("Surname (as in the passport)"),
        max_length=120,
        error_messages={"required": _("Enter the surname as in the passport")},
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off", "spellcheck": "false"}),
    )
    given_names = forms.CharField(
        label=_("Given names (as in the passport)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off", "spellcheck": "false"}),
    )
    native_name = forms.CharField(
        label=_("Name in native script"),
        required=False,
        max_length=300,
        help_text=_("Optional, in any script, as the person writes it."),
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off", "spellcheck": "false"}),
    )
    native_name_lang = forms.CharField(
        label=_("Language of the native name"),
        required=False,
        max_length=16,
        help_text=_("A language tag such as ja, zh-Hans, ar. Leave empty if you do not know."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNSPECIFIED)
    birth_date = _date_field(
        _("Date of birth"),
        {
            "required": _("Enter the date of birth"),
            "incomplete": _("Date of birth must include a day, month and year"),
            "invalid": _("Date of birth must be a real date, for example 27 3 1984"),
        },
    )
    nationality = CountryChoiceField(
        label=_("Nationality"),
        queryset=Country.objects.none(),
        empty_label=_("Select the nationality"),
        error_messages={"required": _("Select the nationality")},
    )
    document_type = forms.ChoiceField(
        label=_("Document type"), required=False, choices=[("", _("No document recorded")), *DocumentType.choices]
    )
    document_number = forms.CharField(
        label=_("Document number"),
        required=False,
        max_length=30,
        help_text=_("As printed in the passport. Spaces are ignored when matching."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "font-monospace"}),
    )
    document_issuing_state = CountryChoiceField(
        label=_("Issuing state"), queryset=Country.objects.none(), required=False, empty_label=_("Select the issuing state")
    )
    card_number = forms.CharField(
        label=_("Identity card number"),
        required=False,
        max_length=40,
        help_text=_("The number of the diplomatic or consular identity card issued by the ministry."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "font-monospace"}),
    )
    card_valid_from = _date_field(
        _("Card valid from"),
        {
            "required": _("Enter the date the card is valid from"),
            "incomplete": _("The card's start date must include a day, month and year"),
            "invalid": _("The card's start date must be a real date, for example 1 7 2025"),
        },
        _("For example 1 7 2025"),
    )
    card_valid_until = _date_field(
        _("Card valid until"),
        {
            "required": _("Enter the date the card is valid until"),
            "incomplete": _("The card's end date must include a day, month and year"),
            "invalid": _("The card's end date must be a real date, for example 30 6 2028"),
        },
        _("For example 30 6 2028"),
    )
    immunity_level = forms.ChoiceField(
        label=_("Immunity"),
        required=False,
        choices=[("", _("Follow the category (Vienna Conventions)")), *ImmunityLevel.choices],
        help_text=_("Choose a level only when protocol has decided one for this person, for example under a bilateral agreement."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label=_("Active: the person is accredited now"), required=False, initial=True)

    # Model field → form field, for errors raised by the model's rules.
    FIELD_MAP = {"principal": "principal_reference"}

    def __init__(self, *args: Any, actor: Any, instance: AccreditedPerson | None = None, **kwargs: Any) -> None:
        self.actor = actor
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(instance)
        super().__init__(*args, **kwargs)
        self.fields["mission"].queryset = registry_missions()  # type: ignore[attr-defined]
        self.fields["nationality"].queryset = _countries()  # type: ignore[attr-defined]
        self.fields["document_issuing_state"].queryset = _countries()  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(person: AccreditedPerson) -> dict[str, Any]:
        principal = person.principal
        return {
            "mission": person.mission_id,
            "category": person.category,
            "principal_reference": (principal.card_number or principal.document_number) if principal else "",
            "rank": person.rank,
            "surname": person.surname,
            "given_names": person.given_names,
            "native_name": person.native_name,
            "native_name_lang": person.native_name_lang,
            "sex": person.sex,
            "birth_date": person.birth_date,
            "nationality": person.nationality_id,
            "document_type": person.document_type,
            "document_number": person.document_number,
            "document_issuing_state": person.document_issuing_state_id,
            "card_number": person.card_number,
            "card_valid_from": person.card_valid_from,
            "card_valid_until": person.card_valid_until,
            "immunity_level": person.immunity_level if person.immunity_level_source == ImmunityLevelSource.PROTOCOL else "",
            "notes": person.notes,
            "is_active": person.is_active,
        }

    def clean_principal_reference(self) -> str:
        reference = (self.cleaned_data.get("principal_reference") or "").strip()
        self._principal: AccreditedPerson | None = None
        if reference:
            principal = accredited_person_by_reference(actor=self.actor, reference=reference)
            if principal is None:
                raise ValidationError(_("No one in the registry has this card or document number. Check the number"), code="not_found")
            self._principal = principal
        return reference

    def service_data(self) -> dict[str, Any]:
        """The cleaned values as the services take them."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "principal_reference"}
        data["principal"] = getattr(self, "_principal", None)
        return data

    def add_model_errors(self, error: ValidationError) -> None:
        """Show the model's rule errors on the form fields they concern."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        for name, errors in error.error_dict.items():
            target = self.FIELD_MAP.get(name, name)
            self.add_error(target if target in self.fields else None, errors)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 CSV with the columns of the template, one row per person, at most 2 MB."),
        error_messages={"required": _("Select a CSV file"), "empty": _("The selected file is empty")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise ValidationError(_("The selected file must be a CSV file"), code="type")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The selected file must be smaller than 2 MB"), code="size")
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
