"""Administrators correct reference data here (Django admin with simple-history).

Every save marks the row `locally_corrected` (the loader then leaves it alone) and writes a
REFERENCE_CREATED / REFERENCE_CHANGED / REFERENCE_DELETED audit event through the services.
Access follows capabilities, not Django's model permissions: `reference.change_reference`
(and, for foreign missions, `reference.change_mission`). Django's admin also requires
`is_staff` to enter at all.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from jembatan.reference import permissions
from jembatan.reference.forms import CONFIDENCE_SHORT
from jembatan.reference.models import Checkpoint, Country, DetentionCentre, ForeignMission, ImmigrationOffice, LegalBasis
from jembatan.reference.services import reference_record_delete, reference_record_save


class ReferenceAdmin(SimpleHistoryAdmin):
    """Shared behaviour: capability checks, corrections through the services, short sources."""

    list_per_page = 50
    readonly_fields = ("created_at", "updated_at")
    validity_fields = ("valid_from", "valid_to", "source", "confidence", "locally_corrected")

    def _allowed(self, request: HttpRequest) -> bool:
        return permissions.can_change(request.user, self.model)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    @admin.display(description=_("source"))
    def short_source(self, obj: Any) -> str:
        """The first source, shortened (a URL to its host), and how many more there are."""
        parts = [p.strip() for p in (obj.source or "").split(" ; ") if p.strip()]
        if not parts:
            return "—"
        first = parts[0]
        host = urlsplit(first.split()[0]).netloc if first.lower().startswith(("http://", "https://")) else ""
        shown = host or Truncator(first).chars(40)
        return f"{shown} (+{len(parts) - 1})" if len(parts) > 1 else shown

    @admin.display(description=_("confidence"), ordering="confidence")
    def confidence_short(self, obj: Any) -> str:
        return str(CONFIDENCE_SHORT.get(obj.confidence, obj.confidence))

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        obj._history_user = request.user  # as SimpleHistoryAdmin does
        reference_record_save(record=obj, actor=request.user, changed_fields=list(form.changed_data), created=not change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        obj._history_user = request.user
        reference_record_delete(record=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


_COMMON_LIST = ("short_source", "confidence_short", "locally_corrected", "valid_from", "valid_to")
_COMMON_FILTERS = ("confidence", "locally_corrected")


@admin.register(Country)
class CountryAdmin(ReferenceAdmin):
    list_display = ("code", "name_id", "name_en", "kind", "alpha2", "iso_equivalent", *_COMMON_LIST)
    list_filter = ("kind", *_COMMON_FILTERS)
    search_fields = ("code", "alpha2", "numeric", "name_id", "name_en")
    fieldsets = (
        (None, {"fields": ("code", "kind", "name_id", "name_en", "alpha2", "numeric", "iso_equivalent")}),
        (_("Validity and source"), {"fields": (*ReferenceAdmin.validity_fields, "created_at", "updated_at")}),
    )


@admin.register(ImmigrationOffice)
class ImmigrationOfficeAdmin(ReferenceAdmin):
    list_display = ("code", "name_id", "office_class", "city", "province", "time_zone", *_COMMON_LIST)
    list_filter = ("office_class", "province", "time_zone", *_COMMON_FILTERS)
    search_fields = ("code", "name_id", "name_en", "city", "province")
    fieldsets = (
        (None, {"fields": ("code", "name_id", "name_en", "office_class", "city", "province", "time_zone")}),
        (_("Validity and source"), {"fields": (*ReferenceAdmin.validity_fields, "created_at", "updated_at")}),
    )


@admin.register(DetentionCentre)
class DetentionCentreAdmin(ReferenceAdmin):
    list_display = ("code", "name_id", "city", "province", "time_zone", *_COMMON_LIST)
    list_filter = ("province", "time_zone", *_COMMON_FILTERS)
    search_fields = ("code", "name_id", "name_en", "city", "province")
    fieldsets = (
        (None, {"fields": ("code", "name_id", "name_en", "city", "province", "time_zone")}),
        (_("Validity and source"), {"fields": (*ReferenceAdmin.validity_fields, "created_at", "updated_at")}),
    )


@admin.register(Checkpoint)
class CheckpointAdmin(ReferenceAdmin):
    list_display = ("code", "name_id", "kind", "city", "province", "time_zone", *_COMMON_LIST)
    list_filter = ("kind", "province", "time_zone", *_COMMON_FILTERS)
    search_fields = ("code", "name_id", "name_en", "city", "province")
    fieldsets = (
        (None, {"fields": ("code", "kind", "name_id", "name_en", "city", "province", "time_zone")}),
        (_("Validity and source"), {"fields": (*ReferenceAdmin.validity_fields, "created_at", "updated_at")}),
    )


@admin.register(ForeignMission)
class ForeignMissionAdmin(ReferenceAdmin):
    list_display = ("name_id", "sending_entity", "mission_type", "city", "province", "is_resident", *_COMMON_LIST)
    list_filter = ("mission_type", "is_resident", "province", *_COMMON_FILTERS)
    search_fields = ("name_id", "name_en", "sending_entity", "city", "province", "country__code")
    list_select_related = ("country",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "country",
                    "sending_entity",
                    "mission_type",
                    "name_id",
                    "name_en",
                    "city",
                    "province",
                    "is_resident",
                    "consular_district",
                )
            },
        ),
        (_("Validity and source"), {"fields": (*ReferenceAdmin.validity_fields, "created_at", "updated_at")}),
    )


@admin.register(LegalBasis)
class LegalBasisAdmin(ReferenceAdmin):
    list_display = ("__str__", "kind", "max_penalty_short", *_COMMON_LIST)
    list_filter = ("kind", "law", *_COMMON_FILTERS)
    search_fields = ("law", "article", "paragraph", "summary_en", "summary_id")
    fieldsets = (
        (None, {"fields": ("law", "article", "paragraph", "kind", "summary_id", "summary_en", "max_penalty")}),
        (_("Validity and source"), {"fields": (*ReferenceAdmin.validity_fields, "created_at", "updated_at")}),
    )

    @admin.display(description=_("maximum penalty"))
    def max_penalty_short(self, obj: LegalBasis) -> str:
        return Truncator(obj.max_penalty).chars(60) if obj.max_penalty else "—"
