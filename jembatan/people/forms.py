"""Forms of the people pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jembatan.core.exceptions import ApplicationError
from jembatan.people import mrz
from jembatan.people.models import IdentityDocument, Sex
from jembatan.people.services import DocumentData, PersonData, person_data_from_mrz
from jembatan.reference.models import Country


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


# --- intake ------------------------------------------------------------------------------

# Languages offered for the native-script name: the tag stored (BCP 47), the name in the
# interface language and the autonym. The API accepts any BCP 47 tag.
NATIVE_LANGUAGES: tuple[tuple[str, Any, str], ...] = (
    ("am", _("Amharic"), "አማርኛ"),
    ("ar", _("Arabic"), "العربية"),
    ("hy", _("Armenian"), "հայերեն"),
    ("bn", _("Bengali"), "বাংলা"),
    ("my", _("Burmese"), "မြန်မာဘာသာ"),
    ("zh-Hans", _("Chinese (simplified)"), "简体中文"),
    ("zh-Hant", _("Chinese (traditional)"), "繁體中文"),
    ("ka", _("Georgian"), "ქართული"),
    ("el", _("Greek"), "Ελληνικά"),
    ("he", _("Hebrew"), "עברית"),
    ("hi", _("Hindi"), "हिन्दी"),
    ("ja", _("Japanese"), "日本語"),
    ("kk", _("Kazakh"), "қазақ тілі"),
    ("km", _("Khmer"), "ខ្មែរ"),
    ("ko", _("Korean"), "한국어"),
    ("lo", _("Lao"), "ລາວ"),
    ("mn", _("Mongolian"), "монгол"),
    ("ne", _("Nepali"), "नेपाली"),
    ("ps", _("Pashto"), "پښتو"),
    ("fa", _("Persian"), "فارسی"),
    ("pa", _("Punjabi"), "ਪੰਜਾਬੀ"),
    ("ru", _("Russian"), "русский"),
    ("sr", _("Serbian"), "српски"),
    ("si", _("Sinhala"), "සිංහල"),
    ("ta", _("Tamil"), "தமிழ்"),
    ("th", _("Thai"), "ไทย"),
    ("ti", _("Tigrinya"), "ትግርኛ"),
    ("uk", _("Ukrainian"), "українська"),
    ("ur", _("Urdu"), "اردو"),
    ("uz", _("Uzbek"), "oʻzbekcha"),
    ("vi", _("Vietnamese"), "Tiếng Việt"),
)

# The form fields an MRZ can fill, and the protection flags a special nationality code sets.
MRZ_FIELDS = (
    "surname",
    "given_names",
    "sex",
    "birth_day",
    "birth_month",
    "birth_year",
    "nationality",
    "document_type",
    "document_number",
    "issuing_state",
    "expiry_day",
    "expiry_month",
    "expiry_year",
)
MRZ_FLAGS = ("is_stateless", "is_refugee")

# Service error fields (`ApplicationError.field`) → the form field that shows the error.
_SERVICE_FIELDS = {
    "surname": "surname",
    "given_names": "given_names",
    "native_name": "native_name",
    "native_name_lang": "native_name_lang",
    "sex": "sex",
    "document_type": "document_type",
    "document_number": "document_number",
    "issuing_state": "issuing_state",
    "issued_on": "issued_day",
    "expires_on": "expiry_day",
    "mrz": "mrz",
}


@dataclass(frozen=True)
class DateGroup:
    """Three fields (day, month, year) shown as one GOV.UK date input."""

    name: str
    legend: Any
    hint: Any
    parts: tuple[str, str, str]


def _text(label: Any, help_text: Any = "", *, max_length: int = 200, **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=max_length,
        error_messages={"max_length": _("Enter at most %(limit_value)d characters")},
        widget=forms.TextInput(attrs={"class": "form-control", "spellcheck": "false", "autocomplete": "off", **attrs}),
    )


def _date_part(label: Any, max_length: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        error_messages={"max_length": _("Enter the date as numbers, for example 27 11 1985")},
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "off", "size": str(max_length + 1)}),
    )


def _select(label: Any, help_text: Any = "", choices: Any = ()) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        choices=choices,
        error_messages={"invalid_choice": _("Select an option from the list")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def _flag(label: Any) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))


def country_choices(placeholder: Any) -> list[tuple[str, str]]:
    """Every nationality and issuing-state code as "IDN – Indonesia", by name in the active language."""
    english = (get_language() or "id").startswith("en")
    rows = Country.objects.order_by("name_en" if english else "name_id", "code").values_list("code", "name_en", "name_id")
    return [("", str(placeholder))] + [(code, f"{code} – {name_en if english else name_id}") for code, name_en, name_id in rows]


def language_choices() -> list[tuple[str, str]]:
    options = sorted(((tag, f"{name} — {autonym}") for tag, name, autonym in NATIVE_LANGUAGES), key=lambda o: o[1].casefold())
    return [("", str(_("Not known")))] + options


class PersonIntakeForm(forms.Form):
    """The intake of a foreign national: the MRZ box, then the fields it fills, then the rest.

    Input shape only (digits in dates, one choice from a list); the rules of the domain are
    checked by `services.person_validate`, whose errors `add_service_error` puts on the
    right field. `mrz_read` remembers the MRZ last read, so reading it again never
    overwrites a field the officer changed.
    """

    DATE_GROUPS = (
        DateGroup(
            "birth",
            _("Date of birth"),
            _("For example, 27 11 1985. If only the year or the month and year are known, leave the rest empty or enter 00."),
            ("birth_day", "birth_month", "birth_year"),
        ),
        DateGroup("issued", _("Date of issue (optional)"), _("For example, 10 1 2022."), ("issued_day", "issued_month", "issued_year")),
        DateGroup("expiry", _("Date of expiry"), _("For example, 9 1 2032."), ("expiry_day", "expiry_month", "expiry_year")),
    )

    mrz = forms.CharField(
        label=_("MRZ (paste or scan)"),
        help_text=_(
            "The 2 or 3 lines of code at the bottom of the passport's data page, for example "
            "P<UTOERIKSSON<<ANNA<MARIA<<<… Then choose “Read MRZ” to fill in the fields below."
        ),
        required=False,
        max_length=400,
        error_messages={"max_length": _("The MRZ has at most 3 lines of 44 characters")},
        widget=forms.Textarea(
            attrs={
                "class": "form-control font-monospace",
                "rows": "3",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "autocomplete": "off",
                "dir": "ltr",
                "wrap": "off",
            }
        ),
    )
    mrz_read = forms.CharField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    surname = _text(
        _("Surname (as in the document)"),
        _("As printed in the travel document, for example ERIKSSON. If the person has only one name, enter it here."),
        max_length=120,
        autocapitalize="characters",
    )
    given_names = _text(_("Given names (as in the document)"), _("All given names, as printed in the travel document."))
    native_name = _text(
        _("Name in native script (optional)"),
        _("As the person writes it, in any script, for example Иван Петров or 王秀英."),
        max_length=300,
        dir="auto",
    )
    native_name_lang = _select(_("Language of the native name"))
    sex = _select(_("Sex"), choices=Sex.choices)
    birth_day = _date_part(_("Day"), 2)
    birth_month = _date_part(_("Month"), 2)
    birth_year = _date_part(_("Year"), 4)
    nationality = _select(_("Nationality"), _("As in the travel document. For a stateless person, select XXA."))
    second_nationality = _select(_("Second nationality (optional)"), _("Only if the person holds another nationality too."))
    document_type = _select(_("Document type"), choices=IdentityDocument.DocumentType.choices)
    document_number = _text(
        _("Document number"), _("Letters and numbers only, as printed, for example L898902C3."), max_length=20, autocapitalize="characters"
    )
    issuing_state = _select(_("Issuing state"))
    issued_day = _date_part(_("Day"), 2)
    issued_month = _date_part(_("Month"), 2)
    issued_year = _date_part(_("Year"), 4)
    expiry_day = _date_part(_("Day"), 2)
    expiry_month = _date_part(_("Month"), 2)
    expiry_year = _date_part(_("Year"), 4)
    is_refugee = _flag(_("Refugee"))
    is_asylum_seeker = _flag(_("Asylum seeker"))
    is_stateless = _flag(_("Stateless"))
    is_trafficking_victim = _flag(_("Victim of trafficking or smuggling"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = country_choices(_("Select a country or code"))
        for name in ("nationality", "second_nationality", "issuing_state"):
            self.fields[name].choices = countries  # type: ignore[attr-defined]
        self.fields["native_name_lang"].choices = language_choices()  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("sex", Sex.UNSPECIFIED)
            self.initial.setdefault("document_type", IdentityDocument.DocumentType.PASSPORT)

    # --- shape -------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("birth_day", "birth_month", "birth_year"):
            value = (cleaned.get(name) or "").strip()
            if value and not value.isdigit():
                self.add_error(name, _("Date of birth must be a real date, written as numbers"))
        for group, label in (("issued", "issue"), ("expiry", "expiry")):
            cleaned[f"{group}_date"] = self._clean_full_date(group, label)
        return cleaned

    def _clean_full_date(self, group: str, label: str) -> dt.date | None:
        parts = [(self.cleaned_data.get(f"{group}_{p}") or "").strip() for p in ("day", "month", "year")]
        if not any(parts):
            return None
        messages = {
            "issue": (_("Date of issue must include a day, month and year"), _("Date of issue must be a real date")),
            "expiry": (_("Date of expiry must include a day, month and year"), _("Date of expiry must be a real date")),
        }[label]
        for part, value in zip(("day", "month", "year"), parts, strict=True):
            if not value:
                self.add_error(f"{group}_{part}", messages[0])
                return None
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            self.add_error(f"{group}_day", messages[1])
            return None
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.add_error(f"{group}_day", messages[1])
            return None

    # --- to the service ------------------------------------------------------------------

    def to_person_data(self) -> PersonData:
        """The cleaned form as `PersonData` (call after `is_valid()`)."""
        c = self.cleaned_data

        def number(name: str) -> int | None:
            value = (c.get(name) or "").strip()
            return (int(value) or None) if value.isdigit() else None

        document = DocumentData(
            document_type=c.get("document_type") or IdentityDocument.DocumentType.PASSPORT,
            number=c.get("document_number") or "",
            issuing_state=c.get("issuing_state") or "",
            issued_on=c.get("issued_date"),
            expires_on=c.get("expiry_date"),
            mrz=self._mrz_for(c.get("document_number") or "", c.get("issuing_state") or ""),
        )
        return PersonData(
            surname=c.get("surname") or "",
            given_names=c.get("given_names") or "",
            native_name=c.get("native_name") or "",
            native_name_lang=c.get("native_name_lang") or "",
            sex=c.get("sex") or Sex.UNSPECIFIED,
            birth_year=number("birth_year"),
            birth_month=number("birth_month"),
            birth_day=number("birth_day"),
            nationalities=tuple(code for code in (c.get("nationality"), c.get("second_nationality")) if code),
            is_refugee=bool(c.get("is_refugee")),
            is_asylum_seeker=bool(c.get("is_asylum_seeker")),
            is_stateless=bool(c.get("is_stateless")),
            is_trafficking_victim=bool(c.get("is_trafficking_victim")),
            document=None if document.is_empty else document,
        )

    def _mrz_for(self, number: str, state: str) -> str:
        """The MRZ last read, kept with the document only if it is that document's MRZ."""
        previous = previous_mrz_data(self.cleaned_data.get("mrz_read") or "")
        if previous is None or previous.document is None:
            return ""
        doc = previous.document
        if doc.number == "".join(number.split()).upper() and doc.issuing_state == state:
            return doc.mrz
        return ""

    def values(self) -> dict[str, Any]:
        """What the officer submitted, as initial values for a fresh form (checkboxes as
        booleans, whichever way they were posted)."""
        return {name: field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name)) for name, field in self.fields.items()}

    def mrz_pending(self) -> bool:
        """True when the MRZ box holds text that has not been read yet."""
        box = mrz.normalise_lines(self.data.get("mrz", "") or "")
        return bool(box) and box != mrz.normalise_lines(self.data.get("mrz_read", "") or "")

    def add_service_error(self, error: ApplicationError) -> None:
        """Show a service's `ApplicationError` on the field it names (else above the form)."""
        name = error.field or ""
        target: str | None
        if name == "birth_date":
            target = {"day": "birth_day", "month": "birth_month", "year": "birth_year"}.get(error.extra.get("part", ""), "birth_day")
        elif name == "nationalities":
            target = "second_nationality" if error.extra.get("index", 0) >= 1 else "nationality"
        else:
            target = _SERVICE_FIELDS.get(name)
        self.add_error(target, error.message)

    # --- rendering -----------------------------------------------------------------------

    def date_group(self, name: str) -> dict[str, Any]:
        group = next(g for g in self.DATE_GROUPS if g.name == name)
        fields = [self[p] for p in group.parts]
        errors: list[str] = []
        for f in fields:
            errors += [str(e) for e in f.errors if str(e) not in errors]
        return {"name": name, "legend": group.legend, "hint": group.hint, "fields": fields, "errors": errors, "id": f"id_{name}"}

    @property
    def birth_group(self) -> dict[str, Any]:
        return self.date_group("birth")

    @property
    def issued_group(self) -> dict[str, Any]:
        return self.date_group("issued")

    @property
    def expiry_group(self) -> dict[str, Any]:
        return self.date_group("expiry")

    def wire_aria(self) -> None:
        """Link each input to its hint and error (`aria-describedby`), mark errors
        (`aria-invalid`), as UX.md §2.6 asks. Call just before rendering."""
        errors = self.errors if self.is_bound else {}
        grouped = {p: g for g in self.DATE_GROUPS for p in g.parts}
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            attrs = field.widget.attrs
            bound = self[name]
            if name in grouped:
                group = grouped[name]
                described = [f"id_{group.name}-hint"]
                if any(errors.get(p) for p in group.parts):
                    described.append(f"id_{group.name}-error")
            else:
                described = [f"{bound.auto_id}-hint"] if field.help_text else []
                if errors.get(name):
                    described.append(f"{bound.auto_id}-error")
            if described:
                attrs["aria-describedby"] = " ".join(described)
            if errors.get(name):
                attrs["aria-invalid"] = "true"
                # Bootstrap's error icon would sit on top of the MRZ text.
                if "is-invalid" not in attrs.get("class", "") and not isinstance(field.widget, forms.Textarea):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


def form_values(data: PersonData | None) -> dict[str, str]:
    """The MRZ-fillable form fields for `data`, as the strings a form would hold."""
    if data is None:
        return {}
    doc = data.document or DocumentData()
    expiry = doc.expires_on
    return {
        "surname": data.surname,
        "given_names": data.given_names,
        "sex": data.sex,
        "birth_day": str(data.birth_day or ""),
        "birth_month": str(data.birth_month or ""),
        "birth_year": str(data.birth_year or ""),
        "nationality": data.nationalities[0] if data.nationalities else "",
        "document_type": doc.document_type,
        "document_number": doc.number,
        "issuing_state": doc.issuing_state,
        "expiry_day": str(expiry.day) if expiry else "",
        "expiry_month": str(expiry.month) if expiry else "",
        "expiry_year": str(expiry.year) if expiry else "",
    }


def previous_mrz_data(text: str) -> PersonData | None:
    """What the MRZ read earlier said, or None (nothing read, or it no longer reads)."""
    if not text.strip():
        return None
    try:
        return person_data_from_mrz(text=text)
    except ApplicationError:
        return None


# Select fields that start with a value: still holding it means the officer did not choose.
_UNTOUCHED = {"sex": Sex.UNSPECIFIED, "document_type": IdentityDocument.DocumentType.PASSPORT}


def apply_mrz(values: dict[str, Any], new: PersonData) -> tuple[dict[str, Any], int]:
    """Fill the form `values` from a freshly read MRZ; return them and how many fields were filled.

    A field takes the MRZ's value when it is empty or still holds what the MRZ read before
    said; a field the officer changed is kept. Protection flags are only ever ticked.
    """
    previous = form_values(previous_mrz_data(str(values.get("mrz_read") or "")))
    filled = 0
    result = dict(values)
    for key, value in form_values(new).items():
        current = str(result.get(key) or "").strip()
        if current in ("", previous.get(key, ""), _UNTOUCHED.get(key)):
            result[key] = value
            filled += bool(value) and value != current
    for flag in MRZ_FLAGS:
        if getattr(new, flag) and not result.get(flag):
            result[flag] = True
            filled += 1
    lines = new.document.mrz if new.document else ""
    result["mrz"] = lines
    result["mrz_read"] = lines
    return result, filled
