"""Django admin of the case register: the effective-dated overstay rule (UU 6/2011 art. 78).

Administrators who may correct reference data (`reference.change_reference`) maintain the
rule here; every save goes through `rules.overstay_rule_save` (validated and audited). A
rule is never deleted: it is ended with `valid_to` and a new one starts.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from jembatan.cases.models import OverstayRule
from jembatan.cases.rules import overstay_rule_save
from jembatan.core.exceptions import ApplicationError

RULE_CAPABILITY = "reference.change_reference"


class OverstayRuleForm(ModelForm):
    class Meta:
        model = OverstayRule
        fields = ["valid_from", "valid_to", "threshold_days", "at_threshold", "charge_per_day", "source"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            raise ValidationError({"valid_to": _("The end date must be the same as or after the start date.")})
        threshold = cleaned.get("threshold_days")
        if threshold is not None and threshold < 1:
            raise ValidationError({"threshold_days": _("Enter a threshold of at least 1 day.")})
        return cleaned


@admin.register(OverstayRule)
class OverstayRuleAdmin(SimpleHistoryAdmin):
    form = OverstayRuleForm
    list_display = ("valid_from", "valid_to", "threshold_days", "at_threshold", "charge_per_day")
    ordering = ("-valid_from",)
    readonly_fields = ("created_at", "updated_at")

    def _allowed(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.has_perm(RULE_CAPABILITY))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Assessments name the rule they used: end a rule with `valid to` instead.
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        obj._history_user = request.user  # as SimpleHistoryAdmin does
        try:
            overstay_rule_save(rule=obj, actor=request.user, changed_fields=list(form.changed_data))
        except ApplicationError as error:  # the form's own checks make this unreachable in practice
            raise ValidationError({error.field or "__all__": error.message}) from error
