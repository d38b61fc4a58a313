"""Input shapes for the accounts pages. Rules live in the services; forms only parse."""

from __future__ import annotations

from typing import Any, cast

from allauth.account import forms as allauth_forms
from allauth.mfa.base import forms as mfa_base_forms
from allauth.mfa.totp import forms as mfa_totp_forms
from django import forms
from django.utils.translation import gettext_lazy as _

from jembatan.accounts.models import Agency, OrgUnit
from jembatan.accounts.roles import Role
from jembatan.reference.models import TimeZoneName

LANGUAGE_CHOICES = [("id", "Bahasa Indonesia"), ("en", "English")]


def time_zone_choices(*, own: bool) -> list[tuple[str, Any]]:
    unit_zone = _("The zone of my unit") if own else _("The zone of the user's unit")
    return [("", unit_zone), *TimeZoneName.choices]


class UnitChoiceField(forms.ModelChoiceField):
    def __init__(self, *args: Any, show_agency: bool = False, **kwargs: Any) -> None:
        self.show_agency = show_agency
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{obj.agency.name} — {obj.name}" if self.show_agency else obj.name


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, username or e-mail"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices])
    active = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Active and inactive")), ("yes", _("Active")), ("no", _("Inactive"))]
    )
    locked = forms.BooleanField(label=_("Only users locked out now"), required=False)
    mfa = forms.BooleanField(label=_("Only users who must set up 2FA and have not"), required=False)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "role": data.get("role") or "",
            "active": data.get("active") or "",
            "locked": "yes" if data.get("locked") else "",
            "mfa": "missing" if data.get("mfa") else "",
        }


class UserFieldsMixin(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        help_text=_("As the user writes it, for example on their staff card."),
        error_messages={"required": _("Enter the user's full name")},
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("An official address. The set-password e-mail and password resets go here."),
        error_messages={"required": _("Enter the user's e-mail address"), "invalid": _("Enter an e-mail address like name@imigrasi.go.id")},
    )
    unit = UnitChoiceField(
        queryset=OrgUnit.objects.none(),
        label=_("Unit"),
        required=False,
        empty_label=_("No unit"),
        help_text=_("The office or section the user works in. Their time zone follows it."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Each role gives the user what it needs for that job. Select all that apply."),
    )
    preferred_language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="id")
    time_zone_override = forms.ChoiceField(label=_("Time zone"), choices=(), required=False)

    def setup(self, *, units: Any, show_agency: bool) -> None:
        unit = cast(UnitChoiceField, self.fields["unit"])
        unit.queryset = units
        unit.show_agency = show_agency
        cast(forms.ChoiceField, self.fields["time_zone_override"]).choices = time_zone_choices(own=False)


class UserCreateForm(UserFieldsMixin):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Used to sign in. Letters, digits and @ . + - _ only."),
        error_messages={"required": _("Enter a username")},
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label=_("Agency"),
        required=False,
        help_text=_("Leave empty to use your own agency."),
    )
    field_order = ["username", "full_name", "email", "agency", "unit", "roles", "preferred_language", "time_zone_override"]

    def __init__(self, *args: Any, agencies: Any = None, units: Any, show_agency: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup(units=units, show_agency=show_agency)
        if agencies is None:
            del self.fields["agency"]
        else:
            cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies


class UserEditForm(UserFieldsMixin):
    def __init__(self, *args: Any, units: Any, show_agency: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup(units=units, show_agency=show_agency)


class ProfileForm(forms.Form):
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=LANGUAGE_CHOICES, help_text=_("Pages open in this language after you sign in.")
    )
    time_zone_override = forms.ChoiceField(
        label=_("Time zone"),
        choices=(),
        required=False,
        help_text=_("Times in work queues and dashboards are shown in this zone."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["time_zone_override"]).choices = time_zone_choices(own=True)


class ApiClientCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the system"),
        max_length=120,
        help_text=_("For example: SIMKIM Kanim Denpasar. Staff see this name in the audit log."),
        error_messages={"required": _("Enter a name for the system")},
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label=_("Agency"), required=False, help_text=_("Leave empty to use your own agency.")
    )
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Give the system only what it needs."),
        error_messages={"required": _("Select at least one permission")},
    )

    def __init__(self, *args: Any, agencies: Any = None, permission_choices: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["permissions"]).choices = [(p, p) for p in permission_choices]
        if agencies is None:
            del self.fields["agency"]
        else:
            cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies


# --- allauth's forms with GOV.UK wording -------------------------------------------------
# Used through settings: ACCOUNT_FORMS / MFA_FORMS point here. They change only labels and
# error messages ("say what to do", UX.md §2.6); allauth keeps all the behaviour.


def _relabel(form: forms.Form, wording: dict[str, tuple[Any, Any]]) -> None:
    for name, (label, required) in wording.items():
        field = form.fields.get(name)
        if field is None:
            continue
        field.label = label
        field.error_messages = {**field.error_messages, "required": required}
        field.widget.attrs.pop("placeholder", None)


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"login": (_("Username"), _("Enter your username")), "password": (_("Password"), _("Enter your password"))})


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": (_("E-mail address"), _("Enter your e-mail address"))})
        self.fields["email"].error_messages["invalid"] = _("Enter an e-mail address like name@imigrasi.go.id")


NEW_PASSWORD_WORDING = {
    "password1": (_("New password"), _("Enter a new password")),
    "password2": (_("New password again"), _("Enter the new password again")),
}


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, NEW_PASSWORD_WORDING)


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"oldpassword": (_("Current password"), _("Enter your current password")), **NEW_PASSWORD_WORDING})


CODE_WORDING = {"code": (_("Verification code"), _("Enter the 6-digit code from your authenticator app"))}


class MfaAuthenticateForm(mfa_base_forms.AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, CODE_WORDING)


class ActivateTotpForm(mfa_totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, CODE_WORDING)
