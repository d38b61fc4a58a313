"""Reference data pages: an overview of the tables and one searchable list per table."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import QuerySet
from django.utils import formats
from django.views.generic import ListView, TemplateView

from jembatan.reference import permissions
from jembatan.reference.forms import ReferenceFilterForm
from jembatan.reference.models import Confidence
from jembatan.reference.selectors import TABLES, ReferenceTable, reference_row_list, reference_table_summaries


class ReferenceAccessMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Signed-in users with `reference.view_reference`; others get 403 (anonymous: login)."""

    permission_required = permissions.VIEW_REFERENCE


class ReferenceIndexView(ReferenceAccessMixin, TemplateView):
    template_name = "reference/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        summaries = reference_table_summaries()
        user = self.request.user
        context["rows"] = [
            {"summary": s, "can_change": permissions.can_change(user, s.table.model)}  # type: ignore[arg-type]
            for s in summaries
        ]
        context["can_change_any"] = any(r["can_change"] for r in context["rows"])
        context["confidence_levels"] = Confidence.choices
        return context


class ReferenceListView(ReferenceAccessMixin, ListView):
    """One table, filtered by the query string (search, kind, province, confidence, date)."""

    template_name = "reference/list.html"
    table_slug = ""
    table: ReferenceTable
    form: ReferenceFilterForm

    def get_paginate_by(self, queryset: QuerySet[Any]) -> int:
        return settings.UI_PAGE_SIZE

    def get_queryset(self) -> QuerySet[Any]:
        self.table = TABLES[self.table_slug]
        self.form = ReferenceFilterForm(self.request.GET or None, table=self.table)
        return reference_row_list(table=self.table, **self.form.filters())

    def _query_without(self, *names: str) -> str:
        query = self.request.GET.copy()
        for name in names:
            query.pop(name, None)
        return query.urlencode()

    def _active_filters(self) -> list[dict[str, str]]:
        if not self.form.is_bound:
            return []
        active = []
        data = getattr(self.form, "cleaned_data", {})
        for name, field in self.form.fields.items():
            value = data.get(name)
            if value in (None, ""):
                continue
            if hasattr(field, "choices"):
                shown = str(dict(field.choices).get(value, value))
            elif name == "in_force_on":
                shown = formats.date_format(value, "SHORT_DATE_FORMAT")
            else:
                shown = str(value)
            active.append({"label": str(field.label), "value": shown, "remove_query": self._query_without(name, "page")})
        return active

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rest = self._query_without("page")
        context.update(
            table=self.table,
            form=self.form,
            can_change=permissions.can_change(self.request.user, self.table.model),
            querystring_without_page=f"{rest}&" if rest else "",
            active_filters=self._active_filters(),
            rows_template=f"reference/tables/{self.table.slug}.html",
        )
        return context
